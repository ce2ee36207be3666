//! Loans: the contract written from a bank-approved application, reading loans and
//! their schedules, and (in `transactions`) the money that moves on them. Every change
//! is one write transaction with its ledger transfers and audit entries. What changes
//! what a borrower owes (rescheduling, reversal) goes through `proposals` (four eyes).

mod calendar;
mod command;
mod proposals;
mod reschedule;
mod settlement;
mod state;
mod terms;
mod transactions;

pub(crate) use calendar::business_date_in;
pub use calendar::{
    Holiday, add_holiday, business_date, holidays, open_business_date, remove_holiday,
    set_business_date, working_calendar,
};
pub use proposals::{
    ProposalView, ProposedAction, approve_proposal, loan_proposals, propose, reject_proposal,
};
pub use reschedule::RescheduleInput;
pub use settlement::{SettlementQuote, settle, settlement_quote};
pub use state::accounts_of;
pub use transactions::{RepaymentInput, disburse, repay};

use taavon_core::access::{
    ApplicationScope, LoanAction, LoanSubject, Principal, application_scope, decide_loan,
};
use taavon_core::applications::{ApplicationState, EventAction};
use taavon_core::calendar::{IsoDate, JalaliDate, parse_date_any};
use taavon_core::events::EventType;
use taavon_core::limits::TextKind;
use taavon_core::loans::classification::LoanClass;
use taavon_core::loans::product::ContractType;
use taavon_core::loans::rate::{DayBase, RateBp};
use taavon_core::loans::repayment::{Component, DEFAULT_ORDER};
use taavon_core::loans::schedule::{self, GraceMode, Method, ScheduleTerms};
use taavon_core::loans::{LoanStatus, TransactionKind};
use taavon_core::reference::{BankCode, BranchCode, ProvinceCode, Tier};
use taavon_core::timestamp::Timestamp;
use taavon_core::workdays::WorkingCalendar;
use taavon_store::{
    Application, ApplicationMove, InstallmentRow, Loan, LoanFilter, LoanSchedule, LoanTotals,
    LoanTransaction, NewLoan, PortfolioRow, Store,
};

use crate::AppError;
use crate::bounds::{BoundedText, Lengths};
use crate::funds;
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::programs::parse_rules;

/// What the bank chooses when it writes the contract; the rest comes from the program.
#[derive(Clone, Debug, Default)]
pub struct ContractInput {
    pub application_id: i64,
    /// `paid` (default), `capitalized` or `spread`.
    pub grace_mode: Option<String>,
    /// `annuity` (default) or `equal-principal`.
    pub method: Option<String>,
}

impl BoundedText for ContractInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .optional("grace_mode", self.grace_mode.as_deref(), TextKind::Code)
            .optional("method", self.method.as_deref(), TextKind::Code);
    }
}

/// A search of the loans as typed (an API query): every field optional.
#[derive(Clone, Debug, Default)]
pub struct LoanSearch {
    pub province: Option<String>,
    pub bank: Option<String>,
    pub branch: Option<String>,
    pub class: Option<String>,
    pub status: Option<String>,
    pub in_arrears: bool,
}

impl BoundedText for LoanSearch {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .optional("province", self.province.as_deref(), TextKind::Code)
            .optional("bank", self.bank.as_deref(), TextKind::Code)
            .optional("branch", self.branch.as_deref(), TextKind::Code)
            .optional("class", self.class.as_deref(), TextKind::Code)
            .optional("status", self.status.as_deref(), TextKind::Code);
    }
}

impl LoanSearch {
    /// The store's filter for this search, or every term that cannot be one.
    pub fn filter(&self) -> Result<LoanFilter, AppError> {
        crate::bounds::check(self)?;
        let mut errors = Vec::new();
        let classes: Vec<&str> = LoanClass::ALL.iter().map(|c| c.code()).collect();
        let statuses: Vec<&str> = LoanStatus::ALL.iter().map(|s| s.code()).collect();
        let filter = LoanFilter {
            province: self
                .province
                .as_deref()
                .and_then(|code| crate::fields::province_filter(&mut errors, "province", code)),
            bank: self.bank.clone(),
            branch: self.branch.clone(),
            class: crate::bounds::one_of(&mut errors, "class", self.class.as_deref(), &classes),
            status: crate::bounds::one_of(&mut errors, "status", self.status.as_deref(), &statuses),
            in_arrears: self.in_arrears,
            ..LoanFilter::default()
        };
        crate::bounds::valid(errors, filter)
    }
}

