//! Loans and end of day through the store: the numbers end of day keeps with set-based
//! statements are the ones `taavon_core::loans::account` computes loan by loan, a
//! closed day closes nothing twice, and a loan transaction's lines move its installments.

use taavon_core::access::{ApplicationScope, Role};
use taavon_core::applications::ApplicationState;
use taavon_core::loans::account::{self, InstallmentAccount};
use taavon_core::loans::classification::{ClassificationRules, LoanClass};
use taavon_core::loans::eod::EodPlan;
use taavon_core::loans::product::ContractType;
use taavon_core::loans::proposal::ProposalKind;
use taavon_core::loans::receipt::PaymentChannel;
use taavon_core::loans::schedule::{GraceMode, Method};
use taavon_core::loans::{LoanStatus, TransactionKind};
use taavon_core::programs::{ApplicantKind, Financing};
use taavon_core::reference::{BankCode, BranchCode};
use taavon_core::registry::{ClientKind, Gender};
use taavon_store::{
    Actor, EodBatch, InstallmentRow, Loan, LoanFilter, LoanSchedule, LoanState, NewApplication,
    NewClient, NewLoan, NewLoanProposal, NewLoanTransaction, NewPerson, NewUser, PaymentReceipt,
    Program, ProposalOutcome, Store, TransactionLine,
};

use super::{Checks, load_reference, now, operator, run};

/// 2025-01-01 as days since 1970-01-01.
const START_DAY: i64 = 20_089;
const RATE_BP: i64 = 1800;

fn installment(n: i64, due_day: i64, late_after_day: i64) -> InstallmentRow {
    InstallmentRow {
        n,
        due_on: taavon_core::calendar::IsoDate::from_days_since_unix_epoch(due_day).to_string(),
        due_day,
        late_after_day,
        principal_rial: 1_000_000,
        profit_rial: 45_000,
        fee_rial: 0,
        grace_profit_rial: 0,
        total_rial: 1_045_000,
        balance_rial: 3_000_000 - 1_000_000 * n,
        paid_principal_rial: 0,
        paid_profit_rial: 0,
        paid_fee_rial: 0,
        waived_profit_rial: 0,
        waived_fee_rial: 0,
    }
}

fn schedule() -> Vec<InstallmentRow> {
    vec![
        installment(1, START_DAY + 30, START_DAY + 30),
        // Due on a holiday: it may be paid the next day without a charge.
        installment(2, START_DAY + 60, START_DAY + 61),
        installment(3, START_DAY + 90, START_DAY + 90),
    ]
}

fn accounts(rows: &[InstallmentRow]) -> Vec<InstallmentAccount> {
    rows.iter().map(InstallmentRow::account).collect()
}

pub(super) async fn contracted_loan(store: &Store) -> Loan {
    load_reference(store).await;
    let mut write = store.write(operator(), now()).await.unwrap();
    write
        .insert_program(&Program {
            code: "p".into(),
            funding_source: taavon_core::programs::FundingSource::Note18,
            name_fa: "برنامه".into(),
            name_en: "Program".into(),
            opens_on: "2024-03-20".into(),
            closes_on: "2028-03-19".into(),
            rules: "{}".into(),
            tier_classification_id: None,
            bank: Some(taavon_core::reference::BankCode::tosee_taavon()),
            version: 1,
        })
        .await
        .unwrap();
    let person_id = write
        .insert_person(&NewPerson {
            province: "IR-16".into(),
            national_code: "0013542419".into(),
            first_name: "مریم".into(),
            last_name: "احمدی".into(),
            gender: Gender::Female,
            birth_year: Some(1985),
            mobile: None,
        })
        .await
        .unwrap();
    let client_id = write
        .insert_client(&NewClient {
            province: "IR-16".into(),
            county: "1601".into(),
            person_id,
            kind: ClientKind::Artisan,
            sector: Some("handicrafts".into()),
            credential: None,
            referred_by: None,
        })
        .await
        .unwrap();
    let application_id = write
        .insert_application(&NewApplication {
            province: "IR-16".into(),
            county: "1601".into(),
            program: "p".into(),
            applicant_kind: ApplicantKind::Artisan,
            cooperative_id: None,
            client_id: Some(client_id),
            sector: "handicrafts".into(),
            amount_rial: 3_000_000,
            jobs: 2,
            women_jobs: 1,
            purpose: "loom".into(),
            financing: Financing::Development,
            women_led: true,
            status: ApplicationState::BankApproved,
        })
        .await
        .unwrap();
    let loan = NewLoan {
        province: "IR-16".into(),
        application_id,
        program: "p".into(),
        cooperative_id: None,
        client_id: Some(client_id),
        bank: BankCode::parse("022").unwrap(),
        branch: BranchCode::parse("022-16").unwrap(),
        contract_no: "022-1403-000001".into(),
        contract_type: ContractType::Murabaha,
        principal_rial: 3_000_000,
        rate_bp: RATE_BP,
        months: 3,
        grace_months: 0,
        grace_mode: GraceMode::Paid,
        method: Method::EqualPrincipal,
        day_base: 365,
        repayment_order: "penalty,fee,profit,principal".into(),
        contracted_on: "2025-01-01".into(),
        reserve_transfer: None,
        closed_day: START_DAY,
    };
    let id = write.insert_loan(&loan, &schedule()).await.unwrap();
    let before = write.loan(id).await.unwrap().unwrap();
    let state = LoanState {
        outstanding_principal_rial: 3_000_000,
        ..before.state
    };
    assert!(
        write
            .update_loan(&before, LoanStatus::Active, 3_000_000, 1, None, &state)
            .await
            .unwrap()
    );
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    read.loan(id).await.unwrap().unwrap()
}

