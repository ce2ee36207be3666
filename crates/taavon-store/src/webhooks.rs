//! Webhook subscriptions and their deliveries (issue 19). A subscription is changed in an
//! audited `WriteTx`; the delivery worker's rows — the lease, the fan-out cursor, each
//! delivery's attempts — are transport state written in bare transactions, like
//! sessions: they record what was sent, not a change of the ministry's data.

use std::collections::HashSet;

use sqlx::Row;
use taavon_core::access::EventScope;
use taavon_core::events::EventType;
use taavon_core::reference::{AgencyCode, BankCode, ProvinceCode};

use crate::error::{Decoded, db};
use crate::tx::{Reader, WriteTx};
use crate::{AuditEntry, Store, StoreError};

/// A subscription to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSubscription {
    pub owner_user_id: i64,
    pub url: String,
    pub event_types: Vec<EventType>,
    /// `whsec_…`: kept as it is, since signing needs it.
    pub secret: String,
    /// What it receives: its creator's scope.
    pub scope: EventScope,
}

/// A stored subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: i64,
    pub fields: NewSubscription,
    /// The secret a rotation replaced, still signing until `previous_until`.
    pub previous_secret: Option<String>,
    pub previous_until: Option<String>,
    /// It receives the events after this cursor (the newest when it was made).
    pub after_cursor: i64,
    pub created_at: String,
}

/// One delivery as its log shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRow {
    pub id: i64,
    pub subscription_id: i64,
    pub event_id: String,
    pub event_type: EventType,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_status: Option<i64>,
    pub last_duration_ms: Option<i64>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<String>,
}

/// A delivery due now, with what it sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDelivery {
    pub delivery: DeliveryRow,
    pub url: String,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_until: Option<String>,
    pub occurred_at: String,
    /// The event's data, JSON text.
    pub data: String,
}

/// One attempt as the delivery log records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptRecord {
    pub delivery_id: i64,
    /// `pending` (to be retried at `next_attempt_at`), `delivered` or `dead`.
    pub state: &'static str,
    pub next_attempt_at: String,
    pub status: Option<i64>,
    pub duration_ms: i64,
    pub error: Option<String>,
    pub attempted_at: String,
}

/// How a subscription's deliveries stand: what its page shows as its health.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscriptionHealth {
    pub delivered: i64,
    /// Pending after at least one failed attempt: being retried.
    pub failing: i64,
    /// Dead letters: every attempt of the schedule failed.
    pub dead: i64,
    /// When the latest delivery succeeded.
    pub last_success_at: Option<String>,
}

/// The delivery states, as stored.
pub const DELIVERY_PENDING: &str = "pending";
pub const DELIVERY_DELIVERED: &str = "delivered";
pub const DELIVERY_DEAD: &str = "dead";

const SUBSCRIPTION_COLUMNS: &str = "id, owner_user_id, url, event_types, secret, \
     previous_secret, previous_until, scope_kind, province, scope_code, scope_provinces, \
     after_cursor, created_at";

const DELIVERY_COLUMNS: &str = "d.id, d.subscription_id, e.event_id, e.event_type, d.state, \
     d.attempts, d.next_attempt_at, d.last_status, d.last_duration_ms, d.last_error, \
     d.last_attempt_at";

/// A scope as its columns: (kind, province, code, provinces).
fn scope_columns(scope: &EventScope) -> (&'static str, Option<String>, Option<String>, String) {
    let join = |provinces: &[ProvinceCode]| {
        provinces
            .iter()
            .map(ProvinceCode::as_str)
            .collect::<Vec<_>>()
            .join(",")
    };
    match scope {
        EventScope::All => ("all", None, None, String::new()),
        EventScope::Province(p) => ("province", Some(p.as_str().to_owned()), None, String::new()),
        EventScope::Bank { bank, provinces } => (
            "bank",
            None,
            Some(bank.as_str().to_owned()),
            join(provinces),
        ),
        EventScope::Agency { agency, provinces } => (
            "agency",
            None,
            Some(agency.as_str().to_owned()),
            join(provinces),
        ),
        EventScope::Cooperative(id) => ("cooperative", None, Some(id.to_string()), String::new()),
        EventScope::Nothing => ("nothing", None, None, String::new()),
    }
}

