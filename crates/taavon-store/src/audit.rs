//! The audit trail: one record per state change, hash-chained so that editing, deleting
//! or reordering any record is detected by `Store::verify_audit`.
//!
//! Each record's hash is SHA-256 over the previous hash and the record's fields, each
//! length-prefixed so no two different records can serialise alike. `audit_head` keeps
//! the last link: removing the newest records breaks it, and locking it serialises
//! appends on PostgreSQL (SQLite already has one writer).

use sha2::{Digest, Sha256};
use sqlx::Row;
use taavon_core::timestamp::Timestamp;

use crate::error::{corrupt, db};
use crate::tx::{Conn, Reader};
use crate::{Store, StoreError};

/// The hash before the first record.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Records are verified in pages so memory stays flat at national size.
const VERIFY_PAGE: i64 = 5_000;

/// Who made a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A logged-in user.
    User { id: i64, username: String },
    /// The system itself: migrations, demo loading, the command line.
    System { name: String },
}

/// One state change, as a use case describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    /// What happened, as `entity.verb` (e.g. `user.create`, `cooperative.update`).
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub province: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A stored audit record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub province: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The outcome of checking the whole chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditVerification {
    pub records_checked: u64,
    pub first_broken: Option<BrokenLink>,
}

/// The first place the chain does not hold, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: String,
}

impl Actor {
    pub fn system(name: &str) -> Self {
        Self::System { name: name.into() }
    }

    /// The form stored in `audit_log.actor`: `user:12:admin` or `system:demo`.
    pub fn label(&self) -> String {
        match self {
            Actor::User { id, username } => format!("user:{id}:{username}"),
            Actor::System { name } => format!("system:{name}"),
        }
    }
}

impl AuditEntry {
    /// An entry for a record that did not exist before.
    pub fn created(
        action: &'static str,
        entity: &'static str,
        entity_id: impl ToString,
        province: Option<&str>,
        after: serde_json::Value,
    ) -> Self {
        Self {
            action,
            entity,
            entity_id: entity_id.to_string(),
            province: province.map(str::to_owned),
            before: None,
            after: Some(after),
        }
    }
}

impl AuditRecord {
    fn expected_hash(&self) -> String {
        chain_hash(
            &self.prev_hash,
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
            self.province.as_deref(),
            self.before_json.as_deref(),
            self.after_json.as_deref(),
        )
    }
}

#[allow(clippy::too_many_arguments)] // One argument per hashed column keeps the order visible.
fn chain_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    province: Option<&str>,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    let seq = seq.to_string();
    for field in [
        Some(prev_hash),
        Some(seq.as_str()),
        Some(at),
        Some(actor),
        Some(action),
        Some(entity),
        Some(entity_id),
        province,
        before,
        after,
    ] {
        match field {
            // A missing value and an empty one must hash differently.
            None => hasher.update(b"-"),
            Some(text) => {
                hasher.update(text.len().to_string().as_bytes());
                hasher.update(b":");
                hasher.update(text.as_bytes());
            }
        }
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Appends entries after the current head, inside the caller's transaction.
pub(crate) async fn append(
    conn: &mut Conn,
    actor: &Actor,
    now: Timestamp,
    entries: Vec<AuditEntry>,
) -> Result<(), StoreError> {
    let head = match conn {
        Conn::Sqlite(tx) => sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut **tx)
            .await
            .map(|row| (row.try_get::<i64, _>(0), row.try_get::<String, _>(1))),
        Conn::Postgres(tx) => {
            sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
                .fetch_one(&mut **tx)
                .await
                .map(|row| (row.try_get::<i64, _>(0), row.try_get::<String, _>(1)))
        }
    }
    .map_err(db("reading the audit head"))?;
    let (mut seq, mut hash) = (
        head.0.map_err(db("reading the audit head"))?,
        head.1.map_err(db("reading the audit head"))?,
    );
    let (at, actor) = (now.to_string(), actor.label());
    for entry in entries {
        seq += 1;
        let before = entry.before.as_ref().map(serde_json::Value::to_string);
        let after = entry.after.as_ref().map(serde_json::Value::to_string);
        let next = chain_hash(
            &hash,
            seq,
            &at,
            &actor,
            entry.action,
            entry.entity,
            &entry.entity_id,
            entry.province.as_deref(),
            before.as_deref(),
            after.as_deref(),
        );
        on!(conn, |c| sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, province, \
             before_json, after_json, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )
        .bind(seq)
        .bind(&at)
        .bind(&actor)
        .bind(entry.action)
        .bind(entry.entity)
        .bind(&entry.entity_id)
        .bind(entry.province.as_deref())
        .bind(before.as_deref())
        .bind(after.as_deref())
        .bind(&hash)
        .bind(&next)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("appending an audit record"))?);
        hash = next;
    }
    on!(conn, |c| sqlx::query(
        "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1"
    )
    .bind(seq)
    .bind(&hash)
    .execute(c)
    .await
    .map(|_| ())
    .map_err(db("moving the audit head"))?);
    Ok(())
}

