//! The webhook delivery worker (issue 19): a task beside the HTTP server that turns new
//! events into deliveries and sends each, signed, to its subscriber. Only the server
//! holding the lease (a row taken by compare-and-set, with an expiry) delivers; all its
//! state is in the database, so a restart resumes where it stopped and a delivery sent
//! but not yet recorded is sent again (at least once; receivers dedupe by `webhook-id`).
//! A user's request never waits for it: it only reads what requests committed.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use taavon_app::Store;
use taavon_app::clock;
use taavon_app::rows::{DeliveryRow, DueDelivery};
use taavon_app::webhooks::{self, Attempt, WebhookSettings};
use taavon_core::timestamp::Timestamp;
use taavon_core::webhooks::address_forbidden;

/// How often the worker looks for new events and due deliveries.
const POLL_EVERY: Duration = Duration::from_millis(200);
/// The most deliveries in flight at once.
const IN_FLIGHT_MAX: usize = 64;
/// The most fan-out steps per poll (each reads up to 500 events).
const FANOUT_STEPS_PER_POLL: usize = 20;

/// Runs the worker until aborted. Failures are logged and tried again next poll.
pub(crate) async fn deliver_forever(store: Store, settings: WebhookSettings, timeout: Duration) {
    let holder = taavon_app::events::new_event_id().replacen("evt_", "worker_", 1);
    let client = match client(&settings, timeout) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "the webhook client could not be built; no deliveries");
            return;
        }
    };
    let in_flight: Arc<Mutex<Flights>> = Arc::default();
    let mut lease = Lease::default();
    // A finished delivery wakes the worker before the next tick, so a backlog is sent
    // as fast as the receivers answer rather than 64 deliveries per tick.
    let finished = Arc::new(tokio::sync::Notify::new());
    let mut interval = tokio::time::interval(POLL_EVERY);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            () = finished.notified() => {}
        }
        let worker = (&client, holder.as_str(), &in_flight, &finished);
        if let Err(error) = poll(&store, &settings, worker, &mut lease).await {
            tracing::warn!(%error, "webhook delivery step failed");
        }
    }
}

/// What one worker keeps between polls: its client, its lease's holder name, the
/// deliveries in flight, and the signal a finished one gives.
type Worker<'a> = (
    &'a reqwest::Client,
    &'a str,
    &'a Arc<Mutex<Flights>>,
    &'a Arc<tokio::sync::Notify>,
);

/// The deliveries being sent, and the attempts finished but not yet recorded (with when
/// each finished). A delivery stays in `sending` until its attempt is recorded, so a poll
/// that still reads it as pending never sends it twice.
#[derive(Default)]
struct Flights {
    sending: HashSet<i64>,
    finished: Vec<(DeliveryRow, Attempt, Timestamp)>,
}

/// Until when this worker holds the lease, by its own clock. The lease row is rewritten
/// only once less than half of it remains, so a worker polling five times a second writes
/// it a few times a lease, not on every poll (its writes queue with the requests' on
/// SQLite). Nobody else can take a lease before it runs out.
#[derive(Default)]
struct Lease {
    until: Option<Instant>,
}

impl Lease {
    async fn hold(
        &mut self,
        store: &Store,
        holder: &str,
        seconds: i64,
    ) -> Result<bool, taavon_app::AppError> {
        let lease = Duration::from_secs(seconds.unsigned_abs());
        let asked = Instant::now();
        if self
            .until
            .is_some_and(|until| until.saturating_duration_since(asked) > lease / 2)
        {
            return Ok(true);
        }
        let taken = webhooks::take_lease(store, holder, seconds, clock::now()).await?;
        self.until = taken.then_some(asked + lease);
        Ok(taken)
    }
}

