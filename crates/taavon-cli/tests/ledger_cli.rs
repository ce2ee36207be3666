//! `taavon ledger check`, `taavon ledger trial-balance` and `taavon bench ledger`
//! through the real binary, on SQLite and PostgreSQL.

mod common;

use taavon_core::timestamp::Timestamp;
use taavon_ledger::{Account, AccountFlags, Transfer, TransferFlags, TransferResult};
use taavon_store::{Actor, LedgerAccount, Store};

fn taavon(args: &[&str]) -> (i32, String) {
    common::run(args, None)
}

const FUND: u128 = 0xA1;
const BORROWER: u128 = 0xB2;

fn account(id: u128, flags: AccountFlags, kind: &str) -> LedgerAccount {
    LedgerAccount {
        account: Account {
            id,
            ledger: 1,
            code: 10,
            flags,
            ..Account::default()
        },
        province: Some("IR-16".into()),
        name: format!("{kind} {id:x}"),
        kind: kind.into(),
    }
}

/// A fund of 1 000 000 rials (from a national treasury), 250 000 of it lent and 100 000
/// reserved.
async fn populate(url: &str) {
    let (code, text) = taavon(&["migrate", "--db", url]);
    assert_eq!(code, 0, "{text}");
    let store = Store::open(url).await.unwrap();
    let now = Timestamp::parse("2025-08-31T08:30:00.000Z").unwrap();
    let mut write = store.write(Actor::system("test"), now).await.unwrap();
    let treasury = LedgerAccount {
        province: None,
        ..account(0x01, AccountFlags::NONE, "treasury")
    };
    write
        .create_ledger_accounts(&[
            treasury,
            account(
                FUND,
                AccountFlags::DEBITS_MUST_NOT_EXCEED_CREDITS,
                "program_fund",
            ),
            account(BORROWER, AccountFlags::NONE, "loan_receivable"),
        ])
        .await
        .unwrap();
    let transfer = |id, debit, credit, amount| Transfer {
        id,
        debit_account_id: debit,
        credit_account_id: credit,
        amount,
        ledger: 1,
        code: 1,
        ..Transfer::default()
    };
    let results = write
        .create_ledger_transfers(&[
            transfer(1, 0x01, FUND, 1_000_000),
            transfer(2, FUND, BORROWER, 250_000),
            Transfer {
                flags: TransferFlags::PENDING,
                ..transfer(3, FUND, BORROWER, 100_000)
            },
        ])
        .await
        .unwrap();
    assert_eq!(results, vec![TransferResult::Ok; 3]);
    write.commit().await.unwrap();
    store.close().await;
}

async fn check(url: &str) {
    populate(url).await;
    let (code, text) = taavon(&["ledger", "check", "--db", url]);
    assert_eq!((code, text.trim()), (0, "ok: 3 accounts, 3 transfers"));

    let (code, text) = taavon(&["ledger", "trial-balance", "--db", url, "--format", "json"]);
    assert_eq!(code, 0, "{text}");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let fund = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["kind"] == "program_fund")
        .unwrap();
    assert_eq!(
        (
            &fund["province"],
            &fund["credits_posted"],
            &fund["debits_posted"],
            &fund["debits_pending"]
        ),
        (
            &serde_json::json!("IR-16"),
            &serde_json::json!(1_000_000),
            &serde_json::json!(250_000),
            &serde_json::json!(100_000)
        )
    );
    assert_eq!(
        json["ledgers"],
        serde_json::json!([{
            "ledger": 1, "debits_posted": "1250000", "credits_posted": "1250000",
            "debits_pending": "100000", "credits_pending": "100000", "balanced": true,
        }])
    );
    let (code, text) = taavon(&["ledger", "trial-balance", "--db", url]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(
            "ledger 1: posted debits 1,250,000 = credits 1,250,000; \
             pending debits 100,000 = credits 100,000"
        ),
        "{text}"
    );

    taavon_testkit::tamper(
        url,
        &format!("UPDATE ledger_accounts SET debits_posted = 0 WHERE id = '{FUND:032x}'"),
    )
    .await;
    let (code, text) = taavon(&["ledger", "check", "--db", url]);
    assert_eq!(code, 1, "{text}");
    assert_eq!(
        text.trim(),
        format!(
            "ledger check failed: account {FUND:032x} records debits_posted = 0, \
             but its transfers sum to 250000"
        )
    );
}

#[tokio::test]
async fn ledger_check_and_trial_balance_on_sqlite() {
    // Establishes the two ledger commands: a passing check, both trial-balance formats,
    // and exit 1 naming the account whose balance was edited behind the store's back.
    check(&taavon_testkit::fresh_sqlite_url()).await;
}

#[tokio::test]
async fn ledger_check_and_trial_balance_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(url) = taavon_testkit::fresh_postgres_url_or_skip().await else {
        return;
    };
    let _database = taavon_testkit::DatabaseGuard::new(&url);
    check(&url).await;
}

fn bench(extra: &[&str]) {
    let mut args = vec!["bench", "ledger", "--transfers", "2000", "--single", "20"];
    args.extend(extra);
    let (code, text) = taavon(&args);
    assert_eq!(code, 0, "{text}");
    for line in [
        "plain INSERT loop: 2000 rows",
        "ledger batch 1: 20 transfers",
        "ledger batch 1000: 2000 transfers",
        "ledger check: 2020 transfers",
    ] {
        assert!(text.contains(line), "{line:?} missing from {text}");
    }
    assert_eq!(text.matches("ratio to the plain INSERT loop").count(), 2);
}

#[test]
fn bench_ledger_measures_both_batch_sizes_against_the_baseline_on_sqlite() {
    // Establishes that the benchmark runs end to end on its own scratch database and
    // reports both batch sizes as ratios, with the ledger checked afterwards.
    bench(&[]);
}

#[tokio::test]
async fn bench_ledger_runs_on_postgres() {
    // Establishes the same on a PostgreSQL database given with --db.
    let Some(url) = taavon_testkit::fresh_postgres_url_or_skip().await else {
        return;
    };
    let _database = taavon_testkit::DatabaseGuard::new(&url);
    bench(&["--db", &url]);
}
