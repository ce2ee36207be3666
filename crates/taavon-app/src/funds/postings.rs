//! The ledger transfers of every money event: an agency's deposit, a program's funding,
//! a contract's reserve and its disbursements, repayments and their reversals, dues
//! capitalised at a rescheduling, and end of day's provisions. Each chain is linked, so
//! it moves all its money or none.

use std::collections::BTreeMap;

use taavon_core::access::{Principal, may_deposit, may_fund_programs};
use taavon_core::limits::TextKind;
use taavon_core::reference::AgencyCode;
use taavon_core::timestamp::Timestamp;
use taavon_ledger::{Transfer, TransferFlags, TransferResult};
use taavon_store::{LedgerAccountFilter, Store, WriteTx};

use super::chart::{
    AccountKind, Chart, LEDGER_IRR, LoanBook, agency_accounts, ensure, hex_id, id_of, parse_hex_id,
    program_fund, provision_accounts,
};
use crate::AppError;
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};

/// Why money moved (the transfer's `code`). A reversal carries the code plus 100.
mod code {
    pub const DEPOSIT: u16 = 1;
    pub const FUNDING: u16 = 2;
    pub const RESERVE: u16 = 10;
    pub const PRINCIPAL: u16 = 20;
    pub const PROFIT: u16 = 21;
    pub const FEE: u16 = 22;
    pub const PENALTY: u16 = 23;
    pub const CAPITALISED: u16 = 24;
    pub const PROVISION: u16 = 30;
    pub const REVERSAL: u16 = 100;
}

/// What a repayment pays, by component.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Movement {
    pub penalty: i64,
    pub fee: i64,
    pub profit: i64,
    pub principal: i64,
}

fn transfer(
    key: &str,
    debit: &Chart,
    credit: &Chart,
    amount: i64,
    code: u16,
    loan_id: i64,
) -> Transfer {
    Transfer {
        id: id_of(key),
        debit_account_id: debit.id(),
        credit_account_id: credit.id(),
        amount,
        ledger: LEDGER_IRR,
        code,
        user_data_128: u128::try_from(loan_id).unwrap_or(0),
        ..Transfer::default()
    }
}

/// Links a chain so it succeeds or fails as one (every transfer but the last is linked).
fn linked(mut chain: Vec<Transfer>) -> Vec<Transfer> {
    let last = chain.len().saturating_sub(1);
    for (i, t) in chain.iter_mut().enumerate() {
        if i < last {
            t.flags = t.flags | TransferFlags::LINKED;
        }
    }
    chain
}

/// The account a chain draws on, which says what an overdraft is refused as.
#[derive(Clone, Copy)]
enum DrawsOn {
    ProgramFund,
    AgencyDeposit,
}

impl DrawsOn {
    fn insufficient(self, field: &str) -> AppError {
        match self {
            DrawsOn::ProgramFund => AppError::invalid(
                field,
                "fund_insufficient",
                "موجودی صندوق برنامه در این استان کافی نیست.",
                "The program's fund in this province does not hold enough money.",
            ),
            DrawsOn::AgencyDeposit => AppError::invalid(
                field,
                "deposit_insufficient",
                "موجودی سپرده این نهاد در این بانک کافی نیست.",
                "The agency's deposit at this bank does not hold enough money.",
            ),
        }
    }
}

/// Submits a chain drawing on a program fund; a refusal becomes an error naming the
/// field and the ledger's code.
async fn submit(write: &mut WriteTx, chain: Vec<Transfer>, field: &str) -> Result<(), AppError> {
    submit_drawing(write, chain, field, DrawsOn::ProgramFund).await
}

async fn submit_drawing(
    write: &mut WriteTx,
    chain: Vec<Transfer>,
    field: &str,
    draws_on: DrawsOn,
) -> Result<(), AppError> {
    if chain.is_empty() {
        return Ok(());
    }
    let results = write.create_ledger_transfers(&linked(chain)).await?;
    match results
        .iter()
        .find(|r| !r.is_success() && **r != TransferResult::LinkedEventFailed)
    {
        None => Ok(()),
        Some(TransferResult::ExceedsCredits) => Err(draws_on.insufficient(field)),
        // Transfer ids derive from what caused them; a caller's reference is one of
        // those causes, so this is the same reference sent with other figures.
        Some(other) if other.is_id_taken() => Err(AppError::invalid(
            "reference",
            "reused",
            "این شناسه پیش‌تر برای جابه‌جایی دیگری با ارقام دیگر به کار رفته است.",
            "This reference was already used for a different movement.",
        )),
        Some(other) => Err(AppError::Conflict(format!(
            "the ledger refused the transfer: {other}"
        ))),
    }
}