/// A loan with its current schedule and its transactions.
#[derive(Clone, Debug)]
pub struct LoanView {
    pub loan: Loan,
    pub schedule: Vec<InstallmentRow>,
    /// The newest `TRANSACTIONS_SHOWN` transactions, oldest first (every one through
    /// `loan_transactions`), so a loan's answer does not grow with its history.
    pub transactions: Vec<LoanTransaction>,
    /// How many transactions the loan has in all.
    pub transactions_total: i64,
    /// The schedules reschedulings wrote, oldest first (version 1 is the contract's).
    pub schedules: Vec<LoanSchedule>,
    /// The late charge still owed at the open business date.
    pub penalty_due_rial: i64,
    pub business_date: IsoDate,
    /// What the reader may do on the loan now, by the same rules as the commands (pages
    /// offer exactly these): move money on it at all, pay out a tranche, take a
    /// repayment.
    pub may_transact: bool,
    pub may_disburse: bool,
    pub may_repay: bool,
    /// Whether the reader may propose a rescheduling now (its bank, the loan active and
    /// paid out in full).
    pub may_reschedule: bool,
    /// Whether it has an early-settlement quote (active and paid out in full).
    pub settlement_quotable: bool,
}

/// Where an installment stands at the open business date, as a schedule marks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstallmentStanding {
    Paid,
    /// Unpaid past the day it could be paid without a late charge.
    Overdue,
    /// The next installment to pay: the first unpaid one that is not overdue.
    Due,
    Upcoming,
}

pub(crate) fn province_of(loan: &Loan) -> Result<ProvinceCode, AppError> {
    ProvinceCode::parse(&loan.fields.province)
        .map_err(|_| AppError::Internal(format!("loan {} has a bad province", loan.id)))
}

pub(crate) fn authorize(
    principal: &Principal,
    action: LoanAction,
    loan: &Loan,
) -> Result<(), AppError> {
    let province = province_of(loan)?;
    AppError::from_decision(decide_loan(
        Some(principal),
        action,
        &LoanSubject {
            province: &province,
            cooperative_id: loan.fields.cooperative_id,
            bank: Some(&loan.fields.bank),
        },
    ))
}

