//! One configuration, in layers: defaults, then `taavon.toml`, then `TAAVON_*` variables,
//! then command-line flags (which clap also reads from the same variables).

use serde::Deserialize;

/// Everything the `taavon` command can be configured with.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `sqlite://PATH` or `postgres://…`.
    pub database_url: String,
    /// The address `taavon serve` listens on.
    pub listen: String,
    /// Mark session cookies `Secure` (set when served behind HTTPS).
    pub secure_cookies: bool,
    /// `pretty` or `json` logs.
    pub log_format: String,
    /// Logins per minute allowed from one address.
    pub login_requests_per_minute: u32,
    /// Addresses of the reverse proxies in front of the server, whose `X-Forwarded-For`
    /// names the client; empty when clients connect directly (the header is ignored).
    pub trusted_proxies: Vec<String>,
    /// A UI session ends after this many minutes without a request…
    pub session_idle_minutes: u32,
    /// …and this many minutes after its login, however active.
    pub session_lifetime_minutes: u32,
    /// Approvals of applications above this many rials need a second officer.
    pub second_approval_above_rial: i64,
    /// The file holding the audit key (64 hexadecimal digits, `taavon audit key`): with
    /// it every audit record carries a MAC that no one without the key can forge. Keep
    /// it outside the database and its backups, readable by the service alone.
    pub audit_key_file: Option<String>,
    /// The file holding the key of the festival certificates' verification codes (any
    /// secret text, at least 16 bytes): without it, results can be closed but not
    /// published, since codes made without a secret could be forged.
    pub certificate_key_file: Option<String>,
    /// A bank's rescheduling or reversal above this many rials waits for a second
    /// officer of the same bank.
    pub bank_second_approval_above_rial: i64,
    /// End of day (the `[eod]` table of `taavon.toml`).
    pub eod: EodConfig,
    /// Job verification against the insured-worker lists (the `[impact]` table).
    pub impact: ImpactConfig,
    /// Support requests (the `[support]` table).
    pub support: SupportConfig,
    /// Lets webhook subscriptions use http and loopback, private or link-local addresses
    /// (a closed network, tests); false: https to public addresses only.
    pub webhooks_allow_private: bool,
    /// The delay in seconds before each webhook attempt (the first at once).
    pub webhook_retry_seconds: Vec<i64>,
    /// How long a webhook receiver has to answer, in seconds.
    pub webhook_timeout_seconds: u64,
    /// How long the webhook worker's lease outlives its server, in seconds: deliveries
    /// pause this long after the delivering server dies, before another takes over.
    pub webhook_lease_seconds: i64,
}

/// Support requests (issue 15): the deadline, escalation and attachments.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SupportConfig {
    /// Working days from filing to the deadline for an answer.
    pub answer_days: u32,
    /// Working days past the deadline before an open request goes to the ministry.
    pub ministry_after_days: u32,
    /// The weekly holidays of provincial offices and agencies (`fri` or `thu,fri`).
    pub office_weekend: String,
    /// The weekly holidays of banks.
    pub bank_weekend: String,
    /// The largest attachment accepted, in bytes.
    pub attachment_max_bytes: usize,
}

impl Default for SupportConfig {
    fn default() -> Self {
        let defaults = taavon_app::support::SupportSettings::default();
        Self {
            answer_days: defaults.rules.answer_days,
            ministry_after_days: defaults.rules.ministry_after_days,
            office_weekend: defaults.rules.office_weekend.to_string(),
            bank_weekend: defaults.rules.bank_weekend.to_string(),
            attachment_max_bytes: defaults.attachment_max_bytes,
        }
    }
}

impl SupportConfig {
    /// The checked settings: at least one day to answer, weekends that leave working days.
    pub fn settings(&self) -> anyhow::Result<taavon_app::support::SupportSettings> {
        use taavon_core::workdays::Weekend;
        anyhow::ensure!(self.answer_days > 0, "support.answer_days must be positive");
        anyhow::ensure!(
            self.attachment_max_bytes > 0,
            "support.attachment_max_bytes must be positive"
        );
        let weekend = |field: &str, text: &str| {
            Weekend::parse(text).map_err(|error| anyhow::anyhow!("support.{field}: {error}"))
        };
        Ok(taavon_app::support::SupportSettings {
            rules: taavon_core::support::SupportRules {
                answer_days: self.answer_days,
                ministry_after_days: self.ministry_after_days,
                office_weekend: weekend("office_weekend", &self.office_weekend)?,
                bank_weekend: weekend("bank_weekend", &self.bank_weekend)?,
            },
            attachment_max_bytes: self.attachment_max_bytes,
        })
    }
}

