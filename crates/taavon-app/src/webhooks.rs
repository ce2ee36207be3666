//! Webhook subscriptions and the delivery worker's steps (issue 19). A subscription gets
//! the events its creator's scope permits (`access::event_scope`), signed per the
//! Standard Webhooks specification; the server's worker calls `fan_out`, `due` and
//! `record_attempts` in turn, under the lease `take_lease` holds.

use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use taavon_core::access::{Principal, event_scope, keeps_webhooks};
use taavon_core::events::EventType;
use taavon_core::timestamp::Timestamp;
use taavon_core::webhooks::{address_forbidden, retry_delay_seconds};
use taavon_store::{
    AttemptRecord, DELIVERY_DEAD, DELIVERY_DELIVERED, DELIVERY_PENDING, DeliveryRow, DueDelivery,
    FanOut, NewSubscription, Store, Subscription, SubscriptionHealth,
};

use crate::AppError;
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};

/// The longest subscription URL.
pub const URL_LENGTH_MAX: usize = 2000;
/// How many deliveries a subscription's log shows.
pub const DELIVERY_LOG_MAX: i64 = 50;
/// How many events one fan-out step reads.
const FANOUT_BATCH: i64 = 500;

/// How deliveries are made (the server's configuration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Lets subscriptions use http and loopback, private or link-local addresses (tests,
    /// a closed network): `webhooks_allow_private`.
    pub allow_private: bool,
    /// The delay before each attempt (`taavon_core::webhooks::RETRY_SCHEDULE_SECONDS`).
    pub retry_schedule_seconds: Vec<i64>,
    /// How long a rotated-out secret keeps signing.
    pub rotation_overlap_seconds: i64,
    /// How long the delivery worker's lease lasts unless renewed (every poll renews it):
    /// how long deliveries wait after the server holding it dies.
    pub lease_seconds: i64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            retry_schedule_seconds: taavon_core::webhooks::RETRY_SCHEDULE_SECONDS.to_vec(),
            rotation_overlap_seconds: 24 * 3600,
            lease_seconds: 30,
        }
    }
}

/// What a subscription is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionInput {
    pub url: String,
    pub event_types: Vec<String>,
}

/// A subscription and its secret, as made (the only time the secret is shown) or
/// rotated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionWithSecret {
    pub subscription: Subscription,
    pub secret: String,
}

/// The outcome of one attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The response's status, if one came.
    pub status: Option<u16>,
    pub duration_ms: i64,
    /// Why no 2xx came (a timeout, a refused address, a status).
    pub error: Option<String>,
}

/// A new secret: `whsec_` and the base64 of 24 random bytes.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::fill(&mut bytes[..]);
    format!("whsec_{}", BASE64.encode(bytes))
}

