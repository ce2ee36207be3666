//! How long the funnel's steps take (issue 17): for each step an application reaches
//! (found eligible, approved, referred, contracted, first disbursed), the calendar days
//! since it reached the step before, kept as a histogram — applications per day ×
//! province × bank × step × exact days — in `dashboard_step_days`, and again per Jalali
//! month in `dashboard_month_step_days` (migration 0034) and per Jalali month without
//! the bank in `dashboard_province_step_days` (migration 0035: what the scopes not read
//! by bank read, so the nation's year is not a row per bank too). A period's median is
//! read from these counts (a row per distinct duration, month and area), never from
//! the applications.
//!
//! Every application move and every loan transaction adds its step in the same
//! transaction as the dashboards' other figures (`WriteTx::add_to_dashboard`), through
//! the SELECT (`step_records_sql`) that, over every record, is the migration's backfill
//! and the recomputation the specs hold the kept counts to.

use std::collections::BTreeMap;

use sqlx::Row;
use taavon_core::access::ApplicationScope;
use taavon_core::applications::ApplicationState;
use taavon_core::calendar::IsoDate;
use taavon_core::loans::TransactionKind;

use crate::StoreError;
use crate::applications::code_list;
use crate::dashboard_rollups::{MonthCut, month_of_sql, upsert_sql};
use crate::dashboard_sums::{DaysRead, event_bank_sql, records_condition};
use crate::error::db;
use crate::filter::{bind_values, code_literal};
use crate::support_figures::day_number_sql;
use crate::tx::{Reader, WriteTx};

/// A step of the funnel after submission, named by what the application reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FunnelStep {
    /// Found eligible (under review), counted from its submission.
    Eligible,
    /// Approved, from being found eligible.
    Approved,
    /// Referred to a bank, from its approval.
    Referred,
    /// Contracted, from its referral.
    Contracted,
    /// Its loan's first disbursement (on the business date), from the contract.
    Disbursed,
}

/// How many applications took `days` calendar days to reach `step`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StepDays {
    pub step: FunnelStep,
    pub days: i64,
    pub applications: i64,
}

impl FunnelStep {
    /// Every step, in the funnel's order.
    pub const ALL: [Self; 5] = [
        Self::Eligible,
        Self::Approved,
        Self::Referred,
        Self::Contracted,
        Self::Disbursed,
    ];

    /// The stable code the kept table and the API use.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Eligible => "eligible",
            Self::Approved => "approved",
            Self::Referred => "referred",
            Self::Contracted => "contracted",
            Self::Disbursed => "disbursed",
        }
    }

    fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|step| step.code() == code)
    }

    /// The state an application event reaching this step moves to (`None`: a loan
    /// transaction's step).
    const fn reached_state(self) -> Option<ApplicationState> {
        match self {
            Self::Eligible => Some(ApplicationState::UnderReview),
            Self::Approved => Some(ApplicationState::Approved),
            Self::Referred => Some(ApplicationState::Referred),
            Self::Contracted => Some(ApplicationState::Contracted),
            Self::Disbursed => None,
        }
    }
}

/// The key columns of `dashboard_step_days`.
const STEP_KEY: &str = "day, province, bank, step, days";
/// The key columns of `dashboard_month_step_days` (the month by its first ISO day).
const MONTH_STEP_KEY: &str = "month_from, province, bank, step, days";
/// The key columns of `dashboard_province_step_days`.
const PROVINCE_STEP_KEY: &str = "month_from, province, step, days";

/// Calendar days from the ISO day opening the text column `earlier` to the one opening
/// `later`; a business date behind the calendar (a disbursement recorded on a date not
/// yet closed) counts no days rather than fewer than none.
fn days_between_sql(earlier: &str, later: &str) -> String {
    let days = format!("{} - {}", day_number_sql(later), day_number_sql(earlier));
    format!("CASE WHEN {days} < 0 THEN 0 ELSE {days} END")
}

