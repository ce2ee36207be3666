//! taavon-testkit.
