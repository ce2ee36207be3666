//! End of day as set-based statements: each step is one UPDATE over a batch of loans (a
//! range of ids), never one loan object at a time. A batch closes its loans for the day
//! in the same transaction as its steps and is recorded in `eod_runs`, so a crashed run
//! resumes where it stopped and a second run for the same day changes nothing.
//!
//! A loan's row is written only when its numbers change: most loans owe nothing on a
//! given day, and rewriting each of them daily was most of the cost. So the closed date
//! is kept per run, not per loan. A loan's last closed date is the later of
//! - `business_date.closed_day`: the last date end of day closed for every loan, set with
//!   the move to the next date (`close_business_date`), and
//! - `loans.closed_day`: the date the loan's numbers were last written as of (by end of
//!   day when they changed, or by a transaction restating them; the day before its
//!   contract until then).
//!
//! A settled loan's is its own, which end of day no longer moves. A batch already closed
//! in a run still under way reads as of the date before. `LOAN_COLUMNS` in `loans.rs` is
//! the one place that reads it.
//!
//! A loan's numbers are those of every date in between, since each close in between
//! found them unchanged, except days overdue and the late charge: an overdue loan's move
//! every day, so they are no reason to write it. The row keeps what they are computed
//! from (the oldest unpaid due day, the late amounts), which only the crossings change,
//! and reads derive them as of the loan's last closed date (`arrears.rs`). So a loan is
//! written when an installment falls due or late, or its class or provision moves.
//!
//! The numbers kept here are the ones `taavon_core::loans::account` defines; a store spec
//! checks both agree.

use std::sync::LazyLock;

use sqlx::Row;
use taavon_core::loans::LoanStatus;
use taavon_core::loans::classification::{ClassificationRules, LoanClass};
use taavon_core::loans::eod::{EodPlan, EodStep};
use taavon_core::reference::{BankCode, BranchCode};

use crate::StoreError;
use crate::arrears::{
    LATE_CHARGE_AS_READ, days_overdue_at, days_overdue_closed_at, late_charge_at,
};
use crate::audit::AuditEntry;
use crate::conn::Conn;
use crate::error::{Decoded, db};
use crate::filter::code_literal;
use crate::sums::{exact_sum_at, exact_sum_sql};
use crate::tx::{Reader, WriteTx};

/// The portfolio of one branch at a closed business date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortfolioRow {
    pub business_on: String,
    pub province: String,
    pub bank: BankCode,
    pub branch: BranchCode,
    pub loans: i64,
    pub outstanding_rial: i64,
    pub par30_rial: i64,
    pub par90_rial: i64,
    pub past_due_rial: i64,
    pub deferred_rial: i64,
    pub doubtful_rial: i64,
    pub provision_rial: i64,
}

/// What the open loans of one class add up to: a fingerprint of the portfolio that any
/// end-of-day change moves (every loan it writes gets a new `version` and `closed_day`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassTotals {
    pub class: LoanClass,
    pub loans: i64,
    pub outstanding_rial: i128,
    pub due_unpaid_rial: i128,
    pub penalty_charged_rial: i128,
    pub provision_rial: i128,
    pub closed_days: i128,
    pub versions: i128,
}

/// A row of `changes_statement`: the batch's count of open loans, or a loan to write.
enum Change {
    Open(i64),
    Loan {
        id: i64,
        from: LoanClass,
        moves: bool,
    },
}

/// What one end-of-day batch did: the loans it closed, those it wrote and those whose
/// class it moved.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EodBatch {
    /// The batch's open loans, all closed for the date whether written or not.
    pub closed: i64,
    /// The loans whose numbers changed, the only rows written.
    pub written: i64,
    /// Each loan whose CBI class changed, with the class it had before (in id order).
    pub class_changes: Vec<(i64, LoanClass)>,
}

/// The loans one batch covers: the open ones with ids in `[first, last]` whose numbers
/// end of day has not written at `day` (a transaction that did is committed with its
/// batch's `eod_runs` row, so this also keeps a rerun with other batch bounds from
/// counting an installment twice).
fn batch_loans() -> String {
    format!(
        "id BETWEEN $2 AND $3 AND status = {} AND closed_day < $1",
        active()
    )
}

