//! Loans, their installments and their immutable transactions; the business date and
//! the holiday calendar. End of day's set-based statements live in `eod.rs`.

use std::sync::LazyLock;

use sqlx::Row;
use taavon_core::access::ApplicationScope;
use taavon_core::loans::classification::LoanClass;
use taavon_core::loans::product::ContractType;
use taavon_core::loans::receipt::PaymentChannel;
use taavon_core::loans::schedule::{GraceMode, Method};
use taavon_core::loans::{LoanStatus, TransactionKind};
use taavon_core::reference::{BankCode, BranchCode};

use crate::StoreError;
use crate::arrears::{DAYS_OVERDUE_AS_READ, LATE_CHARGE_AS_READ};
use crate::audit::AuditEntry;
use crate::error::db;
use crate::filter::{Conditions, Value, bind_values};
use crate::insert::{ROWS_PER_STATEMENT, insert_rows, only_id, placeholders};
use crate::sort::{LoanColumn, Sort};
use crate::sums::{exact_sum_at, exact_sum_sql};
use crate::tx::{Reader, WriteTx};

/// An installment row with its loan, province and schedule version.
pub(crate) type InstallmentOf<'a> = (i64, &'a str, i64, &'a InstallmentRow);

/// A contract as written from a bank-approved application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLoan {
    pub province: String,
    pub application_id: i64,
    pub program: String,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    pub bank: BankCode,
    pub branch: BranchCode,
    pub contract_no: String,
    pub contract_type: ContractType,
    pub principal_rial: i64,
    pub rate_bp: i64,
    pub months: i64,
    pub grace_months: i64,
    pub grace_mode: GraceMode,
    pub method: Method,
    pub day_base: i64,
    /// Components in repayment order, comma-separated.
    pub repayment_order: String,
    pub contracted_on: String,
    pub reserve_transfer: Option<String>,
    /// The business day the contract was written on (end of day closes from there).
    pub closed_day: i64,
}

/// A contract's columns (what `NewLoan` holds) as written, in the order `bind_contract!`
/// binds them: the contract and the bulk loader of running loans both write them.
pub(crate) const CONTRACT_COLUMNS: &str = "province, application_id, program, cooperative_id, \
     client_id, bank, branch, contract_no, contract_type, principal_rial, rate_bp, months, \
     grace_months, grace_mode, method, day_base, repayment_order, contracted_on, \
     reserve_transfer, closed_day, created_at, updated_at";

/// Binds a `NewLoan` onto `$query` in `CONTRACT_COLUMNS`' order, `$now` as both instants.
macro_rules! bind_contract {
    ($query:expr, $loan:expr, $now:expr) => {
        $query
            .bind(&$loan.province)
            .bind($loan.application_id)
            .bind(&$loan.program)
            .bind($loan.cooperative_id)
            .bind($loan.client_id)
            .bind($loan.bank.as_str())
            .bind($loan.branch.as_str())
            .bind(&$loan.contract_no)
            .bind($loan.contract_type.code())
            .bind($loan.principal_rial)
            .bind($loan.rate_bp)
            .bind($loan.months)
            .bind($loan.grace_months)
            .bind($loan.grace_mode.code())
            .bind($loan.method.code())
            .bind($loan.day_base)
            .bind(&$loan.repayment_order)
            .bind(&$loan.contracted_on)
            .bind($loan.reserve_transfer.as_deref())
            .bind($loan.closed_day)
            .bind($now)
            .bind($now)
    };
}
// The bulk loader of running loans (`bulk_loans`, tooling only) binds its contract too.
#[cfg(feature = "tooling")]
pub(crate) use bind_contract;

/// A stored loan with what repayments and end of day keep on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loan {
    pub id: i64,
    pub fields: NewLoan,
    pub status: LoanStatus,
    pub disbursed_rial: i64,
    pub schedule_version: i64,
    /// The Central Bank of Iran class end of day gave it.
    pub class: LoanClass,
    pub state: LoanState,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// The numbers repayments and end of day keep per loan (see `taavon_core::loans::account`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoanState {
    pub outstanding_principal_rial: i64,
    pub due_unpaid_rial: i64,
    pub oldest_unpaid_due_day: Option<i64>,
    pub late_unpaid_rial: i64,
    pub late_weight: i64,
    pub late_rial_days_frozen: i64,
    pub penalty_charged_rial: i64,
    pub penalty_paid_rial: i64,
    pub days_overdue: i64,
    pub provision_rial: i64,
    /// The loan's last closed date: its numbers are as of the end of this day. Read, not
    /// written: end of day keeps it per run and per changed loan (`eod.rs`).
    pub closed_day: i64,
}

/// One row of a schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallmentRow {
    pub n: i64,
    pub due_on: String,
    pub due_day: i64,
    pub late_after_day: i64,
    pub principal_rial: i64,
    pub profit_rial: i64,
    pub fee_rial: i64,
    pub grace_profit_rial: i64,
    pub total_rial: i64,
    pub balance_rial: i64,
    pub paid_principal_rial: i64,
    pub paid_profit_rial: i64,
    pub paid_fee_rial: i64,
    /// What an early settlement waived (see migration 0008).
    pub waived_profit_rial: i64,
    pub waived_fee_rial: i64,
}

impl InstallmentRow {
    /// What is still owed on the installment.
    pub fn unpaid_rial(&self) -> i64 {
        self.total_rial
            - self.paid_principal_rial
            - self.paid_profit_rial
            - self.paid_fee_rial
            - self.waived_profit_rial
            - self.waived_fee_rial
    }

