//! `taavon serve` and `taavon migrate`: the server on a migrated database (the demo's
//! data and audit key with `--demo`), and the schema brought up to date alone.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use taavon_app::clock;
use taavon_store::Store;

use crate::plumbing::{DbArgs, config_with, init_logs, open, runtime};

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "TAAVON_LISTEN")]
    pub listen: Option<String>,
    /// Load the demo data and demo users (password `demo`) into an empty database.
    #[arg(long)]
    pub demo: bool,
}

fn minutes(minutes: u32) -> std::time::Duration {
    std::time::Duration::from_secs(u64::from(minutes) * 60)
}

pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = config_with(&args.db)?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    init_logs(&config);
    if args.demo && config.audit_key_file.is_none() {
        config.audit_key_file = Some(demo_audit_key(&config.database_url)?);
    }
    let trusted_proxies = config.trusted_proxies()?;
    runtime()?.block_on(async {
        let store = open(&config).await?;
        audit_key_status(&store).await?;
        if args.demo {
            match taavon_app::demo::load(&store, clock::now()).await? {
                taavon_app::demo::DemoOutcome::Loaded {
                    cooperatives,
                    users,
                } => tracing::warn!(
                    cooperatives,
                    users,
                    "--demo: demo data and demo users (password `demo`) loaded"
                ),
                taavon_app::demo::DemoOutcome::AlreadyPresent => {
                    tracing::warn!(
                        "--demo: demo data already present; demo users have the password `demo`"
                    )
                }
            }
        }
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        let address = listener.local_addr()?;
        tracing::info!(%address, ?config, "listening on http://{address}");
        let server_config = taavon_server::ServerConfig {
            secure_cookies: config.secure_cookies,
            login_requests_per_minute: config.login_requests_per_minute,
            trusted_proxies,
            session_idle: minutes(config.session_idle_minutes),
            session_lifetime: minutes(config.session_lifetime_minutes),
            workflow: taavon_app::applications::WorkflowSettings {
                second_approval_above_rial: config.second_approval_above_rial,
                bank_second_approval_above_rial: config.bank_second_approval_above_rial,
            },
            impact: config.impact.rules()?,
            support: config.support.settings()?,
            awards: config.award_settings()?,
            webhooks: taavon_app::webhooks::WebhookSettings {
                allow_private: config.webhooks_allow_private,
                retry_schedule_seconds: config.webhook_retry_seconds.clone(),
                lease_seconds: config.webhook_lease_seconds,
                ..taavon_app::webhooks::WebhookSettings::default()
            },
            webhook_timeout: std::time::Duration::from_secs(config.webhook_timeout_seconds),
        };
        taavon_server::serve(listener, store.clone(), server_config, shutdown_signal()).await?;
        store.close().await;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// The demo keys its audit chain like production should: with a key file of its own,
/// made on first use beside its SQLite database (`data/taavon.db-demo-audit.key` by
/// default; `data/demo-audit.key` on PostgreSQL), which it names in the log.
fn demo_audit_key(database_url: &str) -> anyhow::Result<String> {
    let path = match taavon_store::DatabaseUrl::parse(database_url)? {
        taavon_store::DatabaseUrl::Sqlite { path } => format!("{path}-demo-audit.key"),
        taavon_store::DatabaseUrl::Postgres { .. } => "data/demo-audit.key".to_owned(),
    };
    if !std::path::Path::new(&path).exists() {
        if let Some(parent) = std::path::Path::new(&path).parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&path)?;
        std::io::Write::write_all(
            &mut file,
            format!("{}\n", taavon_app::audit::generate_key().to_hex()).as_bytes(),
        )?;
    }
    tracing::warn!(
        key_file = path,
        "--demo: the audit chain is keyed with a demo key (verify with \
         TAAVON_AUDIT_KEY_FILE={path} taavon audit verify)"
    );
    Ok(path)
}

/// Says loudly when the server runs without the audit key, and refuses to start without
/// it on a chain that is already keyed (every write would fail).
async fn audit_key_status(store: &Store) -> anyhow::Result<()> {
    if store.has_audit_key() {
        return Ok(());
    }
    let head = taavon_app::audit::head(store).await?;
    if let Some(keyed_from) = head.keyed_from {
        anyhow::bail!(
            "the audit chain is keyed from record {keyed_from}, and no audit key is \
             configured: set audit_key_file (or TAAVON_AUDIT_KEY_FILE) to its key file"
        );
    }
    tracing::warn!(
        "NO AUDIT KEY: the audit chain is only hash-chained, so anyone who can write the \
         database can rewrite its history undetected. Make a key with `taavon audit key \
         --out FILE` and set audit_key_file (or TAAVON_AUDIT_KEY_FILE) before production use."
    );
    Ok(())
}

/// Ctrl-C or SIGTERM: stop taking connections and finish the requests in flight.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

pub fn migrate(args: DbArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args)?;
    runtime()?.block_on(async {
        let store = open(&config).await?;
        store.close().await;
        println!("database is up to date");
        Ok(ExitCode::SUCCESS)
    })
}