/// Commits a money event a caller named by its reference, or, when the ledger found
/// every transfer already there as asked (a retry), ends the transaction unchanged: the
/// retry is answered like the first request, and there is nothing to audit (nor an
/// `Idempotency-Key` to keep: the reference already makes the retry harmless).
async fn commit_unless_retry(
    write: WriteTx,
    principal: &Principal,
    idempotency: Option<Idempotency<'_>>,
) -> Result<(), AppError> {
    if write.has_audit_entries() {
        finish_idempotent(write, principal, idempotency, 0).await?;
    } else {
        write.rollback().await?;
    }
    Ok(())
}

/// Reserves a contract's principal in its program fund (pending); returns the pending
/// transfer's id.
pub(crate) async fn reserve(
    write: &mut WriteTx,
    book: &LoanBook<'_>,
    application_id: i64,
    amount: i64,
) -> Result<String, AppError> {
    ensure(write, &book.all()).await?;
    let mut pending = transfer(
        &format!("reserve:{application_id}:0"),
        &book.fund(),
        &book.book(),
        amount,
        code::RESERVE,
        0,
    );
    pending.flags = TransferFlags::PENDING;
    let id = pending.id;
    submit(write, vec![pending], "amount_rial").await?;
    Ok(hex_id(id))
}

/// Posts `amount` of the pending reserve and, if `rest` remains undisbursed, reserves it
/// again in the same linked chain (a pending transfer posts only once). Returns the new
/// reserve's id.
pub(crate) async fn disburse(
    write: &mut WriteTx,
    book: &LoanBook<'_>,
    loan_id: i64,
    transaction_id: i64,
    pending: &str,
    amount: i64,
    rest: i64,
) -> Result<Option<String>, AppError> {
    let mut post = transfer(
        &format!("disburse:{transaction_id}"),
        &book.fund(),
        &book.book(),
        amount,
        code::RESERVE,
        loan_id,
    );
    post.pending_id = parse_hex_id(pending)?;
    post.flags = TransferFlags::POST_PENDING_TRANSFER;
    let mut chain = vec![post];
    let mut next = None;
    if rest > 0 {
        let mut again = transfer(
            &format!("reserve-rest:{transaction_id}"),
            &book.fund(),
            &book.book(),
            rest,
            code::RESERVE,
            loan_id,
        );
        again.flags = TransferFlags::PENDING;
        next = Some(hex_id(again.id));
        chain.push(again);
    }
    submit(write, chain, "amount_rial").await?;
    Ok(next)
}

fn repayment_chain(
    book: &LoanBook<'_>,
    loan_id: i64,
    key: &str,
    m: &Movement,
    reversal: bool,
) -> Vec<Transfer> {
    let legs = [
        (m.principal, book.book(), book.fund(), code::PRINCIPAL),
        (
            m.profit,
            book.borrowers(),
            book.income(AccountKind::ProfitIncome),
            code::PROFIT,
        ),
        (
            m.fee,
            book.borrowers(),
            book.income(AccountKind::FeeIncome),
            code::FEE,
        ),
        (
            m.penalty,
            book.borrowers(),
            book.income(AccountKind::PenaltyIncome),
            code::PENALTY,
        ),
    ];
    legs.into_iter()
        .filter(|(amount, ..)| *amount > 0)
        .map(|(amount, debit, credit, code)| {
            let leg_key = format!("{key}:{code}");
            if reversal {
                transfer(
                    &leg_key,
                    &credit,
                    &debit,
                    amount,
                    code + code::REVERSAL,
                    loan_id,
                )
            } else {
                transfer(&leg_key, &debit, &credit, amount, code, loan_id)
            }
        })
        .collect()
}

/// Moves a repayment: principal back to the fund, the rest to income.
pub(crate) async fn repay(
    write: &mut WriteTx,
    book: &LoanBook<'_>,
    loan_id: i64,
    transaction_id: i64,
    m: &Movement,
) -> Result<(), AppError> {
    let chain = repayment_chain(book, loan_id, &format!("repay:{transaction_id}"), m, false);
    submit(write, chain, "amount_rial").await
}

/// Capitalises dues at a rescheduling: the program fund lends the loan what the dues
/// come to (fund to loan book, as a disbursement does) and that money pays them (to
/// income, as a repayment does), in one linked chain. The loan book then holds the new
/// schedule's principal, so its repayment returns exactly that to the fund.
pub(crate) async fn capitalise(
    write: &mut WriteTx,
    book: &LoanBook<'_>,
    loan_id: i64,
    transaction_id: i64,
    dues: &Movement,
) -> Result<(), AppError> {
    let key = format!("capitalise:{transaction_id}");
    let lent = dues.penalty + dues.fee + dues.profit;
    let mut chain = Vec::new();
    if lent > 0 {
        chain.push(transfer(
            &format!("{key}:lend"),
            &book.fund(),
            &book.book(),
            lent,
            code::CAPITALISED,
            loan_id,
        ));
    }
    chain.extend(repayment_chain(book, loan_id, &key, dues, false));
    submit(write, chain, "capitalise_rial").await
}

