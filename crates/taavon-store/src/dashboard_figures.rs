//! The dashboards' figures (issue 17), kept per day × province × program × bank ×
//! whether the county is underprivileged (tier 1–2) in `dashboard_figures` (migration
//! 0032): how many applications reached each step of the funnel (submitted, eligible,
//! approved, referred, contracted, first disbursed), the money approved, committed,
//! disbursed (to women-led applicants too) and repaid, and the jobs approved.
//!
//! Every application move and every loan transaction adds its figures in the same
//! transaction, through one statement that reads the row just written: the figures of an
//! event are one SELECT (`event_figures_sql`, `transaction_figures_sql`), used both to
//! add one event and, over every event, as the recomputation the specs hold the kept
//! table to (and the migration's backfill). The same rows are added to the months'
//! figures and the running commitments (`dashboard_rollups`, migration 0033), from which
//! a span's whole Jalali months and what is committed at its end are read. So a
//! dashboard reads a few thousand rows whatever the applications, loans and days number.
//!
//! A representative's dashboard is one cooperative's: it is summed from that
//! cooperative's own events (found by index), since a cooperative column in the kept
//! table would multiply its rows by the cooperatives.

use sqlx::Row;
use taavon_core::access::ApplicationScope;
use taavon_core::applications::ApplicationState;
use taavon_core::calendar::IsoDate;
use taavon_core::loans::TransactionKind;

use crate::StoreError;
use crate::applications::code_list;
use crate::dashboard_rollups::{MonthCut, add_to_rollups_sql, merge, upsert_sql};
pub use crate::dashboard_sums::{DashboardCell, DashboardFilter, DashboardGrouping, DashboardSums};
use crate::dashboard_sums::{
    DaysRead, MEASURE_COUNT, MEASURES, event_bank_sql, measure_sums_sql, records_condition,
};
use crate::error::db;
use crate::filter::{Conditions, Value, bind_values, code_literal};
use crate::tx::{Reader, WriteTx};

/// The portfolio at one closed business date, summed over the scope's branches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortfolioPoint {
    pub business_on: String,
    pub loans: i64,
    pub outstanding_rial: i64,
    pub par30_rial: i64,
    pub par90_rial: i64,
    /// Outstanding in the Central Bank of Iran's classes past due, deferred and doubtful
    /// (current is the rest).
    pub past_due_rial: i64,
    pub deferred_rial: i64,
    pub doubtful_rial: i64,
}

/// The key columns of `dashboard_figures`.
pub(crate) const KEY: &str = "day, province, program, bank, underprivileged";

/// 1 when the application's (`a`) county is in tier 1 or 2 of the newest classification.
const UNDERPRIVILEGED_SQL: &str = "CASE WHEN EXISTS (SELECT 1 FROM county_tiers ct \
     WHERE ct.county = a.county AND ct.tier <= 2 AND ct.classification_id = \
     (SELECT id FROM tier_classifications ORDER BY valid_from DESC, id DESC LIMIT 1)) \
     THEN 1 ELSE 0 END";

/// The figures of application events (`e`) meeting `condition`, one row each: (day,
/// province, program, bank, underprivileged, cooperative_id, the measures). The bank is
/// the referred one from the referral on, so a bank's funnel starts where its scope does.
fn event_figures_sql(condition: &str) -> String {
    use ApplicationState as S;
    let committed = code_list(&[S::Approved, S::Referred, S::BankApproved, S::Contracted]);
    let reached = |state: S| {
        format!(
            "CASE WHEN e.to_state = {} THEN 1 ELSE 0 END",
            code_literal(state.code())
        )
    };
    let approved = code_literal(S::Approved.code());
    format!(
        "SELECT SUBSTR(e.at, 1, 10) AS day, a.province AS province, a.program AS program, \
         {bank} AS bank, \
         {UNDERPRIVILEGED_SQL} AS underprivileged, a.cooperative_id AS cooperative_id, \
         CASE WHEN e.from_state = {draft} AND e.to_state IN ({submitted}) THEN 1 ELSE 0 END \
         AS submitted, {eligible} AS eligible, {approved_count} AS approved, \
         {referred} AS referred, {contracted} AS contracted, 0 AS disbursed, \
         CASE WHEN e.to_state = {approved} THEN a.amount_rial ELSE 0 END AS approved_rial, \
         a.amount_rial * (CASE WHEN e.to_state IN ({committed}) THEN 1 ELSE 0 END \
         - CASE WHEN e.from_state IN ({committed}) THEN 1 ELSE 0 END) AS committed_rial, \
         CASE WHEN e.to_state = {approved} THEN a.jobs ELSE 0 END AS approved_jobs, \
         CASE WHEN e.to_state = {approved} THEN a.women_jobs ELSE 0 END \
         AS approved_women_jobs, \
         0 AS disbursed_rial, 0 AS women_disbursed_rial, 0 AS repaid_rial \
         FROM application_events e JOIN applications a ON a.id = e.application_id \
         WHERE e.from_state <> e.to_state AND {condition}",
        bank = event_bank_sql(),
        draft = code_literal(S::Draft.code()),
        submitted = code_list(&[S::Submitted, S::UnderReview, S::Ineligible]),
        eligible = reached(S::UnderReview),
        approved_count = reached(S::Approved),
        referred = reached(S::Referred),
        contracted = reached(S::Contracted),
    )
}