/// `class = <class>`, as a statement's condition.
fn class_is(class: LoanClass) -> String {
    format!("class = {}", code_literal(class.code()))
}

/// The status of the loans end of day works on, as it is written in a statement.
fn active() -> String {
    code_literal(LoanStatus::Active.code())
}

impl Reader {
    /// The batches of `business_on` already closed.
    pub async fn eod_batches_done(&mut self, business_on: &str) -> Result<Vec<i64>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT batch FROM eod_runs WHERE business_on = $1 ORDER BY batch"
        )
        .bind(business_on)
        .fetch_all(c)
        .await
        .map_err(db("reading end-of-day progress"))?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding end-of-day progress")))
    }

    /// The highest loan id (0 when there is none): end of day's batches cover 1..=it.
    pub async fn max_loan_id(&mut self) -> Result<i64, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT COALESCE(MAX(id), 0) FROM loans"
        )
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("reading the highest loan id")))
    }

    /// The portfolio per branch at `business_on` (the last closed date when `None`).
    pub async fn portfolio(
        &mut self,
        business_on: Option<&str>,
    ) -> Result<Vec<PortfolioRow>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT business_on, province, bank, branch, loans, outstanding_rial, par30_rial, \
             par90_rial, past_due_rial, deferred_rial, doubtful_rial, provision_rial \
             FROM portfolio_snapshots WHERE business_on = \
             COALESCE($1, (SELECT MAX(business_on) FROM portfolio_snapshots)) \
             ORDER BY province, bank, branch"
        )
        .bind(business_on)
        .fetch_all(c)
        .await
        .map_err(db("reading the portfolio"))?
        .iter()
        .map(|row| {
            let key = format!(
                "{}/{}",
                row.try_get::<String, _>("business_on")
                    .map_err(db("decoding the portfolio"))?,
                row.try_get::<String, _>("branch")
                    .map_err(db("decoding the portfolio"))?,
            );
            let row = Decoded::keyed(row, "portfolio_snapshots", "decoding the portfolio", key);
            Ok(PortfolioRow {
                business_on: row.get("business_on")?,
                province: row.get("province")?,
                bank: row.code("bank", |c| BankCode::parse(c).ok())?,
                branch: row.code("branch", |c| BranchCode::parse(c).ok())?,
                loans: row.get("loans")?,
                outstanding_rial: row.get("outstanding_rial")?,
                par30_rial: row.get("par30_rial")?,
                par90_rial: row.get("par90_rial")?,
                past_due_rial: row.get("past_due_rial")?,
                deferred_rial: row.get("deferred_rial")?,
                doubtful_rial: row.get("doubtful_rial")?,
                provision_rial: row.get("provision_rial")?,
            })
        })
        .collect())
    }

    /// The open loans per class, in class order.
    pub async fn loan_class_totals(&mut self) -> Result<Vec<ClassTotals>, StoreError> {
        let sums: Vec<String> = [
            "outstanding_principal_rial",
            "due_unpaid_rial",
            &LATE_CHARGE_AS_READ,
            "provision_rial",
            "closed_day",
            "version",
        ]
        .into_iter()
        .map(exact_sum_sql)
        .collect();
        let sql = format!(
            "SELECT class, COUNT(*), {} FROM loans WHERE status = {} \
             GROUP BY class ORDER BY class",
            sums.join(", "),
            active()
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(c)
            .await
            .map_err(db("summing loans per class"))?
            .iter()
            .map(|row| {
                let decoding = "decoding loans per class";
                let sum = |column| exact_sum_at(row, column).map_err(db(decoding));
                let class: String = row.try_get("class").map_err(db(decoding))?;
                Ok(ClassTotals {
                    class: Decoded::keyed(row, "loans", decoding, format!("class {class}"))
                        .code("class", LoanClass::parse)?,
                    loans: row.try_get(1).map_err(db(decoding))?,
                    outstanding_rial: sum(2)?,
                    due_unpaid_rial: sum(4)?,
                    penalty_charged_rial: sum(6)?,
                    provision_rial: sum(8)?,
                    closed_days: sum(10)?,
                    versions: sum(12)?,
                })
            })
            .collect())
    }

    /// Total provisions per province over open loans at `business_on`, for the ledger
    /// step: from that date's portfolio snapshot when it was taken (62 branch rows rather
    /// than a pass over every loan, 1.7 s at 1 000 000 loans), else from the loans.
    pub async fn provisions_by_province(
        &mut self,
        business_on: &str,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let from_snapshot = self
            .sum_provisions(
                "FROM portfolio_snapshots WHERE business_on = $1 \
                 GROUP BY province ORDER BY province",
                Some(business_on),
            )
            .await?;
        if !from_snapshot.is_empty() {
            return Ok(from_snapshot);
        }
        self.sum_provisions(
            &format!(
                "FROM loans WHERE status = {} GROUP BY province ORDER BY province",
                active()
            ),
            None,
        )
        .await
    }

    /// Runs one of the two sums above (`from` is its text after the select list),
    /// binding the date where it takes one. A province's provisions are held in one
    /// ledger account, so a sum past `i64` is refused here rather than wrapped.
    async fn sum_provisions(
        &mut self,
        from: &str,
        business_on: Option<&str>,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = format!(
            "SELECT province, {} {from}",
            exact_sum_sql("provision_rial")
        );
        let sums: Vec<(String, i128)> = on!(&mut self.conn, |c| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            if let Some(business_on) = business_on {
                query = query.bind(business_on);
            }
            query
                .fetch_all(c)
                .await
                .map_err(db("summing provisions"))?
                .iter()
                .map(|row| Ok((row.try_get(0)?, exact_sum_at(row, 1)?)))
                .collect::<Result<_, sqlx::Error>>()
                .map_err(db("decoding provisions"))?
        });
        sums.into_iter()
            .map(|(province, sum)| {
                i64::try_from(sum)
                    .map(|sum| (province, sum))
                    .map_err(|_| StoreError::OutOfRange {
                        what: "a province's total provision",
                    })
            })
            .collect()
    }
}

