//! Reading the audit trail and verifying it: the head and the newest records for the
//! pages, and the walk over the whole chain (`Store::verify_audit`), against a checkpoint
//! kept elsewhere too. Apart from `audit`, which appends inside the write transaction
//! (`tx` commits through it), because reading goes through `Reader` and `Store`.

use sqlx::Row;

use crate::StoreError;
use crate::audit::{
    AuditCheckpoint, AuditHead, AuditKey, AuditRecord, AuditVerification, BrokenLink, GENESIS,
    HEAD_COLUMNS, head_from_row,
};
use crate::error::{corrupt, db};
use crate::filter::{Conditions, Value, bind_values};
use crate::tx::{Reader, Store};

/// Records are verified in pages so memory stays flat at national size.
const VERIFY_PAGE: i64 = 5_000;

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
                mac: $row.try_get("mac")?,
            })
        })()
        .map_err(db("decoding an audit record"))
    };
}

impl Reader {
    /// Where the chain ends and whether (from which record) it is keyed.
    pub async fn audit_head(&mut self) -> Result<AuditHead, StoreError> {
        let row = on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(
            format!("SELECT {HEAD_COLUMNS} FROM audit_head WHERE id = 1")
        ))
        .fetch_one(c)
        .await
        .map_err(db("reading the audit head"))
        .and_then(|row| head_from_row!(row))?);
        Ok(row.0)
    }

    /// The newest audit records, newest first, `limit` at most, strictly before `before_seq`
    /// when given (for paging).
    pub async fn audit_records(
        &mut self,
        limit: i64,
        before_seq: Option<i64>,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        self.audit_records_matching(&AuditFilter::default(), limit, before_seq)
            .await
    }

    /// As `audit_records`, only the records `filter` matches: the audit page's and its
    /// export's read, paged by `before_seq` (a cursor: the trail is long and only grows).
    pub async fn audit_records_matching(
        &mut self,
        filter: &AuditFilter,
        limit: i64,
        before_seq: Option<i64>,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let mut conditions = Conditions::default();
        let before = conditions.bind(Value::Int(before_seq.unwrap_or(i64::MAX)));
        conditions.push(format!("seq < {before}"));
        conditions.equals("actor", filter.actor.as_ref());
        conditions.equals("action", filter.action.as_ref());
        conditions.equals("entity", filter.entity.as_ref());
        // Instants are RFC 3339 UTC text in one format, so they compare as text.
        if let Some(from) = &filter.at_or_after {
            let p = conditions.bind(Value::Text(from.clone()));
            conditions.push(format!("at >= {p}"));
        }
        if let Some(until) = &filter.before {
            let p = conditions.bind(Value::Text(until.clone()));
            conditions.push(format!("at < {p}"));
        }
        let limit = conditions.bind(Value::Int(limit.clamp(1, 1000)));
        let sql = format!(
            "SELECT seq, at, actor, action, entity, entity_id, province, before_json, \
             after_json, prev_hash, hash, mac FROM audit_log {} ORDER BY seq DESC LIMIT {limit}",
            conditions.where_sql()
        );
        on!(&mut self.conn, |c| {
            let rows = bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &conditions.values)
                .fetch_all(c)
                .await
                .map_err(db("listing audit records"))?;
            rows.iter().map(|row| record_from_row!(row)).collect()
        })
    }

    /// The actors the trail names (`user:1:admin`, `system:demo`), each once.
    pub async fn audit_actors(&mut self) -> Result<Vec<String>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT DISTINCT actor FROM audit_log ORDER BY actor LIMIT 10000"
        )
        .fetch_all(c)
        .await
        .map_err(db("listing audit actors"))?
        .iter()
        .map(|row| row.try_get(0).map_err(db("decoding an audit actor")))
        .collect())
    }
}

/// What an audit search may narrow by; `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The actor as recorded (`user:1:admin`).
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity: Option<String>,
    /// An RFC 3339 instant (UTC, as `at` is stored): records at it or later.
    pub at_or_after: Option<String>,
    /// An RFC 3339 instant: records strictly before it.
    pub before: Option<String>,
}