/// The steps application events (`e`) meeting `condition` reached, one row each: (day,
/// province, bank, step, days, cooperative_id, applications = 1). The step before is the
/// latest event reaching it; being found eligible counts from the submission, which may
/// be the same event (a draft submitted straight into review).
fn event_steps_sql(condition: &str) -> String {
    use ApplicationState as S;
    let event_steps = FunnelStep::ALL.map(|step| step.reached_state().map(|s| (step, s)));
    let event_steps: Vec<(FunnelStep, S)> = event_steps.into_iter().flatten().collect();
    let step = event_steps
        .iter()
        .map(|(step, state)| format!("WHEN {} THEN '{}'", code_literal(state.code()), step.code()))
        .collect::<Vec<_>>()
        .join(" ");
    let reached = code_list(&event_steps.iter().map(|(_, s)| *s).collect::<Vec<_>>());
    let before = |state: S, previous: S| {
        format!(
            "(e.to_state = {} AND q.id < e.id AND q.to_state = {})",
            code_literal(state.code()),
            code_literal(previous.code())
        )
    };
    let submitted = format!(
        "(e.to_state = {under_review} AND q.id <= e.id AND q.from_state = {draft} \
         AND q.to_state IN ({}))",
        code_list(&[S::Submitted, S::UnderReview, S::Ineligible]),
        under_review = code_literal(S::UnderReview.code()),
        draft = code_literal(S::Draft.code()),
    );
    let previous = [
        submitted,
        before(S::Approved, S::UnderReview),
        before(S::Referred, S::Approved),
        before(S::Contracted, S::Referred),
    ]
    .join(" OR ");
    format!(
        "SELECT SUBSTR(e.at, 1, 10) AS day, a.province AS province, {bank} AS bank, \
         CASE e.to_state {step} END AS step, {days} AS days, \
         a.cooperative_id AS cooperative_id, 1 AS applications \
         FROM application_events e JOIN applications a ON a.id = e.application_id \
         JOIN application_events p ON p.id = (SELECT MAX(q.id) FROM application_events q \
         WHERE q.application_id = e.application_id AND q.from_state <> q.to_state \
         AND ({previous})) \
         WHERE e.from_state <> e.to_state AND e.to_state IN ({reached}) AND {condition}",
        bank = event_bank_sql(),
        days = days_between_sql("p.at", "e.at"),
    )
}

/// The first disbursements among the loan transactions (`t`) meeting `condition`, in
/// the columns of `event_steps_sql`: days from the application's (latest) contract.
fn disbursement_steps_sql(condition: &str) -> String {
    let disbursement = code_literal(TransactionKind::Disbursement.code());
    format!(
        "SELECT t.business_on AS day, l.province AS province, l.bank AS bank, \
         '{step}' AS step, {days} AS days, a.cooperative_id AS cooperative_id, \
         1 AS applications \
         FROM loan_transactions t JOIN loans l ON l.id = t.loan_id \
         JOIN applications a ON a.id = l.application_id \
         JOIN application_events p ON p.id = (SELECT MAX(q.id) FROM application_events q \
         WHERE q.application_id = a.id AND q.from_state <> q.to_state \
         AND q.to_state = {contracted}) \
         WHERE t.kind = {disbursement} AND t.id = (SELECT MIN(d.id) \
         FROM loan_transactions d WHERE d.loan_id = t.loan_id AND d.kind = {disbursement}) \
         AND {condition}",
        step = FunnelStep::Disbursed.code(),
        days = days_between_sql("p.at", "t.business_on"),
        contracted = code_literal(ApplicationState::Contracted.code()),
    )
}

/// Every step reached by the records (those of one cooperative with `condition` on
/// `a.cooperative_id`), as one row source.
fn step_records_sql(condition: &str) -> String {
    format!(
        "{} UNION ALL {}",
        event_steps_sql(condition),
        disbursement_steps_sql(condition)
    )
}

