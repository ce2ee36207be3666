//! The proof that a restored or moved database is whole: `taavon ledger check` and
//! `taavon audit verify` run on it, each printing its outcome.

use taavon_store::Store;

/// Whether the ledger check and the audit verification both pass on `store`.
pub(crate) async fn check_copy(store: &Store) -> anyhow::Result<bool> {
    print!("ledger check: ");
    let ledger = crate::ledger::check_store(store).await?;
    print!("audit verify: ");
    let audit = crate::audit::verify_store(store).await?;
    Ok(ledger && audit)
}
