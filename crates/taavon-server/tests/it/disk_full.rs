//! A full disk under SQLite (issue 18): writes are refused with a clear error naming the
//! disk (507, `database_storage_failed`), nothing of a refused write is stored, reads go
//! on, and once space returns writes succeed again with the ledger and the audit chain
//! intact. The database lives on a small tmpfs of the test's own that the test fills.

use serde_json::json;
use taavon_testkit::{SmallDisk, spawn_app_on, test_config};

/// Drafts tried with the disk full before one must have been refused: the WAL reuses
/// the room it already has, so the first few may still fit.
const TRIES_BEFORE_REFUSAL: usize = 5_000;

#[tokio::test]
async fn a_full_disk_refuses_writes_clearly_keeps_what_was_stored_and_recovers() {
    let Some(disk) = SmallDisk::mount(96) else {
        return;
    };
    let url = format!("sqlite://{}/taavon.db", disk.path().display());
    let app = spawn_app_on(url, test_config()).await;
    let admin = app.token("admin", "demo").await;
    let draft = |n: usize| {
        json!({"program": "note18", "cooperative_id": 1, "amount": 100_000_000 + n,
               "jobs": 2, "women_jobs": 1, "purpose": format!("خرید ماشین‌آلات {n}")})
    };
    let total = || async {
        let (status, page) = app.get("/api/v1/applications?limit=1", Some(&admin)).await;
        assert_eq!(status, 200, "{page}");
        page["total"].as_i64().unwrap()
    };
    let before = total().await;

    disk.fill();
    let mut stored = 0;
    let refused = loop {
        assert!(
            stored < TRIES_BEFORE_REFUSAL,
            "no write was refused on a full disk"
        );
        let (status, body) = app
            .post("/api/v1/applications", Some(&admin), &draft(stored))
            .await;
        match status {
            201 => stored += 1,
            _ => break (status, body),
        }
    };
    let (status, body) = refused;
    assert_eq!(status, 507, "{body}");
    assert_eq!(body["code"], "database_storage_failed", "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("disk is full"),
        "{body}"
    );
    // Reads go on, and hold exactly the drafts that were acknowledged.
    assert_eq!(total().await, before + i64::try_from(stored).unwrap());

    disk.free();
    let (status, body) = app
        .post("/api/v1/applications", Some(&admin), &draft(stored))
        .await;
    assert_eq!(status, 201, "writes succeed once space returns: {body}");
    assert_eq!(total().await, before + i64::try_from(stored).unwrap() + 1);
    let (status, health) = app.get("/api/health", None).await;
    assert_eq!(status, 200, "{health}");
    let verification = app.store.verify_audit().await.unwrap();
    assert_eq!(verification.first_broken, None, "audit chain");
    let mut read = app.store.read().await.unwrap();
    assert!(read.check_ledger().await.unwrap().is_ok(), "ledger check");
    read.finish().await.unwrap();
}
