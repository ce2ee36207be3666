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
//! and the recomputation the specs hold the kept counts to. A history written in bulk
//! rebuilds them with an equivalent SELECT finding every event's step before in one
//! pass (`rebuild_step_days_sql`), which the same specs hold to the same counts.

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

    /// The state an application event reaching this step moves to, and what its days
    /// count from (`None`: a loan transaction's step).
    const fn event_move(self) -> Option<(ApplicationState, StepStart)> {
        use ApplicationState as S;
        match self {
            Self::Eligible => Some((S::UnderReview, StepStart::Submission)),
            Self::Approved => Some((S::Approved, StepStart::Reached(S::UnderReview))),
            Self::Referred => Some((S::Referred, StepStart::Reached(S::Approved))),
            Self::Contracted => Some((S::Contracted, StepStart::Reached(S::Referred))),
            Self::Disbursed => None,
        }
    }
}

/// The move an application event reaching a step counts its days from.
#[derive(Clone, Copy)]
enum StepStart {
    /// The latest submission up to the event, which may be the event itself (a draft
    /// submitted straight into review).
    Submission,
    /// The latest move into this state before the event.
    Reached(ApplicationState),
}

impl StepStart {
    /// Whether the move `alias` (a change of state) is this start.
    fn condition(self, alias: &str) -> String {
        use ApplicationState as S;
        match self {
            Self::Submission => format!(
                "{alias}.from_state = {} AND {alias}.to_state IN ({})",
                code_literal(S::Draft.code()),
                code_list(&[S::Submitted, S::UnderReview, S::Ineligible])
            ),
            Self::Reached(state) => format!("{alias}.to_state = {}", code_literal(state.code())),
        }
    }

