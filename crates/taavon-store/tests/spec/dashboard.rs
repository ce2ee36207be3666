//! The funnel's step days through the store: each step an application reaches is kept
//! with the calendar days since the step before, in the same transaction as the move or
//! the disbursement, and read back by period (whole Jalali months and the days around
//! them) and by scope. `run` then holds the kept histograms to the records' counts.

use taavon_core::access::ApplicationScope;
use taavon_core::applications::{ApplicationState, EventAction, TransitionAction};
use taavon_core::calendar::IsoDate;
use taavon_core::loans::{LoanStatus, TransactionKind};
use taavon_core::programs::{ApplicantKind, Financing};
use taavon_core::reference::{BankCode, ProvinceCode};
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    Application, ApplicationMove, FunnelStep, NewApplication, NewLoanTransaction, StepDays, Store,
};

use super::loans::contracted_loan;
use super::{Checks, operator, run};

/// Moves application `id` to `to` by `action` at 08:00 UTC on `day` (a referral to the
/// bank 022).
pub(super) async fn moved(
    store: &Store,
    id: i64,
    action: EventAction,
    to: ApplicationState,
    day: &str,
) {
    let at = Timestamp::parse(&format!("{day}T08:00:00.000Z")).unwrap();
    let mut write = store.write(operator(), at).await.unwrap();
    let before: Application = write.application(id).await.unwrap().unwrap();
    let referred = matches!(to, ApplicationState::Referred);
    write
        .move_application(
            &before,
            &ApplicationMove {
                action,
                to_state: to,
                reason: None,
                actor_user_id: None,
                tier: None,
                score_x100: None,
                referred_bank: referred.then(|| BankCode::parse("022").unwrap()),
                referred_branch: None,
                duplicate_flags: None,
                snapshot: None,
            },
        )
        .await
        .unwrap()
        .unwrap();
    write.commit().await.unwrap();
}

/// Drafts an application of the client `client_id` and moves it through `moves`, each
/// (action, state reached, day).
async fn application_through(
    store: &Store,
    client_id: i64,
    moves: &[(EventAction, ApplicationState, &str)],
) -> i64 {
    let mut write = store
        .write(
            operator(),
            Timestamp::parse("2024-12-20T08:00:00.000Z").unwrap(),
        )
        .await
        .unwrap();
    let id = write
        .insert_application(&NewApplication {
            province: "IR-16".into(),
            county: "1601".into(),
            program: "p".into(),
            applicant_kind: ApplicantKind::Artisan,
            cooperative_id: None,
            client_id: Some(client_id),
            sector: "handicrafts".into(),
            amount_rial: 1_000_000,
            jobs: 1,
            women_jobs: 0,
            purpose: "kiln".into(),
            financing: Financing::Development,
            women_led: false,
            status: ApplicationState::Draft,
        })
        .await
        .unwrap();
    write.commit().await.unwrap();
    for (action, to, day) in moves {
        moved(store, id, *action, *to, day).await;
    }
    id
}

fn day(text: &str) -> Option<IsoDate> {
    Some(IsoDate::parse(text).unwrap())
}

fn counted(pairs: &[(FunnelStep, i64, i64)]) -> Vec<StepDays> {
    pairs
        .iter()
        .map(|&(step, days, applications)| StepDays {
            step,
            days,
            applications,
        })
        .collect()
}

