//! What every command that works on a database shares: the `--db` argument, the
//! configuration it overrides, the runtime, opening the store (with its audit key), logs
//! and the progress bar.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use taavon_app::{AppError, clock};
use taavon_store::Store;

use crate::config::Config;

/// The database to work on.
#[derive(Args)]
pub struct DbArgs {
    /// `sqlite://PATH` (default `sqlite://data/taavon.db`) or `postgres://…`.
    #[arg(long = "db", env = "TAAVON_DATABASE_URL")]
    pub database_url: Option<String>,
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

pub(crate) fn config_with(db: &DbArgs) -> anyhow::Result<Config> {
    let mut config = Config::load()?;
    if let Some(url) = &db.database_url {
        config.database_url.clone_from(url);
    }
    Ok(config)
}

pub(crate) fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TAAVON_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// The database the configuration names, with the audit key it names (if any).
pub(crate) async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let key = config.audit_key()?;
    let store = Store::open(&config.database_url)
        .await
        .with_context(|| format!("opening the database {:?}", config))?;
    Ok(match key {
        Some(key) => store.with_audit_key(key),
        None => store,
    })
}

/// As `open_store`, with the reference data loaded.
pub(crate) async fn open(config: &Config) -> anyhow::Result<Store> {
    let store = open_store(config).await?;
    taavon_app::reference::ensure_loaded(&store, clock::now()).await?;
    Ok(store)
}

/// A progress bar for `total` items.
pub(crate) fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// A progress callback that moves `bar` to `done` of `total`, whichever integer type the
/// reporting code counts in.
pub(crate) fn progress_of<T: TryInto<u64>>(
    bar: &indicatif::ProgressBar,
) -> impl Fn(T, T) + Sync + '_ {
    move |done, total| {
        bar.set_length(total.try_into().unwrap_or(u64::MAX));
        bar.set_position(done.try_into().unwrap_or(u64::MAX));
    }
}

/// Exit 1 after naming each invalid field (English and Persian) on standard error; other
/// errors go up.
pub(crate) fn report(result: Result<(), AppError>) -> anyhow::Result<ExitCode> {
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(AppError::Invalid(errors)) => {
            for error in errors {
                eprintln!(
                    "invalid {} ({}): {} / {}",
                    error.field, error.rule, error.message_en, error.message_fa
                );
            }
            Ok(ExitCode::FAILURE)
        }
        Err(other) => Err(other.into()),
    }
}