impl WriteTx {
    /// Runs the plan's per-batch steps over loans `first..=last` for `day` (days since
    /// 1970-01-01, the ISO `business_on`), writes the loans whose stored numbers change
    /// (not those whose days overdue or late charge alone move, see `arrears.rs`) and
    /// records the batch. Answers the loans closed, those written and the classes moved;
    /// a batch already recorded for the day, or a day already closed for every loan,
    /// closes nothing.
    pub async fn eod_batch(
        &mut self,
        plan: &EodPlan,
        rules: &ClassificationRules,
        business_on: &str,
        day: i64,
        (batch, first, last): (i64, i64, i64),
    ) -> Result<EodBatch, StoreError> {
        let recorded: Option<i64> = on!(self.conn(), |c| sqlx::query(
            "SELECT batch FROM eod_runs WHERE business_on = $1 AND batch = $2"
        )
        .bind(business_on)
        .bind(batch)
        .fetch_optional(c)
        .await
        .and_then(|row| row.map(|row| row.try_get(0)).transpose())
        .map_err(db("reading an end-of-day batch"))?);
        let closed_for_all = self.closed_day().await?;
        if recorded.is_some() || closed_for_all.is_some_and(|closed| closed >= day) {
            return Ok(EodBatch::default());
        }
        // The batch's oldest last closed date: installments due after it are crossed,
        // each loan's own `closed_day` bounding them too (the statements' condition). On
        // a daily close it is the day before (every open loan's own date is no later),
        // so only a first close or one catching up reads the batch for it.
        let lowest = match closed_for_all {
            Some(closed) if closed == day - 1 => closed,
            _ => {
                let written_lowest: Option<i64> =
                    on!(self.conn(), |c| sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT MIN(closed_day) FROM loans WHERE {}",
                        batch_loans()
                    )))
                    .bind(day)
                    .bind(first)
                    .bind(last)
                    .fetch_one(c)
                    .await
                    .and_then(|row| row.try_get(0))
                    .map_err(db("finding a batch's oldest closed day"))?);
                let Some(written_lowest) = written_lowest else {
                    return Ok(EodBatch::default());
                };
                closed_for_all.map_or(written_lowest, |closed| closed.max(written_lowest))
            }
        };
        let steps: Vec<EodStep> = plan
            .steps()
            .iter()
            .copied()
            .filter(|s| s.per_batch())
            .collect();
        // The loans a crossing, a class move or a new provision writes, which the close
        // must date even if the numbers it sets stay the same (an installment falling due
        // today leaves the days overdue at 0).
        let mut touched: Vec<i64> = Vec::new();
        let crossings = steps
            .iter()
            .filter_map(|step| crossing_statement(*step, (lowest, day)));
        for sql in crossings {
            let ids: Vec<i64> = on!(self.conn(), |c| sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(day)
                .bind(first)
                .bind(last)
                .fetch_all(c)
                .await
                .map_err(db("running an end-of-day step"))?
                .iter()
                .map(|row| row.try_get(0))
                .collect::<Result<_, sqlx::Error>>()
                .map_err(db("decoding an end-of-day step's loans"))?);
            touched.extend(ids);
        }
        let classify = steps.contains(&EodStep::Classify);
        let changing = on!(self.conn(), |c| sqlx::query(sqlx::AssertSqlSafe(
            changes_statement(classify.then_some(rules))
        ))
        .bind(day)
        .bind(first)
        .bind(last)
        .fetch_all(c)
        .await
        .map_err(db("finding the loans to write"))?
        .iter()
        .map(|row| {
            let decoding = "decoding a loan to write";
            let id: i64 = row.try_get("id").map_err(db(decoding))?;
            let class: Option<String> = row.try_get("class").map_err(db(decoding))?;
            let moves: Option<bool> = row.try_get("moves").map_err(db(decoding))?;
            let Some(class) = class else {
                return Ok::<_, StoreError>(Change::Open(id));
            };
            let from = LoanClass::parse(&class).ok_or_else(|| StoreError::CorruptRow {
                table: "loans",
                id: id.to_string(),
                column: "class",
                value: class.clone(),
            })?;
            Ok(Change::Loan {
                id,
                from,
                moves: moves == Some(true),
            })
        })
        .collect::<Result<Vec<_>, _>>()?);
        let mut open = 0;
        let mut class_changes = Vec::new();
        for change in changing {
            match change {
                Change::Open(count) => open = count,
                Change::Loan { id, from, moves } => {
                    if moves {
                        class_changes.push((id, from));
                    }
                    touched.push(id);
                }
            }
        }
        if open == 0 {
            return Ok(EodBatch::default());
        }
        let moving: Vec<i64> = class_changes.iter().map(|(id, _)| *id).collect();
        if !moving.is_empty() {
            on!(self.conn(), |c| sqlx::query(sqlx::AssertSqlSafe(
                reclassify_statement(rules, &moving)
            ))
            .bind(day)
            .bind(first)
            .bind(last)
            .execute(c)
            .await
            .map_err(db("moving loans to their class"))
            .map(|_| ())?);
        }
        let mut written = 0;
        if !touched.is_empty() {
            touched.sort_unstable();
            touched.dedup();
            let count = on!(self.conn(), |c| sqlx::query(sqlx::AssertSqlSafe(
                close_statement(&steps, rules, &touched)
            ))
            .bind(day)
            .execute(c)
            .await
            .map(|result| result.rows_affected())
            .map_err(db("closing a batch of loans"))?);
            written = i64::try_from(count).unwrap_or(i64::MAX);
        }
        let now = self.now.to_string();
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO eod_runs (business_on, batch, loans, finished_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(business_on)
        .bind(batch)
        .bind(open)
        .bind(&now)
        .execute(c)
        .await
        .map_err(db("recording an end-of-day batch"))
        .map(|_| ())?);
        self.audit(AuditEntry::created(
            "eod.batch",
            "eod_run",
            format!("{business_on}/{batch}"),
            None,
            serde_json::json!({
                "first_loan": first, "last_loan": last, "loans_closed": open,
                "loans_written": written,
                "steps": plan.steps().iter().filter(|s| s.per_batch()).map(|s| s.code()).collect::<Vec<_>>(),
            }),
        ));
        Ok(EodBatch {
            closed: open,
            written,
            class_changes,
        })
    }

    /// Replaces the portfolio snapshot of `business_on` (`day`, days since 1970-01-01)
    /// from the loans as they stand once end of day has closed it for all of them.
    pub async fn snapshot_portfolio(
        &mut self,
        (business_on, day): (&str, i64),
        rules: &ClassificationRules,
    ) -> Result<i64, StoreError> {
        on!(self.conn(), |c| sqlx::query(
            "DELETE FROM portfolio_snapshots WHERE business_on = $1"
        )
        .bind(business_on)
        .execute(c)
        .await
        .map_err(db("clearing a portfolio snapshot"))
        .map(|_| ())?);
        let sum_when = |condition: &str| {
            format!(
                "CAST(SUM(CASE WHEN {condition} THEN outstanding_principal_rial ELSE 0 END) AS BIGINT)"
            )
        };
        // SQLite would read the loans in the order of its (bank, branch, class) index to
        // save the GROUP BY's sort, fetching each row at random: 5.0 s at 1 000 000
        // loans against 3.1 s for one pass over the table and the sort. PostgreSQL
        // plans a sequential scan and a hash aggregate of its own accord.
        let not_indexed = if matches!(self.conn(), Conn::Sqlite(_)) {
            " NOT INDEXED"
        } else {
            ""
        };
        // Every open loan is closed at `day`, which the business date records only once
        // this transaction commits.
        let days_overdue = days_overdue_closed_at("$2");
        let sql = format!(
            "INSERT INTO portfolio_snapshots (business_on, province, bank, branch, loans, \
             outstanding_rial, par30_rial, par90_rial, past_due_rial, deferred_rial, \
             doubtful_rial, provision_rial) SELECT $1, province, bank, branch, COUNT(*), \
             CAST(SUM(outstanding_principal_rial) AS BIGINT), {}, {}, {}, {}, {}, \
             CAST(SUM(provision_rial) AS BIGINT) FROM loans{not_indexed} \
             WHERE status = {} GROUP BY province, bank, branch",
            sum_when(&format!("{days_overdue} > 30")),
            sum_when(&format!("{days_overdue} > 90")),
            sum_when(&class_is(LoanClass::PastDue)),
            sum_when(&class_is(LoanClass::Deferred)),
            sum_when(&class_is(LoanClass::Doubtful)),
            active(),
        );
        let rows = on!(self.conn(), |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(business_on)
            .bind(day)
            .execute(c)
            .await
            .map(|result| result.rows_affected())
            .map_err(db("writing a portfolio snapshot"))?);
        self.audit(AuditEntry::created(
            "eod.portfolio",
            "portfolio_snapshot",
            business_on,
            None,
            serde_json::json!({ "branches": rows, "rules": {
                "past_due_after_days": rules.past_due_after_days,
                "deferred_after_days": rules.deferred_after_days,
                "doubtful_after_days": rules.doubtful_after_days,
            }}),
        ));
        Ok(i64::try_from(rows).unwrap_or(i64::MAX))
    }
}

