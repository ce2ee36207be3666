//! Recorded allocation rounds and the approvals they propose (which still pass the
//! normal approval steps).

use sqlx::Row;
use taavon_core::allocation::BindingKind;

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::error::db;
use crate::tx::{Reader, WriteTx};

/// A round as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationRound {
    pub id: i64,
    pub program: String,
    pub params: String,
    pub objective: String,
    pub upper_bound: String,
    pub funded_count: i64,
    pub funded_amount_rial: i64,
    pub created_by: String,
    pub created_at: String,
}

/// One application's outcome in a round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocationProposal {
    pub application_id: i64,
    pub province: String,
    pub funded: bool,
    pub binding: BindingKind,
    pub marginal_value: String,
}

impl Reader {
    /// A program's recorded rounds, newest first.
    pub async fn allocation_rounds(
        &mut self,
        program: &str,
    ) -> Result<Vec<AllocationRound>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT id, program, params, objective, upper_bound, funded_count, \
             funded_amount_rial, created_by, created_at FROM allocation_rounds \
             WHERE program = $1 ORDER BY id DESC LIMIT 100"
        )
        .bind(program)
        .fetch_all(c)
        .await
        .map_err(db("listing allocation rounds"))?
        .iter()
        .map(|row| {
            Ok(AllocationRound {
                id: row.try_get("id")?,
                program: row.try_get("program")?,
                params: row.try_get("params")?,
                objective: row.try_get("objective")?,
                upper_bound: row.try_get("upper_bound")?,
                funded_count: row.try_get("funded_count")?,
                funded_amount_rial: row.try_get("funded_amount_rial")?,
                created_by: row.try_get("created_by")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding allocation rounds")))
    }

    /// The newest recorded proposal for an application, if any round considered it:
    /// (round id, funded).
    pub async fn latest_proposal(
        &mut self,
        application_id: i64,
    ) -> Result<Option<(i64, bool)>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT round_id, funded FROM allocation_proposals WHERE application_id = $1 \
             ORDER BY round_id DESC LIMIT 1"
        )
        .bind(application_id)
        .fetch_optional(c)
        .await
        .map_err(db("reading a proposal"))?
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .transpose()
        .map_err(db("decoding a proposal")))
    }
}

impl WriteTx {
    /// Records a round and its proposals (in multi-row statements), audited once.
    pub async fn insert_allocation_round(
        &mut self,
        round: &AllocationRound,
        proposals: &[AllocationProposal],
    ) -> Result<i64, StoreError> {
        let (now, by) = (self.now.to_string(), self.actor.label());
        let r = round;
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO allocation_rounds (program, params, objective, upper_bound, \
             funded_count, funded_amount_rial, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
        )
        .bind(&r.program)
        .bind(&r.params)
        .bind(&r.objective)
        .bind(&r.upper_bound)
        .bind(r.funded_count)
        .bind(r.funded_amount_rial)
        .bind(&by)
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording an allocation round"))?);
        // Six columns a row: 100 rows stay far below either engine's parameter limit.
        for chunk in proposals.chunks(100) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let b = i * 6;
                    format!(
                        "(${}, ${}, ${}, ${}, ${}, ${})",
                        b + 1,
                        b + 2,
                        b + 3,
                        b + 4,
                        b + 5,
                        b + 6
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO allocation_proposals (round_id, application_id, province, funded, \
                 binding, marginal_value) VALUES {}",
                rows.join(", ")
            );
            on!(self.conn(), |c| {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for p in chunk {
                    query = query
                        .bind(id)
                        .bind(p.application_id)
                        .bind(p.province.clone())
                        .bind(p.funded)
                        .bind(p.binding.code())
                        .bind(p.marginal_value.clone());
                }
                query
                    .execute(c)
                    .await
                    .map(|_| ())
                    .map_err(db("recording allocation proposals"))?
            });
        }
        self.audit(AuditEntry::created(
            "allocation.round",
            "allocation_round",
            id,
            None,
            serde_json::json!({
                "program": r.program,
                "params": serde_json::from_str::<serde_json::Value>(&r.params).unwrap_or_default(),
                "objective": r.objective, "upper_bound": r.upper_bound,
                "funded_count": r.funded_count, "funded_amount_rial": r.funded_amount_rial,
                "proposals": proposals.len(),
            }),
        ));
        Ok(id)
    }
}
