//! taavon-ledger.