/// Writes the contract of a bank-approved application: the schedule from the program's
/// pricing at the county's tier, starting at the open business date, and the program
/// fund's money reserved for it in the ledger (a pending transfer the disbursements post).
pub async fn contract(
    store: &Store,
    principal: &Principal,
    input: &ContractInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<i64, AppError> {
    crate::bounds::check(input)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return Ok(id),
        Begun::Fresh(write) => write,
    };
    let application = write
        .application(input.application_id)
        .await?
        .ok_or_else(|| not_found_field("application_id"))?;
    let province = ProvinceCode::parse(&application.fields.province)
        .map_err(|_| AppError::Internal("an application has a bad province".into()))?;
    AppError::from_decision(decide_loan(
        Some(principal),
        LoanAction::Contract,
        &LoanSubject {
            province: &province,
            cooperative_id: application.fields.cooperative_id,
            bank: application.referred_bank.as_ref(),
        },
    ))
    .map_err(|error| match error {
        AppError::NotFound => not_found_field("application_id"),
        other => other,
    })?;
    if application.fields.status != ApplicationState::BankApproved {
        return Err(AppError::Conflict(format!(
            "only a bank-approved application is contracted; this one is {}",
            application.fields.status
        )));
    }
    let program = write
        .program(&application.fields.program)
        .await?
        .ok_or_else(|| AppError::Internal("an application's program vanished".into()))?;
    let rules = parse_rules(&program)?;
    // The rate follows the county's tier, which submission recorded: without one there
    // is no rate to contract at, never a default.
    let tier = application
        .tier
        .and_then(|tier| Tier::new(tier).ok())
        .ok_or_else(|| {
            AppError::Internal(format!(
                "bank-approved application {} has no valid tier ({:?})",
                application.id, application.tier
            ))
        })?;
    let rate_bp = rules.profit_rate_bp(tier);
    let pricing = rules.pricing;
    let contract_type = ContractType::parse(&pricing.contract_type).ok_or_else(|| {
        AppError::Internal(format!(
            "program {} has contract type {:?}",
            program.code, pricing.contract_type
        ))
    })?;
    let (bank, branch) = referral(&application)?;
    let grace_mode = parse_choice(
        "grace_mode",
        input.grace_mode.as_deref(),
        GraceMode::Paid,
        GraceMode::parse,
    )?;
    let method = parse_choice(
        "method",
        input.method.as_deref(),
        Method::Annuity,
        Method::parse,
    )?;
    let today = calendar::business_date_in(&mut write, now).await?;
    let terms = ScheduleTerms {
        principal: application.fields.amount_rial,
        rate: RateBp::new(rate_bp).map_err(|e| AppError::Internal(e.to_string()))?,
        months: u16::try_from(pricing.term_months).unwrap_or(u16::MAX),
        grace_months: u16::try_from(pricing.grace_months).unwrap_or(u16::MAX),
        grace_mode,
        method,
        start: JalaliDate::from(today),
        day_base: DayBase::default(),
    };
    let built = schedule::build(&terms).map_err(|error| {
        AppError::invalid(
            error.field(),
            error.rule(),
            &error.message_fa(),
            &error.message_en(),
        )
    })?;
    let working = calendar::working_calendar_in(&mut write).await?;
    let qard = contract_type == ContractType::QardAlHasan;
    let rows = installment_rows(&built, &working, qard);
    let reserve = funds::postings::reserve(
        &mut write,
        &funds::chart::LoanBook {
            program: &application.fields.program,
            province: &application.fields.province,
            bank: bank.as_str(),
        },
        application.id,
        application.fields.amount_rial,
    )
    .await?;
    let loan = NewLoan {
        province: application.fields.province.clone(),
        application_id: application.id,
        program: application.fields.program.clone(),
        cooperative_id: application.fields.cooperative_id,
        client_id: application.fields.client_id,
        bank: bank.clone(),
        branch,
        contract_no: format!(
            "{bank}-{}-{:06}",
            JalaliDate::from(today).year(),
            application.id
        ),
        contract_type,
        principal_rial: application.fields.amount_rial,
        rate_bp: i64::from(rate_bp),
        months: i64::from(terms.months),
        grace_months: i64::from(terms.grace_months),
        grace_mode,
        method,
        day_base: terms.day_base.days_per_year(),
        repayment_order: order_code(&DEFAULT_ORDER),
        contracted_on: today.to_string(),
        reserve_transfer: Some(reserve),
        closed_day: today.days_since_unix_epoch() - 1,
    };
    let id = write.insert_loan(&loan, &rows).await?;
    let moved = write
        .move_application(
            &application,
            &ApplicationMove {
                action: EventAction::Contract,
                to_state: ApplicationState::Contracted,
                reason: None,
                actor_user_id: Some(principal.user_id),
                tier: None,
                score_x100: None,
                referred_bank: None,
                referred_branch: None,
                duplicate_flags: None,
                snapshot: Some(
                    serde_json::json!({ "loan_id": id, "contract_no": loan.contract_no })
                        .to_string(),
                ),
            },
        )
        .await?;
    if moved.is_none() {
        return Err(AppError::Conflict(
            "the application changed meanwhile; read it again".into(),
        ));
    }
    crate::events::emit_loan(&mut write, EventType::LoanContracted, id, None).await?;
    finish_idempotent(write, principal, idempotency, id).await
}

fn not_found_field(field: &str) -> AppError {
    AppError::invalid(
        field,
        "not_found",
        "چنین درخواستی نیست.",
        "No such application.",
    )
}

fn parse_choice<T>(
    field: &str,
    given: Option<&str>,
    default: T,
    parse: fn(&str) -> Option<T>,
) -> Result<T, AppError> {
    match given.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        // `equal-principal` as the CLI and the oracle spell it, `equal_principal` as stored.
        Some(value) => parse(&value.replace('-', "_")).ok_or_else(|| {
            AppError::invalid(
                field,
                "unknown",
                "این گزینه شناخته نیست.",
                &format!("Unknown {field} {value:?}."),
            )
        }),
    }
}

/// The bank and branch a bank-approved application was referred to (a referral names
/// both, so their absence is a broken record, not a default).
fn referral(application: &Application) -> Result<(BankCode, BranchCode), AppError> {
    let broken = |what: &str| {
        AppError::Internal(format!(
            "bank-approved application {} has {what}",
            application.id
        ))
    };
    let bank = application
        .referred_bank
        .clone()
        .ok_or_else(|| broken("no bank"))?;
    let branch = application
        .referred_branch
        .clone()
        .ok_or_else(|| broken("no branch"))?;
    Ok((bank, branch))
}

/// The repayment order as stored: component codes, comma-separated.
pub fn order_code(order: &[Component]) -> String {
    order.iter().map(|c| c.code()).collect::<Vec<_>>().join(",")
}

