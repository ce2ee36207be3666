//! Logging in: password checks (argon2id), throttling, bearer tokens.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use taavon_core::access::Principal;
use taavon_core::limits::TextKind;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, LoginContext, Purged, Reservation, Store, ThrottleKey, User};

use crate::AppError;

/// Attempts one user name may make from one source within `THROTTLE_WINDOW_SECONDS`;
/// further ones from that source are refused until the window passes, right password or
/// not. Another source is not affected, so nobody can lock the real user out.
pub const THROTTLE_ATTEMPTS_PER_ACCOUNT_AND_SOURCE: i64 = 5;
/// Attempts one source may make within the window, whatever the user names: bounds the
/// password checks a source can cause (guessing across many user names). Generous, for
/// offices behind one address.
pub const THROTTLE_ATTEMPTS_PER_SOURCE: i64 = 50;
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// API tokens live for one working day.
pub const TOKEN_LIFETIME_SECONDS: i64 = 12 * 60 * 60;

/// Password hashes computed by logins since the process started (a check of a stored
/// hash, or the stand-in hash for an unknown user name). The throttle's bound is stated
/// in these, so the tests count them.
static PASSWORD_CHECKS: AtomicU64 = AtomicU64::new(0);

/// A freshly issued bearer token; only its hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(pub String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// How a successful login will be carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A bearer token for the API.
    Api,
    /// A session cookie for the UI.
    Ui,
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| AppError::Internal(format!("hashing a password: {error}")))
}

/// The principal a user acts as.
pub fn principal_of(user: &User) -> Principal {
    Principal {
        user_id: user.id,
        username: user.username.clone(),
        role: user.role.clone(),
    }
}

/// The actor recorded in the audit trail for a principal.
pub fn actor_of(principal: &Principal) -> Actor {
    Actor::User {
        id: principal.user_id,
        username: principal.username.clone(),
    }
}

/// Who is logging in, from where, and how the login will be carried.
#[derive(Clone, Copy, Debug)]
pub struct LoginAttempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub via: Via,
    /// The client's address (the server decides which, see its `client_address`).
    pub source: IpAddr,
}

/// Checks a user name and password. On success records the login (and for the API
/// issues a token); on failure records the failure.
///
/// Each attempt first reserves its place in the throttle, per user name and source and
/// per source, in one transaction that also compares the counts with the limits: so
/// parallel attempts cannot pass the limit, and only reserved attempts compute a hash.
/// A success gives its reservation back; a failure keeps it.
pub async fn login(
    store: &Store,
    attempt: LoginAttempt<'_>,
    now: Timestamp,
) -> Result<(Principal, Option<Token>), AppError> {
    // Before anything is counted or recorded: no account has a longer name, and a
    // megabyte of user name must not reach the throttle, the failure log or the audit.
    crate::bounds::check_texts(&[
        ("username", Some(attempt.username), TextKind::Username),
        ("password", Some(attempt.password), TextKind::Password),
    ])?;
    let username = attempt.username.trim();
    let source = throttle_source(attempt.source).to_string();
    let source_key = format!("source:{source}");
    let pair_key = format!("pair:{}@{source}", account_key(username));
    let keys = [
        ThrottleKey {
            key: &source_key,
            limit: THROTTLE_ATTEMPTS_PER_SOURCE,
        },
        ThrottleKey {
            key: &pair_key,
            limit: THROTTLE_ATTEMPTS_PER_ACCOUNT_AND_SOURCE,
        },
    ];
    if let Reservation::Refused {
        retry_after_seconds,
    } = store
        .reserve_login_attempt(&keys, now, THROTTLE_WINDOW_SECONDS)
        .await?
    {
        return Err(AppError::Throttled {
            retry_after_seconds: u64::try_from(retry_after_seconds).unwrap_or(1),
        });
    }
    let mut read = store.read().await?;
    let user = read.user_by_username(username).await?;
    read.finish().await?;
    let verified = password_matches(user.as_ref(), attempt.password);
    let context = LoginContext {
        via: match attempt.via {
            Via::Api => "api",
            Via::Ui => "ui",
        },
        source: &source,
    };
    let (Some(user), true) = (user.as_ref(), verified) else {
        let mut write = store.write(Actor::system("login"), now).await?;
        write.audit_login_failure(user.as_ref(), context);
        write.commit().await?;
        return Err(AppError::BadCredentials);
    };
    let principal = principal_of(user);
    let mut write = store.write(actor_of(&principal), now).await?;
    write.release_login_attempt(&pair_key, &source_key).await?;
    let token = match attempt.via {
        Via::Api => {
            let token = new_token();
            let expires = now.plus_seconds(TOKEN_LIFETIME_SECONDS);
            write
                .insert_token(&token_hash(&token.0), user, expires, context)
                .await?;
            Some(token)
        }
        Via::Ui => {
            write.audit_login(user, context);
            None
        }
    };
    write.commit().await?;
    Ok((principal, token))
}

