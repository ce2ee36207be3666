//! The dashboards' figures beyond the days' (migration 0033), so that no dashboard read
//! grows with the history: the days' sums kept again per Jalali month
//! (`dashboard_month_figures`), so a season's or a year's dashboard reads a row per
//! month and area rather than one per day; and the money committed kept as a running
//! total per area and bank (`dashboard_commitments`, with the first day the area
//! recorded anything), so what is committed at a period's end is that total less what
//! moved after the end — nothing at all for the current period — rather than a sum over
//! every day since the first.
//!
//! Both are added to from the rows the days' figures add, in the same transaction
//! (`WriteTx::add_to_dashboard`). A day's month is read from `jalali_months` (the first
//! days of the Jalali months the migration writes from the core's calendar), so the
//! writes, the migration's backfill and the core's month arithmetic agree.

use std::collections::BTreeMap;

use sqlx::Row;
use taavon_core::access::ApplicationScope;
use taavon_core::calendar::{IsoDate, JalaliDate, JalaliMonth};

use crate::StoreError;
use crate::dashboard_sums::{
    DashboardCell, DashboardFilter, DashboardGrouping, DashboardSums, MEASURES, measure_sums_sql,
};
use crate::error::db;
use crate::filter::{Conditions, bind_values};
use crate::tx::Reader;

#[cfg(test)]
/// The Jalali years `jalali_months` holds (1921-03-21 to 2121-03-20): every day a
/// record of the registry carries.
const CALENDAR_YEARS: std::ops::RangeInclusive<i32> = 1300..=1499;

/// The key columns of `dashboard_month_figures` (the month by its first ISO day).
const MONTH_KEY: &str = "month_from, province, program, bank, underprivileged";
/// The key columns of `dashboard_commitments`.
const AREA_KEY: &str = "province, program, bank, underprivileged";

/// A span of days as the Jalali months it holds whole, read from the months' figures,
/// and the days at either end outside them, read from the days'.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MonthCut {
    /// The first days of the first and the last whole month (`None`: unbounded); `None`
    /// when the span holds no whole month.
    pub(crate) months: Option<(Option<IsoDate>, Option<IsoDate>)>,
    pub(crate) days: Vec<(IsoDate, IsoDate)>,
}

impl MonthCut {
    /// The cut of the days from `from` to `to`, inclusive (`None`: unbounded).
    pub(crate) fn of(from: Option<IsoDate>, to: Option<IsoDate>) -> Self {
        let month = |day: IsoDate| JalaliMonth::of(JalaliDate::from(day));
        let first_day = |month: JalaliMonth| month.first_day().to_iso();
        let last_day = |month: JalaliMonth| first_day(month.add_months(1)).add_days(-1);
        let first = from.map(|from| match month(from) {
            m if first_day(m) == from => m,
            m => m.add_months(1),
        });
        let last = to.map(|to| match month(to) {
            m if last_day(m) == to => m,
            m => m.add_months(-1),
        });
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Self {
                    months: None,
                    days: Vec::new(),
                };
            }
            if first > last {
                return Self {
                    months: None,
                    days: vec![(from, to)],
                };
            }
        }
        let mut days = Vec::new();
        if let (Some(from), Some(first)) = (from, first)
            && from < first_day(first)
        {
            days.push((from, first_day(first).add_days(-1)));
        }
        if let (Some(to), Some(last)) = (to, last)
            && last_day(last) < to
        {
            days.push((last_day(last).add_days(1), to));
        }
        Self {
            months: Some((first.map(first_day), last.map(first_day))),
            days,
        }
    }
}

/// The first day of the Jalali month `day` falls in.
pub(crate) fn month_start(day: IsoDate) -> IsoDate {
    JalaliMonth::of(JalaliDate::from(day)).first_day().to_iso()
}

/// The first day of the Jalali month the ISO day `day` (an SQL expression) falls in.
pub(crate) fn month_of_sql(day: &str) -> String {
    format!(
        "(SELECT m.first_day FROM jalali_months m WHERE m.first_day <= {day} \
         ORDER BY m.first_day DESC LIMIT 1)"
    )
}

/// The calendar rows migration 0033 writes (checked against it by a test below).
#[cfg(test)]
fn jalali_months_sql() -> String {
    let first = JalaliMonth::farvardin(*CALENDAR_YEARS.start());
    let months = (CALENDAR_YEARS.end() - CALENDAR_YEARS.start() + 1) * 12;
    let values = (0..months)
        .map(|n| format!("('{}')", first.add_months(n).first_day().to_iso()))
        .collect::<Vec<_>>()
        .join(", ");
    format!("INSERT INTO jalali_months (first_day) VALUES {values}")
}

/// The upsert adding `rows` (a source in the columns of the days' figures) to `table`,
/// whose key columns `key` take `key_values`: the `added` columns are added to, the
/// `earliest` keep the earlier value.
pub(crate) fn upsert_sql(
    table: &str,
    (key, key_values): (&str, &str),
    (added, earliest): (&[&str], &[&str]),
    rows: &str,
) -> String {
    let columns = added
        .iter()
        .chain(earliest)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let updates = added
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .chain(earliest.iter().map(|c| {
            format!(
                "{c} = CASE WHEN excluded.{c} < {table}.{c} THEN excluded.{c} ELSE {table}.{c} END"
            )
        }))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO {table} ({key}, {columns}) SELECT {key_values}, {columns} FROM ({rows}) g \
         WHERE true ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )
}

