//! What a committing transaction writes to the outbox: the events it emitted (see
//! `events` for why at commit). Apart from the transaction, so that the transaction may
//! write them without the event reads depending back on it.

use taavon_core::events::EventConcern;
use taavon_core::events::EventType;

use crate::StoreError;
use crate::conn::Conn;
use crate::error::db;

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

/// Writes the events of a committing transaction, in the order they were emitted.
pub(crate) async fn insert(
    conn: &mut Conn,
    events: &[NewEvent],
    now: &str,
) -> Result<(), StoreError> {
    for event in events {
        let data = event.data.to_string();
        on!(conn, |c| sqlx::query(
            "INSERT INTO events (event_id, event_type, version, occurred_at, province, bank, \
             agency, cooperative_id, resource_id, data) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(&event.event_id)
        .bind(event.event_type.code())
        .bind(event.event_type.version())
        .bind(now)
        .bind(&event.concern.province)
        .bind(&event.concern.bank)
        .bind(&event.concern.agency)
        .bind(event.concern.cooperative_id)
        .bind(&event.resource_id)
        .bind(&data)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("writing an event"))?);
    }
    Ok(())
}
