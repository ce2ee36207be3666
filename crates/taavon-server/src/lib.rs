//! taavon-server.
