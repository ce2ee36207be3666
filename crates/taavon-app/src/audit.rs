//! Reading and verifying the audit trail.

use taavon_core::access::{self, Action, Principal, Resource};
use taavon_store::{AuditRecord, AuditVerification, Store};

use crate::AppError;

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
    let mut read = store.read().await?;
    let records = read.audit_records(limit, before_seq).await?;
    read.finish().await?;
    Ok(records)
}

/// Recomputes the whole hash chain.
pub async fn verify(store: &Store) -> Result<AuditVerification, AppError> {
    Ok(store.verify_audit().await?)
}
