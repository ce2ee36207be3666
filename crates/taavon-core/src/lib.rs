//! taavon-core.
