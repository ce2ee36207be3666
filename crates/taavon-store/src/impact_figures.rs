//! The impact figures' one grouped read (issue 14): per group and day of first
//! disbursement, the loans, rials disbursed, planned, reported and verified jobs, women's
//! verified jobs and those in underprivileged counties. Summed in SQL (a row per group
//! and day, never one per loan); the core folds the days into Jalali periods.

use sqlx::Row;
use taavon_core::access::ApplicationScope;
use taavon_core::calendar::IsoDate;
use taavon_core::impact::HireStatus;
use taavon_core::impact::figures::{FigureCell, Grouping};
use taavon_core::reference::ProvinceCode;

use crate::StoreError;
use crate::error::{corrupt, db};
use crate::filter::{Conditions, Value, bind_values, code_literal};
use crate::sums::{exact_sum_at, exact_sum_sql};
use crate::tx::Reader;

/// Which loans the figures sum, within the reader's scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FigureFilter {
    pub grouping: Grouping,
    /// First disbursed on or after / on or before.
    pub from: Option<IsoDate>,
    pub to: Option<IsoDate>,
    /// One province's loans (its page).
    pub province: Option<ProvinceCode>,
    /// One cooperative's loans (its page).
    pub cooperative_id: Option<i64>,
}

impl Reader {
    /// The figures' cells in `scope`, by group then day.
    pub async fn impact_figures(
        &mut self,
        scope: &ApplicationScope,
        filter: &FigureFilter,
    ) -> Result<Vec<FigureCell>, StoreError> {
        let mut loans = Conditions::default();
        if !loans.in_scope(scope, "bank") {
            return Ok(Vec::new());
        }
        loans.equals(
            "province",
            filter
                .province
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .as_ref(),
        );
        if let Some(id) = filter.cooperative_id {
            let p = loans.bind(Value::Int(id));
            loans.push(format!("cooperative_id = {p}"));
        }
        let mut days = Vec::new();
        for (bound, compare) in [(filter.from, ">="), (filter.to, "<=")] {
            if let Some(day) = bound {
                let p = loans.bind(Value::Text(day.to_string()));
                days.push(format!("f.day {compare} {p}"));
            }
        }
        let group = match filter.grouping {
            Grouping::Province => "s.province",
            Grouping::County => "a.county",
            Grouping::Sector => "a.sector",
            Grouping::Program => "s.program",
            Grouping::Bank => "s.bank",
        };
        let verified = code_literal(HireStatus::Verified.code());
        // Scope and filters apply to `loans` alone (its own column names), before any
        // join; tiers are the newest classification's.
        let sql = format!(
            "WITH scoped AS (SELECT id, province, program, bank, application_id, \
             disbursed_rial FROM loans {loans_where}), \
             f AS (SELECT t.loan_id, MIN(t.business_on) AS day FROM loan_transactions t \
             JOIN scoped s ON s.id = t.loan_id WHERE t.kind = 'disbursement' \
             AND NOT EXISTS (SELECT 1 FROM loan_transactions r WHERE r.reverses = t.id) \
             GROUP BY t.loan_id), \
             jobs AS (SELECT h.loan_id, COUNT(*) AS reported, \
             SUM(CASE WHEN h.status = {verified} THEN 1 ELSE 0 END) AS verified, \
             SUM(CASE WHEN h.status = {verified} AND h.woman THEN 1 ELSE 0 END) AS women \
             FROM loan_hires h JOIN scoped s ON s.id = h.loan_id GROUP BY h.loan_id) \
             SELECT {group}, f.day, COUNT(*), {rials}, \
             CAST(SUM(a.jobs) AS BIGINT), \
             CAST(SUM(COALESCE(h.reported, 0)) AS BIGINT), \
             CAST(SUM(COALESCE(h.verified, 0)) AS BIGINT), \
             CAST(SUM(COALESCE(h.women, 0)) AS BIGINT), \
             CAST(SUM(CASE WHEN ct.tier <= 2 THEN COALESCE(h.verified, 0) ELSE 0 END) AS BIGINT) \
             FROM scoped s JOIN f ON f.loan_id = s.id \
             JOIN applications a ON a.id = s.application_id \
             LEFT JOIN jobs h ON h.loan_id = s.id \
             LEFT JOIN county_tiers ct ON ct.county = a.county AND ct.classification_id = \
             (SELECT id FROM tier_classifications ORDER BY valid_from DESC, id DESC LIMIT 1) \
             {days_where} GROUP BY {group}, f.day ORDER BY {group}, f.day",
            loans_where = loans.where_sql(),
            rials = exact_sum_sql("s.disbursed_rial"),
            days_where = if days.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", days.join(" AND "))
            },
        );
        let raw: Vec<(String, String, [i64; 7])> = on!(&mut self.conn, |c| {
            bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &loans.values)
                .fetch_all(c)
                .await
                .map_err(db("summing the impact figures"))?
                .iter()
                .map(|row| {
                    let rials = exact_sum_at(row, 3)?;
                    Ok((
                        row.try_get(0)?,
                        row.try_get(1)?,
                        [
                            row.try_get(2)?,
                            i64::try_from(rials).unwrap_or(i64::MAX),
                            row.try_get(5)?,
                            row.try_get(6)?,
                            row.try_get(7)?,
                            row.try_get(8)?,
                            row.try_get(9)?,
                        ],
                    ))
                })
                .collect::<Result<_, sqlx::Error>>()
                .map_err(db("reading the impact figures"))?
        });
        raw.into_iter()
            .map(|(group, day, sums)| {
                let disbursed_on = IsoDate::parse(&day)
                    .map_err(|_| corrupt(format!("impact figures: disbursed on {day}")))?;
                let [
                    loans,
                    disbursed_rial,
                    planned,
                    reported,
                    verified,
                    verified_women,
                    under,
                ] = sums;
                Ok(FigureCell {
                    group,
                    disbursed_on,
                    loans,
                    disbursed_rial,
                    planned,
                    reported,
                    verified,
                    verified_women,
                    verified_underprivileged: under,
                })
            })
            .collect()
    }
}
