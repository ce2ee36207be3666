//! The one place the application reads the wall clock; everything below it takes `now`.

use taavon_core::timestamp::Timestamp;

/// The current instant.
pub fn now() -> Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp::from_unix_millis_clamped(millis)
}