fn scope_of(
    kind: &str,
    province: Option<&str>,
    code: Option<&str>,
    provinces: &str,
) -> Option<EventScope> {
    let provinces: Option<Vec<ProvinceCode>> = provinces
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| ProvinceCode::parse(p).ok())
        .collect();
    Some(match kind {
        "all" => EventScope::All,
        "province" => EventScope::Province(ProvinceCode::parse(province?).ok()?),
        "bank" => EventScope::Bank {
            bank: BankCode::parse(code?).ok()?,
            provinces: provinces?,
        },
        "agency" => EventScope::Agency {
            agency: AgencyCode::parse(code?).ok()?,
            provinces: provinces?,
        },
        "cooperative" => EventScope::Cooperative(code?.parse().ok()?),
        "nothing" => EventScope::Nothing,
        _ => return None,
    })
}

fn types_of(list: &str) -> Option<Vec<EventType>> {
    EventType::parse_list(list).ok()
}

fn types_text(types: &[EventType]) -> String {
    types.iter().map(|t| t.code()).collect::<Vec<_>>().join(",")
}

macro_rules! subscription_row {
    ($row:expr) => {
        (|| -> Result<Subscription, StoreError> {
            let row = Decoded::new($row, "webhook_subscriptions", "decoding a subscription")?;
            let province: Option<String> = row.get("province")?;
            let code: Option<String> = row.get("scope_code")?;
            let provinces: String = row.get("scope_provinces")?;
            Ok(Subscription {
                id: row.get("id")?,
                fields: NewSubscription {
                    owner_user_id: row.get("owner_user_id")?,
                    url: row.get("url")?,
                    event_types: row.code("event_types", types_of)?,
                    secret: row.get("secret")?,
                    scope: row.code("scope_kind", |kind| {
                        scope_of(kind, province.as_deref(), code.as_deref(), &provinces)
                    })?,
                },
                previous_secret: row.get("previous_secret")?,
                previous_until: row.get("previous_until")?,
                after_cursor: row.get("after_cursor")?,
                created_at: row.get("created_at")?,
            })
        })()
    };
}

macro_rules! delivery_row {
    ($row:expr) => {
        (|| -> Result<DeliveryRow, StoreError> {
            let row = Decoded::new($row, "webhook_deliveries", "decoding a delivery")?;
            Ok(DeliveryRow {
                id: row.get("id")?,
                subscription_id: row.get("subscription_id")?,
                event_id: row.get("event_id")?,
                event_type: row.code("event_type", EventType::parse)?,
                state: row.get("state")?,
                attempts: row.get("attempts")?,
                next_attempt_at: row.get("next_attempt_at")?,
                last_status: row.get("last_status")?,
                last_duration_ms: row.get("last_duration_ms")?,
                last_error: row.get("last_error")?,
                last_attempt_at: row.get("last_attempt_at")?,
            })
        })()
    };
}

impl Reader {
    /// The live subscriptions `owner_user_id` made, oldest first.
    pub async fn subscriptions_of(
        &mut self,
        owner_user_id: i64,
    ) -> Result<Vec<Subscription>, StoreError> {
        let sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions \
             WHERE owner_user_id = $1 AND deleted_at IS NULL ORDER BY id"
        );
        on!(&mut self.conn, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(owner_user_id)
                .fetch_all(c)
                .await
                .map_err(db("reading subscriptions"))?;
            rows.iter().map(|row| subscription_row!(row)).collect()
        })
    }

    /// How the deliveries of subscription `id` stand (one grouped read of its rows).
    pub async fn subscription_health(&mut self, id: i64) -> Result<SubscriptionHealth, StoreError> {
        on!(&mut self.conn, |c| {
            let row = sqlx::query(
                "SELECT COUNT(CASE WHEN state = 'delivered' THEN 1 END), \
                 COUNT(CASE WHEN state = 'pending' AND attempts > 0 THEN 1 END), \
                 COUNT(CASE WHEN state = 'dead' THEN 1 END), \
                 MAX(CASE WHEN state = 'delivered' THEN last_attempt_at END) \
                 FROM webhook_deliveries WHERE subscription_id = $1",
            )
            .bind(id)
            .fetch_one(c)
            .await
            .map_err(db("reading a subscription's health"))?;
            const DECODING: &str = "decoding a subscription's health";
            Ok(SubscriptionHealth {
                delivered: row.try_get(0).map_err(db(DECODING))?,
                failing: row.try_get(1).map_err(db(DECODING))?,
                dead: row.try_get(2).map_err(db(DECODING))?,
                last_success_at: row.try_get(3).map_err(db(DECODING))?,
            })
        })
    }

    /// Every live subscription (the fan-out's).
    pub async fn live_subscriptions(&mut self) -> Result<Vec<Subscription>, StoreError> {
        let sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions \
             WHERE deleted_at IS NULL ORDER BY id"
        );
        on!(&mut self.conn, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(c)
                .await
                .map_err(db("reading subscriptions"))?;
            rows.iter().map(|row| subscription_row!(row)).collect()
        })
    }

    /// One live subscription.
    pub async fn subscription(&mut self, id: i64) -> Result<Option<Subscription>, StoreError> {
        let sql = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions \
             WHERE id = $1 AND deleted_at IS NULL"
        );
        on!(&mut self.conn, |c| {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(c)
                .await
                .map_err(db("reading a subscription"))?;
            row.as_ref().map(|row| subscription_row!(row)).transpose()
        })
    }

    /// A subscription's latest deliveries, newest first.
    pub async fn deliveries_of(
        &mut self,
        subscription_id: i64,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>, StoreError> {
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d \
             JOIN events e ON e.id = d.event_cursor \
             WHERE d.subscription_id = $1 ORDER BY d.id DESC LIMIT $2"
        );
        on!(&mut self.conn, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(subscription_id)
                .bind(limit)
                .fetch_all(c)
                .await
                .map_err(db("reading deliveries"))?;
            rows.iter().map(|row| delivery_row!(row)).collect()
        })
    }
}