/// The `webhook-signature` value of one secret over (`id`, `timestamp`, `body`):
/// `v1,` and the base64 of HMAC-SHA256 keyed by the secret's bytes (the base64 after
/// `whsec_`) over `{id}.{timestamp}.{body}`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, AppError> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = BASE64
        .decode(encoded)
        .map_err(|_| AppError::Internal("a stored webhook secret is not base64".into()))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|_| AppError::Internal("an HMAC key was refused".into()))?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Ok(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// The signatures of a delivery at `now`: the current secret's, and the rotated-out one's
/// while its overlap lasts, space-separated.
pub fn signatures(
    due: &DueDelivery,
    timestamp: i64,
    body: &str,
    now: Timestamp,
) -> Result<String, AppError> {
    let id = &due.delivery.event_id;
    let mut signature = sign(&due.secret, id, timestamp, body)?;
    if let (Some(previous), Some(until)) = (&due.previous_secret, &due.previous_until)
        && now.to_string().as_str() < until.as_str()
    {
        signature.push(' ');
        signature.push_str(&sign(previous, id, timestamp, body)?);
    }
    Ok(signature)
}

/// The body a delivery sends: `{"type","timestamp","data"}`.
pub fn body(due: &DueDelivery) -> String {
    let data: serde_json::Value =
        serde_json::from_str(&due.data).unwrap_or(serde_json::Value::Null);
    serde_json::json!({
        "type": due.delivery.event_type.code(),
        "timestamp": due.occurred_at,
        "data": data,
    })
    .to_string()
}

/// Checks a subscription URL: its shape (https unless private addresses are allowed) and
/// every address its host resolves to. Done when a subscription is made and again before
/// each delivery, as DNS can change.
pub async fn check_url(
    url: &str,
    allow_private: bool,
) -> Result<Vec<std::net::SocketAddr>, AppError> {
    let refused = |rule: &str, fa: &str, en: &str| Err(AppError::invalid("url", rule, fa, en));
    if url.chars().count() > URL_LENGTH_MAX {
        return refused(
            "max_length",
            "نشانی بیش از حد بلند است.",
            "The URL is longer than 2000 characters.",
        );
    }
    let Ok(parsed) = url::Url::parse(url) else {
        return refused(
            "format",
            "نشانی درست نیست.",
            "The URL is not a valid absolute URL.",
        );
    };
    let scheme_allowed = parsed.scheme() == "https" || (allow_private && parsed.scheme() == "http");
    if !scheme_allowed {
        return refused(
            "https",
            "نشانی باید با https آغاز شود.",
            "The URL must use https.",
        );
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return refused(
            "credentials",
            "نشانی نباید نام کاربری داشته باشد.",
            "The URL must not carry credentials.",
        );
    }
    let Some(host) = parsed.host_str() else {
        return refused("format", "نشانی میزبان ندارد.", "The URL has no host.");
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = parsed.port_or_known_default().unwrap_or(443);
    let addresses: Vec<std::net::SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![std::net::SocketAddr::new(ip, port)],
        Err(_) => match tokio::net::lookup_host((host, port)).await {
            Ok(found) => found.collect(),
            Err(_) => Vec::new(),
        },
    };
    if addresses.is_empty() {
        return refused(
            "unresolvable",
            "نشانی پیدا نشد.",
            "The URL's host does not resolve.",
        );
    }
    if !allow_private && addresses.iter().any(|a| address_forbidden(a.ip())) {
        return refused(
            "private_address",
            "نشانی به شبکهٔ داخلی می‌رسد.",
            "The URL resolves to a loopback, private, link-local or metadata address.",
        );
    }
    Ok(addresses)
}

fn may_keep(principal: &Principal) -> Result<(), AppError> {
    if keeps_webhooks(principal) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Makes a subscription for the principal's system; its secret is in the answer only.
pub async fn create_subscription(
    store: &Store,
    principal: &Principal,
    input: &SubscriptionInput,
    settings: &WebhookSettings,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<SubscriptionWithSecret, AppError> {
    may_keep(principal)?;
    let mut event_types = Vec::new();
    if input.event_types.is_empty() {
        return Err(AppError::invalid(
            "event_types",
            "min_items",
            "دست‌کم یک نوع رویداد لازم است.",
            "Name at least one event type.",
        ));
    }
    for (index, name) in input.event_types.iter().enumerate() {
        let Some(kind) = EventType::parse(name) else {
            return Err(AppError::invalid(
                &format!("event_types[{index}]"),
                "unknown",
                "نوع رویداد شناخته نیست.",
                "Unknown event type.",
            ));
        };
        if !event_types.contains(&kind) {
            event_types.push(kind);
        }
    }
    check_url(&input.url, settings.allow_private).await?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return subscription_with_secret(store, principal, id).await,
        Begun::Fresh(write) => write,
    };
    let secret = new_secret();
    let id = write
        .create_subscription(&NewSubscription {
            owner_user_id: principal.user_id,
            url: input.url.clone(),
            event_types,
            secret,
            scope: event_scope(principal),
        })
        .await?;
    let id = finish_idempotent(write, principal, idempotency, id).await?;
    subscription_with_secret(store, principal, id).await
}

async fn subscription_with_secret(
    store: &Store,
    principal: &Principal,
    id: i64,
) -> Result<SubscriptionWithSecret, AppError> {
    let subscription = own_subscription(store, principal, id).await?;
    Ok(SubscriptionWithSecret {
        secret: subscription.fields.secret.clone(),
        subscription,
    })
}

/// One of the principal's own subscriptions; another's is not found.
pub async fn own_subscription(
    store: &Store,
    principal: &Principal,
    id: i64,
) -> Result<Subscription, AppError> {
    may_keep(principal)?;
    let mut read = store.read().await?;
    let found = read.subscription(id).await?;
    read.finish().await?;
    found
        .filter(|s| s.fields.owner_user_id == principal.user_id)
        .ok_or(AppError::NotFound)
}

/// The principal's subscriptions.
pub async fn subscriptions(
    store: &Store,
    principal: &Principal,
) -> Result<Vec<Subscription>, AppError> {
    may_keep(principal)?;
    let mut read = store.read().await?;
    let found = read.subscriptions_of(principal.user_id).await?;
    read.finish().await?;
    Ok(found)
}

/// The principal's subscriptions, each with how its deliveries stand.
pub async fn subscriptions_with_health(
    store: &Store,
    principal: &Principal,
) -> Result<Vec<(Subscription, SubscriptionHealth)>, AppError> {
    may_keep(principal)?;
    let mut read = store.read().await?;
    let mut found = Vec::new();
    for subscription in read.subscriptions_of(principal.user_id).await? {
        let health = read.subscription_health(subscription.id).await?;
        found.push((subscription, health));
    }
    read.finish().await?;
    Ok(found)
}

/// A subscription's latest deliveries, newest first.
pub async fn deliveries(
    store: &Store,
    principal: &Principal,
    id: i64,
) -> Result<Vec<DeliveryRow>, AppError> {
    own_subscription(store, principal, id).await?;
    let mut read = store.read().await?;
    let found = read.deliveries_of(id, DELIVERY_LOG_MAX).await?;
    read.finish().await?;
    Ok(found)
}

/// Deletes one of the principal's subscriptions.
pub async fn delete_subscription(
    store: &Store,
    principal: &Principal,
    id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    own_subscription(store, principal, id).await?;
    let mut write = begin_plain(store, principal, now).await?;
    if !write.delete_subscription(id).await? {
        return Err(AppError::NotFound);
    }
    write.commit().await?;
    Ok(())
}

/// Gives a subscription a new secret; the old one keeps signing (a second signature)
/// for the configured overlap.
pub async fn rotate_secret(
    store: &Store,
    principal: &Principal,
    id: i64,
    settings: &WebhookSettings,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<SubscriptionWithSecret, AppError> {
    own_subscription(store, principal, id).await?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return subscription_with_secret(store, principal, id).await,
        Begun::Fresh(write) => write,
    };
    let until = now
        .plus_seconds(settings.rotation_overlap_seconds)
        .to_string();
    if !write
        .rotate_subscription_secret(id, &new_secret(), &until)
        .await?
    {
        return Err(AppError::NotFound);
    }
    let id = finish_idempotent(write, principal, idempotency, id).await?;
    subscription_with_secret(store, principal, id).await
}

/// Sends one of a subscription's deliveries again, from its first attempt.
pub async fn replay_delivery(
    store: &Store,
    principal: &Principal,
    subscription_id: i64,
    delivery_id: i64,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<i64, AppError> {
    own_subscription(store, principal, subscription_id).await?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return Ok(id),
        Begun::Fresh(write) => write,
    };
    if !write.replay_delivery(subscription_id, delivery_id).await? {
        return Err(AppError::NotFound);
    }
    finish_idempotent(write, principal, idempotency, delivery_id).await
}

async fn begin_plain(
    store: &Store,
    principal: &Principal,
    now: Timestamp,
) -> Result<taavon_store::WriteTx, AppError> {
    Ok(store.write(crate::auth::actor_of(principal), now).await?)
}

/// Takes or keeps the delivery lease for `holder` for `lease_seconds`.
pub async fn take_lease(
    store: &Store,
    holder: &str,
    lease_seconds: i64,
    now: Timestamp,
) -> Result<bool, AppError> {
    let until = now.plus_seconds(lease_seconds).to_string();
    Ok(store
        .take_webhook_lease(holder, &now.to_string(), &until)
        .await?)
}

/// Turns the events after the fan-out cursor into deliveries, one per subscription whose
/// types and scope take the event; answers how many events it read.
pub async fn fan_out(store: &Store, now: Timestamp) -> Result<usize, AppError> {
    let cursor = store.webhook_fanout_cursor().await?;
    let mut read = store.read().await?;
    let events = read.events_after(cursor, FANOUT_BATCH).await?;
    let Some(last) = events.last().map(|e| e.id) else {
        read.finish().await?;
        return Ok(0);
    };
    let subscriptions = read.live_subscriptions().await?;
    read.finish().await?;
    let mut made: Vec<FanOut> = Vec::new();
    for event in &events {
        for subscription in &subscriptions {
            let fields = &subscription.fields;
            if event.id > subscription.after_cursor
                && fields.event_types.contains(&event.event_type)
                && fields.scope.permits(&event.concern)
            {
                made.push((
                    subscription.id,
                    event.id,
                    format!("{}:{}", event.event_type.resource(), event.resource_id),
                    event.concern.province.clone(),
                ));
            }
        }
    }
    store.record_fanout(&made, last, &now.to_string()).await?;
    Ok(events.len())
}

/// Up to `limit` deliveries due now, in event order, each its resource's earliest pending.
pub async fn due(store: &Store, limit: i64, now: Timestamp) -> Result<Vec<DueDelivery>, AppError> {
    Ok(store.due_deliveries(&now.to_string(), limit).await?)
}

/// Records finished attempts (each with when it finished) in one transaction: each
/// delivered on a 2xx, else retried on the schedule or dead.
pub async fn record_attempts(
    store: &Store,
    finished: &[(DeliveryRow, Attempt, Timestamp)],
    settings: &WebhookSettings,
) -> Result<(), AppError> {
    let records: Vec<AttemptRecord> = finished
        .iter()
        .map(|(delivery, attempt, at)| outcome(delivery, attempt, settings, *at))
        .collect();
    Ok(store.record_delivery_attempts(&records).await?)
}

/// What an attempt leaves in the log: delivered on a 2xx, else pending until the next try
/// of the schedule, or dead after its last.
fn outcome(
    delivery: &DeliveryRow,
    attempt: &Attempt,
    settings: &WebhookSettings,
    now: Timestamp,
) -> AttemptRecord {
    let succeeded = attempt.status.is_some_and(|s| (200..300).contains(&s));
    let attempts = usize::try_from(delivery.attempts).unwrap_or(0) + 1;
    let (state, next) = if succeeded {
        (DELIVERY_DELIVERED, now)
    } else {
        match retry_delay_seconds(&settings.retry_schedule_seconds, attempts) {
            Some(delay) => (DELIVERY_PENDING, now.plus_seconds(delay)),
            None => (DELIVERY_DEAD, now),
        }
    };
    AttemptRecord {
        delivery_id: delivery.id,
        state,
        next_attempt_at: next.to_string(),
        status: attempt.status.map(i64::from),
        duration_ms: attempt.duration_ms,
        error: attempt.error.clone(),
        attempted_at: now.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_the_specifications_test_vector() {
        // From the Standard Webhooks specification's reference libraries.
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signature.ok().as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn a_new_secret_is_whsec_and_24_random_bytes() {
        let secret = new_secret();
        let bytes = BASE64.decode(secret.trim_start_matches("whsec_"));
        assert_eq!(bytes.map(|b| b.len()).ok(), Some(24));
        assert_ne!(new_secret(), secret);
    }

    #[tokio::test]
    async fn a_url_must_be_https_and_public_unless_private_is_allowed() {
        for (url, rule) in [
            ("http://8.8.8.8/hook", "https"),
            ("https://127.0.0.1/hook", "private_address"),
            ("https://169.254.169.254/latest", "private_address"),
            ("https://[::1]/hook", "private_address"),
            ("https://user:pw@8.8.8.8/", "credentials"),
            ("not a url", "format"),
        ] {
            match check_url(url, false).await {
                Err(AppError::Invalid(errors)) => assert_eq!(errors[0].rule, rule, "{url}"),
                other => panic!("{url}: {other:?}"),
            }
        }
        assert!(check_url("https://8.8.8.8/hook", false).await.is_ok());
        assert!(check_url("http://127.0.0.1:9/hook", true).await.is_ok());
    }
}
