//! `Idempotency-Key`: a POST repeated with the same key returns the first result and
//! changes nothing, also when the two requests race.

use taavon_core::access::Principal;
use taavon_store::{Store, StoreError, WriteTx};

use crate::AppError;

/// What a caller asked for with an `Idempotency-Key`.
#[derive(Clone, Copy, Debug)]
pub struct Idempotency<'a> {
    pub key: &'a str,
    pub route: &'a str,
}

/// The entity an earlier request with this key created, if there was one.
async fn replayed(
    write: &mut WriteTx,
    principal: &Principal,
    idempotency: Option<Idempotency<'_>>,
) -> Result<Option<i64>, AppError> {
    let Some(idempotency) = idempotency else {
        return Ok(None);
    };
    match write
        .idempotent_entity(principal.user_id, idempotency.key)
        .await?
    {
        Some((route, id)) if route == idempotency.route => Ok(Some(id)),
        Some(_) => Err(AppError::invalid(
            "Idempotency-Key",
            "reused",
            "این کلید پیش‌تر برای درخواست دیگری به کار رفته است.",
            "This Idempotency-Key was already used for another request.",
        )),
        None => Ok(None),
    }
}

/// Records the key with the created entity and commits. If a concurrent request with
/// the same key won, this one's changes are dropped and the winner's entity is returned.
pub(crate) async fn finish_idempotent(
    store: &Store,
    mut write: WriteTx,
    principal: &Principal,
    idempotency: Option<Idempotency<'_>>,
    entity_id: i64,
) -> Result<i64, AppError> {
    let Some(idempotency) = idempotency else {
        write.commit().await?;
        return Ok(entity_id);
    };
    let recorded = write
        .insert_idempotency_key(
            principal.user_id,
            idempotency.key,
            idempotency.route,
            entity_id,
        )
        .await;
    match recorded {
        Ok(()) => {
            write.commit().await?;
            Ok(entity_id)
        }
        Err(StoreError::Duplicate { .. }) => {
            drop(write);
            winner(store, principal, Some(idempotency))
                .await?
                .ok_or(AppError::Conflict(
                    "a concurrent request with the same Idempotency-Key failed".into(),
                ))
        }
        Err(other) => Err(other.into()),
    }
}

/// The entity a committed request with this key created.
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
        .idempotent_entity(principal.user_id, idempotency.key)
        .await?;
    read.finish().await?;
    Ok(found.map(|(_, id)| id))
}

/// A write transaction for an idempotent command, or the entity a request with the same
/// key already created.
pub(crate) enum Begun {
    Replay(i64),
    Fresh(WriteTx),
}

/// Opens the command's write transaction unless its `Idempotency-Key` was already used.
pub(crate) async fn begin(
    store: &Store,
    principal: &Principal,
    idempotency: Option<Idempotency<'_>>,
    now: taavon_core::timestamp::Timestamp,
) -> Result<Begun, AppError> {
    let mut write = store.write(crate::auth::actor_of(principal), now).await?;
    match replayed(&mut write, principal, idempotency).await? {
        Some(id) => {
            write.rollback().await?;
            Ok(Begun::Replay(id))
        }
        None => Ok(Begun::Fresh(write)),
    }
}