/// The stored schedule rows of a built schedule. For qard al-hasan the schedule's
/// "profit" is the fee the contract charges instead of profit.
pub fn installment_rows(
    built: &schedule::Schedule,
    working: &WorkingCalendar,
    qard: bool,
) -> Vec<InstallmentRow> {
    built
        .rows
        .iter()
        .map(|row| {
            let due = IsoDate::from(row.due);
            let (profit, fee) = if qard {
                (0, row.profit)
            } else {
                (row.profit, 0)
            };
            InstallmentRow {
                n: i64::from(row.n),
                due_on: due.to_string(),
                due_day: due.days_since_unix_epoch(),
                late_after_day: working.first_working_day_from(due).days_since_unix_epoch(),
                principal_rial: row.principal,
                profit_rial: profit,
                fee_rial: fee,
                grace_profit_rial: row.grace_profit,
                total_rial: row.total,
                balance_rial: row.balance,
                paid_principal_rial: 0,
                paid_profit_rial: 0,
                paid_fee_rial: 0,
                waived_profit_rial: 0,
                waived_fee_rial: 0,
            }
        })
        .collect()
}

/// Whether `transaction` may be reversed: a repayment not yet reversed with no early
/// settlement or rescheduling after it (see `reverse`).
pub(crate) fn reversible(transactions: &[LoanTransaction], transaction: &LoanTransaction) -> bool {
    transaction.fields.kind == TransactionKind::Repayment
        && transaction.reversed_by.is_none()
        && !transactions.iter().any(|t| {
            t.id > transaction.id
                && matches!(
                    t.fields.kind,
                    TransactionKind::Settlement | TransactionKind::Reschedule
                )
        })
}

impl LoanView {
    /// Whether `transaction` may be reversed (see `reverse`).
    pub fn reversible(&self, transaction: &LoanTransaction) -> bool {
        reversible(&self.transactions, transaction)
    }

    /// Whether an installment is late at the open business date: unpaid and past the
    /// day it could be paid without a late charge (the core's rule).
    pub fn late(&self, installment: &InstallmentRow) -> bool {
        installment.unpaid_rial() > 0
            && installment
                .account()
                .is_late(self.business_date.days_since_unix_epoch())
    }

    /// Where each installment of the current schedule stands, in schedule order.
    pub fn standings(&self) -> Vec<InstallmentStanding> {
        let mut next_found = false;
        self.schedule
            .iter()
            .map(|row| {
                if row.unpaid_rial() <= 0 {
                    InstallmentStanding::Paid
                } else if self.late(row) {
                    InstallmentStanding::Overdue
                } else if next_found {
                    InstallmentStanding::Upcoming
                } else {
                    next_found = true;
                    InstallmentStanding::Due
                }
            })
            .collect()
    }

    /// What a rescheduling at the open business date capitalises: exactly the unpaid
    /// profit and fee fallen due (`RescheduleInput::capitalise_rial` must equal it).
    pub fn capitalisable_rial(&self) -> i64 {
        let installments = accounts_of(&self.schedule);
        taavon_core::loans::account::plan_capitalisation(
            &installments,
            self.business_date.days_since_unix_epoch(),
        )
        .iter()
        .map(|line| line.profit + line.fee)
        .sum()
    }

    /// What settles everything due at the open business date (late charge included).
    pub fn due_now(&self) -> i64 {
        let today = self.business_date.to_string();
        self.penalty_due_rial
            + self
                .schedule
                .iter()
                .filter(|row| row.due_on <= today)
                .map(InstallmentRow::unpaid_rial)
                .sum::<i64>()
    }

    /// What pays the whole schedule off at the open business date.
    pub fn payoff(&self) -> i64 {
        self.penalty_due_rial
            + self
                .schedule
                .iter()
                .map(InstallmentRow::unpaid_rial)
                .sum::<i64>()
    }
}

/// One loan as the principal may see it.
pub async fn read_loan(
    store: &Store,
    principal: &Principal,
    id: i64,
) -> Result<LoanView, AppError> {
    let mut read = store.read().await?;
    let loan = read.loan(id).await?.ok_or(AppError::NotFound)?;
    authorize(principal, LoanAction::Read, &loan)?;
    let schedule = read.installments(id, loan.schedule_version).await?;
    let transactions = read
        .loan_transactions_newest(id, TRANSACTIONS_SHOWN)
        .await?;
    let transactions_total = read.loan_transaction_count(id).await?;
    let schedules = read.loan_schedules(id).await?;
    let business_date = calendar::business_date_read(&mut read).await?;
    read.finish().await?;
    let penalty_due_rial =
        state::penalty_due_at(&loan, &schedule, business_date.days_since_unix_epoch());
    let may_transact = authorize(principal, LoanAction::Transact, &loan).is_ok();
    Ok(LoanView {
        may_disburse: may_transact && state::undisbursed(&loan).is_ok(),
        may_repay: may_transact && state::takes_repayment(&loan).is_ok(),
        may_reschedule: may_transact && state::open_and_paid_out(&loan, "rescheduling").is_ok(),
        settlement_quotable: state::open_and_paid_out(&loan, "settlement").is_ok(),
        may_transact,
        loan,
        schedule,
        transactions,
        transactions_total,
        schedules,
        penalty_due_rial,
        business_date,
    })
}

