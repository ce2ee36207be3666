//! Proposals of bank money actions (a rescheduling, a reversal): who asked for what and
//! when, and who decided it. Deciding one is a compare-and-set on its status, so of
//! concurrent decisions exactly one takes effect.

use sqlx::Row;
use taavon_core::loans::proposal::{ProposalKind, ProposalStatus};

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::error::db;
use crate::tx::{Reader, WriteTx};

/// A proposal as its proposer makes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLoanProposal {
    pub loan_id: i64,
    /// The loan's version when it was proposed: it is approved for the loan as it stood.
    pub loan_version: i64,
    pub province: String,
    pub kind: ProposalKind,
    /// The request as JSON.
    pub body: String,
    /// What the four-eyes threshold was compared with.
    pub amount_rial: i64,
    pub proposed_by_user_id: i64,
}

/// A stored proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanProposal {
    pub id: i64,
    pub fields: NewLoanProposal,
    pub status: ProposalStatus,
    /// The proposer as the audit trail names them (`user:ID:NAME`).
    pub proposed_by: String,
    pub proposed_at: String,
    pub decided_by_user_id: Option<i64>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The loan transaction its execution recorded.
    pub transaction_id: Option<i64>,
}

/// How a pending proposal was decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProposalOutcome {
    /// Carried out: the loan transaction it recorded.
    Executed {
        transaction_id: i64,
    },
    Rejected {
        reason: String,
    },
}

const PROPOSAL_COLUMNS: &str = "id, loan_id, loan_version, province, kind, body, amount_rial, status, \
     proposed_by_user_id, proposed_by, proposed_at, decided_by_user_id, decided_by, \
     decided_at, reason, transaction_id";

macro_rules! proposal_row {
    ($row:expr) => {
        (|| -> Result<LoanProposal, StoreError> {
            let row =
                crate::error::Decoded::new($row, "loan_proposals", "decoding a loan proposal")?;
            Ok(LoanProposal {
                id: row.get("id")?,
                fields: NewLoanProposal {
                    loan_id: row.get("loan_id")?,
                    loan_version: row.get("loan_version")?,
                    province: row.get("province")?,
                    kind: row.code("kind", ProposalKind::parse)?,
                    body: row.get("body")?,
                    amount_rial: row.get("amount_rial")?,
                    proposed_by_user_id: row.get("proposed_by_user_id")?,
                },
                status: row.code("status", ProposalStatus::parse)?,
                proposed_by: row.get("proposed_by")?,
                proposed_at: row.get("proposed_at")?,
                decided_by_user_id: row.get("decided_by_user_id")?,
                decided_by: row.get("decided_by")?,
                decided_at: row.get("decided_at")?,
                reason: row.get("reason")?,
                transaction_id: row.get("transaction_id")?,
            })
        })()
    };
}

impl Reader {
    pub async fn loan_proposal(&mut self, id: i64) -> Result<Option<LoanProposal>, StoreError> {
        let sql = format!("SELECT {PROPOSAL_COLUMNS} FROM loan_proposals WHERE id = $1");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await
            .map_err(db("reading a loan proposal"))?
            .map(|row| proposal_row!(&row))
            .transpose())
    }

    /// A loan's proposals, oldest first.
    pub async fn loan_proposals(&mut self, loan_id: i64) -> Result<Vec<LoanProposal>, StoreError> {
        let sql =
            format!("SELECT {PROPOSAL_COLUMNS} FROM loan_proposals WHERE loan_id = $1 ORDER BY id");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(loan_id)
            .fetch_all(c)
            .await
            .map_err(db("listing loan proposals"))?
            .iter()
            .map(|row| proposal_row!(row))
            .collect())
    }
}

impl WriteTx {
    /// Records a proposal, pending; `decide_loan_proposal` settles it (in the same
    /// transaction when it needs no second officer).
    pub async fn insert_loan_proposal(
        &mut self,
        proposal: &NewLoanProposal,
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let actor = self.actor.label();
        let p = proposal;
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO loan_proposals (province, loan_id, loan_version, kind, body, \
             amount_rial, status, proposed_by_user_id, proposed_by, proposed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $10, $7, $8, $9) RETURNING id"
        )
        .bind(&p.province)
        .bind(p.loan_id)
        .bind(p.loan_version)
        .bind(p.kind.code())
        .bind(&p.body)
        .bind(p.amount_rial)
        .bind(p.proposed_by_user_id)
        .bind(&actor)
        .bind(&now)
        .bind(ProposalStatus::Pending.code())
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording a loan proposal"))?);
        self.audit(AuditEntry::created(
            "loan_proposal.create",
            "loan_proposal",
            id,
            Some(&p.province),
            serde_json::json!({
                "loan_id": p.loan_id, "loan_version": p.loan_version, "kind": p.kind.code(), "amount_rial": p.amount_rial,
                "body": serde_json::from_str::<serde_json::Value>(&p.body).ok(),
            }),
        ));
        Ok(id)
    }

    /// Settles a pending proposal as `outcome` by `user_id`; `false` if it was no longer
    /// pending (a concurrent decision won) and nothing was written.
    pub async fn decide_loan_proposal(
        &mut self,
        proposal: &LoanProposal,
        user_id: i64,
        outcome: &ProposalOutcome,
    ) -> Result<bool, StoreError> {
        let now = self.now.to_string();
        let actor = self.actor.label();
        let (status, transaction_id, reason) = match outcome {
            ProposalOutcome::Executed { transaction_id } => {
                (ProposalStatus::Executed, Some(*transaction_id), None)
            }
            ProposalOutcome::Rejected { reason } => {
                (ProposalStatus::Rejected, None, Some(reason.as_str()))
            }
        };
        let changed = on!(self.conn(), |c| sqlx::query(
            "UPDATE loan_proposals SET status = $1, transaction_id = $2, reason = $3, \
             decided_by_user_id = $4, decided_by = $5, decided_at = $6 \
             WHERE id = $7 AND status = $8"
        )
        .bind(status.code())
        .bind(transaction_id)
        .bind(reason)
        .bind(user_id)
        .bind(&actor)
        .bind(&now)
        .bind(proposal.id)
        .bind(ProposalStatus::Pending.code())
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("deciding a loan proposal"))?);
        if changed == 0 {
            return Ok(false);
        }
        self.audit(AuditEntry {
            action: if transaction_id.is_some() {
                "loan_proposal.execute"
            } else {
                "loan_proposal.reject"
            },
            entity: "loan_proposal",
            entity_id: proposal.id.to_string(),
            province: Some(proposal.fields.province.clone()),
            before: Some(serde_json::json!({ "status": proposal.status.code() })),
            after: Some(serde_json::json!({
                "status": status.code(), "transaction_id": transaction_id, "reason": reason,
                "proposed_by_user_id": proposal.fields.proposed_by_user_id,
                "decided_by_user_id": user_id,
            })),
        });
        Ok(true)
    }
}
