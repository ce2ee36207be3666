//! `taavon bench events`: the outbox and the webhook worker end to end. Events are
//! written in batches through `WriteTx::emit` (each batch one audited transaction, as a
//! use case writes them), the real server's worker fans them out and delivers each,
//! signed, to a minimal HTTP/1.1 receiver on the loopback address started here, which
//! notes when each `webhook-id` first arrived. The figures: events delivered per second
//! (first commit to last arrival) and the delay from each event's commit to its arrival.

use clap::Args;
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use taavon_app::clock;
use taavon_app::webhooks::{SubscriptionInput, WebhookSettings};
use taavon_core::access::{Principal, Role};
use taavon_core::events::{EventConcern, EventType};
use taavon_store::{Actor, AuditEntry, NewEvent, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::plumbing::runtime;

/// When each event id first arrived.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

pub fn bench_events(args: &BenchEventsArgs) -> anyhow::Result<ExitCode> {
    let scratch = std::env::temp_dir().join(format!("taavon-bench-events-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let url = args
        .postgres_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/taavon.db", scratch.display()));
    let outcome = runtime()?.block_on(run(&url, args));
    // Best effort: a leftover temporary directory is harmless.
    let _ = std::fs::remove_dir_all(&scratch);
    let figures = outcome?;
    println!("database: {:?}", taavon_store::DatabaseUrl::parse(&url)?);
    let seconds = |d: Duration| d.as_secs_f64().max(1e-9);
    println!(
        "written: {} events in batches of {} over {} resources{} in {:.2} s = {:.0} events/s",
        args.events,
        args.batch,
        args.resources,
        args.rate
            .map_or(String::new(), |rate| format!(", paced at {rate}/s")),
        seconds(figures.writing),
        args.events as f64 / seconds(figures.writing)
    );
    println!(
        "delivered: {} events (each once at least, {} requests) in {:.2} s from the first commit = {:.0} events/s",
        args.events,
        figures.requests,
        seconds(figures.delivering),
        args.events as f64 / seconds(figures.delivering)
    );
    let millis = |q: usize| {
        let at = (figures.delays.len().saturating_sub(1) * q) / 100;
        figures
            .delays
            .get(at)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "delay from commit to delivery: median {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        millis(50),
        millis(99),
        millis(100)
    );
    Ok(ExitCode::SUCCESS)
}

struct Figures {
    writing: Duration,
    delivering: Duration,
    requests: usize,
    /// Sorted.
    delays: Vec<Duration>,
}

async fn run(url: &str, args: &BenchEventsArgs) -> anyhow::Result<Figures> {
    let store = Store::open(url).await?;
    taavon_app::reference::ensure_loaded(&store, clock::now()).await?;
    let admin = taavon_app::users::add_user(
        &store,
        taavon_app::users::Caller::Operator("bench"),
        &taavon_app::users::UserInput {
            username: "bench".into(),
            display_name: "سنجش رویدادها".into(),
            password: "bench-events-password".into(),
            role: "ministry_admin".into(),
            province: None,
            provinces: Vec::new(),
            bank: None,
            agency: None,
            cooperative_id: None,
            festival_year: None,
        },
        taavon_app::users::PasswordRule::Standard,
        None,
        clock::now(),
    )
    .await?;
    let principal = Principal {
        user_id: admin,
        username: "bench".into(),
        role: Role::MinistryAdmin,
    };
    let arrivals: Arrivals = Arc::default();
    let requests = Arc::new(Mutex::new(0usize));
    let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook = format!("http://{}/hook", receiver.local_addr()?);
    tokio::spawn(receive(receiver, arrivals.clone(), requests.clone()));
    let settings = WebhookSettings {
        allow_private: true,
        ..WebhookSettings::default()
    };
    taavon_app::webhooks::create_subscription(
        &store,
        &principal,
        &SubscriptionInput {
            url: hook,
            event_types: vec![EventType::LoanRepaid.code().to_owned()],
        },
        &settings,
        None,
        clock::now(),
    )
    .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let config = taavon_server::ServerConfig {
        webhooks: settings,
        ..taavon_server::ServerConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(taavon_server::serve(
        listener,
        store.clone(),
        config,
        async move {
            let _ = stopped.await;
        },
    ));

    // Write every event; note when each batch committed.
    let mut committed: HashMap<String, Instant> = HashMap::with_capacity(args.events);
    let started = Instant::now();
    let batch = args.batch.max(1);
    let resources = args.resources.max(1);
    let mut written = 0;
    while written < args.events {
        if let Some(rate) = args.rate.filter(|rate| *rate > 0) {
            // Paced: this batch is due once `written` events' worth of time has passed.
            let due = started + Duration::from_secs_f64(written as f64 / rate as f64);
            tokio::time::sleep_until(due.into()).await;
        }
        let mut write = store.write(Actor::system("bench"), clock::now()).await?;
        let upto = (written + batch).min(args.events);
        let ids: Vec<String> = (written..upto)
            .map(|n| format!("evt_bench_{n:08}"))
            .collect();
        for (n, event_id) in (written..upto).zip(&ids) {
            let resource = n % resources;
            write.emit(NewEvent {
                event_id: event_id.clone(),
                event_type: EventType::LoanRepaid,
                concern: EventConcern {
                    province: "IR-16".into(),
                    bank: Some("022".into()),
                    agency: None,
                    cooperative_id: None,
                },
                resource_id: resource.to_string(),
                data: serde_json::json!({"id": resource, "n": n, "amount_rial": 100_000}),
            });
        }
        write.audit(AuditEntry::created(
            "bench.events",
            "bench",
            written,
            None,
            serde_json::json!({"events": upto - written}),
        ));
        write.commit().await?;
        let at = Instant::now();
        committed.extend(ids.into_iter().map(|id| (id, at)));
        written = upto;
    }
    let writing = started.elapsed();

    // Wait for every event to arrive (at most ten minutes past the writing).
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let arrived = arrivals.lock().map(|a| a.len()).unwrap_or(0);
        if arrived >= args.events {
            break;
        }
        if Instant::now() > deadline {
            anyhow::bail!(
                "only {arrived} of {} events arrived within ten minutes",
                args.events
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = stop.send(());
    let _ = server.await;
    store.close().await;
    let arrivals = arrivals
        .lock()
        .map_err(|_| anyhow::anyhow!("the receiver panicked"))?
        .clone();
    let mut delays = Vec::with_capacity(arrivals.len());
    let mut last = started;
    for (id, at) in &arrivals {
        if let Some(commit) = committed.get(id) {
            delays.push(at.saturating_duration_since(*commit));
            last = last.max(*at);
        }
    }
    delays.sort();
    let requests = *requests
        .lock()
        .map_err(|_| anyhow::anyhow!("the receiver panicked"))?;
    Ok(Figures {
        writing,
        delivering: last.saturating_duration_since(started),
        requests,
        delays,
    })
}

/// A minimal HTTP/1.1 receiver: reads each request's head and body (by its
/// Content-Length), notes its `webhook-id`'s first arrival and answers 200, keeping the
/// connection open for the next.
async fn receive(
    listener: tokio::net::TcpListener,
    arrivals: Arrivals,
    requests: Arc<Mutex<usize>>,
) {
    while let Ok((mut socket, _)) = listener.accept().await {
        let (arrivals, requests) = (arrivals.clone(), requests.clone());
        tokio::spawn(async move {
            let mut buffer: Vec<u8> = Vec::with_capacity(8192);
            let mut chunk = [0u8; 8192];
            loop {
                // The head, then as much body as it announces.
                let head_end = loop {
                    if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at + 4;
                    }
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(chunk.get(..n).unwrap_or_default()),
                    }
                };
                let head = String::from_utf8_lossy(buffer.get(..head_end).unwrap_or_default())
                    .to_ascii_lowercase();
                let header = |name: &str| {
                    head.lines()
                        .find_map(|line| line.strip_prefix(name))
                        .map(|value| value.trim().to_owned())
                };
                let length: usize = header("content-length:")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                while buffer.len() < head_end + length {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buffer.extend_from_slice(chunk.get(..n).unwrap_or_default()),
                    }
                }
                let at = Instant::now();
                if let Some(id) = header("webhook-id:")
                    && let Ok(mut arrivals) = arrivals.lock()
                {
                    arrivals.entry(id).or_insert(at);
                }
                if let Ok(mut requests) = requests.lock() {
                    *requests += 1;
                }
                buffer.drain(..head_end + length);
                let answer = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
                if socket.write_all(answer).await.is_err() {
                    return;
                }
            }
        });
    }
}

#[derive(Args)]
pub struct BenchEventsArgs {
    /// An empty PostgreSQL database to measure (default: a fresh SQLite database in a
    /// temporary directory, removed afterwards).
    #[arg(long = "postgres")]
    pub postgres_url: Option<String>,
    /// Events written and delivered.
    #[arg(long, default_value_t = 100_000)]
    pub events: usize,
    /// Events per write transaction.
    #[arg(long, default_value_t = 100)]
    pub batch: usize,
    /// Resources the events are about (deliveries of one resource go in order, one at a
    /// time).
    #[arg(long, default_value_t = 1000)]
    pub resources: usize,
    /// Events written per second (default: as fast as the database takes them, a burst
    /// whose delays are mostly queueing; a rate the worker keeps up with shows the delay
    /// of one delivery).
    #[arg(long)]
    pub rate: Option<usize>,
}