/// The migration's backfills: the days' histogram from every record, the months' from
/// the days' (what migrations/*/0034_dashboard_step_days.sql holds, checked by a test
/// below).
pub(crate) fn backfill_step_days_sql() -> [String; 2] {
    [
        format!(
            "INSERT INTO dashboard_step_days ({STEP_KEY}, applications) \
             SELECT {STEP_KEY}, COUNT(*) FROM ({}) r GROUP BY {STEP_KEY}",
            step_records_sql("true")
        ),
        format!(
            "INSERT INTO dashboard_month_step_days ({MONTH_STEP_KEY}, applications) \
             SELECT {MONTH_STEP_KEY}, SUM(applications) FROM (SELECT {} AS month_from, d.* \
             FROM dashboard_step_days d) r GROUP BY {MONTH_STEP_KEY}",
            month_of_sql("d.day")
        ),
    ]
}

/// Migration 0035's backfill: the months' histogram summed over the banks.
pub(crate) fn backfill_province_step_days_sql() -> String {
    format!(
        "INSERT INTO dashboard_province_step_days ({PROVINCE_STEP_KEY}, applications) \
         SELECT {PROVINCE_STEP_KEY}, SUM(applications) FROM dashboard_month_step_days \
         GROUP BY {PROVINCE_STEP_KEY}"
    )
}

/// The upserts adding the steps of `rows` (a source in the columns of
/// `event_steps_sql`) to the days' histogram, the months' and the months' without the
/// bank.
fn add_steps_sql(rows: &str) -> [String; 3] {
    let area = "province, bank, step, days";
    [
        upsert_sql(
            "dashboard_step_days",
            (STEP_KEY, STEP_KEY),
            (&["applications"], &[]),
            rows,
        ),
        upsert_sql(
            "dashboard_month_step_days",
            (
                MONTH_STEP_KEY,
                &format!("{}, {area}", month_of_sql("g.day")),
            ),
            (&["applications"], &[]),
            rows,
        ),
        upsert_sql(
            "dashboard_province_step_days",
            (
                PROVINCE_STEP_KEY,
                &format!("{}, province, step, days", month_of_sql("g.day")),
            ),
            (&["applications"], &[]),
            rows,
        ),
    ]
}

impl WriteTx {
    /// Adds the step the application event `event_id` (just recorded) reached, if any.
    pub(crate) async fn add_event_to_step_days(&mut self, event_id: i64) -> Result<(), StoreError> {
        self.add_steps(&event_steps_sql("e.id = $1"), event_id)
            .await
    }

    /// Adds the step the loan transaction `transaction_id` (just recorded) reached: its
    /// loan's first disbursement.
    pub(crate) async fn add_transaction_to_step_days(
        &mut self,
        transaction_id: i64,
    ) -> Result<(), StoreError> {
        self.add_steps(&disbursement_steps_sql("t.id = $1"), transaction_id)
            .await
    }

    async fn add_steps(&mut self, rows: &str, id: i64) -> Result<(), StoreError> {
        for sql in add_steps_sql(rows) {
            on!(self.conn(), |c| sqlx::query(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .bind(id)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("adding a funnel step's days to the dashboards"))?);
        }
        Ok(())
    }
}

impl Reader {
    /// How many applications in `scope` took how many days to reach each step they
    /// reached from `from` to `to` (ISO days, inclusive; `None`: unbounded), by step and
    /// days, as kept: the span's whole Jalali months from the months' histogram, the
    /// days around them from the days' (a cooperative's from its own records).
    pub async fn dashboard_step_days(
        &mut self,
        scope: &ApplicationScope,
        from: Option<IsoDate>,
        to: Option<IsoDate>,
    ) -> Result<Vec<StepDays>, StoreError> {
        if let ApplicationScope::Cooperative(_) = scope {
            return self.dashboard_step_days_from_records(scope, from, to).await;
        }
        let mut counts = Vec::new();
        for read in kept_reads(scope, from, to) {
            counts.extend(self.sum_step_days(&read, scope).await?);
        }
        Ok(merge_step_days(counts))
    }