/// How many password hashes logins have computed since the process started.
pub fn password_checks() -> u64 {
    PASSWORD_CHECKS.load(Ordering::Relaxed)
}

/// The address a source is throttled as: an IPv4 address, or an IPv6 address's /64
/// network (one subscriber is usually given a whole /64, so single IPv6 addresses cost an
/// attacker nothing). The server's per-address rate limit keys on the same.
pub fn throttle_source(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

/// Deletes what has expired by `now`: UI sessions, API tokens (and revoked ones), throttle
/// windows that have passed. The server runs it periodically.
pub async fn purge_expired(store: &Store, now: Timestamp) -> Result<Purged, AppError> {
    Ok(store
        .purge_expired(now, now.plus_seconds(-THROTTLE_WINDOW_SECONDS))
        .await?)
}

/// Refuses a user name or password longer than any that can log in, before any hash.
/// The throttle's name for a user name: its SHA-256, so the counters keep no submitted
/// text, and every name (known or not) is counted alike (the throttle does not reveal
/// which names exist). Case is folded: user names are lower case.
fn account_key(username: &str) -> String {
    hex(&Sha256::digest(username.to_lowercase().as_bytes()))
}

/// Whether the password is the user's. An unknown or inactive user still costs one hash,
/// so the answer takes as long as for a wrong password.
fn password_matches(user: Option<&User>, password: &str) -> bool {
    PASSWORD_CHECKS.fetch_add(1, Ordering::Relaxed);
    match user {
        Some(user) if user.active => Argon2::default()
            .verify_password(password.as_bytes(), user.password_hash.as_str())
            .is_ok(),
        _ => {
            let _ = hash_password(password);
            false
        }
    }
}

/// The principal a bearer token stands for, if it is valid at `now`.
pub async fn authenticate_token(
    store: &Store,
    token: &str,
    now: Timestamp,
) -> Result<Option<Principal>, AppError> {
    let mut read = store.read().await?;
    let user = read.user_by_token_hash(&token_hash(token), now).await?;
    read.finish().await?;
    Ok(user
        .filter(|user| user.active)
        .map(|user| principal_of(&user)))
}

/// The principal of a user id kept in a UI session, if the user is still active.
pub async fn principal_by_id(store: &Store, user_id: i64) -> Result<Option<Principal>, AppError> {
    let mut read = store.read().await?;
    let user = read.user_by_id(user_id).await?;
    read.finish().await?;
    Ok(user
        .filter(|user| user.active)
        .map(|user| principal_of(&user)))
}

/// Revokes the token a request was made with.
pub async fn logout_token(
    store: &Store,
    principal: &Principal,
    token: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut write = store.write(actor_of(principal), now).await?;
    let user = write
        .user_by_id(principal.user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    write.revoke_token(&token_hash(token), &user).await?;
    write.commit().await?;
    Ok(())
}

/// Records the end of a UI session.
pub async fn logout_session(
    store: &Store,
    principal: &Principal,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut write = store.write(actor_of(principal), now).await?;
    write.audit(taavon_store::AuditEntry {
        action: "user.logout",
        entity: "user",
        entity_id: principal.user_id.to_string(),
        province: None,
        before: None,
        after: Some(serde_json::json!({ "via": "ui" })),
    });
    write.commit().await?;
    Ok(())
}

/// 256 random bits, hex-encoded.
pub fn new_token() -> Token {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes[..]);
    Token(hex(&bytes))
}

/// The SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        // Establishes that stored hashes are argon2id PHC strings that check passwords.
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        let argon2 = Argon2::default();
        assert!(
            argon2
                .verify_password(b"correct horse", hash.as_str())
                .is_ok()
        );
        assert!(
            argon2
                .verify_password(b"wrong horse", hash.as_str())
                .is_err()
        );
    }

    #[test]
    fn an_ipv6_source_is_throttled_as_its_64_network_and_ipv4_as_itself() {
        // Establishes that rotating through one /64 does not escape the throttle, and
        // that an IPv4 address reached over IPv6 counts as itself.
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(throttle_source(a), throttle_source(b));
        assert_eq!(throttle_source(a).to_string(), "2001:db8:1:2::");
        assert_ne!(throttle_source(a), throttle_source(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(throttle_source(mapped).to_string(), "192.0.2.7");
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        // Establishes token entropy and that the stored form differs from the token.
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.0.len(), 64);
        assert_ne!(token_hash(&a.0), a.0);
        assert_eq!(format!("{a:?}"), "Token(***)");
    }
}
