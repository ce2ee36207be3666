//! Reading and verifying the audit trail.

use taavon_core::access::{self, Action, Principal, Resource};
use taavon_store::{AuditCheckpoint, AuditHead, AuditKey, AuditRecord, AuditVerification, Store};

use crate::AppError;

/// The most audit records one request returns.
pub const AUDIT_PAGE_MAX: i64 = 1_000;

/// The newest audit records (auditors and ministry admins only).
pub async fn list_audit(
    store: &Store,
    principal: &Principal,
    limit: i64,
    before_seq: Option<i64>,
) -> Result<Vec<AuditRecord>, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Read,
        Resource::AuditTrail,
    ))?;
    let (limit, _) = crate::bounds::page(limit, 0, AUDIT_PAGE_MAX)?;
    let mut read = store.read().await?;
    let records = read.audit_records(limit, before_seq).await?;
    read.finish().await?;
    Ok(records)
}

/// As `verify`, for a reader of the audit trail (auditors and ministry admins): the
/// audit page's check, asked of the policy like the records it lists.
pub async fn verify_for(
    store: &Store,
    principal: &Principal,
) -> Result<AuditVerification, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Read,
        Resource::AuditTrail,
    ))?;
    verify(store).await
}

/// Recomputes the whole hash chain (and, with the store's audit key, every MAC): the
/// operator's check (`taavon audit verify`), which asks no policy.
pub async fn verify(store: &Store) -> Result<AuditVerification, AppError> {
    Ok(store.verify_audit().await?)
}

/// As `verify`, and against a checkpoint kept elsewhere: nothing up to it changed and
/// nothing was cut.
pub async fn verify_since(
    store: &Store,
    checkpoint: &AuditCheckpoint,
) -> Result<AuditVerification, AppError> {
    Ok(store.verify_audit_since(checkpoint).await?)
}

/// The chain's head with a MAC, to keep elsewhere; `Err` with the verification when the
/// chain is broken (a checkpoint of a broken chain would vouch for the break).
pub async fn checkpoint(
    store: &Store,
) -> Result<Result<AuditCheckpoint, AuditVerification>, AppError> {
    let verification = store.verify_audit().await?;
    if verification.first_broken.is_some() {
        return Ok(Err(verification));
    }
    Ok(Ok(store.audit_checkpoint(&verification)?))
}

/// Where the chain ends and whether it is keyed.
pub async fn head(store: &Store) -> Result<AuditHead, AppError> {
    let mut read = store.read().await?;
    let head = read.audit_head().await?;
    read.finish().await?;
    Ok(head)
}

/// A new random audit key.
pub fn generate_key() -> AuditKey {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes[..]);
    AuditKey::from_bytes(bytes)
}
