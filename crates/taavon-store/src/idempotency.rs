//! Idempotency keys: what a user's request under an `Idempotency-Key` was (its route and
//! the hash of its body) and what it made, claimed in the request's own write
//! transaction (the app's `idempotency` says how a replay is answered).

use sqlx::Row;

use crate::StoreError;
use crate::error::db;
use crate::tx::{Reader, WriteTx};

/// A request recorded under an `Idempotency-Key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotentRequest {
    /// `METHOD /path` as requested.
    pub route: String,
    /// SHA-256 of the route and the canonical body; none for keys recorded before
    /// migration 0012 (they are matched by route alone).
    pub request_hash: Option<String>,
    /// What the request made (the entity its answer is read from).
    pub entity_id: i64,
}

impl Reader {
    /// What a user's earlier request with this key was and what it made, if any.
    pub async fn idempotent_request(
        &mut self,
        user_id: i64,
        key: &str,
    ) -> Result<Option<IdempotentRequest>, StoreError> {
        on!(&mut self.conn, |c| {
            sqlx::query(
                "SELECT route, request_hash, entity_id FROM idempotency_keys \
                 WHERE user_id = $1 AND idempotency_key = $2",
            )
            .bind(user_id)
            .bind(key)
            .fetch_optional(c)
            .await
            .map_err(db("reading an idempotency key"))?
            .map(|row| {
                Ok(IdempotentRequest {
                    route: row.try_get(0)?,
                    request_hash: row.try_get(1)?,
                    entity_id: row.try_get(2)?,
                })
            })
            .transpose()
            .map_err(db("decoding an idempotency key"))
        })
    }
}

impl WriteTx {
    /// Claims a key for a request before the request changes anything. A concurrent
    /// transaction that claimed the same key first makes this wait until it ends (the
    /// unique index), then answers `Duplicate` if it committed: the caller then answers
    /// that request's result. The claim holds no entity until `settle_idempotency_key`.
    pub async fn claim_idempotency_key(
        &mut self,
        user_id: i64,
        key: &str,
        route: &str,
        request_hash: &str,
    ) -> Result<(), StoreError> {
        let now = self.now.to_string();
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO idempotency_keys \
             (user_id, idempotency_key, route, request_hash, entity_id, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5)"
        )
        .bind(user_id)
        .bind(key)
        .bind(route)
        .bind(request_hash)
        .bind(&now)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("claiming an idempotency key"))?);
        Ok(())
    }

    /// Records what the request that claimed this key made, in the same transaction.
    pub async fn settle_idempotency_key(
        &mut self,
        user_id: i64,
        key: &str,
        entity_id: i64,
    ) -> Result<(), StoreError> {
        on!(self.conn(), |c| sqlx::query(
            "UPDATE idempotency_keys SET entity_id = $3 \
             WHERE user_id = $1 AND idempotency_key = $2"
        )
        .bind(user_id)
        .bind(key)
        .bind(entity_id)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("settling an idempotency key"))?);
        Ok(())
    }
}