/// Closes `day` as end of day does: its one batch, then the move to the next date.
async fn close(store: &Store, day: i64) -> i64 {
    let batch = close_batch(store, day).await;
    if batch.closed > 0 {
        open_next_date(store, day).await;
    }
    batch.closed
}

/// Ends a run that closed `day`: the next date opens, and every loan reads as closed at
/// `day`.
async fn open_next_date(store: &Store, day: i64) {
    let mut write = store.write(operator(), now()).await.unwrap();
    write.close_business_date(day, &iso(day + 1)).await.unwrap();
    write.commit().await.unwrap();
}

/// Closes the one batch of `day` (loans 1 to 1000), without opening the next date: a run
/// still under way.
async fn close_batch(store: &Store, day: i64) -> EodBatch {
    let mut write = store.write(operator(), now()).await.unwrap();
    let batch = write
        .eod_batch(
            &EodPlan::default(),
            &ClassificationRules::default(),
            &iso(day),
            day,
            (0, 1, 1000),
        )
        .await
        .unwrap();
    if batch.closed > 0 {
        write.commit().await.unwrap();
    }
    batch
}

fn iso(day: i64) -> String {
    taavon_core::calendar::IsoDate::from_days_since_unix_epoch(day).to_string()
}

/// The loans' own `closed_day` column summed (what end of day last wrote), beside the
/// last closed date a loan reads as.
async fn written_closed_days(store: &Store) -> i128 {
    let mut read = store.read().await.unwrap();
    let totals = read.loan_class_totals().await.unwrap();
    read.finish().await.unwrap();
    totals.iter().map(|t| t.closed_days).sum()
}

async fn current(store: &Store, id: i64) -> (Loan, Vec<InstallmentRow>) {
    let mut read = store.read().await.unwrap();
    let loan = read.loan(id).await.unwrap().unwrap();
    let rows = read.installments(id, 1).await.unwrap();
    (loan, rows)
}

/// What `account` says the kept numbers are at `day`.
fn expected(loan: &Loan, rows: &[InstallmentRow], day: i64) -> (i64, Option<i64>, i64, i64, i64) {
    let totals = account::aggregates(&accounts(rows), loan.disbursed_rial, day);
    let charge = account::late_charge_to_date(
        RATE_BP,
        loan.state.late_rial_days_frozen,
        totals.late_unpaid,
        totals.late_weight,
        day,
    );
    let overdue = totals
        .oldest_unpaid_due_day
        .map_or(0, |oldest| day - oldest);
    (
        totals.due_unpaid,
        totals.oldest_unpaid_due_day,
        totals.late_unpaid,
        charge,
        overdue,
    )
}

