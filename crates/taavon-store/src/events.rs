//! The outbox (issue 19): the events a change emits, written in the change's own
//! transaction at commit, after the audit chain's head is locked — so on PostgreSQL,
//! where a sequence hands out ids at insert, the ids still grow in commit order and a
//! reader paging by `id > cursor` never skips an event committed later with a lower id.

use sqlx::Row;
use taavon_core::events::{EventConcern, EventType};

use crate::StoreError;
use crate::error::{Decoded, db};
use crate::outbox::NewEvent;
use crate::tx::{Reader, WriteTx};

/// A stored event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    /// The cursor.
    pub id: i64,
    pub event_id: String,
    pub event_type: EventType,
    pub version: i64,
    /// RFC 3339 UTC.
    pub occurred_at: String,
    pub concern: EventConcern,
    pub resource_id: String,
    /// JSON text.
    pub data: String,
}

pub(crate) const EVENT_COLUMNS: &str = "id, event_id, event_type, version, occurred_at, \
     province, bank, agency, cooperative_id, resource_id, data";

macro_rules! event_row {
    ($row:expr) => {
        (|| -> Result<EventRecord, StoreError> {
            let row = Decoded::new($row, "events", "decoding an event")?;
            Ok(EventRecord {
                id: row.get("id")?,
                event_id: row.get("event_id")?,
                event_type: row.code("event_type", EventType::parse)?,
                version: row.get("version")?,
                occurred_at: row.get("occurred_at")?,
                concern: EventConcern {
                    province: row.get("province")?,
                    bank: row.get("bank")?,
                    agency: row.get("agency")?,
                    cooperative_id: row.get("cooperative_id")?,
                },
                resource_id: row.get("resource_id")?,
                data: row.get("data")?,
            })
        })()
    };
}

impl WriteTx {
    /// Emits an event with this change: written at commit, with the audit entries, or
    /// never if the transaction does not commit.
    pub fn emit(&mut self, event: NewEvent) {
        self.events.push(event.into());
    }
}

impl Reader {
    /// Up to `limit` events after the cursor `after`, oldest first.
    pub async fn events_after(
        &mut self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<EventRecord>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE id > $1 ORDER BY id LIMIT $2");
        on!(&mut self.conn, |c| {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(after)
                .bind(limit)
                .fetch_all(c)
                .await
                .map_err(db("reading events"))?;
            rows.iter().map(|row| event_row!(row)).collect()
        })
    }

    /// The newest event's cursor (0 when there is none).
    pub async fn last_event_cursor(&mut self) -> Result<i64, StoreError> {
        on!(&mut self.conn, |c| {
            let row = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM events")
                .fetch_one(c)
                .await
                .map_err(db("reading the last event"))?;
            row.try_get::<i64, _>(0)
                .map_err(db("reading the last event"))
        })
    }
}