    /// How many kept rows `dashboard_step_days` sums for `scope` from `from` to `to` (the
    /// size of its read, for `taavon bench dashboard`).
    pub async fn dashboard_step_rows(
        &mut self,
        scope: &ApplicationScope,
        from: Option<IsoDate>,
        to: Option<IsoDate>,
    ) -> Result<i64, StoreError> {
        let mut rows = 0;
        for read in kept_reads(scope, from, to) {
            let Some(conditions) = read.conditions(scope) else {
                continue;
            };
            let sql = format!(
                "SELECT COUNT(*) FROM {} k {}",
                read.source,
                conditions.where_sql()
            );
            rows += on!(&mut self.conn, |c| bind_values!(
                sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)),
                &conditions.values
            )
            .fetch_one(c)
            .await
            .map_err(db("counting the funnel's step days read"))?);
        }
        Ok(rows)
    }

    /// The same counts from the application events and loan transactions themselves
    /// (the check of the kept histogram; a cooperative's own dashboard).
    pub async fn dashboard_step_days_from_records(
        &mut self,
        scope: &ApplicationScope,
        from: Option<IsoDate>,
        to: Option<IsoDate>,
    ) -> Result<Vec<StepDays>, StoreError> {
        let source = format!("({})", step_records_sql(&records_condition(scope)));
        let read = DaysRead {
            source: &source,
            day: "day",
            from,
            to,
        };
        let counts = self.sum_step_days(&read, scope).await?;
        Ok(merge_step_days(counts))
    }

    /// `read`'s rows in `scope` counted by step and days.
    async fn sum_step_days(
        &mut self,
        read: &DaysRead<'_>,
        scope: &ApplicationScope,
    ) -> Result<Vec<StepDays>, StoreError> {
        let Some(conditions) = read.conditions(scope) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT step, CAST(days AS BIGINT), CAST(SUM(applications) AS BIGINT) \
             FROM {} k {} GROUP BY step, days",
            read.source,
            conditions.where_sql()
        );
        let rows = on!(&mut self.conn, |c| {
            bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &conditions.values)
                .fetch_all(c)
                .await
                .map_err(db("counting the funnel's step days"))?
                .iter()
                .map(|row| {
                    Ok((
                        row.try_get::<String, _>(0)?,
                        row.try_get::<i64, _>(1)?,
                        row.try_get::<i64, _>(2)?,
                    ))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(db("reading the funnel's step days"))?
        });
        rows.into_iter()
            .map(|(step, days, applications)| {
                let step = FunnelStep::parse(&step).ok_or_else(|| StoreError::Corrupt {
                    what: format!("an unknown funnel step {step:?}"),
                })?;
                Ok(StepDays {
                    step,
                    days,
                    applications,
                })
            })
            .collect()
    }

    /// Where the kept histograms differ from the records' counts, described (empty when
    /// they agree): over all time, on the first day recorded, after it and up to it (a
    /// month cut at a day), as the nation reads them (the months without the bank); and
    /// where the months by bank, summed over the banks, differ from those without.
    pub(crate) async fn check_dashboard_step_days(&mut self) -> Result<Vec<String>, StoreError> {
        let scope = ApplicationScope::All;
        let first = self
            .first_step_day()
            .await?
            .and_then(|day| IsoDate::parse(&day).ok());
        let mut spans = vec![(None, None)];
        if let Some(first) = first {
            spans.extend([
                (Some(first), Some(first)),
                (Some(first.add_days(1)), None),
                (None, Some(first)),
            ]);
        }
        let mut differences = Vec::new();
        for (from, to) in spans {
            let kept = self.dashboard_step_days(&scope, from, to).await?;
            let records = self
                .dashboard_step_days_from_records(&scope, from, to)
                .await?;
            if kept != records {
                differences.push(format!(
                    "step days from {from:?} to {to:?}: kept {kept:?}, records {records:?}"
                ));
            }
        }
        let by_bank = self
            .province_step_rows(&format!(
                "SELECT {PROVINCE_STEP_KEY}, CAST(SUM(applications) AS BIGINT) \
                 FROM dashboard_month_step_days GROUP BY {PROVINCE_STEP_KEY}"
            ))
            .await?;
        let by_province = self
            .province_step_rows(&format!(
                "SELECT {PROVINCE_STEP_KEY}, applications FROM dashboard_province_step_days"
            ))
            .await?;
        if by_bank != by_province {
            differences.push(format!(
                "the months' step days by bank {by_bank:?}, without the bank {by_province:?}"
            ));
        }
        Ok(differences)
    }

    /// The rows of `sql` (the key of `dashboard_province_step_days` and a count), in key
    /// order.
    async fn province_step_rows(
        &mut self,
        sql: &str,
    ) -> Result<Vec<(String, String, String, i64, i64)>, StoreError> {
        let sql = format!("{sql} ORDER BY {PROVINCE_STEP_KEY}");
        Ok(on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(
            sql
        ))
        .fetch_all(c)
        .await
        .map_err(db("reading the months' step days"))?
        .iter()
        .map(|row| {
            Ok((
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get::<i64, _>(3)?,
                row.try_get::<i64, _>(4)?,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db("reading the months' step days"))?))
    }

    async fn first_step_day(&mut self) -> Result<Option<String>, StoreError> {
        Ok(on!(&mut self.conn, |c| sqlx::query_scalar(
            "SELECT MIN(day) FROM dashboard_step_days"
        )
        .fetch_one(c)
        .await
        .map_err(db(
            "reading the first day of the funnel's step days"
        ))?))
    }
}