/// The parameters of job verification (issue 14); the defaults are the oracle's.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImpactConfig {
    /// Months before the disbursement month in which any insurance marks an existing
    /// worker.
    pub lookback_months: u8,
    /// Months after the disbursement month searched for insured months.
    pub window_months: u8,
    /// Insured months needed within the window.
    pub months_required: u8,
    /// Days insured in a month for it to count.
    pub days_required: u8,
}

impl Default for ImpactConfig {
    fn default() -> Self {
        let defaults = taavon_app::impact::VerificationRules::default();
        Self {
            lookback_months: defaults.lookback_months,
            window_months: defaults.window_months,
            months_required: defaults.months_required,
            days_required: defaults.days_required,
        }
    }
}

impl ImpactConfig {
    /// The checked rules: a window of 1 to 36 months holding the months required (at
    /// least one), a lookback of at most 24 months, 1 to 31 days a month.
    pub fn rules(&self) -> anyhow::Result<taavon_app::impact::VerificationRules> {
        anyhow::ensure!(
            (1..=36).contains(&self.window_months),
            "impact.window_months must be 1 to 36"
        );
        anyhow::ensure!(
            (1..=self.window_months).contains(&self.months_required),
            "impact.months_required must be 1 to impact.window_months ({})",
            self.window_months
        );
        anyhow::ensure!(
            self.lookback_months <= 24,
            "impact.lookback_months must be at most 24"
        );
        anyhow::ensure!(
            (1..=31).contains(&self.days_required),
            "impact.days_required must be 1 to 31"
        );
        Ok(taavon_app::impact::VerificationRules {
            lookback_months: self.lookback_months,
            window_months: self.window_months,
            months_required: self.months_required,
            days_required: self.days_required,
        })
    }
}

/// End of day: its steps in order, its batches, the Central Bank of Iran classes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EodConfig {
    /// Step codes in order: overdue, late_charges, classify, portfolio, provision_ledger.
    pub steps: Vec<String>,
    /// Loans per batch (one transaction each).
    pub batch_size: i64,
    /// Days overdue after which a loan is past due, deferred, doubtful.
    pub past_due_after_days: i64,
    pub deferred_after_days: i64,
    pub doubtful_after_days: i64,
    /// Provision rates in basis points for current, past due, deferred, doubtful.
    pub provision_bp: [u32; 4],
}

impl Default for EodConfig {
    fn default() -> Self {
        let defaults = taavon_app::eod::EodSettings::default();
        Self {
            steps: defaults
                .plan
                .steps()
                .iter()
                .map(|s| s.code().to_owned())
                .collect(),
            batch_size: defaults.batch_size,
            past_due_after_days: defaults.rules.past_due_after_days,
            deferred_after_days: defaults.rules.deferred_after_days,
            doubtful_after_days: defaults.rules.doubtful_after_days,
            provision_bp: defaults.rules.provision_bp,
        }
    }
}

impl EodConfig {
    /// The checked settings; a bad step list names the step and the rule.
    pub fn settings(&self) -> anyhow::Result<taavon_app::eod::EodSettings> {
        let plan = taavon_core::loans::eod::EodPlan::parse(&self.steps)
            .map_err(|error| anyhow::anyhow!("eod.steps: {error}"))?;
        anyhow::ensure!(self.batch_size > 0, "eod.batch_size must be positive");
        let rules = taavon_core::loans::classification::ClassificationRules {
            past_due_after_days: self.past_due_after_days,
            deferred_after_days: self.deferred_after_days,
            doubtful_after_days: self.doubtful_after_days,
            provision_bp: self.provision_bp,
        };
        rules
            .validate()
            .map_err(|error| anyhow::anyhow!("eod: {error}"))?;
        Ok(taavon_app::eod::EodSettings {
            plan,
            rules,
            batch_size: self.batch_size,
            ..taavon_app::eod::EodSettings::default()
        })
    }
}