/// Moves a repayment's money back, leg for leg.
pub(crate) async fn reverse_repayment(
    write: &mut WriteTx,
    book: &LoanBook<'_>,
    loan_id: i64,
    reversal_id: i64,
    original: &Movement,
) -> Result<(), AppError> {
    let chain = repayment_chain(
        book,
        loan_id,
        &format!("reverse:{reversal_id}"),
        original,
        true,
    );
    submit(write, chain, "transaction_id").await
}

/// Brings each province's provision reserve to the provisions end of day computed: one
/// transfer per province for the difference, with an id of the date and province so a
/// rerun of the same date moves nothing twice. A province that holds a reserve but no
/// longer any open loan (its last one settled) is brought back to zero.
pub(crate) async fn book_provisions(
    write: &mut WriteTx,
    business_on: &str,
) -> Result<(), AppError> {
    // What each province's reserve holds, read once (the list carries the balances).
    let held: BTreeMap<String, i64> = write
        .ledger_accounts(&LedgerAccountFilter {
            kind: Some(AccountKind::ProvisionReserve.code().to_owned()),
            limit: 10_000,
            ..LedgerAccountFilter::default()
        })
        .await?
        .into_iter()
        .filter_map(|reserve| {
            let balance = reserve.account.credits_posted - reserve.account.debits_posted;
            Some((reserve.province?, balance))
        })
        .collect();
    let mut required: BTreeMap<String, i64> = held.keys().map(|p| (p.clone(), 0)).collect();
    required.extend(write.provisions_by_province(business_on).await?);
    // The expense and reserve of a province are opened together, on its first provision.
    let unopened: Vec<Chart> = required
        .keys()
        .filter(|province| !held.contains_key(*province))
        .flat_map(|province| {
            let (expense, reserve) = provision_accounts(province);
            [expense, reserve]
        })
        .collect();
    if !unopened.is_empty() {
        ensure(write, &unopened).await?;
    }
    let mut chain = Vec::new();
    for (province, required) in required {
        let (expense, reserve) = provision_accounts(&province);
        let held = held.get(&province).copied().unwrap_or(0);
        let key = format!("provision:{business_on}:{province}");
        match required - held {
            0 => {}
            up if up > 0 => chain.push(transfer(&key, &expense, &reserve, up, code::PROVISION, 0)),
            down => chain.push(transfer(
                &key,
                &reserve,
                &expense,
                -down,
                code::PROVISION + code::REVERSAL,
                0,
            )),
        }
    }
    // Independent per province: not linked.
    let results = write.create_ledger_transfers(&chain).await?;
    match results.iter().find(|r| !r.is_success()) {
        None => Ok(()),
        Some(other) => Err(AppError::Internal(format!(
            "the ledger refused a provision: {other}"
        ))),
    }
}

/// An agency's deposit at a bank, credited from its source.
#[allow(clippy::too_many_arguments)]
pub async fn deposit(
    store: &Store,
    principal: &Principal,
    agency: &str,
    bank: &str,
    amount: i64,
    reference: &str,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<(), AppError> {
    crate::bounds::check_texts(&[
        ("agency", Some(agency), TextKind::Code),
        ("bank", Some(bank), TextKind::Code),
        ("reference", Some(reference), TextKind::Reference),
    ])?;
    let agency_code = AgencyCode::parse(agency)
        .map_err(|_| unknown("agency", "چنین سازمانی شناخته نیست.", "agency"))?;
    if !may_deposit(principal, &agency_code) {
        return Err(AppError::Forbidden);
    }
    positive(amount)?;
    let Begun::Fresh(mut write) = begin(store, principal, idempotency, now).await? else {
        return Ok(());
    };
    if !write
        .agencies()
        .await?
        .iter()
        .any(|a| a.code.as_str() == agency)
    {
        return Err(unknown("agency", "چنین سازمانی شناخته نیست.", "agency"));
    }
    if !write.banks().await?.iter().any(|b| b.code == bank) {
        return Err(unknown("bank", "چنین بانکی شناخته نیست.", "bank"));
    }
    let (source, deposit) = agency_accounts(agency, bank);
    ensure(&mut write, &[source.clone(), deposit.clone()]).await?;
    let t = transfer(
        &format!("deposit:{agency}:{bank}:{reference}"),
        &source,
        &deposit,
        amount,
        code::DEPOSIT,
        0,
    );
    submit(&mut write, vec![t], "amount").await?;
    // A deposit is national (the agency's money at a bank): no province.
    crate::events::emit(
        &mut write,
        taavon_core::events::EventType::FundDeposited,
        taavon_core::events::EventConcern {
            province: String::new(),
            bank: Some(bank.to_owned()),
            agency: Some(agency.to_owned()),
            cooperative_id: None,
        },
        format!("{agency}:{bank}:{reference}"),
        serde_json::json!({
            "id": format!("{agency}:{bank}:{reference}"),
            "agency": agency,
            "bank": bank,
            "amount_rial": amount,
            "reference": reference,
        }),
    );
    commit_unless_retry(write, principal, idempotency).await
}

/// Where a program fund's money comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FundingFrom {
    /// An agency's deposit at a bank (pooled resources).
    Agency { agency: String, bank: String },
    /// The program's public source (its funding source code).
    Source(String),
}

