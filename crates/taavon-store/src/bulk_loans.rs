//! Bulk inserts of loans already running (disbursed, part repaid, perhaps behind), with
//! their applications and schedules, for benchmarks and load tests of end of day. Each
//! call is one audited change naming the ids it created; the numbers end of day keeps
//! are written as given, so the caller computes them with `taavon_core::loans::account`.

use taavon_core::loans::LoanStatus;
use taavon_core::loans::classification::LoanClass;

use crate::StoreError;
use crate::applications::NewApplication;
use crate::insert::insert_rows;
use crate::loans::{
    CONTRACT_COLUMNS, InstallmentOf, InstallmentRow, LoanState, NewLoan, bind_contract,
};
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

/// What a running loan writes beyond its contract, in the order
/// `insert_running_loans_bulk` binds it: disbursed in full, and the kept numbers.
const RUNNING_COLUMNS: &str = "status, disbursed_rial, outstanding_principal_rial, \
     due_unpaid_rial, oldest_unpaid_due_day, late_unpaid_rial, late_weight, \
     late_rial_days_frozen, penalty_charged_rial, penalty_paid_rial, days_overdue, class, \
     provision_rial";

impl WriteTx {
    /// Inserts applications; returns their ids in order.
    pub async fn insert_applications_bulk(
        &mut self,
        applications: &[NewApplication],
    ) -> Result<Vec<i64>, StoreError> {
        let ids = self
            .write_applications(applications, "bulk-inserting applications")
            .await?;
        self.audit_bulk("application.bulk_create", "application", &ids);
        Ok(ids)
    }

    /// Inserts active loans with their schedules; returns the loans' ids in order.
    pub async fn insert_running_loans_bulk(
        &mut self,
        loans: &[RunningLoan],
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.now.to_string();
        let columns = &[CONTRACT_COLUMNS, RUNNING_COLUMNS];
        let ids = insert_rows!(
            self,
            "loans",
            columns,
            loans,
            "bulk-inserting loans",
            |query, running| {
                let RunningLoan {
                    loan: l,
                    state: s,
                    class,
                    ..
                } = running;
                bind_contract!(query, l, &now)
                    .bind(LoanStatus::Active.code())
                    .bind(l.principal_rial)
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
            }
        );
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