/// How many of its newest transactions a loan's view carries.
pub const TRANSACTIONS_SHOWN: i64 = 50;

/// A page of a loan's transactions, oldest first: the first `limit` (1 to 500) after the
/// one numbered `after` (from the first when `None`), and whether more follow. The loan
/// is scope-checked first: one outside the reader's scope is `NotFound`.
pub async fn loan_transactions(
    store: &Store,
    principal: &Principal,
    id: i64,
    after: Option<i64>,
    limit: i64,
) -> Result<(Vec<LoanTransaction>, bool), AppError> {
    let (limit, _) = crate::bounds::page(limit, 0, crate::bounds::PAGE_SIZE_MAX)?;
    // A transaction's number is never negative: refused as the document says (minimum 0).
    if after.is_some_and(|after| after < 0) {
        return Err(AppError::invalid(
            "after",
            "range",
            "«after» نمی‌تواند منفی باشد.",
            "after must not be negative.",
        ));
    }
    let mut read = store.read().await?;
    let loan = read.loan(id).await?.ok_or(AppError::NotFound)?;
    authorize(principal, LoanAction::Read, &loan)?;
    let mut page = read.loan_transactions_after(id, after, limit + 1).await?;
    read.finish().await?;
    let more = page.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    page.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((page, more))
}

/// Loans in the principal's scope (the arrears list with `in_arrears`), after the
/// filter's cursor when it names one.
pub async fn list_loans(
    store: &Store,
    principal: &Principal,
    filter: &LoanFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Loan>, i64), AppError> {
    let (limit, offset) = crate::bounds::page(limit, offset, crate::bounds::PAGE_SIZE_MAX)?;
    let mut read = store.read().await?;
    // A cursor names a loan whose place in the order the page continues from: it must be
    // one the principal may read, or its position would tell of a loan outside the scope.
    if let Some(after) = filter.after_loan {
        let readable = match read.loan(after).await? {
            Some(loan) => authorize(principal, LoanAction::Read, &loan).is_ok(),
            None => false,
        };
        if !readable {
            return Err(crate::bounds::bad_cursor());
        }
    }
    let found = read
        .loans(&application_scope(principal), filter, limit, offset)
        .await?;
    read.finish().await?;
    Ok(found)
}

/// The money of every loan the principal may see that `filter` matches (its cursor
/// aside): the list's totals, whatever page it shows.
pub async fn loan_totals(
    store: &Store,
    principal: &Principal,
    filter: &LoanFilter,
) -> Result<LoanTotals, AppError> {
    let mut read = store.read().await?;
    let totals = read
        .loan_totals(&application_scope(principal), filter)
        .await?;
    read.finish().await?;
    Ok(totals)
}

/// The portfolio per branch at a closed business date (the last one by default), only
/// the rows in the principal's scope.
pub async fn portfolio(
    store: &Store,
    principal: &Principal,
    date: Option<&str>,
) -> Result<Vec<PortfolioRow>, AppError> {
    crate::bounds::check_texts(&[("date", date, TextKind::Date)])?;
    let date = date
        .map(|text| {
            parse_date_any(text).map_err(|error| {
                AppError::invalid(
                    "date",
                    error.rule(),
                    &error.message_fa(),
                    &error.message_en(),
                )
            })
        })
        .transpose()?
        .map(|day| day.to_string());
    let mut read = store.read().await?;
    let rows = read.portfolio(date.as_deref()).await?;
    read.finish().await?;
    let scope = application_scope(principal);
    Ok(rows
        .into_iter()
        .filter(|row| match &scope {
            ApplicationScope::All => true,
            ApplicationScope::Provinces(provinces) => {
                provinces.iter().any(|p| p.as_str() == row.province)
            }
            ApplicationScope::Bank { bank, provinces } => {
                *bank == row.bank
                    && (provinces.is_empty()
                        || provinces.iter().any(|p| p.as_str() == row.province))
            }
            ApplicationScope::Cooperative(_) | ApplicationScope::None => false,
        })
        .collect())
}
