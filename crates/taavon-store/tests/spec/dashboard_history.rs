//! The history `taavon bench dashboard` synthesizes for the records it writes straight
//! into place: each application's moves spread over days, a share waiting in each state
//! an inbox lists, and kept figures that are what the real paths would have written —
//! `run` holds every kept dashboard table to the records' recomputation afterwards.

use taavon_core::access::ApplicationScope;
use taavon_core::applications::{ApplicationState, EventAction};
use taavon_core::calendar::IsoDate;
use taavon_core::loans::LoanStatus;
use taavon_store::{FunnelStep, NewApplication, NewLoan, Store, synthesized_waiting_states};

use super::dashboard::moved;
use super::loans::contracted_loan;
use super::{Checks, now, operator, run};

/// Contracted applications the spec writes straight into place, each with its loan.
const CONTRACTED: i64 = 40;

async fn the_synthesized_history_spreads_the_steps_and_leaves_a_backlog(
    store: Store,
    _url: String,
) -> Checks {
    // Establishes that the synthesized moves take the days their steps allow (found
    // eligible in 1–10 days, approved in 5–35, referred in 1–14, contracted 4–33 days
    // after the referral, disbursed 0–14 days after the contract), varied, that a share
    // of applications waits in the inboxes' states, and that an application with a
    // recorded history is left as it is.
    use ApplicationState as S;
    let loan = contracted_loan(&store).await;
    moved(
        &store,
        loan.fields.application_id,
        EventAction::Contract,
        S::Contracted,
        "2025-01-26",
    )
    .await;
    let mut read = store.read().await.unwrap();
    let application = read
        .application(loan.fields.application_id)
        .await
        .unwrap()
        .unwrap();
    let schedule = read.installments(loan.id, 1).await.unwrap();
    read.finish().await.unwrap();
    let mut write = store.write(operator(), now()).await.unwrap();
    for n in 1..=CONTRACTED {
        let application_id = write
            .insert_application(&NewApplication {
                status: S::Contracted,
                ..application.fields.clone()
            })
            .await
            .unwrap();
        let contracted_on = IsoDate::parse("2025-01-01").unwrap().add_days(4 * n);
        let id = write
            .insert_loan(
                &NewLoan {
                    application_id,
                    contract_no: format!("022-1403-1{n:05}"),
                    contracted_on: contracted_on.to_string(),
                    ..loan.fields.clone()
                },
                &schedule,
            )
            .await
            .unwrap();
        // Disbursed in full, as the benchmark's running loans are.
        let before = write.loan(id).await.unwrap().unwrap();
        assert!(
            write
                .update_loan(
                    &before,
                    LoanStatus::Active,
                    before.fields.principal_rial,
                    1,
                    None,
                    &before.state,
                )
                .await
                .unwrap()
        );
    }
    write.commit().await.unwrap();
    let today = IsoDate::parse("2025-08-31").unwrap();
    store
        .synthesize_dashboard_history(now(), today, 7)
        .await
        .unwrap();

    let mut read = store.read().await.unwrap();
    let counts = read
        .dashboard_step_days(&ApplicationScope::All, None, None)
        .await
        .unwrap();
    for (step, least, most) in [
        (FunnelStep::Eligible, 1, 10),
        (FunnelStep::Approved, 5, 35),
        (FunnelStep::Referred, 1, 14),
        (FunnelStep::Contracted, 4, 33),
        (FunnelStep::Disbursed, 0, 14),
    ] {
        let days: Vec<i64> = counts
            .iter()
            .filter(|c| c.step == step)
            .map(|c| c.days)
            .collect();
        assert!(days.len() >= 3, "{step:?}: {days:?}");
        assert!(
            days.iter().all(|d| (least..=most).contains(d)),
            "{step:?}: {days:?}"
        );
    }
    let disbursed: i64 = counts
        .iter()
        .filter(|c| c.step == FunnelStep::Disbursed)
        .map(|c| c.applications)
        .sum();
    assert_eq!(disbursed, CONTRACTED);
    let (listed, total) = read
        .waiting_applications(&ApplicationScope::All, &synthesized_waiting_states(), 100)
        .await
        .unwrap();
    assert!(total > 0 && total < CONTRACTED, "{total}");
    // The longest-waiting first, each moved there within the 45 days before today.
    assert!(
        listed
            .windows(2)
            .all(|w| w[0].updated_at <= w[1].updated_at)
    );
    assert!(
        listed
            .iter()
            .all(|a| a.updated_at.as_deref() >= Some("2025-07-17"))
    );
    // The application moved by the real path keeps its drafting and its one move.
    assert_eq!(
        read.application_events(loan.fields.application_id)
            .await
            .unwrap()
            .len(),
        2
    );
    read.finish().await.unwrap();
    Checks::AuditMustVerify
}
spec!(the_synthesized_history_spreads_the_steps_and_leaves_a_backlog);
