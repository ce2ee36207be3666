//! The commit's write of the loans' county figures (`loan_figures`): the marked loans'
//! parts replaced and the county figures moved by the difference. Apart from the
//! figures' reads and the marking so that the transaction, which calls it at commit,
//! and the figures, which read through the transaction, do not import each other.

use std::collections::BTreeSet;

use taavon_core::impact::HireStatus;

use crate::StoreError;
use crate::conn::Conn;
use crate::error::db;
use crate::filter::{Conditions, bind_values, code_literal};

/// Loans whose parts one statement replaces (bounds its placeholders on both engines).
const REFRESH_CHUNK: usize = 1_000;

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
                insert_parts_sql(&loans_within.where_sql()),
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

/// Every loan's part and the county figures recomputed from the records, as migration
/// 0031 fills them: for a history written in bulk, where a refresh per thousand loans
/// would read every disbursement again for each thousand.
pub(crate) fn rebuild_sql() -> [String; 4] {
    [
        "DELETE FROM loan_county_figures".to_owned(),
        "DELETE FROM loan_figure_parts".to_owned(),
        insert_parts_sql("WHERE true"),
        add_parts_sql("", "WHERE true"),
    ]
}

/// Writes the parts of the loans (`l`) that `loans_where` (a WHERE) selects and that
/// count: those with a disbursement not reversed.
fn insert_parts_sql(loans_where: &str) -> String {
    format!(
        "INSERT INTO loan_figure_parts (loan_id, province, county, bank, \
         cooperative_id, disbursed_rial, verified_jobs) \
         SELECT l.id, l.province, a.county, l.bank, l.cooperative_id, \
         l.disbursed_rial, (SELECT COUNT(*) FROM loan_hires h \
         WHERE h.loan_id = l.id AND h.status = {verified}) \
         FROM loans l JOIN applications a ON a.id = l.application_id \
         {loans_where} AND EXISTS (SELECT 1 FROM loan_transactions t \
         WHERE t.loan_id = l.id AND t.kind = 'disbursement' AND NOT EXISTS \
         (SELECT 1 FROM loan_transactions r WHERE r.reverses = t.id))",
        verified = code_literal(HireStatus::Verified.code()),
    )
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