async fn end_of_day_keeps_what_the_account_computes(store: Store, _url: String) -> Checks {
    let loan = contracted_loan(&store).await;
    for day in START_DAY + 1..=START_DAY + 100 {
        assert_eq!(
            close(&store, day).await,
            1,
            "day {day} closes the loan once"
        );
        assert_eq!(
            close(&store, day).await,
            0,
            "a closed day closes nothing again"
        );
        let (now_loan, rows) = current(&store, loan.id).await;
        let s = &now_loan.state;
        assert_eq!(
            (
                s.due_unpaid_rial,
                s.oldest_unpaid_due_day,
                s.late_unpaid_rial,
                s.penalty_charged_rial,
                s.days_overdue
            ),
            expected(&now_loan, &rows, day),
            "day {day}"
        );
        if day == START_DAY + 40 {
            // Installment 1 is paid in full ten days late: its lateness is frozen.
            let mut write = store.write(operator(), now()).await.unwrap();
            let lines = [TransactionLine {
                schedule_version: 1,
                n: 1,
                principal_rial: 1_000_000,
                profit_rial: 45_000,
                fee_rial: 0,
                late_rial_days: 1_045_000 * 10,
                waived_profit_rial: 0,
                waived_fee_rial: 0,
            }];
            write
                .record_loan_transaction(
                    &NewLoanTransaction {
                        loan_id: loan.id,
                        province: "IR-16".into(),
                        kind: TransactionKind::Repayment,
                        business_on: "2025-02-10".into(),
                        amount_rial: 1_045_000,
                        penalty_rial: 0,
                        fee_rial: 0,
                        profit_rial: 45_000,
                        principal_rial: 1_000_000,
                        reverses: None,
                        note: None,
                        receipt: Some(PaymentReceipt {
                            value_on: "2025-02-09".into(),
                            channel: PaymentChannel::Transfer,
                            receipt_no: Some("۸۸۱۲۰۴".into()),
                        }),
                    },
                    &lines,
                )
                .await
                .unwrap();
            let rows = write.installments(loan.id, 1).await.unwrap();
            let totals = account::aggregates(&accounts(&rows), 3_000_000, day);
            let state = LoanState {
                outstanding_principal_rial: totals.outstanding_principal,
                due_unpaid_rial: totals.due_unpaid,
                oldest_unpaid_due_day: totals.oldest_unpaid_due_day,
                late_unpaid_rial: totals.late_unpaid,
                late_weight: totals.late_weight,
                late_rial_days_frozen: 1_045_000 * 10,
                ..now_loan.state
            };
            assert!(
                write
                    .update_loan(&now_loan, LoanStatus::Active, 3_000_000, 1, None, &state)
                    .await
                    .unwrap()
            );
            write.commit().await.unwrap();
        }
    }
    let (done, rows) = current(&store, loan.id).await;
    // Installments 2 and 3 unpaid: 40 and 10 days late at day 100, plus 10 frozen days.
    let rial_days = 1_045_000 * (10 + 40 + 10);
    assert_eq!(
        done.state.penalty_charged_rial,
        (rial_days * 2400 + 1_800_000) / 3_600_000
    );
    assert_eq!(done.state.days_overdue, 40);
    assert_eq!(done.class, LoanClass::Current);
    assert_eq!(done.state.outstanding_principal_rial, 2_000_000);
    assert_eq!(rows.first().map(|r| r.paid_principal_rial), Some(1_000_000));
    // The repayment's receipt reads back as it was recorded.
    let mut read = store.read().await.unwrap();
    let transactions = read.loan_transactions(loan.id).await.unwrap();
    read.finish().await.unwrap();
    let receipt = transactions.first().and_then(|t| t.fields.receipt.clone());
    assert_eq!(
        receipt,
        Some(PaymentReceipt {
            value_on: "2025-02-09".into(),
            channel: PaymentChannel::Transfer,
            receipt_no: Some("۸۸۱۲۰۴".into()),
        })
    );
    Checks::AuditMustVerify
}
spec!(end_of_day_keeps_what_the_account_computes);

