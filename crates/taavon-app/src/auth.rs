//! Logging in: password checks (argon2id), throttling, bearer tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use taavon_core::access::Principal;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, Store, User};

use crate::AppError;

/// After this many failed logins for one user name within `THROTTLE_WINDOW_SECONDS`,
/// further attempts are refused until the window passes, right password or not.
pub const THROTTLE_FAILURES: i64 = 5;
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// API tokens live for one working day.
pub const TOKEN_LIFETIME_SECONDS: i64 = 12 * 60 * 60;

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

/// Checks a user name and password. On success records the login (and for the API
/// issues a token); on failure records the failure. Refuses while throttled.
pub async fn login(
    store: &Store,
    username: &str,
    password: &str,
    via: Via,
    now: Timestamp,
) -> Result<(Principal, Option<Token>), AppError> {
    let username = username.trim();
    let window_start = now.plus_seconds(-THROTTLE_WINDOW_SECONDS);
    let mut read = store.read().await?;
    let failures = read.login_failures_since(username, window_start).await?;
    let user = read.user_by_username(username).await?;
    read.finish().await?;
    if failures >= THROTTLE_FAILURES {
        return Err(AppError::Throttled {
            retry_after_seconds: u64::try_from(THROTTLE_WINDOW_SECONDS).unwrap_or(900),
        });
    }
    let verified = match &user {
        Some(user) if user.active => Argon2::default()
            .verify_password(password.as_bytes(), user.password_hash.as_str())
            .is_ok(),
        // Hash anyway so an unknown user name takes as long as a wrong password.
        _ => {
            let _ = hash_password(password);
            false
        }
    };
    let (Some(user), true) = (user, verified) else {
        let mut write = store.write(Actor::system("login"), now).await?;
        write.record_login_failure(username).await?;
        write.commit().await?;
        return Err(AppError::BadCredentials);
    };
    let principal = principal_of(&user);
    let mut write = store.write(actor_of(&principal), now).await?;
    let token = match via {
        Via::Api => {
            let token = new_token();
            let expires = now.plus_seconds(TOKEN_LIFETIME_SECONDS);
            write
                .insert_token(&token_hash(&token.0), &user, expires, "api")
                .await?;
            Some(token)
        }
        Via::Ui => {
            write.audit_login(&user, "ui");
            None
        }
    };
    write.commit().await?;
    Ok((principal, token))
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
    fn tokens_are_random_and_only_their_hash_is_kept() {
        // Establishes token entropy and that the stored form differs from the token.
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.0.len(), 64);
        assert_ne!(token_hash(&a.0), a.0);
        assert_eq!(format!("{a:?}"), "Token(***)");
    }
}