/// The figures of loan transactions (`t`) meeting `condition`, one row each, in the
/// columns of `event_figures_sql`; a reversal takes back what it reverses.
fn transaction_figures_sql(condition: &str) -> String {
    use TransactionKind as K;
    let disbursement = code_literal(K::Disbursement.code());
    let repaid = [K::Repayment, K::Settlement]
        .map(|k| code_literal(k.code()))
        .join(", ");
    let reversal = code_literal(K::Reversal.code());
    let disbursed_rial = format!(
        "CASE WHEN t.kind = {disbursement} THEN t.amount_rial \
         WHEN t.kind = {reversal} AND o.kind = {disbursement} THEN -o.amount_rial ELSE 0 END"
    );
    format!(
        "SELECT t.business_on AS day, l.province AS province, l.program AS program, \
         l.bank AS bank, {UNDERPRIVILEGED_SQL} AS underprivileged, \
         l.cooperative_id AS cooperative_id, \
         0 AS submitted, 0 AS eligible, 0 AS approved, 0 AS referred, 0 AS contracted, \
         CASE WHEN t.kind = {disbursement} AND t.id = (SELECT MIN(d.id) \
         FROM loan_transactions d WHERE d.loan_id = t.loan_id AND d.kind = {disbursement}) \
         THEN 1 ELSE 0 END AS disbursed, \
         0 AS approved_rial, 0 AS committed_rial, 0 AS approved_jobs, \
         0 AS approved_women_jobs, {disbursed_rial} AS disbursed_rial, \
         CASE WHEN a.women_led THEN {disbursed_rial} ELSE 0 END AS women_disbursed_rial, \
         CASE WHEN t.kind IN ({repaid}) THEN t.amount_rial \
         WHEN t.kind = {reversal} AND o.kind IN ({repaid}) THEN -o.amount_rial ELSE 0 END \
         AS repaid_rial \
         FROM loan_transactions t JOIN loans l ON l.id = t.loan_id \
         JOIN applications a ON a.id = l.application_id \
         LEFT JOIN loan_transactions o ON o.id = t.reverses WHERE {condition}"
    )
}

/// Rows of `source` that add something (a move between two uncommitted states adds
/// nothing, and is kept nowhere).
fn adding(source: &str) -> String {
    let any = MEASURES
        .iter()
        .map(|m| format!("f.{m} <> 0"))
        .collect::<Vec<_>>()
        .join(" OR ");
    format!("SELECT * FROM ({source}) f WHERE {any}")
}

/// Every event's and transaction's figures (those of one cooperative with `condition`
/// on `a.cooperative_id`), as one row source.
fn records_sql(condition: &str) -> String {
    adding(&format!(
        "{} UNION ALL {}",
        event_figures_sql(condition),
        transaction_figures_sql(condition)
    ))
}

/// The migration's backfill: every record's figures, grouped by the key (what
/// migrations/*/0032_dashboard_figures.sql holds, checked by a test below).
pub(crate) fn backfill_sql() -> String {
    format!(
        "INSERT INTO dashboard_figures ({KEY}, {}) SELECT {KEY}, {} FROM ({}) r \
         GROUP BY {KEY}",
        MEASURES.join(", "),
        measure_sums_sql(),
        records_sql("true")
    )
}