impl WriteTx {
    /// Records a subscription (audited without its secret).
    pub async fn create_subscription(&mut self, s: &NewSubscription) -> Result<i64, StoreError> {
        let (kind, province, code, provinces) = scope_columns(&s.scope);
        let types = types_text(&s.event_types);
        let now = self.now.to_string();
        let after_cursor = self.last_event_cursor().await?;
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO webhook_subscriptions (owner_user_id, url, event_types, secret, \
             scope_kind, province, scope_code, scope_provinces, after_cursor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
        )
        .bind(s.owner_user_id)
        .bind(&s.url)
        .bind(&types)
        .bind(&s.secret)
        .bind(kind)
        .bind(&province)
        .bind(&code)
        .bind(&provinces)
        .bind(after_cursor)
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording a subscription"))?);
        self.audit(AuditEntry::created(
            "webhook_subscription.create",
            "webhook_subscription",
            id,
            province.as_deref(),
            serde_json::json!({"url": s.url, "event_types": types, "scope": kind}),
        ));
        Ok(id)
    }

    /// Deletes a live subscription (its deliveries stay, as its log); false if none.
    pub async fn delete_subscription(&mut self, id: i64) -> Result<bool, StoreError> {
        let now = self.now.to_string();
        let changed = on!(self.conn(), |c| {
            sqlx::query(
            "UPDATE webhook_subscriptions SET deleted_at = $2 WHERE id = $1 AND deleted_at IS NULL"
        )
        .bind(id)
        .bind(&now)
        .execute(c)
        .await
        .map_err(db("deleting a subscription"))?
        .rows_affected()
        });
        if changed == 1 {
            self.audit(AuditEntry::created(
                "webhook_subscription.delete",
                "webhook_subscription",
                id,
                None,
                serde_json::json!({"deleted_at": now}),
            ));
        }
        Ok(changed == 1)
    }

    /// Replaces a subscription's secret; the old one keeps signing until `previous_until`.
    pub async fn rotate_subscription_secret(
        &mut self,
        id: i64,
        secret: &str,
        previous_until: &str,
    ) -> Result<bool, StoreError> {
        let changed = on!(self.conn(), |c| sqlx::query(
            "UPDATE webhook_subscriptions SET previous_secret = secret, secret = $2, \
             previous_until = $3 WHERE id = $1 AND deleted_at IS NULL"
        )
        .bind(id)
        .bind(secret)
        .bind(previous_until)
        .execute(c)
        .await
        .map_err(db("rotating a secret"))?
        .rows_affected());
        if changed == 1 {
            self.audit(AuditEntry::created(
                "webhook_subscription.rotate",
                "webhook_subscription",
                id,
                None,
                serde_json::json!({"previous_until": previous_until}),
            ));
        }
        Ok(changed == 1)
    }