async fn poll(
    store: &Store,
    settings: &WebhookSettings,
    (client, holder, in_flight, finished): Worker<'_>,
    lease: &mut Lease,
) -> Result<(), taavon_app::AppError> {
    record_finished(store, settings, in_flight).await?;
    if !lease.hold(store, holder, settings.lease_seconds).await? {
        return Ok(());
    }
    for _ in 0..FANOUT_STEPS_PER_POLL {
        if webhooks::fan_out(store, clock::now()).await? == 0 {
            break;
        }
    }
    let busy = in_flight
        .lock()
        .map(|flights| flights.sending.len())
        .unwrap_or(IN_FLIGHT_MAX);
    if busy >= IN_FLIGHT_MAX {
        return Ok(());
    }
    let due = webhooks::due(store, (IN_FLIGHT_MAX * 2) as i64, clock::now()).await?;
    for delivery in due {
        let id = delivery.delivery.id;
        {
            let Ok(mut flights) = in_flight.lock() else {
                return Ok(());
            };
            if flights.sending.len() >= IN_FLIGHT_MAX || !flights.sending.insert(id) {
                continue;
            }
        }
        let (settings, client, in_flight, finished) = (
            settings.clone(),
            client.clone(),
            Arc::clone(in_flight),
            Arc::clone(finished),
        );
        tokio::spawn(async move {
            let attempt = send(&client, &settings, &delivery).await;
            if let Ok(mut flights) = in_flight.lock() {
                flights
                    .finished
                    .push((delivery.delivery, attempt, clock::now()));
            }
            finished.notify_one();
        });
    }
    Ok(())
}

/// Records the attempts finished since the last poll in one transaction (a backlog then
/// costs a commit per batch, not per delivery), and lets their deliveries be read again.
/// Should the record fail, they are simply sent again later: at least once.
async fn record_finished(
    store: &Store,
    settings: &WebhookSettings,
    in_flight: &Arc<Mutex<Flights>>,
) -> Result<(), taavon_app::AppError> {
    let finished = in_flight
        .lock()
        .map(|mut flights| std::mem::take(&mut flights.finished))
        .unwrap_or_default();
    if finished.is_empty() {
        return Ok(());
    }
    let recorded = webhooks::record_attempts(store, &finished, settings).await;
    if let Ok(mut flights) = in_flight.lock() {
        for (delivery, _, _) in &finished {
            flights.sending.remove(&delivery.id);
        }
    }
    recorded
}

/// One attempt: the URL checked again (DNS can change), the body signed, the answer
/// timed.
async fn send(client: &reqwest::Client, settings: &WebhookSettings, due: &DueDelivery) -> Attempt {
    let started = Instant::now();
    let elapsed =
        |started: Instant| i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    if let Err(error) = webhooks::check_url(&due.url, settings.allow_private).await {
        return Attempt {
            status: None,
            duration_ms: elapsed(started),
            error: Some(format!("url refused: {error}")),
        };
    }
    let now = clock::now();
    let timestamp = now.unix_seconds();
    let body = webhooks::body(due);
    let signature = match webhooks::signatures(due, timestamp, &body, now) {
        Ok(signature) => signature,
        Err(error) => {
            return Attempt {
                status: None,
                duration_ms: 0,
                error: Some(error.to_string()),
            };
        }
    };
    let sent = client
        .post(&due.url)
        .header("content-type", "application/json")
        .header("webhook-id", &due.delivery.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            Attempt {
                status: Some(status),
                duration_ms: elapsed(started),
                error: (!response.status().is_success()).then(|| format!("status {status}")),
            }
        }
        Err(error) => Attempt {
            status: None,
            duration_ms: elapsed(started),
            error: Some(if error.is_timeout() {
                "timed out".to_owned()
            } else {
                format!("not sent: {error}")
            }),
        },
    }
}

/// The HTTP client: rustls, timeouts, no redirects (a redirect could lead anywhere),
/// no proxy, and a resolver that never hands out a forbidden address — so a name that
/// resolves differently between the check and the connection still reaches no private
/// address.
fn client(
    settings: &WebhookSettings,
    timeout: Duration,
) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(PublicOnly {
            allow_private: settings.allow_private,
        }))
        .build()
}

struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| allow_private || !address_forbidden(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}
