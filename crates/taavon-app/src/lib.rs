//! taavon-app.