async fn funnel_steps_are_kept_with_the_days_since_the_step_before(
    store: Store,
    _url: String,
) -> Checks {
    // Establishes the days each step took for four applications with known dates: one
    // found eligible 2 days after submission, approved after 7, referred after 2 and
    // contracted after 13; one eligible the same day (0) and approved after 4; one
    // approved after 20; one submitted straight into review (0) and approved after 6;
    // and a loan first disbursed 5 days after its contract (a second
    // disbursement is no step). A period cut inside a month and one of whole months read
    // the same counts; a bank sees only the steps from its referral on.
    use ApplicationState as S;
    use EventAction::{Contract, Eligibility, Transition};
    use TransitionAction::{Approve, BankApprove, Refer, Submit};
    let loan = contracted_loan(&store).await;
    let client_id = loan.fields.client_id.unwrap();
    application_through(
        &store,
        client_id,
        &[
            (Transition(Submit), S::Submitted, "2025-01-01"),
            (Eligibility, S::UnderReview, "2025-01-03"),
            (Transition(Approve), S::Approved, "2025-01-10"),
            (Transition(Refer), S::Referred, "2025-01-12"),
            (Transition(BankApprove), S::BankApproved, "2025-01-20"),
            (Contract, S::Contracted, "2025-01-25"),
        ],
    )
    .await;
    application_through(
        &store,
        client_id,
        &[
            (Transition(Submit), S::Submitted, "2025-01-02"),
            (Eligibility, S::UnderReview, "2025-01-02"),
            (Transition(Approve), S::Approved, "2025-01-06"),
        ],
    )
    .await;
    application_through(
        &store,
        client_id,
        &[
            (Transition(Submit), S::Submitted, "2025-01-01"),
            (Eligibility, S::UnderReview, "2025-01-01"),
            (Transition(Approve), S::Approved, "2025-01-21"),
        ],
    )
    .await;
    // Submitted straight into review: found eligible by its submission itself.
    application_through(
        &store,
        client_id,
        &[
            (Transition(Submit), S::UnderReview, "2025-01-13"),
            (Transition(Approve), S::Approved, "2025-01-19"),
        ],
    )
    .await;
    // The loan's application (written straight at the bank's approval) is contracted on
    // 2025-01-26 and disbursed twice from 2025-01-31.
    moved(
        &store,
        loan.fields.application_id,
        Contract,
        S::Contracted,
        "2025-01-26",
    )
    .await;
    for business_on in ["2025-01-31", "2025-02-02"] {
        let mut write = store
            .write(
                operator(),
                Timestamp::parse(&format!("{business_on}T09:00:00.000Z")).unwrap(),
            )
            .await
            .unwrap();
        write
            .record_loan_transaction(
                &NewLoanTransaction {
                    loan_id: loan.id,
                    province: "IR-16".into(),
                    kind: TransactionKind::Disbursement,
                    business_on: business_on.into(),
                    amount_rial: 1_000_000,
                    penalty_rial: 0,
                    fee_rial: 0,
                    profit_rial: 0,
                    principal_rial: 1_000_000,
                    reverses: None,
                    note: None,
                    receipt: None,
                },
                &[],
            )
            .await
            .unwrap();
        // As the app does: the loan's disbursed rials move with it (so its county figures).
        let before = write.loan(loan.id).await.unwrap().unwrap();
        assert!(
            write
                .update_loan(
                    &before,
                    LoanStatus::Active,
                    before.disbursed_rial + 1_000_000,
                    1,
                    None,
                    &before.state,
                )
                .await
                .unwrap()
        );
        write.commit().await.unwrap();
    }

    let all = counted(&[
        (FunnelStep::Eligible, 0, 3),
        (FunnelStep::Eligible, 2, 1),
        (FunnelStep::Approved, 4, 1),
        (FunnelStep::Approved, 6, 1),
        (FunnelStep::Approved, 7, 1),
        (FunnelStep::Approved, 20, 1),
        (FunnelStep::Referred, 2, 1),
        (FunnelStep::Contracted, 13, 1),
        (FunnelStep::Disbursed, 5, 1),
    ]);
    let mut read = store.read().await.unwrap();
    let nation = ApplicationScope::All;
    // Dey 1403 is 2024-12-21 to 2025-01-19, Bahman 2025-01-20 to 2025-02-18: the first
    // span is two whole months, the second cut inside Dey.
    assert_eq!(
        read.dashboard_step_days(&nation, day("2024-12-21"), day("2025-02-18"))
            .await
            .unwrap(),
        all
    );
    assert_eq!(
        read.dashboard_step_days(&nation, day("2025-01-04"), day("2025-01-12"))
            .await
            .unwrap(),
        counted(&[
            (FunnelStep::Approved, 4, 1),
            (FunnelStep::Approved, 7, 1),
            (FunnelStep::Referred, 2, 1),
        ])
    );
    let bank = ApplicationScope::Bank {
        bank: BankCode::parse("022").unwrap(),
        provinces: vec![ProvinceCode::parse("IR-16").unwrap()],
    };
    assert_eq!(
        read.dashboard_step_days(&bank, None, None).await.unwrap(),
        counted(&[
            (FunnelStep::Referred, 2, 1),
            (FunnelStep::Contracted, 13, 1),
            (FunnelStep::Disbursed, 5, 1),
        ])
    );
    let elsewhere = ApplicationScope::Provinces(vec![ProvinceCode::parse("IR-01").unwrap()]);
    assert_eq!(
        read.dashboard_step_days(&elsewhere, None, None)
            .await
            .unwrap(),
        Vec::new()
    );
    read.finish().await.unwrap();
    Checks::AuditMustVerify
}
spec!(funnel_steps_are_kept_with_the_days_since_the_step_before);
