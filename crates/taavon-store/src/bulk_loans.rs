//! Bulk inserts of loans already running (disbursed, part repaid, perhaps behind), with
//! their applications and schedules, for benchmarks and load tests of end of day. Each
//! call is one audited change naming the ids it created; the numbers end of day keeps
//! are written as given, so the caller computes them with `taavon_core::loans::account`.

use sqlx::Row;
use taavon_core::loans::LoanStatus;
use taavon_core::loans::classification::LoanClass;

use crate::StoreError;
use crate::applications::NewApplication;
use crate::bulk::{ROWS_PER_STATEMENT, placeholders};
use crate::error::db;
use crate::loans::{InstallmentOf, InstallmentRow, LoanState, NewLoan};
use crate::tx::WriteTx;

/// A disbursed loan as it stands at its `closed_day`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunningLoan {
    pub loan: NewLoan,
    pub state: LoanState,
    /// The Central Bank of Iran class at `closed_day`.
    pub class: LoanClass,
    /// Schedule version 1, with what has been paid on each installment.
    pub schedule: Vec<InstallmentRow>,
}

const APPLICATION_COLUMNS: usize = 16;
const LOAN_COLUMNS: usize = 35;

impl WriteTx {
    /// Inserts applications; returns their ids in order.
    pub async fn insert_applications_bulk(
        &mut self,
        applications: &[NewApplication],
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.now.to_string();
        let mut ids = Vec::with_capacity(applications.len());
        for chunk in applications.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO applications (province, county, program, applicant_kind, \
                 cooperative_id, client_id, sector, amount_rial, jobs, women_jobs, purpose, \
                 financing, women_led, status, version, created_at) VALUES {} RETURNING id",
                placeholders(self.conn(), chunk.len(), APPLICATION_COLUMNS)
            );
            let chunk_ids: Vec<i64> = on!(self.conn(), |c| {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for a in chunk {
                    query = query
                        .bind(&a.province)
                        .bind(&a.county)
                        .bind(&a.program)
                        .bind(a.applicant_kind.code())
                        .bind(a.cooperative_id)
                        .bind(a.client_id)
                        .bind(&a.sector)
                        .bind(a.amount_rial)
                        .bind(a.jobs)
                        .bind(a.women_jobs)
                        .bind(&a.purpose)
                        .bind(a.financing.code())
                        .bind(a.women_led)
                        .bind(a.status.code())
                        .bind(1i64)
                        .bind(&now);
                }
                query
                    .fetch_all(c)
                    .await
                    .map_err(db("bulk-inserting applications"))?
                    .iter()
                    .map(|row| row.try_get::<i64, _>(0))
                    .collect::<Result<_, _>>()
                    .map_err(db("reading bulk ids"))?
            });
            ids.extend(chunk_ids);
        }
        self.audit_bulk("application.bulk_create", "application", &ids);
        Ok(ids)
    }

    /// Inserts active loans with their schedules; returns the loans' ids in order.
    pub async fn insert_running_loans_bulk(
        &mut self,
        loans: &[RunningLoan],
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.now.to_string();
        let mut ids = Vec::with_capacity(loans.len());
        for chunk in loans.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO loans (province, application_id, program, cooperative_id, client_id, \
                 bank, branch, contract_no, contract_type, principal_rial, rate_bp, months, \
                 grace_months, grace_mode, method, day_base, repayment_order, contracted_on, \
                 status, disbursed_rial, reserve_transfer, outstanding_principal_rial, \
                 due_unpaid_rial, oldest_unpaid_due_day, late_unpaid_rial, late_weight, \
                 late_rial_days_frozen, penalty_charged_rial, penalty_paid_rial, days_overdue, \
                 class, provision_rial, closed_day, created_at, updated_at) VALUES {} \
                 RETURNING id",
                placeholders(self.conn(), chunk.len(), LOAN_COLUMNS)
            );
            let chunk_ids: Vec<i64> = on!(self.conn(), |c| {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for RunningLoan {
                    loan: l,
                    state: s,
                    class,
                    ..
                } in chunk
                {
                    query = query
                        .bind(&l.province)
                        .bind(l.application_id)
                        .bind(&l.program)
                        .bind(l.cooperative_id)
                        .bind(l.client_id)
                        .bind(l.bank.as_str())
                        .bind(l.branch.as_str())
                        .bind(&l.contract_no)
                        .bind(l.contract_type.code())
                        .bind(l.principal_rial)
                        .bind(l.rate_bp)
                        .bind(l.months)
                        .bind(l.grace_months)
                        .bind(l.grace_mode.code())
                        .bind(l.method.code())
                        .bind(l.day_base)
                        .bind(&l.repayment_order)
                        .bind(&l.contracted_on)
                        .bind(LoanStatus::Active.code())
                        .bind(l.principal_rial)
                        .bind(l.reserve_transfer.as_deref())
                        .bind(s.outstanding_principal_rial)
                        .bind(s.due_unpaid_rial)
                        .bind(s.oldest_unpaid_due_day)
                        .bind(s.late_unpaid_rial)
                        .bind(s.late_weight)
                        .bind(s.late_rial_days_frozen)
                        .bind(s.penalty_charged_rial)
                        .bind(s.penalty_paid_rial)
                        .bind(s.days_overdue)
                        .bind(class.code())
                        .bind(s.provision_rial)
                        .bind(l.closed_day)
                        .bind(&now)
                        .bind(&now);
                }
                query
                    .fetch_all(c)
                    .await
                    .map_err(db("bulk-inserting loans"))?
                    .iter()
                    .map(|row| row.try_get::<i64, _>(0))
                    .collect::<Result<_, _>>()
                    .map_err(db("reading bulk ids"))?
            });
            ids.extend(chunk_ids);
        }
        let rows: Vec<InstallmentOf<'_>> = loans
            .iter()
            .zip(&ids)
            .flat_map(|(l, id)| {
                l.schedule
                    .iter()
                    .map(move |row| (*id, l.loan.province.as_str(), 1, row))
            })
            .collect();
        self.insert_installment_rows(&rows).await?;
        self.audit_bulk("loan.bulk_create", "loan", &ids);
        Ok(ids)
    }
}
