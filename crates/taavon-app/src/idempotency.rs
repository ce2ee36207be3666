//! `Idempotency-Key`: a write repeated with the same key and the same request returns
//! the first result and changes nothing, also when the two race; the same key with
//! another request (another route or body) is refused with
//! `AppError::IdempotencyKeyReused`.
//!
//! The key is claimed as the first statement of the command's write transaction, before
//! any version check or ledger move. A concurrent request with the same key waits on the
//! claim (PostgreSQL's unique index; SQLite has one writer anyway) and, once the first
//! commits, answers its result; if the first failed, its claim vanished with it and the
//! second runs. A request that fails leaves no key behind, so it may be retried.

use sha2::{Digest, Sha256};
use taavon_core::access::Principal;
use taavon_store::{IdempotentRequest, Store, StoreError, WriteTx};

use crate::AppError;

/// What a caller asked for with an `Idempotency-Key`.
#[derive(Clone, Copy, Debug)]
pub struct Idempotency<'a> {
    pub key: &'a str,
    /// `METHOD /path` as requested.
    pub route: &'a str,
    /// The request's body in a canonical form (the edge that read it decides which, the
    /// same for every request), so that equal requests compare equal.
    pub canonical_body: &'a str,
}

impl Idempotency<'_> {
    /// What is stored with the key: SHA-256 over the route and the canonical body,
    /// length-prefixed so the two cannot run into each other.
    fn request_hash(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [self.route, self.canonical_body] {
            hasher.update(part.len().to_string().as_bytes());
            hasher.update(b":");
            hasher.update(part.as_bytes());
        }
        hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

/// A write transaction for an idempotent command, or the entity a request with the same
/// key already created.
pub(crate) enum Begun {
    Replay(i64),
    Fresh(WriteTx),
}

/// Opens the command's write transaction and claims its `Idempotency-Key`, or answers
/// the entity of the request that holds the key.
pub(crate) async fn begin(
    store: &Store,
    principal: &Principal,
    idempotency: Option<Idempotency<'_>>,
    now: taavon_core::timestamp::Timestamp,
) -> Result<Begun, AppError> {
    let mut write = store.write(crate::auth::actor_of(principal), now).await?;
    let Some(idempotency) = idempotency else {
        return Ok(Begun::Fresh(write));
    };
    if let Some(found) = write
        .idempotent_request(principal.user_id, idempotency.key)
        .await?
    {
        write.rollback().await?;
        return replayed(&found, idempotency).map(Begun::Replay);
    }
    let claimed = write
        .claim_idempotency_key(
            principal.user_id,
            idempotency.key,
            idempotency.route,
            &idempotency.request_hash(),
        )
        .await;
    match claimed {
        Ok(()) => Ok(Begun::Fresh(write)),
        Err(StoreError::Duplicate { .. }) => {
            // A concurrent request with this key committed while this one waited.
            drop(write);
            winner(store, principal, Some(idempotency))
                .await?
                .map(Begun::Replay)
                .ok_or(AppError::Conflict(
                    "a concurrent request with the same Idempotency-Key is still running".into(),
                ))
        }
        Err(other) => Err(other.into()),
    }
}

/// Records the entity the command made under its key and commits.
pub(crate) async fn finish_idempotent(
    mut write: WriteTx,
    principal: &Principal,
    idempotency: Option<Idempotency<'_>>,
    entity_id: i64,
) -> Result<i64, AppError> {
    if let Some(idempotency) = idempotency {
        write
            .settle_idempotency_key(principal.user_id, idempotency.key, entity_id)
            .await?;
    }
    write.commit().await?;
    Ok(entity_id)
}

/// The entity a committed request with this key created, if one did; an error if that
/// request was another one.
pub(crate) async fn winner(
    store: &Store,
    principal: &Principal,
    idempotency: Option<Idempotency<'_>>,
) -> Result<Option<i64>, AppError> {
    let Some(idempotency) = idempotency else {
        return Ok(None);
    };
    let mut read = store.read().await?;
    let found = read
        .idempotent_request(principal.user_id, idempotency.key)
        .await?;
    read.finish().await?;
    found.map(|found| replayed(&found, idempotency)).transpose()
}

/// The recorded request's entity if it was this request.
fn replayed(found: &IdempotentRequest, idempotency: Idempotency<'_>) -> Result<i64, AppError> {
    let same = match &found.request_hash {
        Some(hash) => *hash == idempotency.request_hash(),
        // Recorded before requests were hashed: the route is all there is to compare.
        None => found.route == idempotency.route,
    };
    if same {
        Ok(found.entity_id)
    } else {
        Err(AppError::IdempotencyKeyReused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(route: &str, canonical_body: &str) -> String {
        Idempotency {
            key: "k",
            route,
            canonical_body,
        }
        .request_hash()
    }

    #[test]
    fn a_request_hash_tells_routes_and_bodies_apart() {
        // Establishes what makes two requests "the same" under one key.
        let first = hash("POST /api/v1/loans/1/repayments", r#"{"amount_rial":5}"#);
        assert_eq!(
            first,
            hash("POST /api/v1/loans/1/repayments", r#"{"amount_rial":5}"#)
        );
        assert_ne!(
            first,
            hash("POST /api/v1/loans/2/repayments", r#"{"amount_rial":5}"#)
        );
        assert_ne!(
            first,
            hash("POST /api/v1/loans/1/repayments", r#"{"amount_rial":6}"#)
        );
        // Length prefixes keep the boundary between route and body.
        assert_ne!(hash("ab", "c"), hash("a", "bc"));
    }
}
