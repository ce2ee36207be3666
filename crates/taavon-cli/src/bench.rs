//! `taavon synth` and `taavon bench registry|ledger|eod|impact|services|events|dashboard`: synthetic data and the
//! benchmarks of `taavon-tools`, printed as figures and ratios to a baseline measured in
//! the same run.

use crate::bench_events::BenchEventsArgs;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use taavon_app::clock;
use taavon_store::Store;

use crate::plumbing::{DbArgs, config_with, open, progress_bar, progress_of, runtime};

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

pub fn synth(args: SynthArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    let bar = progress_bar();
    let progress = progress_of::<usize>(&bar);
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
    Ledger(BenchLedgerArgs),
    /// End of day over a synthetic portfolio written into the database given, which
    /// must hold no loans: two closes, a rerun, and one plain UPDATE of every loan as
    /// the yardstick.
    Eod(BenchEodArgs),
    /// An insured-worker list imported through the real use case into a fresh database
    /// holding the demo, then the verification of reported hires against it; the import
    /// as a ratio to a plain bulk INSERT of the same rows into the same table.
    Impact(BenchImpactArgs),
    /// An agency's services imported through the real use case into a fresh database
    /// holding the reference data, as a ratio to a plain bulk INSERT of the same rows into
    /// the same table; then the gap list's and a county page's latency over them.
    Services(BenchServicesArgs),
    /// Events written through the outbox in batches and delivered by the server's webhook
    /// worker to a receiver on the loopback address: events per second delivered and the
    /// delay from each event's commit to its arrival (median, p99, max).
    Events(BenchEventsArgs),
    /// The dashboard's reads at national scale: `taavon synth`'s cooperatives and `bench
    /// eod`'s running loans with their applications and history written into the
    /// database given (which must hold no loans, or with `--loaded` what an earlier run
    /// loaded) — each step days apart, a quarter as many applications again waiting in
    /// the inboxes' states — then the ministry's, a provincial officer's and a bank
    /// officer's dashboards over a month and a year, against the same figures and step
    /// days summed from the records.
    Dashboard(BenchDashboardArgs),
}

#[derive(Args)]
pub struct BenchDashboardArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[arg(long, default_value_t = 100_000)]
    pub cooperatives: usize,
    /// Loans, each with its contracted application.
    #[arg(long, default_value_t = 1_000_000)]
    pub loans: usize,
    /// Dashboards read per role and period.
    #[arg(long, default_value_t = 20)]
    pub reads: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Measure a database an earlier run loaded, as it is (its sizes as given then),
    /// after giving its records their history if that run stopped before it.
    #[arg(long)]
    pub loaded: bool,
}

#[derive(Args)]
pub struct BenchServicesArgs {
    /// An empty PostgreSQL database to measure (default: a fresh SQLite database in a
    /// temporary directory, removed afterwards).
    #[arg(long = "postgres")]
    pub postgres_url: Option<String>,
    /// Synthetic service records.
    #[arg(long, default_value_t = 10_000_000)]
    pub rows: u64,
    /// Times the gap list and the county page are read.
    #[arg(long, default_value_t = 50)]
    pub reads: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args)]