/// Days overdue at `$1` from the oldest unpaid due day (after the overdue step's
/// crossing statement has moved it).
static DAYS_OVERDUE: LazyLock<String> = LazyLock::new(|| days_overdue_at("$1"));

/// The statement a per-batch step runs over the installments crossing a day since each
/// loan's last closed day, if any, answering the loans it wrote. It binds `$1` the day
/// and `$2`/`$3` the batch's first and last loan id; `lowest` is the batch's oldest last
/// closed day, so the listed days bound each loan's crossing from below as well as its
/// own `closed_day` (the later of the two is its last closed date).
///
/// The days a step can cross (from `lowest` to `day`, one on a daily close) are listed
/// as constants, so the index on `(due_day, loan_id)` (or `(late_after_day, loan_id)`)
/// is sought once per day straight to the batch's loans. A range of days would let the
/// index bound the day only, reading that day's installments of every loan for every
/// batch: at 1 000 000 loans 0.72 s a step and batch instead of 0.01 s. The unary `+`
/// keeps SQLite from answering the join through the installments' primary key over the
/// batch instead, which reads all twelve installments of each loan.
fn crossing_statement(step: EodStep, (lowest, day): (i64, i64)) -> Option<String> {
    // Unpaid part of an installment of the loan's current schedule.
    const UNPAID: &str =
        "(i.total_rial - i.paid_principal_rial - i.paid_profit_rial - i.paid_fee_rial)";
    let crossing =
        |day_column: &str, days: std::ops::RangeInclusive<i64>, range: &str, aggregates: &str| {
            let days: Vec<String> = days.map(|d| d.to_string()).collect();
            format!(
                "FROM (SELECT i.loan_id AS loan_id, {aggregates} FROM loan_installments i \
             JOIN loans l ON l.id = +i.loan_id AND l.schedule_version = i.schedule_version \
             WHERE i.{day_column} IN ({}) AND i.loan_id BETWEEN $2 AND $3 AND {range} \
             AND l.status = {} AND l.closed_day < $1 AND {UNPAID} > 0 \
             GROUP BY i.loan_id) AS d WHERE loans.id = d.loan_id RETURNING id",
                days.join(", "),
                active()
            )
        };
    match step {
        // Installments due after the loan's last closed day, up to today.
        EodStep::Overdue => Some(format!(
            "UPDATE loans SET due_unpaid_rial = loans.due_unpaid_rial + d.unpaid, \
             oldest_unpaid_due_day = COALESCE(loans.oldest_unpaid_due_day, d.first_due) {}",
            crossing(
                "due_day",
                lowest + 1..=day,
                "i.due_day > l.closed_day AND i.due_day <= $1",
                &format!("CAST(SUM({UNPAID}) AS BIGINT) AS unpaid, MIN(i.due_day) AS first_due"),
            )
        )),
        // Installments whose last charge-free day fell between the loan's last closed
        // day and today: from today on they are late, counted from their due day.
        EodStep::LateCharges => Some(format!(
            "UPDATE loans SET late_unpaid_rial = loans.late_unpaid_rial + d.unpaid, \
             late_weight = loans.late_weight + d.weight {}",
            crossing(
                "late_after_day",
                lowest..=day - 1,
                "i.late_after_day >= l.closed_day AND i.late_after_day < $1",
                &format!(
                    "CAST(SUM({UNPAID}) AS BIGINT) AS unpaid, \
                     CAST(SUM({UNPAID} * i.due_day) AS BIGINT) AS weight"
                ),
            )
        )),
        EodStep::Classify | EodStep::Portfolio | EodStep::ProvisionLedger => None,
    }
}