/// The fields, as `TAAVON_<FIELD>` variables may name them.
const FIELDS: [&str; 16] = [
    "database_url",
    "listen",
    "secure_cookies",
    "log_format",
    "login_requests_per_minute",
    "trusted_proxies",
    "session_idle_minutes",
    "session_lifetime_minutes",
    "second_approval_above_rial",
    "audit_key_file",
    "certificate_key_file",
    "bank_second_approval_above_rial",
    "webhooks_allow_private",
    "webhook_retry_seconds",
    "webhook_timeout_seconds",
    "webhook_lease_seconds",
];

impl Default for Config {
    fn default() -> Self {
        let workflow = taavon_app::applications::WorkflowSettings::default();
        Self {
            database_url: taavon_store::DatabaseUrl::DEFAULT.to_owned(),
            listen: "127.0.0.1:8080".to_owned(),
            secure_cookies: false,
            log_format: "pretty".to_owned(),
            login_requests_per_minute: 30,
            trusted_proxies: Vec::new(),
            session_idle_minutes: 8 * 60,
            session_lifetime_minutes: 12 * 60,
            second_approval_above_rial: workflow.second_approval_above_rial,
            bank_second_approval_above_rial: workflow.bank_second_approval_above_rial,
            audit_key_file: None,
            certificate_key_file: None,
            eod: EodConfig::default(),
            impact: ImpactConfig::default(),
            support: SupportConfig::default(),
            webhooks_allow_private: false,
            webhook_retry_seconds: taavon_core::webhooks::RETRY_SCHEDULE_SECONDS.to_vec(),
            webhook_timeout_seconds: 10,
            webhook_lease_seconds: 30,
        }
    }
}

/// The database URL may hold a password: never print it.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let database = taavon_store::DatabaseUrl::parse(&self.database_url)
            .map_or_else(|_| "<invalid>".to_owned(), |url| format!("{url:?}"));
        f.debug_struct("Config")
            .field("database_url", &database)
            .field("listen", &self.listen)
            .field("secure_cookies", &self.secure_cookies)
            .field("log_format", &self.log_format)
            .field("login_requests_per_minute", &self.login_requests_per_minute)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_lifetime_minutes", &self.session_lifetime_minutes)
            .field(
                "second_approval_above_rial",
                &self.second_approval_above_rial,
            )
            .field("audit_key_file", &self.audit_key_file)
            .field("certificate_key_file", &self.certificate_key_file)
            .field(
                "bank_second_approval_above_rial",
                &self.bank_second_approval_above_rial,
            )
            .field("eod", &self.eod)
            .field("impact", &self.impact)
            .field("support", &self.support)
            .field("webhooks_allow_private", &self.webhooks_allow_private)
            .field("webhook_retry_seconds", &self.webhook_retry_seconds)
            .field("webhook_timeout_seconds", &self.webhook_timeout_seconds)
            .field("webhook_lease_seconds", &self.webhook_lease_seconds)
            .finish()
    }
}

impl Config {
    /// The festival's settings, with the certificates' key from `certificate_key_file`.
    pub fn award_settings(&self) -> anyhow::Result<taavon_app::awards::AwardSettings> {
        let mut settings = taavon_app::awards::AwardSettings::default();
        if let Some(path) = &self.certificate_key_file {
            let key = std::fs::read(path).map_err(|error| {
                anyhow::anyhow!("reading the certificate key file {path}: {error}")
            })?;
            let key = key.trim_ascii().to_vec();
            anyhow::ensure!(
                key.len() >= 16,
                "the certificate key file {path} holds fewer than 16 bytes"
            );
            settings.certificate_secret = key;
        }
        Ok(settings)
    }