async fn a_loan_whose_numbers_stay_is_not_rewritten_yet_reads_as_closed(
    store: Store,
    _url: String,
) -> Checks {
    // Establishes issue 18's close: a day on which a loan's numbers stay writes nothing
    // to it (same version, same written closed day), yet the loan reads as closed that
    // day once the next date opens; a day that changes its numbers writes them.
    let loan = contracted_loan(&store).await;
    assert_eq!(loan.state.closed_day, START_DAY);
    let batch = close_batch(&store, START_DAY + 1).await;
    assert_eq!((batch.closed, batch.written), (1, 0), "nothing falls due");
    let (unchanged, _) = current(&store, loan.id).await;
    assert_eq!(unchanged.version, loan.version, "the row was not rewritten");
    assert_eq!(
        unchanged.state.closed_day, START_DAY,
        "while the date is still open, the loan reads as of the date before"
    );
    assert_eq!(unchanged.state, loan.state);
    open_next_date(&store, START_DAY + 1).await;
    let (closed, _) = current(&store, loan.id).await;
    assert_eq!(closed.state.closed_day, START_DAY + 1);
    assert_eq!(closed.version, loan.version);
    assert_eq!(written_closed_days(&store).await, i128::from(START_DAY));

    // Days 2 to 29 change nothing either; day 30 is installment 1's due date.
    for day in START_DAY + 2..START_DAY + 30 {
        assert_eq!(close(&store, day).await, 1, "day {day}");
    }
    let (quiet, _) = current(&store, loan.id).await;
    assert_eq!(
        (quiet.version, quiet.state.closed_day),
        (loan.version, START_DAY + 29)
    );
    let due = close_batch(&store, START_DAY + 30).await;
    assert_eq!(
        (due.closed, due.written),
        (1, 1),
        "the installment falling due is written, though days overdue stay 0"
    );
    let (fallen_due, rows) = current(&store, loan.id).await;
    assert_eq!(fallen_due.version, loan.version + 1);
    assert_eq!(fallen_due.state.closed_day, START_DAY + 30);
    assert_eq!(
        (
            fallen_due.state.due_unpaid_rial,
            fallen_due.state.oldest_unpaid_due_day,
            fallen_due.state.late_unpaid_rial,
            fallen_due.state.penalty_charged_rial,
            fallen_due.state.days_overdue
        ),
        expected(&fallen_due, &rows, START_DAY + 30)
    );
    assert_eq!(
        written_closed_days(&store).await,
        i128::from(START_DAY + 30)
    );
    assert_eq!(
        close_batch(&store, START_DAY + 30).await,
        EodBatch::default(),
        "a recorded batch closes nothing again"
    );
    Checks::AuditMustVerify
}
spec!(a_loan_whose_numbers_stay_is_not_rewritten_yet_reads_as_closed);

async fn a_quiet_overdue_loan_is_not_written_yet_reads_a_day_more_overdue(
    store: Store,
    _url: String,
) -> Checks {
    // Establishes issue 18's second cut: on a day when nothing falls due or late and the
    // class stays, an overdue loan is not written, yet once the date closes it reads one
    // day more overdue and a day's more late charge, exactly what `account` computes; it
    // also sorts by those numbers as it reads them.
    let loan = contracted_loan(&store).await;
    // Installment 1 falls due at +30 and is late from +31.
    for day in START_DAY + 1..=START_DAY + 32 {
        assert_eq!(close(&store, day).await, 1, "day {day}");
    }
    let (before, rows) = current(&store, loan.id).await;
    assert_eq!(before.state.closed_day, START_DAY + 32);
    assert_eq!(before.state.days_overdue, 2);
    assert!(before.state.penalty_charged_rial > 0);
    let quiet = close_batch(&store, START_DAY + 33).await;
    assert_eq!((quiet.closed, quiet.written), (1, 0), "nothing to write");
    let (running, _) = current(&store, loan.id).await;
    assert_eq!(
        running.state, before.state,
        "while the date is still open, the loan reads as of the date before"
    );
    open_next_date(&store, START_DAY + 33).await;
    let (after, _) = current(&store, loan.id).await;
    assert_eq!(after.version, before.version, "the row was not rewritten");
    assert_eq!(
        written_closed_days(&store).await,
        i128::from(before.state.closed_day - 1),
        "the row keeps the day its numbers were written as of"
    );
    assert_eq!(after.state.closed_day, START_DAY + 33);
    assert_eq!(after.state.days_overdue, before.state.days_overdue + 1);
    assert_eq!(
        (
            after.state.due_unpaid_rial,
            after.state.oldest_unpaid_due_day,
            after.state.late_unpaid_rial,
            after.state.penalty_charged_rial,
            after.state.days_overdue
        ),
        expected(&after, &rows, START_DAY + 33)
    );
    assert!(after.state.penalty_charged_rial > before.state.penalty_charged_rial);
    let mut read = store.read().await.unwrap();
    let (listed, total) = read
        .loans(&ApplicationScope::All, &LoanFilter::default(), 10, 0)
        .await
        .unwrap();
    read.finish().await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(
        listed.first().map(|l| l.state.days_overdue),
        Some(after.state.days_overdue)
    );
    Checks::AuditMustVerify
}
spec!(a_quiet_overdue_loan_is_not_written_yet_reads_a_day_more_overdue);