    /// Whether the start may be the event itself.
    const fn may_be_the_event(self) -> bool {
        matches!(self, Self::Submission)
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

/// Each step an application event reaches, with what its days count from.
fn event_moves() -> Vec<(FunnelStep, ApplicationState, StepStart)> {
    FunnelStep::ALL
        .into_iter()
        .filter_map(|step| step.event_move().map(|(state, start)| (step, state, start)))
        .collect()
}

/// The steps application events (`e`) meeting `condition` reached, one row each: (day,
/// province, bank, step, days, cooperative_id, applications = 1). The step before is the
/// latest event reaching it, looked up per event (`StepStart`).
fn event_steps_sql(condition: &str) -> String {
    let previous = event_moves()
        .into_iter()
        .map(|(_, state, start)| {
            format!(
                "(e.to_state = {} AND q.id {} e.id AND {})",
                code_literal(state.code()),
                if start.may_be_the_event() { "<=" } else { "<" },
                start.condition("q")
            )
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    event_steps_from_sql(
        "application_events e",
        &format!(
            "(SELECT MAX(q.id) FROM application_events q \
             WHERE q.application_id = e.application_id AND q.from_state <> q.to_state \
             AND ({previous}))"
        ),
        condition,
    )
}

/// The same rows for every application event at once, the step before found by a
/// running maximum over each application's moves in id order: one ordered pass over the
/// events (by their index) instead of a lookup per event, seven million of them at
/// national scale. For rebuilding the histograms whole (`rebuild_step_days_sql`).
fn every_event_step_sql() -> String {
    let starts = event_moves()
        .into_iter()
        .map(|(_, state, start)| {
            format!(
                "WHEN {} THEN MAX(CASE WHEN {} THEN m.id END) OVER (PARTITION BY \
                 m.application_id ORDER BY m.id ROWS BETWEEN UNBOUNDED PRECEDING AND {})",
                code_literal(state.code()),
                start.condition("m"),
                if start.may_be_the_event() {
                    "CURRENT ROW"
                } else {
                    "1 PRECEDING"
                }
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    event_steps_from_sql(
        &format!(
            "(SELECT m.*, CASE m.to_state {starts} END AS start_id \
             FROM application_events m WHERE m.from_state <> m.to_state) e"
        ),
        "e.start_id",
        "true",
    )
}

/// The steps the application events `events` (as `e`) meeting `condition` reached, each
/// counted from the event whose id is `start`.
fn event_steps_from_sql(events: &str, start: &str, condition: &str) -> String {
    let moves = event_moves();
    let step = moves
        .iter()
        .map(|(step, state, _)| {
            format!("WHEN {} THEN '{}'", code_literal(state.code()), step.code())
        })
        .collect::<Vec<_>>()
        .join(" ");
    let reached = code_list(&moves.iter().map(|(_, s, _)| *s).collect::<Vec<_>>());
    format!(
        "SELECT SUBSTR(e.at, 1, 10) AS day, a.province AS province, {bank} AS bank, \
         CASE e.to_state {step} END AS step, {days} AS days, \
         a.cooperative_id AS cooperative_id, 1 AS applications \
         FROM {events} JOIN applications a ON a.id = e.application_id \
         JOIN application_events p ON p.id = {start} \
         WHERE e.from_state <> e.to_state AND e.to_state IN ({reached}) AND {condition}",
        bank = event_bank_sql(),
        days = days_between_sql("p.at", "e.at"),
    )
}

/// The first disbursements among the loan transactions (`t`) meeting `condition`, in
/// the columns of `event_steps_sql`: days from the application's (latest) contract,
/// each looked up per transaction.
fn disbursement_steps_sql(condition: &str) -> String {
    let disbursement = code_literal(TransactionKind::Disbursement.code());
    format!(
        "SELECT {columns} \
         FROM loan_transactions t JOIN loans l ON l.id = t.loan_id \
         JOIN applications a ON a.id = l.application_id \
         JOIN application_events p ON p.id = (SELECT MAX(q.id) FROM application_events q \
         WHERE q.application_id = a.id AND q.from_state <> q.to_state \
         AND q.to_state = {contracted}) \
         WHERE t.kind = {disbursement} AND t.id = (SELECT MIN(d.id) \
         FROM loan_transactions d WHERE d.loan_id = t.loan_id AND d.kind = {disbursement}) \
         AND {condition}",
        columns = disbursement_step_columns(),
        contracted = code_literal(ApplicationState::Contracted.code()),
    )
}

/// The same rows for every loan at once: each loan's first disbursement and each
/// application's latest contract found by grouping, then joined on equal ids, so no plan
/// can turn a million loans into a lookup per pair (PostgreSQL's estimate of the
/// per-transaction lookups, one row, made it loop over loans × transactions).
fn every_disbursement_step_sql() -> String {
    format!(
        "SELECT {columns} \
         FROM (SELECT loan_id, MIN(id) AS id FROM loan_transactions \
         WHERE kind = {disbursement} GROUP BY loan_id) f \
         JOIN loan_transactions t ON t.id = f.id JOIN loans l ON l.id = t.loan_id \
         JOIN applications a ON a.id = l.application_id \
         JOIN (SELECT application_id, MAX(id) AS id FROM application_events \
         WHERE from_state <> to_state AND to_state = {contracted} \
         GROUP BY application_id) c ON c.application_id = a.id \
         JOIN application_events p ON p.id = c.id",
        columns = disbursement_step_columns(),
        disbursement = code_literal(TransactionKind::Disbursement.code()),
        contracted = code_literal(ApplicationState::Contracted.code()),
    )
}

/// A first disbursement's row (loan transaction `t` of loan `l`, application `a`,
/// contracted by event `p`) in the columns of `event_steps_sql`.
fn disbursement_step_columns() -> String {
    format!(
        "t.business_on AS day, l.province AS province, l.bank AS bank, \
         '{step}' AS step, {days} AS days, a.cooperative_id AS cooperative_id, \
         1 AS applications",
        step = FunnelStep::Disbursed.code(),
        days = days_between_sql("p.at", "t.business_on"),
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

/// Migration 0034's backfills: the days' histogram from every record, the months' from
/// the days' (what migrations/*/0034_dashboard_step_days.sql holds, checked by a test
/// below).
#[cfg(test)]
fn backfill_step_days_sql() -> [String; 2] {
    [
        step_days_from_sql(&step_records_sql("true")),
        month_step_days_sql(),
    ]
}

/// The histograms rebuilt from every record as migration 0034 fills them, with joins
/// a national history can afford (`every_step_record_sql`): for a history written in
/// bulk.
pub(crate) fn rebuild_step_days_sql() -> [String; 2] {
    [
        step_days_from_sql(&every_step_record_sql()),
        month_step_days_sql(),
    ]
}

/// Every step reached by the records, as `step_records_sql("true")` finds them but in
/// one pass over the events and one grouping of the disbursements.
fn every_step_record_sql() -> String {
    format!(
        "{} UNION ALL {}",
        every_event_step_sql(),
        every_disbursement_step_sql()
    )
}

/// Fills the days' histogram from `records` (in the columns of `event_steps_sql`).
fn step_days_from_sql(records: &str) -> String {
    format!(
        "INSERT INTO dashboard_step_days ({STEP_KEY}, applications) \
         SELECT {STEP_KEY}, COUNT(*) FROM ({records}) r GROUP BY {STEP_KEY}"
    )
}

/// Fills the months' histogram from the days'.
fn month_step_days_sql() -> String {
    format!(
        "INSERT INTO dashboard_month_step_days ({MONTH_STEP_KEY}, applications) \
         SELECT {MONTH_STEP_KEY}, SUM(applications) FROM (SELECT {} AS month_from, d.* \
         FROM dashboard_step_days d) r GROUP BY {MONTH_STEP_KEY}",
        month_of_sql("d.day")
    )
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
    /// month cut at a day), as the nation reads them (the months without the bank);
    /// where the bulk rebuild's statement counts otherwise; and where the months by
    /// bank, summed over the banks, differ from those without.
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
        // The bulk rebuild's statement finds the same steps as the lookups per record.
        let rebuilt = format!("({})", every_step_record_sql());
        let rebuilt = self
            .sum_step_days(
                &DaysRead {
                    source: &rebuilt,
                    day: "day",
                    from: None,
                    to: None,
                },
                &scope,
            )
            .await?;
        let records = self
            .dashboard_step_days_from_records(&scope, None, None)
            .await?;
        if merge_step_days(rebuilt.clone()) != records {
            differences.push(format!(
                "step days rebuilt in bulk {rebuilt:?}, from the records {records:?}"
            ));
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
