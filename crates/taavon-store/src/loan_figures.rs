//! The loans of each county for the synergy map (issue 15, migration 0031): per province,
//! county and bank, the loans counted (those with a disbursement not reversed, under
//! their application's county), the rials they disbursed and their verified jobs. Kept
//! in `loan_county_figures` so a county page reads a row per county and bank rather than
//! grouping the loans, their transactions and hires on every view.
//!
//! Each counted loan's share is kept in `loan_figure_parts`. A write that changes a
//! loan's disbursements or hires marks the loan (`loan_figures_changed`); the commit
//! replaces the marked loans' parts and moves the county figures by the difference, in
//! the same transaction — after the change's last statement, so the order in which a
//! use case writes a transaction, the loan and its hires does not matter. The specs
//! hold the kept figures to the impact figures' grouped read of the records.

use sqlx::Row;
use taavon_core::access::ApplicationScope;

use crate::StoreError;
use crate::error::db;
use crate::filter::{Conditions, bind_values};
use crate::tx::{Reader, WriteTx};

/// One county's loans, summed over the banks the reader may see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoanCountyFigure {
    pub county: String,
    pub loans: i64,
    pub disbursed_rial: i64,
    pub verified_jobs: i64,
}

impl WriteTx {
    /// Notes that a loan's disbursements or hires changed: its share of the county
    /// figures is recomputed when this change commits.
    pub(crate) fn loan_figures_changed(&mut self, loan_id: i64) {
        self.figure_loans.insert(loan_id);
    }
}

impl Reader {
    /// The loans of each county (of one province, or the nation) that `scope` sees: a
    /// row per county, province and bank kept is summed (a representative's, from its
    /// cooperative's loans' parts). Counties without a counted loan are left out (a row
    /// a loan's moved part left at zero among them).
    pub async fn loan_county_figures(
        &mut self,
        scope: &ApplicationScope,
        province: Option<&str>,
    ) -> Result<Vec<LoanCountyFigure>, StoreError> {
        let mut conditions = Conditions::default();
        if !conditions.in_scope(scope, "bank") {
            return Ok(Vec::new());
        }
        conditions.equals("province", province.map(str::to_owned).as_ref());
        let (table, loans) = match scope {
            ApplicationScope::Cooperative(_) => ("loan_figure_parts", "COUNT(*)"),
            _ => ("loan_county_figures", "CAST(SUM(loans) AS BIGINT)"),
        };
        let sql = format!(
            "SELECT county, {loans}, CAST(SUM(disbursed_rial) AS BIGINT), \
             CAST(SUM(verified_jobs) AS BIGINT) FROM {table} {} \
             GROUP BY county HAVING {loans} > 0 ORDER BY county",
            conditions.where_sql()
        );
        Ok(on!(&mut self.conn, |c| bind_values!(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            &conditions.values
        )
        .fetch_all(c)
        .await
        .map_err(db("reading the counties' loan figures"))?
        .iter()
        .map(|row| {
            Ok(LoanCountyFigure {
                county: row.try_get(0)?,
                loans: row.try_get(1)?,
                disbursed_rial: row.try_get(2)?,
                verified_jobs: row.try_get(3)?,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db("decoding the counties' loan figures"))?))
    }
}
