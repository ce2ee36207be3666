//! The login throttle under a parallel attack, counted in password hashes: this binary
//! holds this one test, so the process-wide count of password checks is its own.

use std::net::IpAddr;

use taavon_app::auth::{self, LoginAttempt, Via};
use taavon_app::users::{self, Caller, PasswordRule, UserInput};
use taavon_app::{AppError, clock};
use taavon_store::Store;

async fn store_with_admin(store: Store) -> Store {
    let input = UserInput {
        username: "admin".into(),
        display_name: "مدیر".into(),
        password: "correct horse battery".into(),
        role: "ministry_admin".into(),
        ..UserInput::default()
    };
    users::add_user(
        &store,
        Caller::Operator("test"),
        &input,
        PasswordRule::Standard,
        None,
        clock::now(),
    )
    .await
    .unwrap();
    store
}

fn attempt<'a>(password: &'a str, source: &str) -> LoginAttempt<'a> {
    LoginAttempt {
        username: "admin",
        password,
        via: Via::Api,
        source: source.parse::<IpAddr>().unwrap(),
    }
}

/// 50 wrong passwords at once from one address: returns (bad credentials, throttled,
/// password hashes computed).
async fn attack(store: &Store) -> (usize, usize, u64) {
    let before = auth::password_checks();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            let password = format!("guess {i}");
            tokio::spawn(async move {
                auth::login(&store, attempt(&password, "203.0.113.66"), clock::now()).await
            })
        })
        .collect();
    let (mut refused, mut throttled) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Err(AppError::BadCredentials) => refused += 1,
            Err(AppError::Throttled { .. }) => throttled += 1,
            other => panic!("unexpected {:?}", other.map(|_| ())),
        }
    }
    (refused, throttled, auth::password_checks() - before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn fifty_parallel_wrong_passwords_cost_five_password_checks_and_lock_out_only_their_address()
{
    // Establishes the throttle's bound under a race, on both engines: of 50 parallel
    // wrong passwords for one user from one address exactly 5 are checked (5 argon2
    // hashes), the other 45 are refused unchecked; that address is then refused even the
    // right password, while the real user logs in from another address.
    let mut stores = vec![taavon_testkit::fresh_sqlite().await];
    let (postgres, _database) = taavon_testkit::fresh_postgres_or_skip().await.unzip();
    stores.extend(postgres);
    for store in stores {
        let engine = store.engine();
        let store = store_with_admin(store).await;
        let (refused, throttled, checks) = attack(&store).await;
        assert_eq!((refused, throttled, checks), (5, 45, 5), "{engine:?}");

        let before = auth::password_checks();
        let blocked = auth::login(
            &store,
            attempt("correct horse battery", "203.0.113.66"),
            clock::now(),
        )
        .await;
        assert!(
            matches!(blocked, Err(AppError::Throttled { retry_after_seconds }) if retry_after_seconds > 0),
            "{engine:?}"
        );
        assert_eq!(
            auth::password_checks(),
            before,
            "a refusal computes no hash"
        );
        let (principal, token) = auth::login(
            &store,
            attempt("correct horse battery", "198.51.100.7"),
            clock::now(),
        )
        .await
        .unwrap();
        assert_eq!(principal.username, "admin");
        assert!(token.is_some());
        assert_eq!(
            store.verify_audit().await.unwrap().first_broken,
            None,
            "{engine:?}"
        );
    }
}