    /// The installment as the core's loan account sees it (grace profit is profit, and a
    /// waived part is no longer asked for).
    pub fn account(&self) -> taavon_core::loans::account::InstallmentAccount {
        taavon_core::loans::account::InstallmentAccount {
            n: u16::try_from(self.n).unwrap_or(u16::MAX),
            due_day: self.due_day,
            late_after_day: self.late_after_day,
            principal: self.principal_rial,
            profit: self.profit_rial + self.grace_profit_rial - self.waived_profit_rial,
            fee: self.fee_rial - self.waived_fee_rial,
            paid_principal: self.paid_principal_rial,
            paid_profit: self.paid_profit_rial,
            paid_fee: self.paid_fee_rial,
        }
    }
}

/// A loan transaction to record (never edited afterwards).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLoanTransaction {
    pub loan_id: i64,
    pub province: String,
    pub kind: TransactionKind,
    pub business_on: String,
    pub amount_rial: i64,
    pub penalty_rial: i64,
    pub fee_rial: i64,
    pub profit_rial: i64,
    pub principal_rial: i64,
    pub reverses: Option<i64>,
    pub note: Option<String>,
    /// How the money of a repayment or settlement came in, when that was stated.
    pub receipt: Option<PaymentReceipt>,
}

/// How a payment's money came in (migration 0017): the day it reached the bank, the
/// channel and the bank's receipt number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentReceipt {
    /// ISO date.
    pub value_on: String,
    pub channel: PaymentChannel,
    pub receipt_no: Option<String>,
}

/// A recorded loan transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanTransaction {
    pub id: i64,
    pub fields: NewLoanTransaction,
    /// The transaction that reversed this one, if any.
    pub reversed_by: Option<i64>,
    pub created_by: String,
    pub created_at: String,
}

/// How a transaction touched one installment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransactionLine {
    pub schedule_version: i64,
    pub n: i64,
    pub principal_rial: i64,
    pub profit_rial: i64,
    pub fee_rial: i64,
    pub late_rial_days: i64,
    /// Profit and fee an early settlement waived on the installment (no money moved).
    pub waived_profit_rial: i64,
    pub waived_fee_rial: i64,
}

/// The terms of a schedule a rescheduling wrote (version 2 on; version 1's are the
/// contract's, on the loan).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoanSchedule {
    pub loan_id: i64,
    pub province: String,
    pub schedule_version: i64,
    /// What the schedule amortises: the outstanding principal plus `capitalised_rial`.
    pub principal_rial: i64,
    pub capitalised_rial: i64,
    pub rate_bp: i64,
    pub months: i64,
    pub grace_months: i64,
    pub grace_mode: GraceMode,
    pub method: Method,
    pub day_base: i64,
    pub starts_on: String,
    pub transaction_id: i64,
}

/// Filters of a loan list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoanFilter {
    pub province: Option<String>,
    pub bank: Option<String>,
    pub branch: Option<String>,
    pub class: Option<String>,
    pub status: Option<String>,
    /// Only loans with something overdue.
    pub in_arrears: bool,
    /// The list's order (the most overdue first unless asked otherwise).
    pub sort: Sort<LoanColumn>,
    /// A keyset cursor: only the loans after this one in `sort`'s order (the count
    /// still counts the whole list).
    pub after_loan: Option<i64>,
}

/// A loan's columns as read, `closed_day` being its last closed date: for a loan not
/// settled, the later of the date its numbers were last written as of and the date end
/// of day last closed for every loan; a settled loan's (`'settled'`, `LoanStatus::Settled`)
/// stays where its settlement wrote it (`eod.rs` says why the two are kept apart). Days
/// overdue and the late charge are as of that date (`arrears.rs`).
static LOAN_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "id, province, application_id, program, cooperative_id, client_id, \
         bank, branch, contract_no, contract_type, principal_rial, rate_bp, months, \
         grace_months, grace_mode, method, day_base, repayment_order, contracted_on, status, \
         disbursed_rial, reserve_transfer, schedule_version, outstanding_principal_rial, \
         due_unpaid_rial, oldest_unpaid_due_day, late_unpaid_rial, late_weight, \
         late_rial_days_frozen, {} AS penalty_charged_rial, penalty_paid_rial, \
         {} AS days_overdue, class, provision_rial, \
         COALESCE((SELECT b.closed_day FROM business_date b WHERE b.id = 1 \
         AND b.closed_day > loans.closed_day AND loans.status <> 'settled'), loans.closed_day) \
         AS closed_day, version, created_at, updated_at",
        *LATE_CHARGE_AS_READ, *DAYS_OVERDUE_AS_READ
    )
});