async fn classes_and_provisions_follow_days_overdue(store: Store, _url: String) -> Checks {
    let loan = contracted_loan(&store).await;
    let rules = ClassificationRules::default();
    // Jump: close 200 days after the first due date in one pass.
    let day = START_DAY + 30 + 200;
    assert_eq!(close(&store, day).await, 1);
    let (closed, _) = current(&store, loan.id).await;
    assert_eq!(closed.state.days_overdue, 200);
    assert_eq!(closed.class, LoanClass::Deferred);
    let rate = i64::from(rules.provision_bp[2]);
    assert_eq!(
        closed.state.provision_rial,
        (3_000_000 * rate + 5000) / 10_000
    );
    let mut write = store.write(operator(), now()).await.unwrap();
    assert_eq!(
        write
            .snapshot_portfolio(("2025-08-19", day), &rules)
            .await
            .unwrap(),
        1
    );
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    let portfolio = read.portfolio(None).await.unwrap();
    assert_eq!(portfolio.len(), 1);
    let branch = &portfolio[0];
    assert_eq!(
        (
            branch.outstanding_rial,
            branch.par30_rial,
            branch.par90_rial,
            branch.deferred_rial
        ),
        (3_000_000, 3_000_000, 3_000_000, 3_000_000)
    );
    assert_eq!(
        read.eod_batches_done(
            &taavon_core::calendar::IsoDate::from_days_since_unix_epoch(day).to_string()
        )
        .await
        .unwrap(),
        vec![0]
    );
    Checks::AuditMustVerify
}
spec!(classes_and_provisions_follow_days_overdue);

async fn a_waiver_closes_installments_and_its_lines_read_back(
    store: Store,
    _url: String,
) -> Checks {
    // Establishes migration 0008: a transaction line's waived profit and fee are summed on
    // the installment beside what was paid, the account no longer asks for them, and the
    // line reads back as written (so the record shows what was waived, not paid).
    let loan = contracted_loan(&store).await;
    let mut write = store.write(operator(), now()).await.unwrap();
    let lines: Vec<TransactionLine> = (1..=3)
        .map(|n| TransactionLine {
            schedule_version: 1,
            n,
            principal_rial: 1_000_000,
            profit_rial: if n == 1 { 45_000 } else { 0 },
            fee_rial: 0,
            late_rial_days: 0,
            waived_profit_rial: if n == 1 { 0 } else { 45_000 },
            waived_fee_rial: 0,
        })
        .collect();
    let id = write
        .record_loan_transaction(
            &NewLoanTransaction {
                loan_id: loan.id,
                province: "IR-16".into(),
                kind: TransactionKind::Settlement,
                business_on: "2025-01-20".into(),
                amount_rial: 3_045_000,
                penalty_rial: 0,
                fee_rial: 0,
                profit_rial: 45_000,
                principal_rial: 3_000_000,
                reverses: None,
                note: None,
                receipt: None,
            },
            &lines,
        )
        .await
        .unwrap();
    let rows = write.installments(loan.id, 1).await.unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (r.waived_profit_rial, r.unpaid_rial()))
            .collect::<Vec<_>>(),
        vec![(0, 0), (45_000, 0), (45_000, 0)]
    );
    assert!(accounts(&rows).iter().all(|a| a.unpaid_total() == 0));
    assert_eq!(write.transaction_lines(id).await.unwrap(), lines);
    write.commit().await.unwrap();
    Checks::AuditMustVerify
}
spec!(a_waiver_closes_installments_and_its_lines_read_back);

