//! The support requests of each county for the synergy map (issue 15): one grouped read —
//! per county (the requesting cooperative's, or the individual client's), the requests
//! not yet closed, those answered and the calendar days their first answers took in all —
//! never a read per request or per county.

use sqlx::Row;
use taavon_core::support::RequestStatus;

use crate::StoreError;
use crate::error::db;
use crate::filter::code_literal;
use crate::tx::Reader;

/// One county's support requests, summed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SupportCountyFigure {
    pub county: String,
    /// Requests in any status but closed.
    pub open: i64,
    /// Requests with a first answer.
    pub answered: i64,
    /// Calendar days from filing to the first answer, summed over the answered ones.
    pub answer_days: i64,
}

/// A day number of an ISO date column (`YYYY-MM-DD`) in integer arithmetic both engines
/// share — the proleptic Gregorian day count from a fixed epoch (Hinnant's
/// `days_from_civil`, March-based years): only differences of two are used.
fn day_number_sql(column: &str) -> String {
    let month = format!("CAST(SUBSTR({column}, 6, 2) AS INTEGER)");
    let year = format!(
        "(CAST(SUBSTR({column}, 1, 4) AS INTEGER) - CASE WHEN {month} <= 2 THEN 1 ELSE 0 END)"
    );
    format!(
        "(365 * {year} + {year} / 4 - {year} / 100 + {year} / 400 \
         + (153 * (({month} + 9) % 12) + 2) / 5 + CAST(SUBSTR({column}, 9, 2) AS INTEGER))"
    )
}

impl Reader {
    /// Every county's support requests in `province` (the nation's when none).
    pub async fn support_county_figures(
        &mut self,
        province: Option<&str>,
    ) -> Result<Vec<SupportCountyFigure>, StoreError> {
        let closed = code_literal(RequestStatus::Closed.code());
        let sql = format!(
            "SELECT COALESCE(c.county, k.county) AS county, \
             CAST(SUM(CASE WHEN r.status <> {closed} THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN r.answered_on IS NULL THEN 0 ELSE 1 END) AS BIGINT), \
             CAST(SUM(CASE WHEN r.answered_on IS NULL THEN 0 ELSE {answered} - {filed} END) \
             AS BIGINT) \
             FROM support_requests r \
             LEFT JOIN cooperatives c ON c.id = r.cooperative_id \
             LEFT JOIN clients k ON k.id = r.client_id \
             WHERE ($1 IS NULL OR r.province = $1) \
             GROUP BY COALESCE(c.county, k.county) ORDER BY 1",
            answered = day_number_sql("r.answered_on"),
            filed = day_number_sql("r.filed_on"),
        );
        Ok(on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(province)
        .fetch_all(c)
        .await
        .map_err(db("summing the counties' support requests"))?
        .iter()
        .map(|row| {
            Ok(SupportCountyFigure {
                county: row.try_get(0)?,
                open: row.try_get(1)?,
                answered: row.try_get(2)?,
                answer_days: row.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db("reading the counties' support requests"))?))
    }
}