impl WriteTx {
    /// Adds what the application event `event_id` (just recorded) moved.
    pub(crate) async fn add_event_to_dashboard(&mut self, event_id: i64) -> Result<(), StoreError> {
        self.add_to_dashboard(
            &event_figures_sql("e.id = $1"),
            event_id,
            "adding an application move to the dashboards",
        )
        .await?;
        self.add_event_to_step_days(event_id).await
    }

    /// Adds what the loan transaction `transaction_id` (just recorded) moved.
    pub(crate) async fn add_transaction_to_dashboard(
        &mut self,
        transaction_id: i64,
    ) -> Result<(), StoreError> {
        self.add_to_dashboard(
            &transaction_figures_sql("t.id = $1"),
            transaction_id,
            "adding a loan transaction to the dashboards",
        )
        .await?;
        self.add_transaction_to_step_days(transaction_id).await
    }

    /// Adds the row of `source` (the figures of the record `id`) to the days' figures,
    /// the months' and the running commitments.
    async fn add_to_dashboard(
        &mut self,
        source: &str,
        id: i64,
        context: &'static str,
    ) -> Result<(), StoreError> {
        let rows = adding(source);
        let days = upsert_sql("dashboard_figures", (KEY, KEY), (&MEASURES, &[]), &rows);
        for sql in std::iter::once(days).chain(add_to_rollups_sql(&rows)) {
            on!(self.conn(), |c| sqlx::query(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .bind(id)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db(context))?);
        }
        Ok(())
    }
}

impl Reader {
    /// The dashboards' figures in `scope`, as kept (a cooperative's summed from its own
    /// events): by day from the days' figures; by month or area, the span's whole
    /// Jalali months from the months' figures and the days around them from the days'.
    pub async fn dashboard_figures(
        &mut self,
        scope: &ApplicationScope,
        filter: &DashboardFilter,
    ) -> Result<Vec<DashboardCell>, StoreError> {
        if let ApplicationScope::Cooperative(_) = scope {
            return self.dashboard_figures_from_records(scope, filter).await;
        }
        let days = |from, to| DaysRead {
            source: "dashboard_figures",
            day: "day",
            from,
            to,
        };
        let reads = match filter.grouping {
            DashboardGrouping::Day => vec![days(filter.from, filter.to)],
            DashboardGrouping::Month | DashboardGrouping::Area => {
                let cut = MonthCut::of(filter.from, filter.to);
                cut.months
                    .map(|(from, to)| DaysRead {
                        source: "dashboard_month_figures",
                        day: "month_from",
                        from,
                        to,
                    })
                    .into_iter()
                    .chain(
                        cut.days
                            .into_iter()
                            .map(|(from, to)| days(Some(from), Some(to))),
                    )
                    .collect()
            }
        };
        let mut cells = Vec::new();
        for read in reads {
            cells.extend(self.sum_dashboard(&read, scope, filter.grouping).await?);
        }
        Ok(merge(cells, filter.grouping))
    }

    /// The same figures summed from the application events and loan transactions
    /// themselves (the check of the kept figures; a cooperative's own dashboard).
    pub async fn dashboard_figures_from_records(
        &mut self,
        scope: &ApplicationScope,
        filter: &DashboardFilter,
    ) -> Result<Vec<DashboardCell>, StoreError> {
        let source = format!("({})", records_sql(&records_condition(scope)));
        let read = DaysRead {
            source: &source,
            day: "day",
            from: filter.from,
            to: filter.to,
        };
        let cells = self.sum_dashboard(&read, scope, filter.grouping).await?;
        Ok(merge(cells, filter.grouping))
    }