/// Feeds a program's fund in a province.
#[allow(clippy::too_many_arguments)]
pub async fn fund_program(
    store: &Store,
    principal: &Principal,
    program: &str,
    province: &str,
    from: &FundingFrom,
    amount: i64,
    reference: &str,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<(), AppError> {
    let (agency, bank) = match from {
        FundingFrom::Agency { agency, bank } => (Some(agency.as_str()), Some(bank.as_str())),
        FundingFrom::Source(_) => (None, None),
    };
    crate::bounds::check_texts(&[
        ("program", Some(program), TextKind::Code),
        ("province", Some(province), TextKind::Code),
        ("agency", agency, TextKind::Code),
        ("bank", bank, TextKind::Code),
        ("reference", Some(reference), TextKind::Reference),
    ])?;
    if !may_fund_programs(principal) {
        return Err(AppError::Forbidden);
    }
    positive(amount)?;
    let Begun::Fresh(mut write) = begin(store, principal, idempotency, now).await? else {
        return Ok(());
    };
    if write.program(program).await?.is_none() {
        return Err(unknown("program", "چنین برنامه‌ای شناخته نیست.", "program"));
    }
    if !write.provinces().await?.iter().any(|p| p.code == province) {
        return Err(unknown("province", "چنین استانی شناخته نیست.", "province"));
    }
    let origin = match from {
        FundingFrom::Agency { agency, bank } => agency_accounts(agency, bank).1,
        FundingFrom::Source(source) => Chart::new(
            AccountKind::ProgramSource,
            &[source],
            format!("{source} appropriations"),
            None,
        ),
    };
    let fund = program_fund(program, province);
    ensure(&mut write, &[origin.clone(), fund.clone()]).await?;
    let t = transfer(
        &format!("fund:{program}:{province}:{reference}"),
        &origin,
        &fund,
        amount,
        code::FUNDING,
        0,
    );
    submit_drawing(&mut write, vec![t], "amount", DrawsOn::AgencyDeposit).await?;
    commit_unless_retry(write, principal, idempotency).await
}

fn unknown(field: &str, message_fa: &str, en: &str) -> AppError {
    AppError::invalid(field, "unknown", message_fa, &format!("Unknown {en}."))
}

fn positive(amount: i64) -> Result<(), AppError> {
    if AppError::check_amount("amount_rial", amount)? > 0 {
        Ok(())
    } else {
        Err(AppError::invalid(
            "amount",
            "positive",
            "مبلغ باید مثبت باشد.",
            "The amount must be positive.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use taavon_store::Actor;

    use super::*;

    #[tokio::test]
    async fn a_province_left_without_open_loans_has_its_provision_reserve_released() {
        // Its last loan settled: no open loan asks for a provision there any more.
        let store = taavon_testkit::fresh_sqlite().await;
        let now = crate::clock::now();
        crate::reference::ensure_loaded(&store, now).await.unwrap();
        let (expense, reserve) = provision_accounts("IR-16");
        let mut write = store.write(Actor::system("test"), now).await.unwrap();
        ensure(&mut write, &[expense.clone(), reserve.clone()])
            .await
            .unwrap();
        let held = transfer("test:held", &expense, &reserve, 5_000, code::PROVISION, 0);
        assert_eq!(
            write.create_ledger_transfers(&[held]).await.unwrap(),
            vec![TransferResult::Ok]
        );
        book_provisions(&mut write, "2025-09-23").await.unwrap();
        let left = write
            .ledger_account(reserve.id())
            .await
            .unwrap()
            .unwrap()
            .account;
        assert_eq!(left.credits_posted - left.debits_posted, 0);
        write.commit().await.unwrap();
    }
}
