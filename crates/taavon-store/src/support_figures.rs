//! The support requests of each county for the synergy map (issue 15): per county (the
//! requesting cooperative's, or the individual client's), the requests not yet closed,
//! those answered and the calendar days their first answers took in all. Kept in
//! `support_county_figures` (migration 0025): filing a request and every change of one
//! add their difference in the same transaction, so the map reads a row per county
//! whatever the requests number. `support_county_figures_from_records` sums the
//! requests themselves, the check the specs hold the kept figures to.

use sqlx::Row;
use taavon_core::calendar::IsoDate;
use taavon_core::support::RequestStatus;

use crate::StoreError;
use crate::error::db;
use crate::filter::code_literal;
use crate::tx::{Reader, WriteTx};

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

/// A county's support figures from a row of (county, open, answered, answer days), on
/// either engine's row type.
macro_rules! county_figure {
    ($row:expr) => {
        Ok::<_, sqlx::Error>(SupportCountyFigure {
            county: $row.try_get(0)?,
            open: $row.try_get(1)?,
            answered: $row.try_get(2)?,
            answer_days: $row.try_get(3)?,
        })
    };
}

/// A day number of an ISO date column (`YYYY-MM-DD`) in integer arithmetic both engines
/// share — the proleptic Gregorian day count from a fixed epoch (Hinnant's
/// `days_from_civil`, March-based years): only differences of two are used.
pub(crate) fn day_number_sql(column: &str) -> String {
    let month = format!("CAST(SUBSTR({column}, 6, 2) AS INTEGER)");
    let year = format!(
        "(CAST(SUBSTR({column}, 1, 4) AS INTEGER) - CASE WHEN {month} <= 2 THEN 1 ELSE 0 END)"
    );
    format!(
        "(365 * {year} + {year} / 4 - {year} / 100 + {year} / 400 \
         + (153 * (({month} + 9) % 12) + 2) / 5 + CAST(SUBSTR({column}, 9, 2) AS INTEGER))"
    )
}

/// What one request adds to its county's figures, as it stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RequestShare {
    open: i64,
    answered: i64,
    answer_days: i64,
}

impl RequestShare {
    /// A request of `status`, filed on `filed_on` and first answered on `answered_on`
    /// (ISO days; a day that does not parse counts no days, as it never should).
    pub(crate) fn of(status: RequestStatus, filed_on: &str, answered_on: Option<&str>) -> Self {
        let day = |text: &str| {
            IsoDate::parse(text)
                .ok()
                .map(IsoDate::days_since_unix_epoch)
        };
        Self {
            open: i64::from(status != RequestStatus::Closed),
            answered: i64::from(answered_on.is_some()),
            answer_days: match answered_on.map(day) {
                Some(Some(answered)) => day(filed_on).map_or(0, |filed| answered - filed),
                _ => 0,
            },
        }
    }

    /// What moving from `self` to `after` adds.
    pub(crate) fn to(self, after: Self) -> Self {
        Self {
            open: after.open - self.open,
            answered: after.answered - self.answered,
            answer_days: after.answer_days - self.answer_days,
        }
    }
}

impl WriteTx {
    /// Adds `share` to the figures of the county of the request's cooperative or client
    /// in `province` (nothing when it adds nothing).
    pub(crate) async fn add_to_support_figures(
        &mut self,
        province: &str,
        cooperative_id: Option<i64>,
        client_id: Option<i64>,
        share: RequestShare,
    ) -> Result<(), StoreError> {
        if share == RequestShare::default() {
            return Ok(());
        }
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO support_county_figures (province, county, open_requests, \
             answered_requests, answer_days) \
             SELECT $1, COALESCE((SELECT county FROM cooperatives WHERE id = $2), \
             (SELECT county FROM clients WHERE id = $3)), $4, $5, $6 WHERE true \
             ON CONFLICT (province, county) DO UPDATE SET \
             open_requests = support_county_figures.open_requests + excluded.open_requests, \
             answered_requests = support_county_figures.answered_requests \
             + excluded.answered_requests, \
             answer_days = support_county_figures.answer_days + excluded.answer_days"
        )
        .bind(province)
        .bind(cooperative_id)
        .bind(client_id)
        .bind(share.open)
        .bind(share.answered)
        .bind(share.answer_days)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("adding to the counties' support figures"))?);
        Ok(())
    }
}

impl Reader {
    /// Every county's support requests in `province` (the nation's when none), as kept:
    /// a row per county.
    pub async fn support_county_figures(
        &mut self,
        province: Option<&str>,
    ) -> Result<Vec<SupportCountyFigure>, StoreError> {
        Ok(on!(&mut self.conn, |c| sqlx::query(
            "SELECT county, CAST(SUM(open_requests) AS BIGINT), \
             CAST(SUM(answered_requests) AS BIGINT), CAST(SUM(answer_days) AS BIGINT) \
             FROM support_county_figures WHERE ($1 IS NULL OR province = $1) \
             GROUP BY county ORDER BY 1"
        )
        .bind(province)
        .fetch_all(c)
        .await
        .map_err(db("reading the counties' support figures"))?
        .iter()
        .map(|row| county_figure!(row))
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db("decoding the counties' support figures"))?))
    }

    /// The same figures summed from the requests themselves: one grouped read over a
    /// province's requests (the check of the kept figures, never a page's read).
    pub async fn support_county_figures_from_records(
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
        .map(|row| county_figure!(row))
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db("reading the counties' support requests"))?))
    }
}