    /// Sends a delivery of the subscription again, from its first attempt; false if the
    /// subscription has no such delivery.
    pub async fn replay_delivery(
        &mut self,
        subscription_id: i64,
        delivery_id: i64,
    ) -> Result<bool, StoreError> {
        let now = self.now.to_string();
        let changed = on!(self.conn(), |c| {
            sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = $3 \
             WHERE id = $1 AND subscription_id = $2"
        )
        .bind(delivery_id)
        .bind(subscription_id)
        .bind(&now)
        .execute(c)
        .await
        .map_err(db("replaying a delivery"))?
        .rows_affected()
        });
        if changed == 1 {
            self.audit(AuditEntry::created(
                "webhook_delivery.replay",
                "webhook_delivery",
                delivery_id,
                None,
                serde_json::json!({"subscription_id": subscription_id}),
            ));
        }
        Ok(changed == 1)
    }
}

/// A delivery the fan-out makes: (subscription, event cursor, resource key, province).
pub type FanOut = (i64, i64, String, String);

impl Store {
    /// Takes (or keeps) the delivery worker's lease for `holder` until `until`, if no other
    /// holder's lease is still running at `now`: one compare-and-set.
    pub async fn take_webhook_lease(
        &self,
        holder: &str,
        now: &str,
        until: &str,
    ) -> Result<bool, StoreError> {
        let mut conn = self.raw_write().await?;
        let changed = on!(&mut conn, |c| sqlx::query(
            "UPDATE webhook_worker SET holder = $1, lease_until = $3 \
             WHERE id = 1 AND (holder = $1 OR lease_until < $2)"
        )
        .bind(holder)
        .bind(now)
        .bind(until)
        .execute(c)
        .await
        .map_err(db("taking the webhook lease"))?
        .rows_affected());
        conn.commit("taking the webhook lease").await?;
        Ok(changed == 1)
    }

    /// How far the fan-out has come.
    pub async fn webhook_fanout_cursor(&self) -> Result<i64, StoreError> {
        let mut read = self.read().await?;
        let cursor = on!(&mut read.conn, |c| sqlx::query(
            "SELECT fanout_cursor FROM webhook_worker WHERE id = 1"
        )
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get::<i64, _>(0))
        .map_err(db("reading the fan-out cursor"))?);
        read.finish().await?;
        Ok(cursor)
    }

    /// Records the deliveries the events up to `cursor` make, and the cursor, at once
    /// (a delivery already made is left as it is, so a fan-out repeated after a crash
    /// makes none twice).
    pub async fn record_fanout(
        &self,
        deliveries: &[FanOut],
        cursor: i64,
        now: &str,
    ) -> Result<(), StoreError> {
        let mut conn = self.raw_write().await?;
        for (subscription_id, event_cursor, resource_key, province) in deliveries {
            on!(&mut conn, |c| sqlx::query(
                "INSERT INTO webhook_deliveries (subscription_id, event_cursor, resource_key, \
                 province, state, attempts, next_attempt_at) \
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5) \
                 ON CONFLICT (subscription_id, event_cursor) DO NOTHING"
            )
            .bind(subscription_id)
            .bind(event_cursor)
            .bind(resource_key)
            .bind(province)
            .bind(now)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("recording a delivery"))?);
        }
        on!(&mut conn, |c| sqlx::query(
            "UPDATE webhook_worker SET fanout_cursor = $1 WHERE id = 1 AND fanout_cursor < $1"
        )
        .bind(cursor)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("moving the fan-out cursor"))?);
        conn.commit("recording deliveries").await
    }

    /// Up to `limit` deliveries due at `now`, each the earliest pending one of its
    /// resource for its subscription (so a resource's events arrive in order), in event
    /// order.
    pub async fn due_deliveries(
        &self,
        now: &str,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let mut read = self.read().await?;
        let ids = due_heads(&mut read, now, usize::try_from(limit).unwrap_or(0)).await?;
        if ids.is_empty() {
            read.finish().await?;
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS}, s.url, s.secret, s.previous_secret, s.previous_until, \
             e.occurred_at, e.data FROM webhook_deliveries d \
             JOIN events e ON e.id = d.event_cursor \
             JOIN webhook_subscriptions s ON s.id = d.subscription_id \
             WHERE d.id IN ({}) ORDER BY d.event_cursor, d.id",
            placeholders.join(", ")
        );
        let due = on!(&mut read.conn, |c| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for id in &ids {
                query = query.bind(id);
            }
            let rows = query
                .fetch_all(c)
                .await
                .map_err(db("reading due deliveries"))?;
            rows.iter()
                .map(|row| -> Result<DueDelivery, StoreError> {
                    let decode = |e: sqlx::Error| db("decoding a due delivery")(e);
                    Ok(DueDelivery {
                        delivery: delivery_row!(row)?,
                        url: row.try_get("url").map_err(decode)?,
                        secret: row.try_get("secret").map_err(decode)?,
                        previous_secret: row.try_get("previous_secret").map_err(decode)?,
                        previous_until: row.try_get("previous_until").map_err(decode)?,
                        occurred_at: row.try_get("occurred_at").map_err(decode)?,
                        data: row.try_get("data").map_err(decode)?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })?;
        read.finish().await?;
        Ok(due)
    }

    /// Records attempts, each with its new state, when to try next and the response, in
    /// one transaction: the worker records what finished since its last poll together,
    /// so a backlog costs one commit (one fsync) per batch rather than per delivery.
    pub async fn record_delivery_attempts(
        &self,
        attempts: &[AttemptRecord],
    ) -> Result<(), StoreError> {
        if attempts.is_empty() {
            return Ok(());
        }
        let mut conn = self.raw_write().await?;
        for attempt in attempts {
            on!(&mut conn, |c| sqlx::query(
                "UPDATE webhook_deliveries SET state = $2, attempts = attempts + 1, \
                 next_attempt_at = $3, last_status = $4, last_duration_ms = $5, last_error = $6, \
                 last_attempt_at = $7 WHERE id = $1"
            )
            .bind(attempt.delivery_id)
            .bind(attempt.state)
            .bind(&attempt.next_attempt_at)
            .bind(attempt.status)
            .bind(attempt.duration_ms)
            .bind(attempt.error.as_deref())
            .bind(&attempt.attempted_at)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("recording a delivery attempt"))?);
        }
        conn.commit("recording delivery attempts").await
    }
}

