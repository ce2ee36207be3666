//! What a committing transaction writes to the outbox: the events it emitted (see
//! `events` for why at commit). Apart from the transaction, so that the transaction may
//! write them without the event reads depending back on it.

use taavon_core::events::EventConcern;
use taavon_core::events::EventType;

use crate::StoreError;
use crate::conn::Conn;
use crate::error::db;
use crate::insert::{ROWS_PER_STATEMENT, placeholders};

/// Events to one PostgreSQL statement: arrays of this many rows are a few megabytes.
const EVENTS_PER_UNNEST: usize = 10_000;

/// An event to write with the change that caused it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    /// The public id (`evt_…`), also every delivery's `webhook-id`.
    pub event_id: String,
    pub event_type: EventType,
    pub concern: EventConcern,
    pub resource_id: String,
    /// The resource as the API shows it, as JSON.
    pub data: serde_json::Value,
}

/// An emitted event as it waits for the commit: its data already JSON text, a third of
/// the memory of the value it was built as (a national list emits an event for each of
/// hundreds of thousands of newly verified hires in one transaction).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PendingEvent {
    event_id: String,
    event_type: EventType,
    concern: EventConcern,
    resource_id: String,
    data: String,
}

impl From<NewEvent> for PendingEvent {
    fn from(event: NewEvent) -> Self {
        Self {
            data: event.data.to_string(),
            event_id: event.event_id,
            event_type: event.event_type,
            concern: event.concern,
            resource_id: event.resource_id,
        }
    }
}

/// Writes the events of a committing transaction, in the order they were emitted: a
/// national list verifies hundreds of thousands of hires at once, and a round trip per
/// event had cost more than their verification. On SQLite `ROWS_PER_STATEMENT` to a
/// multi-row `VALUES`, which inserts its rows in the order listed; on PostgreSQL
/// `EVENTS_PER_UNNEST` to one `INSERT … SELECT FROM UNNEST` of arrays, ordered by each
/// row's place in them (100-row statements spent 3.5 s of a 350 000-event commit parsing
/// and binding 1 000 parameters each). Either way ids keep the emit order.
pub(crate) async fn insert(
    conn: &mut Conn,
    events: &[PendingEvent],
    now: &str,
) -> Result<(), StoreError> {
    const CONTEXT: &str = "writing events";
    if let Conn::Postgres(tx) = conn {
        for chunk in events.chunks(EVENTS_PER_UNNEST) {
            let column = |value: fn(&PendingEvent) -> Option<&str>| -> Vec<Option<&str>> {
                chunk.iter().map(value).collect()
            };
            sqlx::query(
                "INSERT INTO events (event_id, event_type, version, occurred_at, province, \
                 bank, agency, cooperative_id, resource_id, data) \
                 SELECT e, t, v, $10, p, b, a, c, r, d FROM UNNEST($1::text[], $2::text[], \
                 $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[], \
                 $9::text[]) WITH ORDINALITY AS u(e, t, v, p, b, a, c, r, d, o) ORDER BY o",
            )
            .bind(column(|e| Some(e.event_id.as_str())))
            .bind(column(|e| Some(e.event_type.code())))
            .bind(
                chunk
                    .iter()
                    .map(|e| e.event_type.version())
                    .collect::<Vec<_>>(),
            )
            .bind(column(|e| Some(e.concern.province.as_str())))
            .bind(column(|e| e.concern.bank.as_deref()))
            .bind(column(|e| e.concern.agency.as_deref()))
            .bind(
                chunk
                    .iter()
                    .map(|e| e.concern.cooperative_id)
                    .collect::<Vec<_>>(),
            )
            .bind(column(|e| Some(e.resource_id.as_str())))
            .bind(column(|e| Some(e.data.as_str())))
            .bind(now)
            .execute(&mut **tx)
            .await
            .map_err(db(CONTEXT))?;
        }
        return Ok(());
    }
    const COLUMNS: usize = 10;
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO events (event_id, event_type, version, occurred_at, province, bank, \
             agency, cooperative_id, resource_id, data) VALUES {}",
            placeholders(conn, chunk.len(), COLUMNS)
        );
        on!(conn, |c| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for event in chunk {
                query = query
                    .bind(&event.event_id)
                    .bind(event.event_type.code())
                    .bind(event.event_type.version())
                    .bind(now)
                    .bind(&event.concern.province)
                    .bind(&event.concern.bank)
                    .bind(&event.concern.agency)
                    .bind(event.concern.cooperative_id)
                    .bind(&event.resource_id)
                    .bind(&event.data);
            }
            query.execute(c).await.map(|_| ()).map_err(db(CONTEXT))?
        });
    }
    Ok(())
}