/// Decodes an audit row; a macro because the row type differs per engine.
macro_rules! record_from_row {
    ($row:expr) => {
        (|| -> Result<AuditRecord, sqlx::Error> {
            Ok(AuditRecord {
                seq: $row.try_get("seq")?,
                at: $row.try_get("at")?,
                actor: $row.try_get("actor")?,
                action: $row.try_get("action")?,
                entity: $row.try_get("entity")?,
                entity_id: $row.try_get("entity_id")?,
                province: $row.try_get("province")?,
                before_json: $row.try_get("before_json")?,
                after_json: $row.try_get("after_json")?,
                prev_hash: $row.try_get("prev_hash")?,
                hash: $row.try_get("hash")?,
            })
        })()
        .map_err(db("decoding an audit record"))
    };
}

impl Reader {
    /// The newest audit records, newest first, `limit` at most, strictly before `before_seq`
    /// when given (for paging).
    pub async fn audit_records(
        &mut self,
        limit: i64,
        before_seq: Option<i64>,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let before_seq = before_seq.unwrap_or(i64::MAX);
        on!(&mut self.conn, |c| {
            let rows = sqlx::query(
                "SELECT seq, at, actor, action, entity, entity_id, province, before_json, \
                 after_json, prev_hash, hash FROM audit_log WHERE seq < $1 \
                 ORDER BY seq DESC LIMIT $2",
            )
            .bind(before_seq)
            .bind(limit.clamp(1, 1000))
            .fetch_all(c)
            .await
            .map_err(db("listing audit records"))?;
            rows.iter().map(|row| record_from_row!(row)).collect()
        })
    }
}

impl Store {
    /// Recomputes the whole chain and reports the first broken link, if any.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        let mut tx = self.read().await?;
        let (mut expected_seq, mut prev_hash, mut checked) = (1i64, GENESIS.to_owned(), 0u64);
        loop {
            let page: Vec<AuditRecord> = on!(&mut tx.conn, |c| {
                let rows = sqlx::query(
                    "SELECT seq, at, actor, action, entity, entity_id, province, before_json, \
                     after_json, prev_hash, hash FROM audit_log WHERE seq >= $1 \
                     ORDER BY seq LIMIT $2",
                )
                .bind(expected_seq)
                .bind(VERIFY_PAGE)
                .fetch_all(c)
                .await
                .map_err(db("reading audit records"))?;
                rows.iter()
                    .map(|row| record_from_row!(row))
                    .collect::<Result<_, _>>()?
            });
            let page_len = page.len();
            for record in page {
                let broken = |reason: String| AuditVerification {
                    records_checked: checked,
                    first_broken: Some(BrokenLink {
                        seq: expected_seq,
                        reason,
                    }),
                };
                if record.seq != expected_seq {
                    return Ok(broken(format!(
                        "record {expected_seq} is missing (the next is {})",
                        record.seq
                    )));
                }
                if record.prev_hash != prev_hash {
                    return Ok(broken(
                        "its previous-hash does not match the record before it".into(),
                    ));
                }
                if record.hash != record.expected_hash() {
                    return Ok(broken(
                        "its content does not match its hash (the record was edited)".into(),
                    ));
                }
                prev_hash = record.hash;
                expected_seq += 1;
                checked += 1;
            }
            if page_len < usize::try_from(VERIFY_PAGE).unwrap_or(usize::MAX) {
                break;
            }
        }
        let head = on!(&mut tx.conn, |c| sqlx::query(
            "SELECT seq, hash FROM audit_head WHERE id = 1"
        )
        .fetch_optional(c)
        .await
        .map_err(db("reading the audit head"))?
        .map(|row| (row.try_get::<i64, _>(0), row.try_get::<String, _>(1))));
        let Some((Ok(head_seq), Ok(head_hash))) = head else {
            return Err(corrupt("the audit head row is missing or unreadable"));
        };
        let last = expected_seq - 1;
        if head_seq != last || head_hash != prev_hash {
            return Ok(AuditVerification {
                records_checked: checked,
                first_broken: Some(BrokenLink {
                    seq: last + 1,
                    reason: format!(
                        "the chain ends at record {last} but its head says {head_seq} \
                         (records were deleted from the end, or the head was edited)"
                    ),
                }),
            });
        }
        tx.finish().await?;
        Ok(AuditVerification {
            records_checked: checked,
            first_broken: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_value_and_an_empty_one_hash_differently() {
        // Establishes that the canonical form cannot confuse NULL with ''.
        let with_none = chain_hash(GENESIS, 1, "t", "a", "x", "e", "1", None, None, None);
        let with_empty = chain_hash(GENESIS, 1, "t", "a", "x", "e", "1", Some(""), None, None);
        assert_ne!(with_none, with_empty);
        assert_eq!(with_none.len(), 64);
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        // Establishes that length prefixes keep field boundaries in the hash.
        let a = chain_hash(GENESIS, 1, "t", "ab", "c", "e", "1", None, None, None);
        let b = chain_hash(GENESIS, 1, "t", "a", "bc", "e", "1", None, None, None);
        assert_ne!(a, b);
    }
}
