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

use std::collections::BTreeSet;

use sqlx::Row;
use taavon_core::access::ApplicationScope;
use taavon_core::impact::HireStatus;

use crate::StoreError;
use crate::conn::Conn;
use crate::error::db;
use crate::filter::{Conditions, bind_values, code_literal};
use crate::tx::{Reader, WriteTx};

/// Loans whose parts one statement replaces (bounds its placeholders on both engines).
const REFRESH_CHUNK: usize = 1_000;

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

/// Replaces the parts of `loans` and adds the difference to the county figures: the old
/// parts are taken away, the parts recomputed from the records, and the new ones added.
pub(crate) async fn refresh(conn: &mut Conn, loans: &BTreeSet<i64>) -> Result<(), StoreError> {
    let ids: Vec<i64> = loans.iter().copied().collect();
    for chunk in ids.chunks(REFRESH_CHUNK) {
        let mut within = Conditions::default();
        within.one_of_ids("loan_id", chunk);
        let parts_where = within.where_sql();
        let mut loans_within = Conditions::default();
        loans_within.one_of_ids("l.id", chunk);
        let verified = code_literal(HireStatus::Verified.code());
        let statements = [
            (
                add_parts_sql("-", &parts_where),
                "taking loans' old parts from the county figures",
            ),
            (
                format!("DELETE FROM loan_figure_parts {parts_where}"),
                "removing loans' old parts",
            ),
            (
                format!(
                    "INSERT INTO loan_figure_parts (loan_id, province, county, bank, \
                     cooperative_id, disbursed_rial, verified_jobs) \
                     SELECT l.id, l.province, a.county, l.bank, l.cooperative_id, \
                     l.disbursed_rial, (SELECT COUNT(*) FROM loan_hires h \
                     WHERE h.loan_id = l.id AND h.status = {verified}) \
                     FROM loans l JOIN applications a ON a.id = l.application_id \
                     {} AND EXISTS (SELECT 1 FROM loan_transactions t \
                     WHERE t.loan_id = l.id AND t.kind = 'disbursement' AND NOT EXISTS \
                     (SELECT 1 FROM loan_transactions r WHERE r.reverses = t.id))",
                    loans_within.where_sql()
                ),
                "recomputing loans' parts",
            ),
            (
                add_parts_sql("", &parts_where),
                "adding loans' new parts to the county figures",
            ),
        ];
        // `loans_within` names the same ids in the same order, so each statement binds
        // `within`'s values.
        for (sql, context) in statements {
            on!(&mut *conn, |c| bind_values!(
                sqlx::query(sqlx::AssertSqlSafe(sql)),
                &within.values
            )
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db(context))?);
        }
    }
    Ok(())
}

/// Adds (`sign` empty) or takes away (`-`) the parts `parts_where` selects, summed per
/// province, county and bank. The statement has a WHERE (SQLite's upsert from a SELECT
/// needs one to parse) as `one_of_ids` always gives a condition.
fn add_parts_sql(sign: &str, parts_where: &str) -> String {
    format!(
        "INSERT INTO loan_county_figures (province, county, bank, loans, disbursed_rial, \
         verified_jobs) SELECT province, county, bank, {sign}COUNT(*), \
         {sign}CAST(SUM(disbursed_rial) AS BIGINT), {sign}CAST(SUM(verified_jobs) AS BIGINT) \
         FROM loan_figure_parts {parts_where} GROUP BY province, county, bank \
         ON CONFLICT (province, county, bank) DO UPDATE SET \
         loans = loan_county_figures.loans + excluded.loans, \
         disbursed_rial = loan_county_figures.disbursed_rial + excluded.disbursed_rial, \
         verified_jobs = loan_county_figures.verified_jobs + excluded.verified_jobs"
    )
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