pub struct BenchImpactArgs {
    /// An empty PostgreSQL database to measure (default: a fresh SQLite database in a
    /// temporary directory, removed afterwards).
    #[arg(long = "postgres")]
    pub postgres_url: Option<String>,
    /// A SQLite database file to measure and keep (default: a temporary one, removed).
    #[arg(long = "sqlite", conflicts_with = "postgres_url")]
    pub sqlite_path: Option<std::path::PathBuf>,
    /// Time only the verification again, on a database a previous run of this
    /// benchmark filled (with `--postgres` or `--sqlite`): two builds or schemas
    /// compared on the same data.
    #[arg(long)]
    pub verify_only: bool,
    /// Rows of the synthetic list.
    #[arg(long, default_value_t = 20_000_000)]
    pub rows: u64,
    /// Hires reported (and verified), a hundred per loan; at most a quarter of `rows`.
    #[arg(long, default_value_t = 500_000)]
    pub hires: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
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

#[derive(Args)]
pub struct BenchLedgerArgs {
    /// The database to measure (default: a fresh SQLite database in a temporary
    /// directory, removed afterwards). The benchmark's accounts and transfers stay in it.
    #[arg(long = "db")]
    pub database_url: Option<String>,
    /// Transfers written at batch 1000 (and through the plain INSERT loop).
    #[arg(long, default_value_t = 100_000)]
    pub transfers: usize,
    /// Transfers written at batch 1, one write transaction each.
    #[arg(long, default_value_t = 2_000)]
    pub single: usize,
    /// Accounts the transfers move money between (2 to 8 190), pairs drawn at random.
    #[arg(long, default_value_t = 1_000)]
    pub accounts: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn bench(command: BenchCommand) -> anyhow::Result<ExitCode> {
    let args = match command {
        BenchCommand::Registry(args) => args,
        BenchCommand::Ledger(args) => return bench_ledger(&args),
        BenchCommand::Eod(args) => return bench_eod(args),
        BenchCommand::Impact(args) => return bench_impact(&args),
        BenchCommand::Services(args) => return bench_services(&args),
        BenchCommand::Events(args) => return crate::bench_events::bench_events(&args),
        BenchCommand::Dashboard(args) => return bench_dashboard(&args),
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

fn bench_dashboard(args: &BenchDashboardArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    let bar = progress_bar();
    let progress = progress_of::<usize>(&bar);
    runtime()?.block_on(async {
        let store = open(&config).await?;
        let f = taavon_tools::bench::dashboard::dashboard(
            &store,
            args.cooperatives,
            args.loans,
            args.reads,
            args.seed,
            args.loaded,
            &progress,
            clock::now(),
        )
        .await?;
        store.close().await;
        bar.finish_and_clear();
        let ms = |time: Duration| time.as_secs_f64() * 1000.0;
        let database = taavon_store::DatabaseUrl::parse(&config.database_url)?;
        println!("database: {database:?}");
        println!(
            "data: {} cooperatives, {} applications and loans; loaded in {:.1} s, history \
             and kept figures in {:.1} s",
            f.cooperatives,
            f.loans,
            f.load.as_secs_f64(),
            f.history.as_secs_f64()
        );
        println!(
            "history: {} applications, {} waiting in an inbox's state",
            f.applications, f.waiting
        );
        for r in &f.reads {
            println!(
                "{}: dashboard median {:.1} ms, p99 {:.1} ms; the area figures from the \
                 records {:.1} ms = {:.1} × the whole dashboard's median; {} step-day rows \
                 read (the period and the one before), the period's step days from the \
                 records {:.1} ms = {:.1} × the median; inbox {} waiting",
                r.label,
                ms(r.median),
                ms(r.p99),
                ms(r.from_records),
                ms(r.from_records) / ms(r.median).max(1e-9),
                r.step_rows,
                ms(r.steps_from_records),
                ms(r.steps_from_records) / ms(r.median).max(1e-9),
                r.inbox_total
            );
            let steps = r
                .steps
                .iter()
                .map(|s| {
                    let median = s.median_days.map_or("-".to_owned(), |d| d.to_string());
                    format!("{} {} (n {})", s.step.code(), median, s.applications)
                })
                .collect::<Vec<_>>()
                .join(", ");
            println!("  median days: {steps}");
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn bench_eod(args: BenchEodArgs) -> anyhow::Result<ExitCode> {
    let config = config_with(&args.db)?;
    let bar = progress_bar();
    let progress = progress_of::<usize>(&bar);
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
                "{label} {}: {:.2} s = {:.2} × baseline; {} loans ({} written) in {} batches, \
                 {} branches",
                report.business_on,
                seconds(time),
                ratio(time),
                report.loans_closed,
                report.loans_written,
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

fn bench_ledger(args: &BenchLedgerArgs) -> anyhow::Result<ExitCode> {
    let scratch = std::env::temp_dir().join(format!("taavon-bench-ledger-{}", std::process::id()));
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/taavon.db", scratch.display()));
    let figures = runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        taavon_app::reference::ensure_loaded(&store, clock::now()).await?;
        let load = taavon_tools::bench::ledger::LedgerLoad {
            transfers: args.transfers,
            single: args.single,
            accounts: args.accounts,
            seed: args.seed,
        };
        let figures = taavon_tools::bench::ledger::run(&store, load, clock::now()).await;
        store.close().await;
        anyhow::Ok(figures?)
    });
    if args.database_url.is_none() {
        // Best effort: a leftover temporary directory is harmless.
        let _ = std::fs::remove_dir_all(&scratch);
    }
    let figures = figures?;
    let rate = |rows: usize, elapsed: Duration| rows as f64 / elapsed.as_secs_f64().max(1e-9);
    let baseline = rate(figures.baseline.rows, figures.baseline.elapsed);
    println!(
        "database: {:?}; {} accounts drawn at random; ledger after the run: {} accounts, {} transfers",
        taavon_store::DatabaseUrl::parse(&url)?,
        args.accounts,
        figures.accounts_in_store,
        figures.transfers_in_store
    );
    println!(
        "plain INSERT loop: {} rows in {:.2} s = {:.0} rows/s",
        figures.baseline.rows,
        figures.baseline.elapsed.as_secs_f64(),
        baseline
    );
    let batched = format!("batch {}", taavon_tools::bench::ledger::BATCH);
    for (label, timed) in [
        ("batch 1", figures.single),
        (batched.as_str(), figures.batched),
    ] {
        let transfers = rate(timed.rows, timed.elapsed);
        println!(
            "ledger {label}: {} transfers in {:.2} s = {:.0} transfers/s; ratio to the plain INSERT loop {:.2}",
            timed.rows,
            timed.elapsed.as_secs_f64(),
            transfers,
            transfers / baseline
        );
    }
    println!(
        "ledger check: {} transfers in {:.2} s",
        figures.check.rows,
        figures.check.elapsed.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn bench_impact(args: &BenchImpactArgs) -> anyhow::Result<ExitCode> {
    let scratch = std::env::temp_dir().join(format!("taavon-bench-impact-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let url = match (&args.postgres_url, &args.sqlite_path) {
        (Some(url), _) => url.clone(),
        (None, Some(path)) => format!("sqlite://{}", path.display()),
        (None, None) => format!("sqlite://{}/taavon.db", scratch.display()),
    };
    if args.verify_only {
        let (verify, peak, judged, changed) = runtime()?.block_on(async {
            let store = Store::open(&url).await?;
            let timed = taavon_tools::bench::impact::verify_again(&store, clock::now()).await;
            store.close().await;
            anyhow::Ok(timed?)
        })?;
        let _ = std::fs::remove_dir_all(&scratch);
        println!(
            "database: {:?}; verification again: {judged} hires judged ({changed} changed) in {:.2} s; peak RSS {}",
            taavon_store::DatabaseUrl::parse(&url)?,
            verify.as_secs_f64(),
            peak.map_or_else(|| "unknown".to_owned(), |kb| format!("{} MB", kb / 1024))
        );
        return Ok(ExitCode::SUCCESS);
    }
    let bar = progress_bar();
    let progress = progress_of::<u64>(&bar);
    let figures = runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        let started = std::time::Instant::now();
        taavon_app::demo::load(&store, clock::now()).await?;
        let demo = started.elapsed();
        let load = taavon_tools::bench::impact::ImpactLoad {
            rows: args.rows,
            hires: args.hires,
            seed: args.seed,
        };
        let figures =
            taavon_tools::bench::impact::impact(&store, load, &scratch, &progress, clock::now())
                .await;
        store.close().await;
        anyhow::Ok((demo, figures?))
    });
    bar.finish_and_clear();
    // Best effort: a leftover temporary directory is harmless.
    let _ = std::fs::remove_dir_all(&scratch);
    let (demo, f) = figures?;
    let seconds = |time: Duration| time.as_secs_f64().max(1e-9);
    let mb = |peak: Option<u64>| {
        peak.map_or_else(|| "unknown".to_owned(), |kb| format!("{} MB", kb / 1024))
    };
    let import_rate = f.rows as f64 / seconds(f.import);
    let baseline_rate = f.rows as f64 / seconds(f.baseline);
    println!(
        "database: {:?}; demo loaded in {:.1} s",
        taavon_store::DatabaseUrl::parse(&url)?,
        seconds(demo)
    );
    println!(
        "plain bulk INSERT into insured_rows: {} rows in {:.2} s = {:.0} rows/s",
        f.rows,
        seconds(f.baseline),
        baseline_rate
    );
    println!(
        "import: {} rows ({:.0} MB of CSV, read once: checked and written per batch) in {:.2} s = {:.0} rows/s; ratio to the plain bulk INSERT {:.2}; peak RSS {}",
        f.rows,
        f.file_bytes as f64 / 1e6,
        seconds(f.import),
        import_rate,
        import_rate / baseline_rate,
        mb(f.import_peak_rss_kb)
    );
    println!(
        "reports: {} hires on {} loans written in {:.2} s",
        f.hires,
        f.loans,
        seconds(f.report)
    );
    println!(
        "verification: {} hires judged ({} changed) in {:.2} s; peak RSS {}",
        f.hires_judged,
        f.hires_changed,
        seconds(f.verify),
        mb(f.verify_peak_rss_kb)
    );
    Ok(ExitCode::SUCCESS)
}

fn bench_services(args: &BenchServicesArgs) -> anyhow::Result<ExitCode> {
    let scratch =
        std::env::temp_dir().join(format!("taavon-bench-services-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let url = args
        .postgres_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/taavon.db", scratch.display()));
    let bar = progress_bar();
    let progress = progress_of::<u64>(&bar);
    let figures = runtime()?.block_on(async {
        let store = Store::open(&url).await?;
        taavon_app::reference::ensure_loaded(&store, clock::now()).await?;
        let load = taavon_tools::bench::services::ServicesLoad {
            rows: args.rows,
            reads: args.reads,
            seed: args.seed,
        };
        let figures = taavon_tools::bench::services::services(
            &store,
            load,
            &scratch,
            &progress,
            clock::now(),
        )
        .await;
        store.close().await;
        anyhow::Ok(figures?)
    });
    bar.finish_and_clear();
    // Best effort: a leftover temporary directory is harmless.
    let _ = std::fs::remove_dir_all(&scratch);
    let f = figures?;
    let seconds = |time: Duration| time.as_secs_f64().max(1e-9);
    let millis = |times: &[Duration], quantile: usize| {
        let at = (times.len().saturating_sub(1) * quantile) / 100;
        times.get(at).map_or(0.0, |t| t.as_secs_f64() * 1000.0)
    };
    let import_rate = f.rows as f64 / seconds(f.import);
    let baseline_rate = f.rows as f64 / seconds(f.baseline);
    println!("database: {:?}", taavon_store::DatabaseUrl::parse(&url)?);
    let per_cpu_second = |cpu: Option<Duration>| {
        cpu.map_or_else(
            || "CPU time unknown".to_owned(),
            |cpu| format!("{:.0} rows per CPU-second", f.rows as f64 / seconds(cpu)),
        )
    };
    println!(
        "plain bulk INSERT into services: {} rows in {:.2} s = {:.0} rows/s ({})",
        f.rows,
        seconds(f.baseline),
        baseline_rate,
        per_cpu_second(f.baseline_cpu)
    );
    println!(
        "import: {} rows ({:.0} MB of CSV, read once: checked and written per batch, county figures kept) in {:.2} s = {:.0} rows/s ({}); ratio to the plain bulk INSERT {:.2}; {} created; peak RSS {}",
        f.rows,
        f.file_bytes as f64 / 1e6,
        seconds(f.import),
        import_rate,
        per_cpu_second(f.import_cpu),
        import_rate / baseline_rate,
        f.created,
        f.import_peak_rss_kb
            .map_or_else(|| "unknown".to_owned(), |kb| format!("{} MB", kb / 1024))
    );
    println!(
        "gap list ({} underprivileged counties of {} with a census), {} reads: median {:.1} ms, max {:.1} ms",
        f.gap_counties,
        f.counties,
        f.gap_list.len(),
        millis(&f.gap_list, 50),
        millis(&f.gap_list, 100)
    );
    println!(
        "county page (IR-16's county figures), {} reads: median {:.1} ms, max {:.1} ms",
        f.county_page.len(),
        millis(&f.county_page, 50),
        millis(&f.county_page, 100)
    );
    Ok(ExitCode::SUCCESS)
}