    /// The audit key from `audit_key_file`, if one is configured.
    pub fn audit_key(&self) -> anyhow::Result<Option<taavon_store::AuditKey>> {
        let Some(path) = &self.audit_key_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path)
            .map_err(|error| anyhow::anyhow!("reading the audit key file {path}: {error}"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if std::fs::metadata(path)?.permissions().mode() & 0o077 != 0 {
                eprintln!(
                    "warning: the audit key file {path} is readable by others than its owner \
                     (chmod 600 it)"
                );
            }
        }
        let key = taavon_store::AuditKey::parse_hex(&text)
            .map_err(|error| anyhow::anyhow!("the audit key file {path}: {error}"))?;
        Ok(Some(key))
    }

    /// Defaults, then `taavon.toml` in the working directory (or the file named by
    /// `TAAVON_CONFIG`), then `TAAVON_*` variables.
    pub fn load() -> anyhow::Result<Self> {
        let file = std::env::var("TAAVON_CONFIG").unwrap_or_else(|_| "taavon.toml".to_owned());
        // Only variables naming a field are configuration; others with the same prefix
        // (TAAVON_PASSWORD, TAAVON_LOG, TAAVON_CONFIG) belong to single commands.
        let variables: config::Map<String, String> = std::env::vars()
            .filter(|(key, _)| {
                key.strip_prefix("TAAVON_")
                    .is_some_and(|field| FIELDS.contains(&field.to_ascii_lowercase().as_str()))
            })
            .collect();
        let settings = config::Config::builder()
            .add_source(config::File::with_name(&file).required(false))
            .add_source(
                config::Environment::with_prefix("TAAVON")
                    .ignore_empty(true)
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("trusted_proxies")
                    .with_list_parse_key("webhook_retry_seconds")
                    .source(Some(variables)),
            )
            .build()?;
        Ok(settings.try_deserialize()?)
    }

    /// The trusted proxies as addresses; a bad one is an error naming it.
    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<std::net::IpAddr>> {
        self.trusted_proxies
            .iter()
            .map(|text| {
                text.trim()
                    .parse()
                    .map_err(|_| anyhow::anyhow!("trusted_proxies: {text:?} is not an IP address"))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_zero_configuration_the_database_is_sqlite_under_data() {
        // Establishes the zero-config default and that secrets never reach Debug output.
        let config = Config::default();
        assert_eq!(config.database_url, "sqlite://data/taavon.db");
        let secret = Config {
            database_url: "postgres://taavon:hunter2@db/taavon".into(),
            ..Config::default()
        };
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn impact_rules_default_to_the_oracles_and_a_bad_one_is_named() {
        // Establishes the `[impact]` defaults (3, 12, 3, 15) and its validation.
        assert_eq!(
            ImpactConfig::default().rules().unwrap(),
            taavon_app::impact::VerificationRules::default()
        );
        let too_many = ImpactConfig {
            window_months: 2,
            ..ImpactConfig::default()
        };
        assert_eq!(
            too_many.rules().unwrap_err().to_string(),
            "impact.months_required must be 1 to impact.window_months (2)"
        );
        let no_days = ImpactConfig {
            days_required: 0,
            ..ImpactConfig::default()
        };
        assert!(
            no_days
                .rules()
                .unwrap_err()
                .to_string()
                .contains("days_required")
        );
        let parsed: Config = config::Config::builder()
            .add_source(config::File::from_str(
                "[impact]\nlookback_months = 6\n",
                config::FileFormat::Toml,
            ))
            .build()
            .unwrap()
            .try_deserialize()
            .unwrap();
        assert_eq!(parsed.impact.rules().unwrap().lookback_months, 6);
    }

    #[test]
    fn trusted_proxies_are_addresses_and_a_bad_one_is_named() {
        // Establishes that the proxy list is parsed up front, not trusted as text.
        let config = Config {
            trusted_proxies: vec!["10.0.0.1".into(), " ::1".into()],
            ..Config::default()
        };
        assert_eq!(config.trusted_proxies().unwrap().len(), 2);
        let bad = Config {
            trusted_proxies: vec!["10.0.0.0/8".into()],
            ..Config::default()
        };
        assert!(
            bad.trusted_proxies()
                .unwrap_err()
                .to_string()
                .contains("10.0.0.0/8")
        );
    }
}