/// A rescheduling's transaction: `dues` of profit paid by as much principal lent.
fn capitalisation(loan_id: i64, dues: i64) -> NewLoanTransaction {
    NewLoanTransaction {
        loan_id,
        province: "IR-16".into(),
        kind: TransactionKind::Reschedule,
        business_on: "2025-03-01".into(),
        amount_rial: 0,
        penalty_rial: 0,
        fee_rial: 0,
        profit_rial: dues,
        principal_rial: -dues,
        reverses: None,
        note: None,
        receipt: None,
    }
}

async fn a_rescheduled_schedule_is_a_new_version_beside_the_old(
    store: Store,
    _url: String,
) -> Checks {
    // Establishes migration 0009: a rescheduling's terms and rows are stored under the
    // next version, read back as written, and the contract's version stays as it was.
    let loan = contracted_loan(&store).await;
    let mut write = store.write(operator(), now()).await.unwrap();
    let transaction_id = write
        .record_loan_transaction(&capitalisation(loan.id, 45_000), &[])
        .await
        .unwrap();
    let terms = LoanSchedule {
        loan_id: loan.id,
        province: "IR-16".into(),
        schedule_version: 2,
        principal_rial: 2_045_000,
        capitalised_rial: 45_000,
        rate_bp: 1200,
        months: 2,
        grace_months: 0,
        grace_mode: GraceMode::Paid,
        method: Method::Annuity,
        day_base: 365,
        starts_on: "2025-03-01".into(),
        transaction_id,
    };
    let rows: Vec<InstallmentRow> = (1..=2)
        .map(|n| InstallmentRow {
            principal_rial: 1_022_500,
            balance_rial: 2_045_000 - 1_022_500 * n,
            ..installment(n, START_DAY + 60 + 30 * n, START_DAY + 60 + 30 * n)
        })
        .collect();
    write.insert_loan_schedule(&terms, &rows).await.unwrap();
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert_eq!(read.loan_schedules(loan.id).await.unwrap(), vec![terms]);
    assert_eq!(read.installments(loan.id, 2).await.unwrap(), rows);
    assert_eq!(read.installments(loan.id, 1).await.unwrap(), schedule());
    Checks::AuditMustVerify
}
spec!(a_rescheduled_schedule_is_a_new_version_beside_the_old);

/// Two bank officers of bank 022, as audit actors.
async fn bank_officers(store: &Store) -> [Actor; 2] {
    let mut write = store.write(operator(), now()).await.unwrap();
    let mut officers = Vec::new();
    for username in ["bank", "bank2"] {
        let id = write
            .insert_user(&NewUser {
                username: username.into(),
                display_name: username.into(),
                password_hash: "$argon2id$not-a-real-hash".into(),
                role: Role::BankOfficer {
                    bank: "022".parse().unwrap(),
                    provinces: vec![],
                },
            })
            .await
            .unwrap();
        officers.push(Actor::User {
            id,
            username: username.into(),
        });
    }
    write.commit().await.unwrap();
    officers.try_into().unwrap()
}

fn user_id(actor: &Actor) -> i64 {
    match actor {
        Actor::User { id, .. } => *id,
        Actor::System { .. } => unreachable!("a bank officer is a user"),
    }
}

