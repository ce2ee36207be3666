//! taavon-store.