/// Pending deliveries read per step of the walk for due ones.
const DUE_WALK_PAGE: i64 = 1000;

/// The ids of up to `limit` deliveries due at `now` that are each the earliest pending one
/// of their resource for their live subscription, in event order. The pending rows are
/// walked in event order a page at a time, remembering the resources already met (a later
/// row of one is not its earliest), until enough are found: the cost is the rows up to
/// the last one chosen, whatever the backlog behind it. One query with a `NOT EXISTS`
/// says the same, but PostgreSQL's planner, misjudging how few rows pass it, read and
/// sorted every pending row on each poll (70 ms at 9 000 pending; the walk's page, 1.5 ms).
async fn due_heads(read: &mut Reader, now: &str, limit: usize) -> Result<Vec<i64>, StoreError> {
    // Read apart, not joined into the walk: PostgreSQL, misjudging the join, would again
    // read and sort every pending row rather than walk the index.
    let live: HashSet<i64> = on!(&mut read.conn, |c| {
        sqlx::query_scalar("SELECT id FROM webhook_subscriptions WHERE deleted_at IS NULL")
            .fetch_all(c)
            .await
            .map_err(db("reading the live subscriptions"))?
    })
    .into_iter()
    .collect();
    let mut met: HashSet<(i64, String)> = HashSet::new();
    let mut chosen = Vec::new();
    // The walk's position: (event cursor, delivery id), as one event has a delivery per
    // subscription.
    let mut after = (0_i64, 0_i64);
    while chosen.len() < limit {
        let page: Vec<(i64, i64, String, i64, String)> = on!(&mut read.conn, |c| {
            sqlx::query_as(
                "SELECT id, subscription_id, resource_key, event_cursor, next_attempt_at \
                 FROM webhook_deliveries WHERE state = 'pending' \
                 AND event_cursor >= $1 AND (event_cursor > $1 OR id > $2) \
                 ORDER BY event_cursor, id LIMIT $3",
            )
            .bind(after.0)
            .bind(after.1)
            .bind(DUE_WALK_PAGE)
            .fetch_all(c)
            .await
            .map_err(db("walking the pending deliveries"))?
        });
        let full = page.len() == usize::try_from(DUE_WALK_PAGE).unwrap_or(usize::MAX);
        for (id, subscription_id, resource_key, event_cursor, next_attempt_at) in page {
            after = (event_cursor, id);
            if !live.contains(&subscription_id) {
                continue;
            }
            let earliest = met.insert((subscription_id, resource_key));
            if earliest && next_attempt_at.as_str() <= now {
                chosen.push(id);
                if chosen.len() == limit {
                    break;
                }
            }
        }
        if !full {
            break;
        }
    }
    Ok(chosen)
}
