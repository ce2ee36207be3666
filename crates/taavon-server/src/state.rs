//! What every handler shares.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use taavon_app::Store;

use crate::map::Maps;

/// Settings of the HTTP server (the CLI fills them from its configuration).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Mark session cookies `Secure` (behind HTTPS). Off for plain-HTTP local use.
    pub secure_cookies: bool,
    /// Logins per minute allowed from one address before requests are refused.
    pub login_requests_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed (see `client_address`); empty
    /// when clients connect directly.
    pub trusted_proxies: Vec<IpAddr>,
    /// A UI session ends after this long without a request…
    pub session_idle: Duration,
    /// …and this long after its login, however active.
    pub session_lifetime: Duration,
    /// The application workflow's settings (the maker-checker threshold).
    pub workflow: taavon_app::applications::WorkflowSettings,
    /// The parameters of job verification against the insured-worker lists.
    pub impact: taavon_app::impact::VerificationRules,
    /// Support requests: deadlines, escalation, the attachment size limit.
    pub support: taavon_app::support::SupportSettings,
    /// The festival of top cooperators: the certificates' key, the pre-score and bands.
    pub awards: taavon_app::awards::AwardSettings,
    /// Webhooks: private addresses allowed or not, the retry schedule, the rotation
    /// overlap.
    pub webhooks: taavon_app::webhooks::WebhookSettings,
    /// How long the delivery worker waits for a receiver's answer.
    pub webhook_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            login_requests_per_minute: 30,
            trusted_proxies: Vec::new(),
            session_idle: Duration::from_secs(8 * 60 * 60),
            session_lifetime: Duration::from_secs(12 * 60 * 60),
            workflow: taavon_app::applications::WorkflowSettings::default(),
            impact: taavon_app::impact::VerificationRules::default(),
            support: taavon_app::support::SupportSettings::default(),
            awards: taavon_app::awards::AwardSettings::default(),
            webhooks: taavon_app::webhooks::WebhookSettings::default(),
            webhook_timeout: Duration::from_secs(10),
        }
    }
}

/// Shared, read-mostly state.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<ServerConfig>,
    pub maps: &'static Maps,
    /// The public transparency figures, computed at most every few minutes.
    pub open_figures: Arc<crate::open_figures::OpenFiguresCache>,
}
