//! The commands that work on a database: serve, migrate, user, audit, import.

use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use taavon_app::users::{Caller, PasswordRule, UserInput};
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

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user account. The password is read from TAAVON_PASSWORD or asked for.
    Add(UserAddArgs),
}

#[derive(Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub username: String,
    /// ministry_admin, provincial_officer, bank_officer, agency_officer,
    /// cooperative_representative or auditor.
    #[arg(long)]
    pub role: String,
    #[arg(long)]
    pub name: Option<String>,
    /// The province of a provincial officer (IR-16), or one of a bank officer's.
    #[arg(long)]
    pub province: Vec<String>,
    /// The bank of a bank officer (022).
    #[arg(long)]
    pub bank: Option<String>,
    /// The agency of an agency officer (sso).
    #[arg(long)]
    pub agency: Option<String>,
    /// The cooperative of a representative.
    #[arg(long)]
    pub cooperative: Option<i64>,
}

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Replace the deprivation tiers with an official classification (CSV: county_code,tier).
    Tiers(ImportTiersArgs),
    /// Import cooperatives from CSV or XLSX (idempotent by legal ID).
    Cooperatives(ImportTableArgs),
    /// Import members from CSV or XLSX (idempotent by national code).
    Members(ImportTableArgs),
}

#[derive(Args)]
pub struct ImportTableArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub file: std::path::PathBuf,
    /// Store the valid rows of a file that has invalid ones (by default nothing is stored).
    #[arg(long)]
    pub skip_invalid: bool,
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Export every cooperative (CSV or XLSX by the file name), Persian headers, Jalali dates.
    Cooperatives(ExportArgs),
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long)]
    pub out: std::path::PathBuf,
}

#[derive(Args)]
pub struct ImportTiersArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub file: std::path::PathBuf,
    /// ISO date from which the classification applies.
    #[arg(long)]
    pub valid_from: String,
    /// Where the classification comes from (a decree, a law).
    #[arg(long)]
    pub source: String,
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

fn init_logs(config: &Config) {
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

pub fn user(command: UserCommand) -> anyhow::Result<ExitCode> {
    let UserCommand::Add(args) = command;
    let config = config_with(&args.db)?;
    let password = match std::env::var("TAAVON_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            eprint!("password for {}: ", args.username);
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\n', '\r']).to_owned()
        }
    };
    let mut provinces = args.province.clone();
    let province = if args.role == "bank_officer" {
        None
    } else {
        provinces.pop()
    };
    let input = UserInput {
        display_name: args.name.clone().unwrap_or_else(|| args.username.clone()),
        username: args.username,
        password,
        role: args.role,
        province,
        provinces,
        bank: args.bank,
        agency: args.agency,
        cooperative_id: args.cooperative,
    };
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let result = taavon_app::users::add_user(
            &store,
            Caller::Operator("cli"),
            &input,
            PasswordRule::Standard,
            None,
            clock::now(),
        )
        .await;
        store.close().await;
        report(result.map(|id| println!("created user {} (id {id})", input.username)))
    })
}

pub fn import(command: ImportCommand) -> anyhow::Result<ExitCode> {
    let args = match command {
        ImportCommand::Tiers(args) => args,
        ImportCommand::Cooperatives(args) => return import_table(args, Kind::Cooperatives),
        ImportCommand::Members(args) => return import_table(args, Kind::Members),
    };
    let config = config_with(&args.db)?;
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("reading {}", args.file.display()))?;
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let result = taavon_app::reference::import_tiers(
            &store,
            Caller::Operator("cli"),
            &text,
            &args.valid_from,
            &args.source,
            clock::now(),
        )
        .await;
        store.close().await;
        report(result.map(|id| println!("imported tier classification {id}")))
    })
}

/// Prints a use case's refusal field by field (exit 1); other errors propagate.
fn report(result: Result<(), AppError>) -> anyhow::Result<ExitCode> {
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

enum Kind {
    Cooperatives,
    Members,
}

fn import_table(args: ImportTableArgs, kind: Kind) -> anyhow::Result<ExitCode> {
    use taavon_app::table::{Format, Table};
    let config = config_with(&args.db)?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let name = args.file.to_string_lossy().into_owned();
    let bar = progress_bar();
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    runtime()?.block_on(async {
        let table = match Table::read(bytes, Format::of(&name)) {
            Ok(table) => table,
            Err(error) => return report(Err(error)),
        };
        let store = open(&config).await?;
        let caller = Caller::Operator("cli");
        let result = match kind {
            Kind::Cooperatives => {
                taavon_app::import::import_cooperatives(
                    &store,
                    caller,
                    &table,
                    args.skip_invalid,
                    &progress,
                    clock::now(),
                )
                .await
            }
            Kind::Members => {
                taavon_app::import::import_members(
                    &store,
                    caller,
                    &table,
                    args.skip_invalid,
                    &progress,
                    clock::now(),
                )
                .await
            }
        };
        store.close().await;
        bar.finish_and_clear();
        let report = match result {
            Ok(report) => report,
            Err(error) => return self::report(Err(error)),
        };
        for error in &report.errors {
            println!(
                "row {}, column {} ({}): {} / {}",
                error.row, error.column, error.rule, error.message_en, error.message_fa
            );
        }
        println!(
            "{} rows: {} created, {} unchanged, {} invalid{}",
            report.rows,
            report.created,
            report.unchanged,
            report.errors.len(),
            if report.stored {
                ""
            } else {
                "; nothing stored (use --skip-invalid to store the valid rows)"
            }
        );
        Ok(if report.stored {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    })
}

pub fn export(command: ExportCommand) -> anyhow::Result<ExitCode> {
    let ExportCommand::Cooperatives(args) = command;
    let config = config_with(&args.db)?;
    let name = args.out.to_string_lossy().into_owned();
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let bytes = taavon_app::export::export_cooperatives(
            &store,
            Caller::Operator("cli"),
            &Default::default(),
            taavon_app::table::Format::of(&name),
        )
        .await?;
        store.close().await;
        std::fs::write(&args.out, bytes).with_context(|| format!("writing {name}"))?;
        println!("wrote {name}");
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Args)]
pub struct SynthArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long, default_value_t = 1000)]
    pub cooperatives: usize,
    #[arg(long, default_value_t = 20_000)]
    pub members: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// A progress bar for `total` items.
fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

pub fn synth(args: SynthArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    let bar = progress_bar();
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let started = std::time::Instant::now();
        taavon_tools::synth::load(
            &store,
            taavon_tools::synth::SynthSize {
                cooperatives: args.cooperatives,
                members: args.members,
                seed: args.seed,
            },
            &progress,
            clock::now(),
        )
        .await?;
        store.close().await;
        bar.finish_and_clear();
        println!(
            "synthesised {} cooperatives and {} members in {:.1} s",
            args.cooperatives,
            args.members,
            started.elapsed().as_secs_f64()
        );
        Ok(ExitCode::SUCCESS)
    })
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Import throughput (as a ratio to a plain INSERT loop) and search latency on the
    /// database given (fill it first with `taavon synth`).
    Registry(BenchRegistryArgs),
    /// Ledger transfers per second at batch 1 and 1000, as ratios to a plain INSERT loop
    /// of the same rows on the same engine.
    Ledger(crate::ledger::BenchLedgerArgs),
    /// End of day over a synthetic portfolio written into the database given, which
    /// must hold no loans: two closes, a rerun, and one plain UPDATE of every loan as
    /// the yardstick.
    Eod(BenchEodArgs),
}

#[derive(Args)]
pub struct BenchEodArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long, default_value_t = 100_000)]
    pub loans: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args)]
pub struct BenchRegistryArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long, default_value_t = 10_000)]
    pub import_rows: usize,
    #[arg(long, default_value_t = 1000)]
    pub queries: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn bench(command: BenchCommand) -> anyhow::Result<ExitCode> {
    let args = match command {
        BenchCommand::Registry(args) => args,
        BenchCommand::Ledger(args) => return crate::ledger::bench(&args),
        BenchCommand::Eod(args) => return bench_eod(args),
    };
    let config = config_with(&args.db)?;
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let figures =
            taavon_tools::bench::registry(&store, args.import_rows, args.queries, args.seed, clock::now()).await?;
        store.close().await;
        let per_second = |rows: usize, time: std::time::Duration| rows as f64 / time.as_secs_f64().max(1e-9);
        let import_rate = per_second(figures.import_rows, figures.import);
        let baseline_rate = per_second(figures.import_rows, figures.baseline);
        let database = taavon_store::DatabaseUrl::parse(&config.database_url)?;
        println!("database: {database:?}; cooperatives in store: {}", figures.cooperatives_in_store);
        println!(
            "import: {} rows in {:.2} s = {:.0} rows/s; plain INSERT loop {:.0} rows/s; ratio {:.2}",
            figures.import_rows,
            figures.import.as_secs_f64(),
            import_rate,
            baseline_rate,
            import_rate / baseline_rate
        );
        println!(
            "search: {} queries, median {:.2} ms, p99 {:.2} ms",
            figures.queries,
            figures.search_median.as_secs_f64() * 1000.0,
            figures.search_p99.as_secs_f64() * 1000.0
        );
        Ok(ExitCode::SUCCESS)
    })
}

fn bench_eod(args: BenchEodArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    let bar = progress_bar();
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let f =
            taavon_tools::bench::eod::eod(&store, args.loans, args.seed, &progress, clock::now())
                .await?;
        store.close().await;
        bar.finish_and_clear();
        let seconds = |time: std::time::Duration| time.as_secs_f64();
        let ratio = |time: std::time::Duration| seconds(time) / seconds(f.baseline).max(1e-9);
        let database = taavon_store::DatabaseUrl::parse(&config.database_url)?;
        let kb = |peak: Option<u64>| {
            peak.map_or_else(|| "unknown".to_owned(), |kb| format!("{} MB", kb / 1024))
        };
        println!("database: {database:?}");
        println!(
            "data: {} loans, {} installments, {:.1} MB on disk; loaded in {:.1} s (peak RSS {})",
            f.loans,
            f.installments,
            f.database_bytes as f64 / 1e6,
            seconds(f.load),
            kb(f.peak_rss_load_kb)
        );
        for (label, time, report) in [
            ("(a) close", f.first_close, &f.first_report),
            ("(b) close next", f.second_close, &f.second_report),
        ] {
            println!(
                "{label} {}: {:.2} s = {:.2} × baseline; {} loans in {} batches, {} branches",
                report.business_on,
                seconds(time),
                ratio(time),
                report.loans_closed,
                report.batches,
                report.branches
            );
        }
        println!(
            "(c) rerun of {}: {:.3} s, nothing changed",
            f.first_report.business_on,
            seconds(f.rerun)
        );
        println!(
            "(d) baseline UPDATE of every loan: {:.2} s",
            seconds(f.baseline)
        );
        println!("peak RSS while closing: {}", kb(f.peak_rss_close_kb));
        for c in &f.classes {
            println!(
                "class {}: {} loans, outstanding {} rials, provisions {} rials",
                c.class, c.loans, c.outstanding_rial, c.provision_rial
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}