impl Store {
    /// Recomputes the whole chain and reports the first broken link, if any; with the
    /// audit key, checks every MAC too.
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        self.verify_chain(None).await
    }

    /// A checkpoint of the chain as `verification` found it (intact), with a MAC made
    /// with the audit key.
    pub fn audit_checkpoint(
        &self,
        verification: &AuditVerification,
    ) -> Result<AuditCheckpoint, StoreError> {
        let key = self.audit_key().ok_or(StoreError::NoAuditKey {
            needed_for: "making a checkpoint",
        })?;
        Ok(AuditCheckpoint {
            head: verification.head.clone(),
            mac: key.checkpoint_mac(&verification.head),
        })
    }

    /// Verifies the chain as `verify_audit` does and, against a checkpoint kept
    /// elsewhere, that it still holds every record up to the checkpoint unchanged and
    /// keyed from the same record: the first broken link, or the first missing record.
    pub async fn verify_audit_since(
        &self,
        checkpoint: &AuditCheckpoint,
    ) -> Result<AuditVerification, StoreError> {
        let key = self.audit_key().ok_or(StoreError::NoAuditKey {
            needed_for: "checking a checkpoint",
        })?;
        let mut verification = self.verify_chain(Some(&checkpoint.head)).await?;
        let seen = &checkpoint.head;
        let broken = if key.checkpoint_mac(seen) != checkpoint.mac {
            Some(BrokenLink {
                seq: seen.seq,
                reason: "the checkpoint's MAC does not match: it was edited, or made with \
                         another audit key"
                    .into(),
            })
        } else if verification.first_broken.is_some() {
            None
        } else if verification.head.seq < seen.seq {
            Some(BrokenLink {
                seq: verification.head.seq + 1,
                reason: format!(
                    "records {} to {} are missing: the checkpoint saw the chain reach record \
                     {}, and it now ends at record {} (its tail was cut)",
                    verification.head.seq + 1,
                    seen.seq,
                    seen.seq,
                    verification.head.seq
                ),
            })
        } else if seen.keyed_from.is_some() && verification.head.keyed_from != seen.keyed_from {
            Some(BrokenLink {
                seq: seen.keyed_from.unwrap_or_default(),
                reason: "the chain is no longer keyed from the record the checkpoint saw \
                         (the head was edited)"
                    .into(),
            })
        } else {
            None
        };
        if broken.is_some() {
            verification.first_broken = broken;
        }
        Ok(verification)
    }

    /// The walk over the whole chain; `seen` is a checkpoint's head whose record must
    /// still carry the hash it had then.
    async fn verify_chain(
        &self,
        seen: Option<&AuditHead>,
    ) -> Result<AuditVerification, StoreError> {
        let key = self.audit_key();
        let mut tx = self.read().await?;
        // The head first, in the same snapshot as the records.
        let head_row = on!(&mut tx.conn, |c| sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {HEAD_COLUMNS} FROM audit_head WHERE id = 1"
        )))
        .fetch_optional(c)
        .await
        .map_err(db("reading the audit head"))?
        .map(|row| head_from_row!(row))
        .transpose()?);
        let Some((head, head_mac)) = head_row else {
            return Err(corrupt("the audit head row is missing"));
        };
        let outcome = |checked: u64, broken: Option<BrokenLink>| AuditVerification {
            records_checked: checked,
            first_broken: broken,
            head: head.clone(),
            macs_checked: key.is_some(),
        };
        let (mut expected_seq, mut prev_hash, mut checked) = (1i64, GENESIS.to_owned(), 0u64);
        loop {
            let page: Vec<AuditRecord> = on!(&mut tx.conn, |c| {
                let rows = sqlx::query(
                    "SELECT seq, at, actor, action, entity, entity_id, province, before_json, \
                     after_json, prev_hash, hash, mac FROM audit_log WHERE seq >= $1 \
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
                if let Some(reason) =
                    broken_link(&record, expected_seq, &prev_hash, &head, key, seen)
                {
                    let link = BrokenLink {
                        seq: expected_seq,
                        reason,
                    };
                    return Ok(outcome(checked, Some(link)));
                }
                prev_hash = record.hash;
                expected_seq += 1;
                checked += 1;
            }
            if page_len < usize::try_from(VERIFY_PAGE).unwrap_or(usize::MAX) {
                break;
            }
        }
        let last = expected_seq - 1;
        let head_broken = if head.seq != last || head.hash != prev_hash {
            Some(format!(
                "the chain ends at record {last} but its head says {} \
                 (records were deleted from the end, or the head was edited)",
                head.seq
            ))
        } else {
            match (key, head.keyed_from, head_mac) {
                (Some(key), Some(_), Some(mac)) if mac == key.head_mac(&head) => None,
                (Some(_), Some(_), _) => Some(
                    "the head's MAC does not match: the head was moved without the audit \
                     key (records cut from the end?)"
                        .to_owned(),
                ),
                (_, None, Some(_)) => Some(
                    "the head carries a MAC but says the chain is not keyed (the head was \
                     edited)"
                        .to_owned(),
                ),
                _ => None,
            }
        };
        tx.finish().await?;
        Ok(outcome(
            checked,
            head_broken.map(|reason| BrokenLink {
                seq: last + 1,
                reason,
            }),
        ))
    }
}

/// Why `record` breaks the chain at `expected_seq`, if it does.
fn broken_link(
    record: &AuditRecord,
    expected_seq: i64,
    prev_hash: &str,
    head: &AuditHead,
    key: Option<&AuditKey>,
    seen: Option<&AuditHead>,
) -> Option<String> {
    if record.seq != expected_seq {
        return Some(format!(
            "record {expected_seq} is missing (the next is {})",
            record.seq
        ));
    }
    if record.prev_hash != prev_hash {
        return Some("its previous-hash does not match the record before it".into());
    }
    if record.hash != record.expected_hash() {
        return Some("its content does not match its hash (the record was edited)".into());
    }
    let keyed = head.keyed_from.is_some_and(|from| record.seq >= from);
    match (&record.mac, keyed, key) {
        (None, true, _) => {
            return Some(format!(
                "it has no MAC although the chain is keyed from record {} (it was written \
                 without the audit key)",
                head.keyed_from.unwrap_or_default()
            ));
        }
        (Some(_), false, _) => {
            return Some(
                "it carries a MAC but the head says the chain is keyed only after it (the \
                 head was edited)"
                    .into(),
            );
        }
        (Some(mac), true, Some(key)) if *mac != key.record_mac(&record.hash) => {
            return Some(
                "its MAC does not match: it (or a record before it) was rewritten without \
                 the audit key"
                    .into(),
            );
        }
        _ => {}
    }
    match seen {
        Some(seen) if seen.seq == record.seq && seen.hash != record.hash => Some(
            "it is not the record the checkpoint saw: the chain up to the checkpoint was \
             replaced"
                .into(),
        ),
        _ => None,
    }
}