/// The close of a batch: every step's per-loan numbers in one UPDATE (each pass rewrote
/// every row, so one instead of four was most of the cost), written only to the loans
/// `touched` lists (never empty): those a crossing wrote and those whose class or
/// provision moves (`changes_statement`), each dated `$1` with a new version. Any other
/// loan is left as it is, even when its days overdue and late charge move: reads derive
/// those two as of the loan's last closed date (`arrears.rs`), so an overdue loan is
/// written on the days an installment falls due or late and on the days it changes
/// class, not every day. Found by id alone (it binds only `$1`): with the batch's id
/// range beside the list, PostgreSQL walked the whole range (42 ms a batch at 1 000 000
/// loans for a few hundred rows) instead of looking each id up. It sets no indexed
/// column, so PostgreSQL updates heap-only.
fn close_statement(steps: &[EodStep], rules: &ClassificationRules, touched: &[i64]) -> String {
    let assignments: String = steps
        .iter()
        .filter_map(|step| row_number(*step, rules))
        .map(|(column, value)| format!("{column} = {value}, "))
        .collect();
    format!(
        "UPDATE loans SET {assignments}closed_day = $1, version = version + 1 \
         WHERE {} AND status = {} AND closed_day < $1",
        ids_in(touched),
        active()
    )
}

