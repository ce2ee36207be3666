//! `taavon backup`, `restore` and `migrate-to` through the real binary, on the demo's
//! database: a backup taken while a writer keeps depositing restores to a database whose
//! ledger check and audit verification pass, and restore refuses a target with records;
//! the demo moved into a fresh PostgreSQL database is proved equal table by table, takes
//! new writes (its sequences are past the copied ids), a second move into it is refused,
//! one changed row of the target is reported as a mismatch, and it goes through
//! `pg_dump` and `pg_restore` whole.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use taavon_app::{auth, clock};
use taavon_store::Store;

/// `taavon` with the demo's audit key configured.
fn taavon(key: &Path, args: &[&str]) -> (i32, String) {
    common::run(args, Some(key))
}

/// A new SQLite database with the demo loaded, its audit chain keyed with a key written
/// beside it; the store stays open for the test.
async fn demo_database() -> (String, PathBuf, Store) {
    let url = taavon_testkit::fresh_sqlite_url();
    let path = url.trim_start_matches("sqlite://");
    let key = taavon_app::audit::generate_key();
    let key_file = PathBuf::from(format!("{path}-audit.key"));
    let store = Store::open(&url).await.unwrap();
    std::fs::write(&key_file, key.to_hex()).unwrap();
    let store = store.with_audit_key(key);
    taavon_app::demo::load(&store, clock::now()).await.unwrap();
    (url, key_file, store)
}

/// One of the demo agencies' deposits, by the demo's admin: a ledger transfer, an audit
/// record and an event in one transaction.
async fn deposit(store: &Store, reference: &str) {
    let mut read = store.read().await.unwrap();
    let admin = read.user_by_username("admin").await.unwrap().unwrap();
    read.finish().await.unwrap();
    taavon_app::funds::postings::deposit(
        store,
        &auth::principal_of(&admin),
        "sso",
        "022",
        1_000_000,
        reference,
        None,
        clock::now(),
    )
    .await
    .unwrap();
}