async fn a_loan_proposal_is_decided_once_and_a_claim_holds_the_loan_at_its_version(
    store: Store,
    _url: String,
) -> Checks {
    // Establishes migration 0012's proposals: recorded pending with who and the loan's
    // version, decided exactly once (a second decision finds it no longer pending), and
    // a claim on the loan succeeds only at the version it names.
    let loan = contracted_loan(&store).await;
    let [bank, bank2] = bank_officers(&store).await;
    let mut write = store.write(bank.clone(), now()).await.unwrap();
    let id = write
        .insert_loan_proposal(&NewLoanProposal {
            loan_id: loan.id,
            loan_version: loan.version,
            province: "IR-16".into(),
            kind: ProposalKind::Reschedule,
            body: r#"{"kind":"reschedule","months":12}"#.into(),
            amount_rial: 3_000_000,
            proposed_by_user_id: user_id(&bank),
        })
        .await
        .unwrap();
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    let proposal = read.loan_proposal(id).await.unwrap().unwrap();
    read.finish().await.unwrap();
    assert_eq!(
        (proposal.status.code(), proposal.proposed_by.as_str()),
        ("pending", "user:1:bank")
    );
    assert_eq!(proposal.fields.loan_version, loan.version);

    let mut write = store.write(bank2.clone(), now()).await.unwrap();
    assert!(!write.claim_loan(loan.id, loan.version - 1).await.unwrap());
    assert!(write.claim_loan(loan.id, loan.version).await.unwrap());
    let transaction_id = write
        .record_loan_transaction(&capitalisation(loan.id, 0), &[])
        .await
        .unwrap();
    let executed = ProposalOutcome::Executed { transaction_id };
    assert!(
        write
            .decide_loan_proposal(&proposal, user_id(&bank2), &executed)
            .await
            .unwrap()
    );
    let rejected = ProposalOutcome::Rejected {
        reason: "late".into(),
    };
    assert!(
        !write
            .decide_loan_proposal(&proposal, user_id(&bank2), &rejected)
            .await
            .unwrap(),
        "a proposal is decided once"
    );
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    let decided = read.loan_proposals(loan.id).await.unwrap();
    assert_eq!(decided.len(), 1);
    let decided = decided.into_iter().next().unwrap();
    assert_eq!(
        (
            decided.status.code(),
            decided.transaction_id,
            decided.decided_by_user_id,
            decided.decided_by.as_deref()
        ),
        (
            "executed",
            Some(transaction_id),
            Some(user_id(&bank2)),
            Some("user:2:bank2")
        )
    );
    // The claim changed nothing: the loan is at the version it was.
    assert_eq!(
        read.loan(loan.id).await.unwrap().unwrap().version,
        loan.version
    );
    Checks::AuditMustVerify
}
spec!(a_loan_proposal_is_decided_once_and_a_claim_holds_the_loan_at_its_version);

async fn an_applications_drafting_is_its_first_event_with_its_drafter(
    store: Store,
    _url: String,
) -> Checks {
    // Establishes migration 0012's drafting event: the four-eyes rule reads who drafted
    // an application from its events, so drafting records one with the user.
    let loan = contracted_loan(&store).await;
    let [bank, _] = bank_officers(&store).await;
    let mut read = store.read().await.unwrap();
    let contracted = read
        .application(loan.fields.application_id)
        .await
        .unwrap()
        .unwrap();
    read.finish().await.unwrap();
    let mut write = store.write(bank.clone(), now()).await.unwrap();
    let id = write.insert_application(&contracted.fields).await.unwrap();
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    let events = read.application_events(id).await.unwrap();
    assert_eq!(events.len(), 1);
    let drafted = &events[0];
    assert_eq!(
        (
            drafted.action.code(),
            drafted.actor_user_id,
            drafted.actor.as_str()
        ),
        ("create", Some(user_id(&bank)), "user:1:bank")
    );
    // The system's own drafting (the first application, by the spec's operator) has no
    // user.
    let system = read.application_events(contracted.id).await.unwrap();
    assert_eq!(
        (system[0].action.code(), system[0].actor_user_id),
        ("create", None)
    );
    Checks::AuditMustVerify
}
spec!(an_applications_drafting_is_its_first_event_with_its_drafter);

async fn official_holidays_are_listed_added_and_removed(store: Store, _url: String) -> Checks {
    let mut write = store.write(operator(), now()).await.unwrap();
    write.add_holiday("2025-06-06", "عید قربان").await.unwrap();
    write.add_holiday("2025-03-21", "نوروز").await.unwrap();
    write.commit().await.unwrap();
    let mut write = store.write(operator(), now()).await.unwrap();
    assert!(write.remove_holiday("2025-06-06").await.unwrap());
    assert!(
        !write.remove_holiday("2025-01-01").await.unwrap(),
        "a day not listed is not removed"
    );
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert_eq!(
        read.holidays().await.unwrap(),
        vec![("2025-03-21".to_owned(), "نوروز".to_owned())]
    );
    read.finish().await.unwrap();
    Checks::AuditMustVerify
}
spec!(official_holidays_are_listed_added_and_removed);