macro_rules! loan_row {
    ($row:expr) => {
        (|| -> Result<Loan, StoreError> {
            let row = crate::error::Decoded::new($row, "loans", "decoding a loan")?;
            let state = LoanState {
                outstanding_principal_rial: row.get("outstanding_principal_rial")?,
                due_unpaid_rial: row.get("due_unpaid_rial")?,
                oldest_unpaid_due_day: row.get("oldest_unpaid_due_day")?,
                late_unpaid_rial: row.get("late_unpaid_rial")?,
                late_weight: row.get("late_weight")?,
                late_rial_days_frozen: row.get("late_rial_days_frozen")?,
                penalty_charged_rial: row.get("penalty_charged_rial")?,
                penalty_paid_rial: row.get("penalty_paid_rial")?,
                days_overdue: row.get("days_overdue")?,
                provision_rial: row.get("provision_rial")?,
                closed_day: row.get("closed_day")?,
            };
            Ok(Loan {
                id: row.get("id")?,
                fields: NewLoan {
                    province: row.get("province")?,
                    application_id: row.get("application_id")?,
                    program: row.get("program")?,
                    cooperative_id: row.get("cooperative_id")?,
                    client_id: row.get("client_id")?,
                    bank: row.code("bank", |c| BankCode::parse(c).ok())?,
                    branch: row.code("branch", |c| BranchCode::parse(c).ok())?,
                    contract_no: row.get("contract_no")?,
                    contract_type: row.code("contract_type", ContractType::parse)?,
                    principal_rial: row.get("principal_rial")?,
                    rate_bp: row.get("rate_bp")?,
                    months: row.get("months")?,
                    grace_months: row.get("grace_months")?,
                    grace_mode: row.code("grace_mode", GraceMode::parse)?,
                    method: row.code("method", Method::parse)?,
                    day_base: row.get("day_base")?,
                    repayment_order: row.get("repayment_order")?,
                    contracted_on: row.get("contracted_on")?,
                    reserve_transfer: row.get("reserve_transfer")?,
                    closed_day: state.closed_day,
                },
                status: row.code("status", LoanStatus::parse)?,
                disbursed_rial: row.get("disbursed_rial")?,
                schedule_version: row.get("schedule_version")?,
                class: row.code("class", LoanClass::parse)?,
                state,
                version: row.get("version")?,
                created_at: row.get("created_at")?,
                updated_at: row.get("updated_at")?,
            })
        })()
    };
}