/// The number a per-batch step keeps on each loan, and its value from the loan's own row
/// (after the crossing statements), binding `$1` the day. The close sets all of them in
/// one UPDATE, where every expression reads the row as it was before it, so none reads
/// another's result: the provision is chosen by the same days-overdue expression the
/// overdue step sets (and `class_by_days` the class).
fn row_number(step: EodStep, rules: &ClassificationRules) -> Option<(&'static str, String)> {
    match step {
        EodStep::Overdue => Some(("days_overdue", DAYS_OVERDUE.clone())),
        EodStep::LateCharges => Some(("penalty_charged_rial", late_charge_at("$1"))),
        EodStep::Classify => Some(("provision_rial", provision_by_days(rules))),
        EodStep::Portfolio | EodStep::ProvisionLedger => None,
    }
}

/// One pass over the batch after the crossings, answering its open loans' count (the
/// row whose `class` is NULL, `id` holding the count) and each loan whose class or
/// provision changes at `$1` under `rules` (none without them), with the class it has
/// (its events say the old and the new one) and whether the class `moves`; in id order. Read before
/// the move, which cannot answer the old value, and in one statement, because each pass
/// over a batch fetches every row of it (the count, the class read and the close's own
/// comparison were three).
/// The class is set apart from the close, because `class` is in the loans' indexes (by
/// branch and by province): setting it on every loan every day rewrote both indexes
/// for each loan, about twice the cost of the close, while only the few loans crossing
/// a threshold change class.
fn changes_statement(rules: Option<&ClassificationRules>) -> String {
    let (moves, reprovisions) = rules.map_or_else(
        || ("FALSE".to_owned(), "FALSE".to_owned()),
        |rules| {
            (
                format!("class <> {}", class_by_days(rules)),
                format!("provision_rial <> {}", provision_by_days(rules)),
            )
        },
    );
    format!(
        "WITH batch AS (SELECT id, class, {moves} AS moves, {reprovisions} AS reprovisions \
         FROM loans WHERE {}) \
         SELECT id, class, moves FROM batch WHERE moves OR reprovisions \
         UNION ALL SELECT COUNT(*), NULL, NULL FROM batch ORDER BY 1",
        batch_loans()
    )
}

