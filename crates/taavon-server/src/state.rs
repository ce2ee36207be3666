//! What every handler shares.

use std::sync::Arc;

use taavon_store::Store;

use crate::map::ProvinceMap;

/// Settings of the HTTP server (the CLI fills them from its configuration).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Mark session cookies `Secure` (behind HTTPS). Off for plain-HTTP local use.
    pub secure_cookies: bool,
    /// Logins per minute allowed from one address before requests are refused.
    pub login_requests_per_minute: u32,
    /// The application workflow's settings (the maker-checker threshold).
    pub workflow: taavon_app::applications::WorkflowSettings,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            login_requests_per_minute: 30,
            workflow: taavon_app::applications::WorkflowSettings::default(),
        }
    }
}

/// Shared, read-mostly state.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    pub map: Arc<ProvinceMap>,
}