    /// The portfolio in `scope` at the last closed business date within each of
    /// `spans` (from, to: ISO days), oldest first — a branch row per date from the end of
    /// day's snapshots, never the loans. A cooperative's scope has no portfolio.
    pub async fn portfolio_trend(
        &mut self,
        scope: &ApplicationScope,
        spans: &[(IsoDate, IsoDate)],
    ) -> Result<Vec<PortfolioPoint>, StoreError> {
        let mut conditions = Conditions::default();
        if spans.is_empty()
            || matches!(scope, ApplicationScope::Cooperative(_))
            || !conditions.in_scope(scope, "bank")
        {
            return Ok(Vec::new());
        }
        let mut last_days = Vec::with_capacity(spans.len());
        for (from, to) in spans {
            let from = conditions.bind(Value::Text(from.to_string()));
            let to = conditions.bind(Value::Text(to.to_string()));
            last_days.push(format!(
                "(SELECT business_on FROM portfolio_snapshots WHERE business_on >= {from} \
                 AND business_on <= {to} ORDER BY business_on DESC LIMIT 1)"
            ));
        }
        conditions.push(format!("business_on IN ({})", last_days.join(", ")));
        let sums = [
            "loans",
            "outstanding_rial",
            "par30_rial",
            "par90_rial",
            "past_due_rial",
            "deferred_rial",
            "doubtful_rial",
        ]
        .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
        .join(", ");
        let sql = format!(
            "SELECT business_on, {sums} FROM portfolio_snapshots {} \
             GROUP BY business_on ORDER BY business_on",
            conditions.where_sql()
        );
        let points = on!(&mut self.conn, |c| {
            bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &conditions.values)
                .fetch_all(c)
                .await
                .map_err(db("summing the portfolio's trend"))?
                .iter()
                .map(|row| {
                    Ok(PortfolioPoint {
                        business_on: row.try_get(0)?,
                        loans: row.try_get(1)?,
                        outstanding_rial: row.try_get(2)?,
                        par30_rial: row.try_get(3)?,
                        par90_rial: row.try_get(4)?,
                        past_due_rial: row.try_get(5)?,
                        deferred_rial: row.try_get(6)?,
                        doubtful_rial: row.try_get(7)?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(db("reading the portfolio's trend"))?
        });
        Ok(points)
    }

    /// `read`'s rows in `scope` summed by day (a month's rows by their first day; the
    /// caller folds days into months) or by area.
    async fn sum_dashboard(
        &mut self,
        read: &DaysRead<'_>,
        scope: &ApplicationScope,
        grouping: DashboardGrouping,
    ) -> Result<Vec<DashboardCell>, StoreError> {
        let Some(conditions) = read.conditions(scope) else {
            return Ok(Vec::new());
        };
        let day = read.day;
        let (group, group_by) = match grouping {
            DashboardGrouping::Day | DashboardGrouping::Month => {
                (format!("{day}, '', '', CAST(0 AS BIGINT)"), day)
            }
            DashboardGrouping::Area => (
                "'', province, program, CAST(underprivileged AS BIGINT)".to_owned(),
                "province, program, underprivileged",
            ),
        };
        let sums = MEASURES
            .iter()
            .map(|m| format!("CAST(COALESCE(SUM({m}), 0) AS BIGINT)"))
            .collect::<Vec<_>>()
            .join(", ");
        // The sums fit an i64: a day's or the nation's rials stay far below 9.2 × 10^18.
        let sql = format!(
            "SELECT {group}, {sums} FROM {} k {} GROUP BY {group_by}",
            read.source,
            conditions.where_sql()
        );
        let cells = on!(&mut self.conn, |c| {
            bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &conditions.values)
                .fetch_all(c)
                .await
                .map_err(db("summing the dashboards' figures"))?
                .iter()
                .map(|row| {
                    let mut sums = [0i64; MEASURE_COUNT];
                    for (sum, column) in sums.iter_mut().zip(4usize..) {
                        *sum = row.try_get(column)?;
                    }
                    Ok(DashboardCell {
                        day: row.try_get(0)?,
                        province: row.try_get(1)?,
                        program: row.try_get(2)?,
                        underprivileged: row.try_get::<i64, _>(3)? != 0,
                        sums: DashboardSums::from_array(sums),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(db("reading the dashboards' figures"))?
        });
        Ok(cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migrations_backfill_with_the_recomputation_itself() {
        // Establishes that both engines' migration 0032 fill the kept table with the very
        // statement the specs check it against, so nothing drifts.
        assert_eq!(
            crate::dashboard_rollups::missing_from_migrations(
                "0032_dashboard_figures.sql",
                &[backfill_sql()]
            ),
            Vec::<String>::new()
        );
    }
}
