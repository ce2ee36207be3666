//! End of day over the demo's loans: a run that crashed after some batches resumes and
//! ends where an uninterrupted run ends; a date already closed changes nothing; catch-up
//! closes every date in turn.

use taavon_app::clock;
use taavon_app::eod::{self, EodSettings};
use taavon_app::loans::business_date;
use taavon_core::loans::classification::LoanClass;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, Loan, LoanFilter, Store};

async fn demo_store() -> Store {
    let store = taavon_testkit::fresh_sqlite().await;
    taavon_app::demo::load(&store, clock::now()).await.unwrap();
    store
}

/// Every loan's kept numbers, in id order (what end of day writes).
async fn loans(store: &Store) -> Vec<(i64, LoanClass, taavon_store::LoanState)> {
    let mut read = store.read().await.unwrap();
    let (loans, _) = read
        .loans(
            &taavon_core::access::ApplicationScope::All,
            &LoanFilter::default(),
            1000,
            0,
        )
        .await
        .unwrap();
    let mut numbers: Vec<(i64, LoanClass, taavon_store::LoanState)> = loans
        .into_iter()
        .map(|l: Loan| (l.id, l.class, l.state))
        .collect();
    numbers.sort_by_key(|(id, ..)| *id);
    numbers
}

async fn audit_entries(store: &Store) -> usize {
    usize::try_from(store.verify_audit().await.unwrap().records_checked).unwrap()
}

fn settings(batch_size: i64) -> EodSettings {
    EodSettings {
        batch_size,
        ..EodSettings::default()
    }
}

fn now() -> Timestamp {
    clock::now()
}

#[tokio::test]
async fn a_crashed_run_resumes_and_a_closed_date_changes_nothing() {
    let (crashed, control) = (demo_store().await, demo_store().await);
    let day = business_date(&crashed, now()).await.unwrap();
    assert_eq!(day, business_date(&control, now()).await.unwrap());
    // The crashed run closed the first batch (loans 1–2) and died.
    let business_on = day.to_string();
    let mut write = crashed.write(Actor::system("eod"), now()).await.unwrap();
    let closed = write
        .eod_batch(
            &settings(2).plan,
            &settings(2).rules,
            &business_on,
            day.days_since_unix_epoch(),
            (0, 1, 2),
        )
        .await
        .unwrap();
    assert_eq!(closed.closed, 2);
    write.commit().await.unwrap();

    let resumed = eod::close_at(&crashed, day, &settings(2), now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resumed.batches_resumed, 1);
    let uninterrupted = eod::close_at(&control, day, &settings(2), now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(uninterrupted.batches_resumed, 0);
    assert_eq!(
        resumed.loans_closed + closed.closed,
        uninterrupted.loans_closed
    );
    assert_eq!(loans(&crashed).await, loans(&control).await);

    // The date is closed: running it again writes nothing at all.
    let before = audit_entries(&crashed).await;
    assert_eq!(
        eod::close_at(&crashed, day, &settings(2), now())
            .await
            .unwrap(),
        None
    );
    assert!(
        eod::run_through(&crashed, day, &settings(2), now)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(audit_entries(&crashed).await, before);
    assert_eq!(
        business_date(&crashed, now()).await.unwrap(),
        day.add_days(1)
    );

    // Catch-up closes each date in turn.
    let through = day.add_days(3);
    let days = eod::run_through(&crashed, through, &settings(2), now)
        .await
        .unwrap();
    assert_eq!(days.len(), 3);
    assert_eq!(
        business_date(&crashed, now()).await.unwrap(),
        through.add_days(1)
    );
    let mut read = crashed.read().await.unwrap();
    assert_eq!(
        read.portfolio(None).await.unwrap()[0].business_on,
        through.to_string()
    );
    assert_eq!(read.check_ledger().await.unwrap().map(|_| ()), Ok(()));
}