/// The upserts adding the days' figures' `rows` to the months' figures and to the
/// running commitments.
pub(crate) fn add_to_rollups_sql(rows: &str) -> [String; 2] {
    [
        upsert_sql(
            "dashboard_month_figures",
            (MONTH_KEY, &format!("{}, {AREA_KEY}", month_of_sql("g.day"))),
            (&MEASURES, &[]),
            rows,
        ),
        upsert_sql(
            "dashboard_commitments",
            (AREA_KEY, AREA_KEY),
            (&["committed_rial"], &["first_day"]),
            &format!("SELECT {AREA_KEY}, committed_rial, day AS first_day FROM ({rows}) r"),
        ),
    ]
}

/// The migration's backfills of both from the days' figures (what
/// migrations/*/0033_dashboard_rollups.sql holds, checked by a test below).
pub(crate) fn backfill_rollups_sql() -> [String; 2] {
    [
        format!(
            "INSERT INTO dashboard_month_figures ({MONTH_KEY}, {}) SELECT {MONTH_KEY}, {} \
             FROM (SELECT {} AS month_from, d.* FROM dashboard_figures d) r GROUP BY {MONTH_KEY}",
            MEASURES.join(", "),
            measure_sums_sql(),
            month_of_sql("d.day")
        ),
        format!(
            "INSERT INTO dashboard_commitments ({AREA_KEY}, committed_rial, first_day) \
             SELECT {AREA_KEY}, SUM(committed_rial), MIN(day) FROM dashboard_figures \
             GROUP BY {AREA_KEY}"
        ),
    ]
}

/// Folds `cells` into one per group, in key order: by day, by Jalali month (each
/// labelled with its first day) or by area.
pub(crate) fn merge(cells: Vec<DashboardCell>, grouping: DashboardGrouping) -> Vec<DashboardCell> {
    let mut merged: BTreeMap<(String, String, String, bool), DashboardSums> = BTreeMap::new();
    for cell in cells {
        let day = match grouping {
            DashboardGrouping::Month => IsoDate::parse(&cell.day)
                .map(|day| month_start(day).to_string())
                .unwrap_or(cell.day),
            DashboardGrouping::Day | DashboardGrouping::Area => cell.day,
        };
        merged
            .entry((day, cell.province, cell.program, cell.underprivileged))
            .or_default()
            .add(&cell.sums);
    }
    merged
        .into_iter()
        .map(
            |((day, province, program, underprivileged), sums)| DashboardCell {
                day,
                province,
                program,
                underprivileged,
                sums,
            },
        )
        .collect()
}

/// Only what is committed of each cell.
pub(crate) fn committed_only(cells: Vec<DashboardCell>) -> Vec<DashboardCell> {
    cells
        .into_iter()
        .map(|cell| DashboardCell {
            sums: DashboardSums {
                committed_rial: cell.sums.committed_rial,
                ..DashboardSums::default()
            },
            ..cell
        })
        .collect()
}

impl Reader {
    /// What is committed at the end of the day `at` in `scope`, by area (province ×
    /// program × underprivileged, `committed_rial` alone): every area that recorded
    /// anything by then, as the days' figures summed from the first day would say — a
    /// running total less what moved after `at` (a cooperative's from its own records).
    pub async fn dashboard_committed(
        &mut self,
        scope: &ApplicationScope,
        at: IsoDate,
    ) -> Result<Vec<DashboardCell>, StoreError> {
        let until = |from| DashboardFilter {
            grouping: DashboardGrouping::Area,
            from,
            to: Some(at),
        };
        if let ApplicationScope::Cooperative(_) = scope {
            let cells = self
                .dashboard_figures_from_records(scope, &until(None))
                .await?;
            return Ok(committed_only(cells));
        }
        let running = self.running_commitments(scope, at).await?;
        let after = self
            .dashboard_figures(
                scope,
                &DashboardFilter {
                    grouping: DashboardGrouping::Area,
                    from: Some(at.add_days(1)),
                    to: None,
                },
            )
            .await?;
        let mut committed: BTreeMap<(String, String, bool), i64> = running
            .into_iter()
            .map(|cell| {
                (
                    (cell.province, cell.program, cell.underprivileged),
                    cell.sums.committed_rial,
                )
            })
            .collect();
        for cell in after {
            // An area first seen after `at` is not one of the period's.
            if let Some(sum) =
                committed.get_mut(&(cell.province, cell.program, cell.underprivileged))
            {
                *sum -= cell.sums.committed_rial;
            }
        }
        Ok(committed
            .into_iter()
            .map(
                |((province, program, underprivileged), committed_rial)| DashboardCell {
                    day: String::new(),
                    province,
                    program,
                    underprivileged,
                    sums: DashboardSums {
                        committed_rial,
                        ..DashboardSums::default()
                    },
                },
            )
            .collect())
    }