/// What `scope`'s kept histogram reads from `from` to `to`: the span's whole Jalali
/// months from the months' histogram (without the bank unless the scope is a bank's),
/// the days around them from the days'.
fn kept_reads(
    scope: &ApplicationScope,
    from: Option<IsoDate>,
    to: Option<IsoDate>,
) -> Vec<DaysRead<'static>> {
    let cut = MonthCut::of(from, to);
    let months = match scope {
        ApplicationScope::Bank { .. } => "dashboard_month_step_days",
        _ => "dashboard_province_step_days",
    };
    let months = cut.months.map(|(from, to)| DaysRead {
        source: months,
        day: "month_from",
        from,
        to,
    });
    let days = cut.days.into_iter().map(|(from, to)| DaysRead {
        source: "dashboard_step_days",
        day: "day",
        from: Some(from),
        to: Some(to),
    });
    months.into_iter().chain(days).collect()
}

/// Sums `counts` into one per step and days, in that order (a read of several sources
/// names a duration more than once).
fn merge_step_days(counts: Vec<StepDays>) -> Vec<StepDays> {
    let mut merged: BTreeMap<(FunnelStep, i64), i64> = BTreeMap::new();
    for count in counts {
        *merged.entry((count.step, count.days)).or_default() += count.applications;
    }
    merged
        .into_iter()
        .map(|((step, days), applications)| StepDays {
            step,
            days,
            applications,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_migration_backfills_with_the_recomputation_itself() {
        // Establishes that both engines' migration 0034 fill the kept histograms with the
        // very statements the specs check them against, so nothing drifts.
        assert_eq!(
            crate::dashboard_rollups::missing_from_migrations(
                "0034_dashboard_step_days.sql",
                &backfill_step_days_sql()
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn the_months_without_the_bank_are_backfilled_from_those_by_bank() {
        // Establishes that both engines' migration 0035 fill the histogram without the
        // bank with the statement the history synthesis uses too.
        assert_eq!(
            crate::dashboard_rollups::missing_from_migrations(
                "0035_dashboard_province_step_days.sql",
                &[backfill_province_step_days_sql()]
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_step_reads_back_from_its_code() {
        // Establishes that the codes kept in the table name their steps one to one.
        for step in FunnelStep::ALL {
            assert_eq!(FunnelStep::parse(step.code()), Some(step));
        }
        assert_eq!(FunnelStep::parse("submitted"), None);
    }
}