/// The move of the loans `ids` (those `class_changes_statement` found) to their class at
/// `$1`: by id, so the batch is scanned once for the read and the move.
fn reclassify_statement(rules: &ClassificationRules, ids: &[i64]) -> String {
    format!(
        "UPDATE loans SET class = {} WHERE {} AND {}",
        class_by_days(rules),
        batch_loans(),
        ids_in(ids)
    )
}

/// The provision at `$1`: the outstanding principal at its class's rate, rounded half up.
fn provision_by_days(rules: &ClassificationRules) -> String {
    format!(
        "((outstanding_principal_rial * {} + 5000) / 10000)",
        by_days(rules, rules.provision_bp.map(|bp| bp.to_string()))
    )
}

/// The CBI class at `$1`, as a statement's expression.
fn class_by_days(rules: &ClassificationRules) -> String {
    by_days(
        rules,
        [
            LoanClass::Current,
            LoanClass::PastDue,
            LoanClass::Deferred,
            LoanClass::Doubtful,
        ]
        .map(|c| code_literal(c.code())),
    )
}

/// `id IN (…)` over `ids`, literal integers (never empty: callers skip an empty list).
fn ids_in(ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("id IN ({})", ids.join(", "))
}

/// `values` (for current, past due, deferred, doubtful) chosen by days overdue at `$1`.
fn by_days(rules: &ClassificationRules, values: [String; 4]) -> String {
    let [current, past_due, deferred, doubtful] = values;
    let days = &*DAYS_OVERDUE;
    format!(
        "CASE WHEN {days} > {} THEN {doubtful} WHEN {days} > {} \
         THEN {deferred} WHEN {days} > {} THEN {past_due} ELSE {current} END",
        rules.doubtful_after_days, rules.deferred_after_days, rules.past_due_after_days
    )
}