    /// The running commitments by area of the areas that recorded anything by `at`.
    async fn running_commitments(
        &mut self,
        scope: &ApplicationScope,
        at: IsoDate,
    ) -> Result<Vec<DashboardCell>, StoreError> {
        let mut conditions = Conditions::default();
        if !conditions.in_scope(scope, "bank") {
            return Ok(Vec::new());
        }
        // An area's total is every bank's, even one first seen after `at`: what that bank
        // moved after `at` is taken off with the rest.
        let sql = format!(
            "SELECT province, program, CAST(underprivileged AS BIGINT), \
             CAST(SUM(committed_rial) AS BIGINT), MIN(first_day) FROM dashboard_commitments {} \
             GROUP BY province, program, underprivileged",
            conditions.where_sql()
        );
        let at = at.to_string();
        let cells = on!(&mut self.conn, |c| {
            bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &conditions.values)
                .fetch_all(c)
                .await
                .map_err(db("summing the running commitments"))?
                .iter()
                .map(|row| {
                    Ok((
                        row.try_get::<String, _>(4)?,
                        DashboardCell {
                            day: String::new(),
                            province: row.try_get(0)?,
                            program: row.try_get(1)?,
                            underprivileged: row.try_get::<i64, _>(2)? != 0,
                            sums: DashboardSums {
                                committed_rial: row.try_get(3)?,
                                ..DashboardSums::default()
                            },
                        },
                    ))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(db("reading the running commitments"))?
        });
        Ok(cells
            .into_iter()
            .filter(|(first_day, _)| *first_day <= at)
            .map(|(_, cell)| cell)
            .collect())
    }
}

/// Which of `statements` both engines' migration `file` does not hold, whitespace aside,
/// each named with its engine.
#[cfg(test)]
pub(crate) fn missing_from_migrations(file: &str, statements: &[String]) -> Vec<String> {
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut missing = Vec::new();
    for engine in ["sqlite", "postgres"] {
        let path = format!("{}/migrations/{engine}/{file}", env!("CARGO_MANIFEST_DIR"));
        let migration =
            std::fs::read_to_string(&path).map_or_else(|e| e.to_string(), |m| words(&m));
        missing.extend(
            statements
                .iter()
                .filter(|statement| !migration.contains(&format!("{};", words(statement))))
                .map(|statement| format!("{engine}: {statement}")),
        );
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> IsoDate {
        IsoDate::parse(text).unwrap()
    }

    #[test]
    fn a_span_is_cut_into_its_whole_jalali_months_and_the_days_around_them() {
        // Establishes the cut of a Jalali year (months alone), of a range with days at both
        // ends, of one inside a month (days alone), of open ends and of an empty span.
        // Mehr 1404 is 2025-09-23 to 2025-10-22; Farvardin 1404 starts 2025-03-21.
        let year = MonthCut::of(Some(day("2025-03-21")), Some(day("2026-03-20")));
        assert_eq!(
            year,
            MonthCut {
                months: Some((Some(day("2025-03-21")), Some(day("2026-02-20")))),
                days: Vec::new(),
            }
        );
        let range = MonthCut::of(Some(day("2025-09-30")), Some(day("2025-12-01")));
        assert_eq!(
            range,
            MonthCut {
                months: Some((Some(day("2025-10-23")), Some(day("2025-10-23")))),
                days: vec![
                    (day("2025-09-30"), day("2025-10-22")),
                    (day("2025-11-22"), day("2025-12-01")),
                ],
            }
        );
        let inside = MonthCut::of(Some(day("2025-09-30")), Some(day("2025-10-30")));
        assert_eq!(inside.months, None);
        assert_eq!(inside.days, vec![(day("2025-09-30"), day("2025-10-30"))]);
        let after = MonthCut::of(Some(day("2025-09-30")), None);
        assert_eq!(
            after,
            MonthCut {
                months: Some((Some(day("2025-10-23")), None)),
                days: vec![(day("2025-09-30"), day("2025-10-22"))],
            }
        );
        let until = MonthCut::of(None, Some(day("2025-09-30")));
        assert_eq!(
            until,
            MonthCut {
                months: Some((None, Some(day("2025-08-23")))),
                days: vec![(day("2025-09-23"), day("2025-09-30"))],
            }
        );
        assert_eq!(
            MonthCut::of(Some(day("2025-09-30")), Some(day("2025-09-29"))),
            MonthCut {
                months: None,
                days: Vec::new(),
            }
        );
    }

    #[test]
    fn the_migration_holds_the_calendar_and_the_backfills_the_store_uses() {
        // Establishes that both engines' migration 0033 write the core's Jalali months and
        // fill the kept tables with the very statements written here, so nothing drifts.
        let statements: Vec<String> = [jalali_months_sql()]
            .into_iter()
            .chain(backfill_rollups_sql())
            .collect();
        assert_eq!(
            missing_from_migrations("0033_dashboard_rollups.sql", &statements),
            Vec::<String>::new()
        );
    }
}