impl Reader {
    /// The open business date (ISO), once one has been set.
    pub async fn business_date(&mut self) -> Result<Option<String>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT open_on FROM business_date WHERE id = 1"
        )
        .fetch_optional(c)
        .await
        .and_then(|row| row.map(|row| row.try_get(0)).transpose())
        .map_err(db("reading the business date")))
    }

    /// The last date end of day closed for every loan (days since 1970-01-01), once one
    /// was recorded.
    pub async fn closed_day(&mut self) -> Result<Option<i64>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT closed_day FROM business_date WHERE id = 1"
        )
        .fetch_optional(c)
        .await
        .and_then(|row| {
            row.map(|row| row.try_get::<Option<i64>, _>(0))
                .transpose()
                .map(Option::flatten)
        })
        .map_err(db("reading the closed date")))
    }

    /// Official holidays (ISO day, name), in date order.
    pub async fn holidays(&mut self) -> Result<Vec<(String, String)>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT day, name FROM holidays ORDER BY day"
        )
        .fetch_all(c)
        .await
        .map_err(db("reading holidays"))?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding holidays")))
    }

    /// The loans the person borrowed as an individual client (through any of their
    /// client rows), newest first (the person view; `loans_client` finds them).
    pub async fn client_loans_of_person(
        &mut self,
        person_id: i64,
    ) -> Result<Vec<Loan>, StoreError> {
        let columns = LOAN_COLUMNS.as_str();
        let sql = format!(
            "SELECT {columns} FROM loans WHERE client_id IN \
             (SELECT id FROM clients WHERE person_id = $1) ORDER BY id DESC"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .fetch_all(c)
            .await
            .map_err(db("reading a person's loans"))?
            .iter()
            .map(|row| loan_row!(row))
            .collect())
    }

    pub async fn loan(&mut self, id: i64) -> Result<Option<Loan>, StoreError> {
        let columns = LOAN_COLUMNS.as_str();
        let sql = format!("SELECT {columns} FROM loans WHERE id = $1");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await
            .map_err(db("reading a loan"))?
            .map(|row| loan_row!(&row))
            .transpose())
    }

    /// The loans of `ids` that exist, in id order (ids read 500 a statement).
    pub async fn loans_by_ids(&mut self, ids: &[i64]) -> Result<Vec<Loan>, StoreError> {
        let mut loans = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            // Integers rendered by Rust itself, never text from a request.
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let columns = LOAN_COLUMNS.as_str();
            let sql = format!(
                "SELECT {columns} FROM loans WHERE id IN ({}) ORDER BY id",
                list.join(", ")
            );
            let rows = on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(c)
                .await
                .map_err(db("reading loans by id"))?
                .iter()
                .map(|row| loan_row!(row))
                .collect::<Result<Vec<_>, _>>())?;
            loans.extend(rows);
        }
        Ok(loans)
    }

    pub async fn loan_of_application(
        &mut self,
        application_id: i64,
    ) -> Result<Option<i64>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT id FROM loans WHERE application_id = $1"
        )
        .bind(application_id)
        .fetch_optional(c)
        .await
        .and_then(|row| row.map(|row| row.try_get(0)).transpose())
        .map_err(db("finding an application's loan")))
    }

    /// Loans in `scope` matching `filter`, in its order (after its cursor, if any), with
    /// the size of the whole list.
    pub async fn loans(
        &mut self,
        scope: &ApplicationScope,
        filter: &LoanFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Loan>, i64), StoreError> {
        let Some(mut filters) = loan_conditions(scope, filter) else {
            return Ok((Vec::new(), 0));
        };
        let count_sql = format!("SELECT COUNT(*) FROM loans {}", filters.where_sql());
        let counted = filters.values.len();
        if let Some(after) = filter.after_loan {
            let p = filters.bind(Value::Int(after));
            filters.push(filter.sort.after("loans", &p));
        }
        let columns = LOAN_COLUMNS.as_str();
        let list_sql = format!(
            "SELECT {columns} FROM loans {} {} LIMIT {} OFFSET {}",
            filters.where_sql(),
            filter.sort.order_by(),
            limit.clamp(1, 10_000),
            offset.max(0)
        );
        let count_values = filters.values.get(..counted).unwrap_or_default();
        on!(&mut self.conn, |c| {
            let total: i64 =
                bind_values!(sqlx::query(sqlx::AssertSqlSafe(count_sql)), count_values)
                    .fetch_one(&mut *c)
                    .await
                    .and_then(|row| row.try_get(0))
                    .map_err(db("counting loans"))?;
            let loans = bind_values!(sqlx::query(sqlx::AssertSqlSafe(list_sql)), &filters.values)
                .fetch_all(&mut *c)
                .await
                .map_err(db("listing loans"))?
                .iter()
                .map(|row| loan_row!(row))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((loans, total))
        })
    }

    /// The money of every loan in `scope` that `filter` matches, whatever page is shown
    /// (the list's totals row): principal lent, principal outstanding, due and unpaid.
    pub async fn loan_totals(
        &mut self,
        scope: &ApplicationScope,
        filter: &LoanFilter,
    ) -> Result<LoanTotals, StoreError> {
        let Some(filters) = loan_conditions(scope, filter) else {
            return Ok(LoanTotals::default());
        };
        let sql = format!(
            "SELECT {}, {}, {} FROM loans {}",
            exact_sum_sql("principal_rial"),
            exact_sum_sql("outstanding_principal_rial"),
            exact_sum_sql("due_unpaid_rial"),
            filters.where_sql()
        );
        on!(&mut self.conn, |c| {
            let row = bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &filters.values)
                .fetch_one(&mut *c)
                .await
                .map_err(db("summing loans"))?;
            let sum = |column| exact_sum_at(&row, column).map_err(db("summing loans"));
            Ok(LoanTotals {
                principal_rial: sum(0)?,
                outstanding_principal_rial: sum(2)?,
                due_unpaid_rial: sum(4)?,
            })
        })
    }

    /// A loan's schedule at `schedule_version`, in installment order.
    pub async fn installments(
        &mut self,
        loan_id: i64,
        schedule_version: i64,
    ) -> Result<Vec<InstallmentRow>, StoreError> {
        on!(&mut self.conn, |c| {
            sqlx::query(
            "SELECT n, due_on, due_day, late_after_day, principal_rial, profit_rial, fee_rial, \
             grace_profit_rial, total_rial, balance_rial, paid_principal_rial, paid_profit_rial, \
             paid_fee_rial, waived_profit_rial, waived_fee_rial FROM loan_installments WHERE loan_id = $1 AND schedule_version = $2 \
             ORDER BY n"
        )
        .bind(loan_id)
        .bind(schedule_version)
        .fetch_all(c)
        .await
        .map_err(db("reading installments"))?
        .iter()
        .map(|row| {
            Ok(InstallmentRow {
                n: row.try_get(0)?,
                due_on: row.try_get(1)?,
                due_day: row.try_get(2)?,
                late_after_day: row.try_get(3)?,
                principal_rial: row.try_get(4)?,
                profit_rial: row.try_get(5)?,
                fee_rial: row.try_get(6)?,
                grace_profit_rial: row.try_get(7)?,
                total_rial: row.try_get(8)?,
                balance_rial: row.try_get(9)?,
                paid_principal_rial: row.try_get(10)?,
                paid_profit_rial: row.try_get(11)?,
                paid_fee_rial: row.try_get(12)?,
                waived_profit_rial: row.try_get(13)?,
                waived_fee_rial: row.try_get(14)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding installments"))
        })
    }

    /// A loan's transactions, oldest first, each with the one that reversed it.
    pub async fn loan_transactions(
        &mut self,
        loan_id: i64,
    ) -> Result<Vec<LoanTransaction>, StoreError> {
        self.loan_transactions_in(loan_id, TransactionWindow::All)
            .await
    }

    /// A loan's newest `limit` transactions, oldest first.
    pub async fn loan_transactions_newest(
        &mut self,
        loan_id: i64,
        limit: i64,
    ) -> Result<Vec<LoanTransaction>, StoreError> {
        let mut newest = self
            .loan_transactions_in(loan_id, TransactionWindow::Newest(limit))
            .await?;
        newest.reverse();
        Ok(newest)
    }

    /// A loan's first `limit` transactions after the one numbered `after` (from the
    /// first when `None`), oldest first.
    pub async fn loan_transactions_after(
        &mut self,
        loan_id: i64,
        after: Option<i64>,
        limit: i64,
    ) -> Result<Vec<LoanTransaction>, StoreError> {
        self.loan_transactions_in(loan_id, TransactionWindow::After(after.unwrap_or(0), limit))
            .await
    }

    /// How many transactions a loan has.
    pub async fn loan_transaction_count(&mut self, loan_id: i64) -> Result<i64, StoreError> {
        let count: i64 = on!(&mut self.conn, |c| sqlx::query(
            "SELECT COUNT(*) FROM loan_transactions WHERE loan_id = $1"
        )
        .bind(loan_id)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("counting loan transactions"))?);
        Ok(count)
    }

    async fn loan_transactions_in(
        &mut self,
        loan_id: i64,
        window: TransactionWindow,
    ) -> Result<Vec<LoanTransaction>, StoreError> {
        let (tail, after, limit) = match window {
            TransactionWindow::All => ("ORDER BY t.id", 0, i64::MAX),
            TransactionWindow::Newest(limit) => ("ORDER BY t.id DESC LIMIT $3", 0, limit),
            TransactionWindow::After(after, limit) => ("ORDER BY t.id LIMIT $3", after, limit),
        };
        let sql = format!(
            "SELECT t.id, t.loan_id, t.province, t.kind, t.business_on, t.amount_rial, \
             t.penalty_rial, t.fee_rial, t.profit_rial, t.principal_rial, t.reverses, t.note, \
             t.value_on, t.channel, t.receipt_no, t.created_by, t.created_at, \
             r.id AS reversed_by \
             FROM loan_transactions t LEFT JOIN loan_transactions r ON r.reverses = t.id \
             WHERE t.loan_id = $1 AND t.id > $2 AND $3 > 0 {tail}"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(loan_id)
            .bind(after)
            .bind(limit)
            .fetch_all(c)
            .await
            .map_err(db("reading loan transactions"))?
            .iter()
            .map(|row| {
                let row = crate::error::Decoded::new(
                    row,
                    "loan_transactions",
                    "decoding loan transactions",
                )?;
                Ok(LoanTransaction {
                    id: row.get("id")?,
                    fields: NewLoanTransaction {
                        loan_id: row.get("loan_id")?,
                        province: row.get("province")?,
                        kind: row.code("kind", TransactionKind::parse)?,
                        business_on: row.get("business_on")?,
                        amount_rial: row.get("amount_rial")?,
                        penalty_rial: row.get("penalty_rial")?,
                        fee_rial: row.get("fee_rial")?,
                        profit_rial: row.get("profit_rial")?,
                        principal_rial: row.get("principal_rial")?,
                        reverses: row.get("reverses")?,
                        note: row.get("note")?,
                        receipt: match row.optional_code("channel", PaymentChannel::parse)? {
                            Some(channel) => Some(PaymentReceipt {
                                value_on: row.get("value_on")?,
                                channel,
                                receipt_no: row.get("receipt_no")?,
                            }),
                            None => None,
                        },
                    },
                    reversed_by: row.get("reversed_by")?,
                    created_by: row.get("created_by")?,
                    created_at: row.get("created_at")?,
                })
            })
            .collect())
    }

    /// The schedules reschedulings wrote for a loan, oldest first.
    pub async fn loan_schedules(&mut self, loan_id: i64) -> Result<Vec<LoanSchedule>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT loan_id, province, schedule_version, principal_rial, capitalised_rial, \
             rate_bp, months, grace_months, grace_mode, method, day_base, starts_on, \
             transaction_id FROM loan_schedules WHERE loan_id = $1 ORDER BY schedule_version"
        )
        .bind(loan_id)
        .fetch_all(c)
        .await
        .map_err(db("reading loan schedules"))?
        .iter()
        .map(|row| {
            let loan_id: i64 = row.try_get(0).map_err(db("decoding loan schedules"))?;
            let version: i64 = row.try_get(2).map_err(db("decoding loan schedules"))?;
            let row = crate::error::Decoded::keyed(
                row,
                "loan_schedules",
                "decoding loan schedules",
                format!("{loan_id}/{version}"),
            );
            Ok(LoanSchedule {
                loan_id,
                province: row.get("province")?,
                schedule_version: version,
                principal_rial: row.get("principal_rial")?,
                capitalised_rial: row.get("capitalised_rial")?,
                rate_bp: row.get("rate_bp")?,
                months: row.get("months")?,
                grace_months: row.get("grace_months")?,
                grace_mode: row.code("grace_mode", GraceMode::parse)?,
                method: row.code("method", Method::parse)?,
                day_base: row.get("day_base")?,
                starts_on: row.get("starts_on")?,
                transaction_id: row.get("transaction_id")?,
            })
        })
        .collect())
    }

    pub async fn transaction_lines(
        &mut self,
        transaction_id: i64,
    ) -> Result<Vec<TransactionLine>, StoreError> {
        on!(&mut self.conn, |c| {
            sqlx::query(
            "SELECT schedule_version, n, principal_rial, profit_rial, fee_rial, late_rial_days, \
             waived_profit_rial, waived_fee_rial FROM loan_transaction_lines WHERE transaction_id = $1 ORDER BY schedule_version, n"
        )
        .bind(transaction_id)
        .fetch_all(c)
        .await
        .map_err(db("reading transaction lines"))?
        .iter()
        .map(|row| {
            Ok(TransactionLine {
                schedule_version: row.try_get(0)?,
                n: row.try_get(1)?,
                principal_rial: row.try_get(2)?,
                profit_rial: row.try_get(3)?,
                fee_rial: row.try_get(4)?,
                late_rial_days: row.try_get(5)?,
                waived_profit_rial: row.try_get(6)?,
                waived_fee_rial: row.try_get(7)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding transaction lines"))
        })
    }
}

impl WriteTx {
    /// Sets the open business date (ISO).
    pub async fn set_business_date(&mut self, open_on: &str) -> Result<(), StoreError> {
        let before = self.business_date().await?;
        let now = self.now.to_string();
        on!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO business_date (id, open_on, updated_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET open_on = excluded.open_on, updated_at = excluded.updated_at"
        )
        .bind(open_on)
        .bind(&now)
        .execute(c)
        .await
        .map_err(db("setting the business date")).map(|_| ())?
        });
        self.audit(AuditEntry {
            action: "business_date.set",
            entity: "business_date",
            entity_id: "1".to_owned(),
            province: None,
            before: before.map(|day| serde_json::json!({ "open_on": day })),
            after: Some(serde_json::json!({ "open_on": open_on })),
        });
        Ok(())
    }

    /// Opens `open_on` after end of day closed `closed_day` for every loan (days since
    /// 1970-01-01): from then on a loan end of day did not write reads as closed at it.
    /// A recorded closed date is never moved back (closing an earlier date again, after
    /// the business date was set back, leaves it).
    pub async fn close_business_date(
        &mut self,
        closed_day: i64,
        open_on: &str,
    ) -> Result<(), StoreError> {
        let before = (self.business_date().await?, self.closed_day().await?);
        let now = self.now.to_string();
        on!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO business_date (id, open_on, closed_day, updated_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET open_on = excluded.open_on, \
             closed_day = CASE WHEN business_date.closed_day >= excluded.closed_day \
             THEN business_date.closed_day ELSE excluded.closed_day END, \
             updated_at = excluded.updated_at"
        )
        .bind(open_on)
        .bind(closed_day)
        .bind(&now)
        .execute(c)
        .await
        .map_err(db("closing the business date")).map(|_| ())?
        });
        let closed_day = before.1.map_or(closed_day, |before| before.max(closed_day));
        self.audit(AuditEntry {
            action: "business_date.set",
            entity: "business_date",
            entity_id: "1".to_owned(),
            province: None,
            before: before
                .0
                .map(|day| serde_json::json!({ "open_on": day, "closed_day": before.1 })),
            after: Some(serde_json::json!({ "open_on": open_on, "closed_day": closed_day })),
        });
        Ok(())
    }

    pub async fn add_holiday(&mut self, day: &str, name: &str) -> Result<(), StoreError> {
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO holidays (day, name) VALUES ($1, $2)"
        )
        .bind(day)
        .bind(name)
        .execute(c)
        .await
        .map_err(db("adding a holiday"))
        .map(|_| ())?);
        self.audit(AuditEntry::created(
            "holiday.create",
            "holiday",
            day,
            None,
            serde_json::json!({ "name": name }),
        ));
        Ok(())
    }

    /// Removes an official holiday; `false` (and nothing recorded) when it is not listed.
    pub async fn remove_holiday(&mut self, day: &str) -> Result<bool, StoreError> {
        let removed: Option<String> = on!(self.conn(), |c| sqlx::query(
            "DELETE FROM holidays WHERE day = $1 RETURNING name"
        )
        .bind(day)
        .fetch_optional(c)
        .await
        .and_then(|row| row.map(|row| row.try_get(0)).transpose())
        .map_err(db("removing a holiday"))?);
        let Some(name) = removed else {
            return Ok(false);
        };
        self.audit(AuditEntry {
            action: "holiday.delete",
            entity: "holiday",
            entity_id: day.to_owned(),
            province: None,
            before: Some(serde_json::json!({ "name": name })),
            after: None,
        });
        Ok(true)
    }

    /// Writes a contract and its first schedule.
    pub async fn insert_loan(
        &mut self,
        loan: &NewLoan,
        schedule: &[InstallmentRow],
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let l = loan;
        let columns = &[CONTRACT_COLUMNS, "status"];
        let ids = insert_rows!(
            self,
            "loans",
            columns,
            std::slice::from_ref(loan),
            "writing a contract",
            |query, l| bind_contract!(query, l, &now).bind("contracted")
        );
        let id = only_id(&ids, "loans")?;
        self.insert_installments(id, &l.province, 1, schedule)
            .await?;
        self.audit(AuditEntry::created(
            "loan.contract",
            "loan",
            id,
            Some(&l.province),
            serde_json::json!({
                "application_id": l.application_id, "contract_no": l.contract_no,
                "contract_type": l.contract_type.code(), "principal_rial": l.principal_rial,
                "rate_bp": l.rate_bp, "months": l.months, "grace_months": l.grace_months,
                "grace_mode": l.grace_mode.code(), "method": l.method.code(),
                "bank": l.bank.as_str(), "branch": l.branch.as_str(), "contracted_on": l.contracted_on,
                "installments": schedule.len(),
            }),
        ));
        Ok(id)
    }

    /// Writes a rescheduled schedule: its terms and its rows under the new version, the
    /// old versions kept as they are. The caller moves the loan to the version with
    /// `update_loan` in the same transaction.
    pub async fn insert_loan_schedule(
        &mut self,
        schedule: &LoanSchedule,
        rows: &[InstallmentRow],
    ) -> Result<(), StoreError> {
        let now = self.now.to_string();
        let s = schedule;
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO loan_schedules (loan_id, province, schedule_version, principal_rial, \
             capitalised_rial, rate_bp, months, grace_months, grace_mode, method, day_base, \
             starts_on, transaction_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14)"
        )
        .bind(s.loan_id)
        .bind(&s.province)
        .bind(s.schedule_version)
        .bind(s.principal_rial)
        .bind(s.capitalised_rial)
        .bind(s.rate_bp)
        .bind(s.months)
        .bind(s.grace_months)
        .bind(s.grace_mode.code())
        .bind(s.method.code())
        .bind(s.day_base)
        .bind(&s.starts_on)
        .bind(s.transaction_id)
        .bind(&now)
        .execute(c)
        .await
        .map_err(db("writing a loan schedule"))
        .map(|_| ())?);
        self.insert_installments(s.loan_id, &s.province, s.schedule_version, rows)
            .await?;
        self.audit(AuditEntry::created(
            "loan.reschedule",
            "loan",
            s.loan_id,
            Some(&s.province),
            serde_json::json!({
                "schedule_version": s.schedule_version, "principal_rial": s.principal_rial,
                "capitalised_rial": s.capitalised_rial, "rate_bp": s.rate_bp,
                "months": s.months, "grace_months": s.grace_months,
                "grace_mode": s.grace_mode.code(), "method": s.method.code(),
                "starts_on": s.starts_on,
                "transaction_id": s.transaction_id, "installments": rows.len(),
            }),
        ));
        Ok(())
    }

    /// Adds a schedule version's rows (a reschedule keeps the old version).
    pub async fn insert_installments(
        &mut self,
        loan_id: i64,
        province: &str,
        schedule_version: i64,
        rows: &[InstallmentRow],
    ) -> Result<(), StoreError> {
        let rows: Vec<InstallmentOf<'_>> = rows
            .iter()
            .map(|row| (loan_id, province, schedule_version, row))
            .collect();
        self.insert_installment_rows(&rows).await
    }

    /// Writes installments of any loans, with what has been paid on each, many rows to
    /// a statement.
    pub(crate) async fn insert_installment_rows(
        &mut self,
        rows: &[InstallmentOf<'_>],
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO loan_installments (loan_id, province, schedule_version, n, due_on, \
                 due_day, late_after_day, principal_rial, profit_rial, fee_rial, \
                 grace_profit_rial, total_rial, balance_rial, paid_principal_rial, \
                 paid_profit_rial, paid_fee_rial) VALUES {}",
                placeholders(self.conn(), chunk.len(), 16)
            );
            on!(self.conn(), |c| {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (loan_id, province, schedule_version, r) in chunk {
                    query = query
                        .bind(*loan_id)
                        .bind(*province)
                        .bind(*schedule_version)
                        .bind(r.n)
                        .bind(&r.due_on)
                        .bind(r.due_day)
                        .bind(r.late_after_day)
                        .bind(r.principal_rial)
                        .bind(r.profit_rial)
                        .bind(r.fee_rial)
                        .bind(r.grace_profit_rial)
                        .bind(r.total_rial)
                        .bind(r.balance_rial)
                        .bind(r.paid_principal_rial)
                        .bind(r.paid_profit_rial)
                        .bind(r.paid_fee_rial);
                }
                query
                    .execute(c)
                    .await
                    .map_err(db("writing installments"))
                    .map(|_| ())?
            });
        }
        Ok(())
    }

    /// Records a loan transaction and its lines; the caller updates the loan itself with
    /// `update_loan` in the same transaction.
    pub async fn record_loan_transaction(
        &mut self,
        t: &NewLoanTransaction,
        lines: &[TransactionLine],
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let actor = self.actor.label();
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO loan_transactions (loan_id, province, kind, business_on, amount_rial, \
             penalty_rial, fee_rial, profit_rial, principal_rial, reverses, note, created_by, \
             created_at, value_on, channel, receipt_no) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             RETURNING id"
        )
        .bind(t.loan_id)
        .bind(&t.province)
        .bind(t.kind.code())
        .bind(&t.business_on)
        .bind(t.amount_rial)
        .bind(t.penalty_rial)
        .bind(t.fee_rial)
        .bind(t.profit_rial)
        .bind(t.principal_rial)
        .bind(t.reverses)
        .bind(t.note.as_deref())
        .bind(&actor)
        .bind(&now)
        .bind(t.receipt.as_ref().map(|r| r.value_on.as_str()))
        .bind(t.receipt.as_ref().map(|r| r.channel.code()))
        .bind(t.receipt.as_ref().and_then(|r| r.receipt_no.as_deref()))
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording a loan transaction"))?);
        for line in lines {
            on!(self.conn(), |c| {
                sqlx::query(
                "INSERT INTO loan_transaction_lines (transaction_id, province, schedule_version, n, \
                 principal_rial, profit_rial, fee_rial, late_rial_days, waived_profit_rial, \
                 waived_fee_rial) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            )
            .bind(id)
            .bind(&t.province)
            .bind(line.schedule_version)
            .bind(line.n)
            .bind(line.principal_rial)
            .bind(line.profit_rial)
            .bind(line.fee_rial)
            .bind(line.late_rial_days)
            .bind(line.waived_profit_rial)
            .bind(line.waived_fee_rial)
            .execute(c)
            .await
            .map_err(db("recording a transaction line")).map(|_| ())?
            });
            // The installment's paid and waived columns are running sums of its lines.
            on!(self.conn(), |c| sqlx::query(
                "UPDATE loan_installments SET paid_principal_rial = paid_principal_rial + $1, \
                 paid_profit_rial = paid_profit_rial + $2, paid_fee_rial = paid_fee_rial + $3, \
                 waived_profit_rial = waived_profit_rial + $4, \
                 waived_fee_rial = waived_fee_rial + $5 \
                 WHERE loan_id = $6 AND schedule_version = $7 AND n = $8"
            )
            .bind(line.principal_rial)
            .bind(line.profit_rial)
            .bind(line.fee_rial)
            .bind(line.waived_profit_rial)
            .bind(line.waived_fee_rial)
            .bind(t.loan_id)
            .bind(line.schedule_version)
            .bind(line.n)
            .execute(c)
            .await
            .map_err(db("updating an installment"))
            .map(|_| ())?);
        }
        self.add_transaction_to_dashboard(id).await?;
        self.audit(AuditEntry::created(
            "loan.transaction",
            "loan_transaction",
            id,
            Some(&t.province),
            serde_json::json!({
                "loan_id": t.loan_id, "kind": t.kind.code(), "business_on": t.business_on,
                "amount_rial": t.amount_rial, "penalty_rial": t.penalty_rial,
                "fee_rial": t.fee_rial, "profit_rial": t.profit_rial,
                "principal_rial": t.principal_rial, "reverses": t.reverses, "lines": lines.len(),
                "value_on": t.receipt.as_ref().map(|r| &r.value_on),
                "channel": t.receipt.as_ref().map(|r| r.channel.code()),
                "receipt_no": t.receipt.as_ref().and_then(|r| r.receipt_no.as_ref()),
            }),
        ));
        Ok(id)
    }

    /// Takes the loan for this transaction if it is still at `version`, changing nothing:
    /// on PostgreSQL a concurrent claim waits for this transaction and then finds the
    /// version moved, so what is read after a claim is the loan as it stood at `version`
    /// (SQLite's single writer already gives that). `false` if the loan has moved on.
    pub async fn claim_loan(&mut self, id: i64, version: i64) -> Result<bool, StoreError> {
        let claimed = on!(self.conn(), |c| sqlx::query(
            "UPDATE loans SET version = version WHERE id = $1 AND version = $2"
        )
        .bind(id)
        .bind(version)
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("claiming a loan"))?);
        Ok(claimed == 1)
    }

    /// Writes what a transaction changed on the loan, if it is still at the version read;
    /// `false` if a concurrent change won (nothing written).
    pub async fn update_loan(
        &mut self,
        before: &Loan,
        status: LoanStatus,
        disbursed_rial: i64,
        schedule_version: i64,
        reserve_transfer: Option<&str>,
        state: &LoanState,
    ) -> Result<bool, StoreError> {
        let now = self.now.to_string();
        let s = state;
        let changed = on!(self.conn(), |c| sqlx::query(
            "UPDATE loans SET status = $1, disbursed_rial = $2, schedule_version = $3, \
             reserve_transfer = $4, outstanding_principal_rial = $5, due_unpaid_rial = $6, \
             oldest_unpaid_due_day = $7, late_unpaid_rial = $8, late_weight = $9, \
             late_rial_days_frozen = $10, penalty_charged_rial = $11, penalty_paid_rial = $12, \
             days_overdue = $13, closed_day = $14, version = version + 1, updated_at = $15 \
             WHERE id = $16 AND version = $17"
        )
        .bind(status.code())
        .bind(disbursed_rial)
        .bind(schedule_version)
        .bind(reserve_transfer)
        .bind(s.outstanding_principal_rial)
        .bind(s.due_unpaid_rial)
        .bind(s.oldest_unpaid_due_day)
        .bind(s.late_unpaid_rial)
        .bind(s.late_weight)
        .bind(s.late_rial_days_frozen)
        .bind(s.penalty_charged_rial)
        .bind(s.penalty_paid_rial)
        .bind(s.days_overdue)
        // The date the numbers are restated as of (the loan's last closed date): kept
        // with them, so a settled loan keeps the date it was last closed at.
        .bind(s.closed_day)
        .bind(&now)
        .bind(before.id)
        .bind(before.version)
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("updating a loan"))?);
        if changed == 0 {
            return Ok(false);
        }
        if disbursed_rial != before.disbursed_rial {
            self.loan_figures_changed(before.id);
        }
        self.audit(AuditEntry {
            action: "loan.update",
            entity: "loan",
            entity_id: before.id.to_string(),
            province: Some(before.fields.province.clone()),
            before: Some(serde_json::json!({
                "status": before.status.code(), "disbursed_rial": before.disbursed_rial,
                "outstanding_principal_rial": before.state.outstanding_principal_rial,
                "penalty_paid_rial": before.state.penalty_paid_rial, "version": before.version,
            })),
            after: Some(serde_json::json!({
                "status": status.code(), "disbursed_rial": disbursed_rial,
                "schedule_version": schedule_version,
                "outstanding_principal_rial": s.outstanding_principal_rial,
                "penalty_paid_rial": s.penalty_paid_rial,
            })),
        });
        Ok(true)
    }
}

/// The conditions of a loan list: the scope, then the filter (without its cursor); none
/// when the scope sees no loan at all.
fn loan_conditions(scope: &ApplicationScope, filter: &LoanFilter) -> Option<Conditions> {
    let mut filters = Conditions::default();
    if !filters.in_scope(scope, "bank") {
        return None;
    }
    filters.equals("province", filter.province.as_ref());
    filters.equals("bank", filter.bank.as_ref());
    filters.equals("branch", filter.branch.as_ref());
    filters.equals("class", filter.class.as_ref());
    filters.equals("status", filter.status.as_ref());
    if filter.in_arrears {
        filters.push("due_unpaid_rial > 0".to_owned());
    }
    Some(filters)
}

/// The sums of a loan list's money columns over all its pages, exact in `i128`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoanTotals {
    pub principal_rial: i128,
    pub outstanding_principal_rial: i128,
    pub due_unpaid_rial: i128,
}

/// Which of a loan's transactions a read takes.
enum TransactionWindow {
    All,
    /// The newest this many.
    Newest(i64),
    /// This many after the one numbered so.
    After(i64, i64),
}