async fn audit_records(store: &Store) -> i64 {
    let mut read = store.read().await.unwrap();
    let head = read.audit_head().await.unwrap();
    read.finish().await.unwrap();
    head.seq
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_writing_restores_whole() {
    let (url, key, store) = demo_database().await;
    let writing = Arc::new(AtomicBool::new(true));
    let written = Arc::new(AtomicU64::new(0));
    let writer = {
        let (store, writing, written) = (store.clone(), writing.clone(), written.clone());
        tokio::spawn(async move {
            while writing.load(Ordering::Relaxed) {
                let n = written.fetch_add(1, Ordering::Relaxed);
                deposit(&store, &format!("while-backing-up-{n}")).await;
            }
        })
    };
    while written.load(Ordering::Relaxed) < 20 {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let before = audit_records(&store).await;
    let out = format!("{}.backup", url.trim_start_matches("sqlite://"));
    let (code, text) = {
        let (key, args) = (
            key.clone(),
            ["backup", "--out", &out, "--db", &url].map(String::from),
        );
        tokio::task::spawn_blocking(move || {
            taavon(&key, &args.iter().map(String::as_str).collect::<Vec<_>>())
        })
        .await
        .unwrap()
    };
    let during = written.load(Ordering::Relaxed);
    writing.store(false, Ordering::Relaxed);
    writer.await.unwrap();
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("backed up to"), "{text}");
    assert!(during > 20, "the writer was writing during the backup");
    // A second backup never overwrites the first.
    let (code, text) = taavon(&key, &["backup", "--out", &out, "--db", &url]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("already exists"), "{text}");

    let restored = taavon_testkit::fresh_sqlite_url();
    let (code, text) = taavon(&key, &["restore", "--from", &out, "--database", &restored]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("ledger check: ok: "), "{text}");
    assert!(
        text.contains("audit verify: audit trail intact: "),
        "{text}"
    );
    assert!(text.contains("MACs checked"), "{text}");
    let restored_store = taavon_testkit::open_keyed(&restored).await;
    let restored_records = audit_records(&restored_store).await;
    restored_store.close().await;
    assert!(
        restored_records >= before,
        "the backup holds every record committed before it began: {restored_records} < {before}"
    );

    // The restored database now holds records: refused without --force, replaced with it.
    let (code, text) = taavon(&key, &["restore", "--from", &out, "--db", &restored]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("not empty"), "{text}");
    assert!(text.contains("خالی نیست"), "{text}");
    let (code, text) = taavon(
        &key,
        &["restore", "--from", &out, "--db", &restored, "--force"],
    );
    assert_eq!(code, 0, "{text}");
    store.close().await;
    taavon_testkit::drop_database(&restored).await;
    taavon_testkit::drop_database(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_moves_into_postgres_and_the_move_is_proved() {
    let Some(target) = taavon_testkit::fresh_postgres_url_or_skip().await else {
        return;
    };
    let _target_guard = taavon_testkit::DatabaseGuard::new(&target);
    let (url, key, store) = demo_database().await;
    // A session is transport state: it stays behind.
    let session = taavon_store::SessionRow {
        id_hash: "0".repeat(64),
        data: "{}".into(),
        expires_at: taavon_core::timestamp::Timestamp::parse("2999-01-01T00:00:00.000Z").unwrap(),
    };
    assert!(
        taavon_app::sessions::create(&store, &session)
            .await
            .unwrap()
    );
    store.close().await;

    let (code, text) = taavon(&key, &["migrate-to", &target, "--db", &url]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("copied "), "{text}");
    assert!(!text.contains("MISMATCH"), "{text}");
    for table in ["audit_log", "ledger_transfers", "loans", "cooperatives"] {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{table} ")))
            .unwrap_or_else(|| panic!("no line for {table}: {text}"));
        assert!(line.ends_with("OK"), "{line}");
    }
    assert!(text.contains("ledger check: ok: "), "{text}");
    assert!(
        text.contains("audit verify: audit trail intact: "),
        "{text}"
    );
    assert!(
        text.contains("the target holds exactly what the source held"),
        "{text}"
    );

    // The proof alone passes again; a second move into the now filled target is refused.
    let (code, text) = taavon(&key, &["migrate-to", &target, "--db", &url, "--check"]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = taavon(&key, &["migrate-to", &target, "--db", &url]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("the target is not empty"), "{text}");

    // The moved database backs up with pg_dump and restores into another.
    pg_dump_round_trip(&key, &target).await;

    // One changed row is a mismatch of its table, and of its table alone.
    taavon_testkit::tamper(
        &target,
        "UPDATE cooperatives SET phone = '02100000000' \
         WHERE id = (SELECT MIN(id) FROM cooperatives)",
    )
    .await;
    let (code, text) = taavon(&key, &["migrate-to", &target, "--db", &url, "--check"]);
    assert_eq!(code, 1, "{text}");
    let mismatched: Vec<&str> = text.lines().filter(|l| l.ends_with("MISMATCH")).collect();
    assert_eq!(mismatched.len(), 1, "{text}");
    assert!(mismatched[0].starts_with("cooperatives "), "{text}");
    assert!(
        text.contains("THE TARGET DIFFERS FROM THE SOURCE"),
        "{text}"
    );

    // The moved database takes new writes: every sequence is past the copied ids.
    let moved = Store::open(&target).await.unwrap().with_audit_key(
        taavon_store::AuditKey::parse_hex(std::fs::read_to_string(&key).unwrap().trim()).unwrap(),
    );
    deposit(&moved, "after-the-move").await;
    let session = taavon_app::sessions::load(&moved, &"0".repeat(64), clock::now()).await;
    assert!(session.unwrap().is_none(), "sessions stay behind");
    moved.close().await;
    let (code, text) = taavon(&key, &["audit", "verify", "--db", &target]);
    assert_eq!(code, 0, "{text}");
    taavon_testkit::drop_database(&url).await;
}

/// `taavon backup` of a PostgreSQL database and its `restore` into a fresh one, whose
/// ledger check and audit verification pass; skipped loudly without `pg_dump` (a failure
/// under `CI`).
async fn pg_dump_round_trip(key: &Path, source: &str) {
    let dump = std::env::temp_dir().join(format!("taavon-{}.dump", std::process::id()));
    let dump = dump.to_str().unwrap();
    let _ = std::fs::remove_file(dump);
    let (code, text) = taavon(key, &["backup", "--db", source, "--out", dump]);
    if text.contains("pg_dump was not found") {
        assert!(std::env::var_os("CI").is_none(), "{text} (CI is set)");
        eprintln!("SKIPPED: the pg_dump round trip did NOT run: {text}");
        return;
    }
    assert_eq!(code, 0, "{text}");
    let restored = taavon_testkit::fresh_postgres_url_or_skip().await.unwrap();
    let _restored_guard = taavon_testkit::DatabaseGuard::new(&restored);
    let (code, text) = taavon(key, &["restore", "--from", dump, "--db", &restored]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("ledger check: ok: "), "{text}");
    assert!(
        text.contains("audit verify: audit trail intact: "),
        "{text}"
    );
    let (code, text) = taavon(key, &["restore", "--from", dump, "--db", &restored]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("not empty"), "{text}");
    let _ = std::fs::remove_file(dump);
}
