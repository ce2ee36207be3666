//! `taavon audit` through the real binary: `verify` intact after normal use, failing
//! with the first broken link after any audit row is edited or deleted; with the audit
//! key, a rewritten chain (hashes recomputed) fails on its MACs, and a checkpoint kept
//! elsewhere shows a tail cut back behind it.

mod common;

use common::run;

fn taavon(args: &[&str]) -> (i32, String) {
    run(args, None)
}

/// `taavon` with the audit key file configured through the environment.
fn keyed(key_file: &std::path::Path, args: &[&str]) -> (i32, String) {
    run(args, Some(key_file))
}

/// `taavon audit verify --since-checkpoint`, with the key when one is given.
fn verify_since(
    key_file: Option<&std::path::Path>,
    checkpoint: &std::path::Path,
    url: &str,
) -> (i32, String) {
    let checkpoint = checkpoint.to_str().unwrap();
    run(
        &[
            "audit",
            "verify",
            "--since-checkpoint",
            checkpoint,
            "--db",
            url,
        ],
        key_file,
    )
}

async fn check(url: &str) {
    let (code, text) = taavon(&["migrate", "--db", url]);
    assert_eq!(code, 0, "{text}");
    for (name, role, scope) in [
        ("ilam2", "provincial_officer", ["--province", "IR-16"]),
        ("sso2", "agency_officer", ["--agency", "sso"]),
        ("bank2", "bank_officer", ["--bank", "022"]),
    ] {
        let (code, text) = taavon(&[
            "user", "add", name, "--role", role, scope[0], scope[1], "--db", url,
        ]);
        assert_eq!(code, 0, "{text}");
    }
    let (code, text) = taavon(&["user", "add", "Bad Name", "--role", "auditor", "--db", url]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("invalid username (format)"), "{text}");

    let (code, text) = taavon(&["audit", "verify", "--db", url]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.starts_with("audit trail intact: 5 records, NOT keyed\n"),
        "{text}"
    );
    assert!(text.contains("warning: no audit key configured"), "{text}");

    taavon_testkit::tamper(url, "UPDATE audit_log SET after_json = '{}' WHERE seq = 2").await;
    let (code, text) = taavon(&["audit", "verify", "--db", url]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.starts_with("audit trail broken at record 2:"),
        "{text}"
    );
    taavon_testkit::tamper(url, "DELETE FROM audit_log WHERE seq = 2").await;
    let (code, text) = taavon(&["audit", "verify", "--db", url]);
    assert_eq!(code, 1);
    assert!(text.contains("record 2 is missing"), "{text}");
}

#[tokio::test]
async fn editing_or_deleting_an_audit_row_makes_audit_verify_fail_on_sqlite() {
    // Establishes the foundation issue's tamper acceptance line through the CLI.
    check(&taavon_testkit::fresh_sqlite_url()).await;
}

#[tokio::test]
async fn editing_or_deleting_an_audit_row_makes_audit_verify_fail_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(url) = taavon_testkit::fresh_postgres_url_or_skip().await else {
        return;
    };
    let _database = taavon_testkit::DatabaseGuard::new(&url);
    check(&url).await;
}

/// The head's sequence number and where the chain became keyed.
async fn head(url: &str) -> (i64, Option<i64>) {
    let store = taavon_store::Store::open(url).await.unwrap();
    let mut read = store.read().await.unwrap();
    let head = read.audit_head().await.unwrap();
    read.finish().await.unwrap();
    store.close().await;
    (head.seq, head.keyed_from)
}

/// A chain begun without a key (a database from before keys), then keyed: returns the
/// key file, a checkpoint file taken after the second keyed record, and the first keyed
/// record. The head at that record is saved in the database (`saved_head`), as an
/// attacker who once read it would keep it.
async fn keyed_chain(url: &str, name: &str) -> (std::path::PathBuf, std::path::PathBuf, i64) {
    // One directory per database: the SQLite and PostgreSQL halves run at once.
    let database = {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        url.hash(&mut hasher);
        hasher.finish()
    };
    let dir = std::env::temp_dir().join(format!("taavon-audit-{name}-{database:x}"));
    std::fs::create_dir_all(&dir).unwrap();
    let (key, checkpoint) = (dir.join("audit.key"), dir.join("checkpoint.json"));
    let _ = std::fs::remove_file(&key);
    let (code, text) = taavon(&["audit", "key", "--out", key.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let (code, text) = taavon(&["audit", "key", "--out", key.to_str().unwrap()]);
    assert_eq!(code, 1, "a key file is never overwritten: {text}");

    assert_eq!(taavon(&["migrate", "--db", url]).0, 0);
    let (unkeyed, keyed_from) = head(url).await;
    assert_eq!(keyed_from, None);
    let add =
        |name: &str| ["user", "add", name, "--role", "auditor", "--db", url].map(str::to_owned);
    let run = |args: [String; 7]| keyed(&key, &args.each_ref().map(String::as_str));
    let (code, text) = run(add("first-keyed"));
    assert_eq!(code, 0, "{text}");
    let first_keyed = unkeyed + 1;
    assert_eq!(
        head(url).await,
        (first_keyed, Some(first_keyed)),
        "the key applies from the next record on"
    );
    taavon_testkit::tamper(url, "CREATE TABLE saved_head AS SELECT * FROM audit_head").await;

    // Without the key a keyed chain takes no write.
    let (code, text) = taavon(&add("no-key").each_ref().map(String::as_str));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!("keyed from record {first_keyed}")),
        "{text}"
    );

    assert_eq!(run(add("second-keyed")).0, 0);
    let (code, text) = keyed(&key, &["audit", "verify", "--db", url]);
    assert_eq!(code, 0, "{text}");
    let intact = format!(
        "audit trail intact: {} records, MACs checked from record {first_keyed}",
        first_keyed + 1
    );
    assert_eq!(text.trim(), intact);
    let (code, text) = keyed(&key, &["audit", "checkpoint", "--db", url]);
    assert_eq!(code, 0, "{text}");
    std::fs::write(&checkpoint, &text).unwrap();
    assert_eq!(run(add("after-checkpoint")).0, 0);
    let (code, text) = verify_since(Some(&key), &checkpoint, url);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!(
            "every record up to checkpoint {} unchanged",
            first_keyed + 1
        )),
        "{text}"
    );
    (key, checkpoint, first_keyed)
}

/// Rewrites record `seq`'s `after_json` and recomputes every hash from it on, and the
/// head's: what anyone with write access to the database can do without the key.
async fn rewrite_and_rechain(url: &str, seq: i64, after_json: &str) {
    let store = taavon_store::Store::open(url).await.unwrap();
    let mut read = store.read().await.unwrap();
    let mut records = read.audit_records(1000, None).await.unwrap();
    read.finish().await.unwrap();
    store.close().await;
    records.sort_by_key(|r| r.seq);
    let mut prev_hash: Option<String> = None;
    for record in records.iter_mut().filter(|r| r.seq >= seq) {
        if record.seq == seq {
            record.after_json = Some(after_json.to_owned());
        }
        if let Some(prev) = prev_hash.take() {
            record.prev_hash = prev;
        }
        record.hash = record.expected_hash();
        prev_hash = Some(record.hash.clone());
        taavon_testkit::tamper(
            url,
            &format!(
                "UPDATE audit_log SET after_json = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                record.after_json.as_deref().unwrap_or_default().replace('\'', "''"),
                record.prev_hash,
                record.hash,
                record.seq
            ),
        )
        .await;
    }
    let last = prev_hash.unwrap();
    taavon_testkit::tamper(url, &format!("UPDATE audit_head SET hash = '{last}'")).await;
}

async fn check_rewrite(url: &str) {
    let (key, _, first_keyed) = keyed_chain(url, "rewrite").await;
    // A keyed record (the first keyed user) made a ministry admin, the chain rebuilt: the
    // hash chain alone says intact; the MACs do not.
    rewrite_and_rechain(
        url,
        first_keyed,
        r#"{"role":"ministry_admin","username":"first-keyed"}"#,
    )
    .await;
    let (code, text) = taavon(&["audit", "verify", "--db", url]);
    assert_eq!(
        code, 0,
        "without the key only the rebuilt hash chain is checked: {text}"
    );
    let (code, text) = keyed(&key, &["audit", "verify", "--db", url]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.starts_with(&format!(
            "audit trail broken at record {first_keyed}: its MAC does not match"
        )),
        "{text}"
    );
    // A record from before the key, rewritten and rechained: the keyed records after it
    // cover it, so the first of them breaks.
    rewrite_and_rechain(url, 1, "{}").await;
    let (code, text) = keyed(&key, &["audit", "verify", "--db", url]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.starts_with(&format!(
            "audit trail broken at record {first_keyed}: its MAC does not match"
        )),
        "{text}"
    );
}

async fn check_cut(url: &str) {
    let (key, checkpoint, first_keyed) = keyed_chain(url, "cut").await;
    // An edited checkpoint is refused.
    let text = std::fs::read_to_string(&checkpoint).unwrap();
    let forged = checkpoint.with_extension("forged");
    std::fs::write(
        &forged,
        text.replace(
            &format!("\"seq\":{}", first_keyed + 1),
            &format!("\"seq\":{first_keyed}"),
        ),
    )
    .unwrap();
    let (code, text) = verify_since(Some(&key), &forged, url);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("the checkpoint's MAC does not match"),
        "{text}"
    );
    let (code, text) = verify_since(None, &checkpoint, url);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("needs the audit key"), "{text}");

    // The tail cut back behind the checkpoint, and the head the attacker once saw put back
    // (it carries a valid MAC): the chain alone looks intact; the checkpoint tells.
    taavon_testkit::tamper(
        url,
        &format!("DELETE FROM audit_log WHERE seq > {first_keyed}"),
    )
    .await;
    taavon_testkit::tamper(
        url,
        "UPDATE audit_head SET seq = (SELECT seq FROM saved_head), hash = (SELECT hash FROM saved_head), \
         keyed_from = (SELECT keyed_from FROM saved_head), mac = (SELECT mac FROM saved_head)",
    )
    .await;
    let (code, text) = keyed(&key, &["audit", "verify", "--db", url]);
    assert_eq!(
        code, 0,
        "a head once valid hides a cut from the chain alone: {text}"
    );
    let (code, text) = verify_since(Some(&key), &checkpoint, url);
    assert_eq!(code, 1, "{text}");
    let missing = format!(
        "audit trail broken at record {}: records {} to {} are missing",
        first_keyed + 1,
        first_keyed + 1,
        first_keyed + 1
    );
    assert!(text.starts_with(&missing), "{text}");
    // Cut without the saved head (its MAC cannot be made): the chain alone tells.
    taavon_testkit::tamper(
        url,
        &format!("DELETE FROM audit_log WHERE seq = {first_keyed}"),
    )
    .await;
    taavon_testkit::tamper(
        url,
        &format!("UPDATE audit_head SET seq = {}", first_keyed - 1),
    )
    .await;
    let (code, text) = keyed(&key, &["audit", "verify", "--db", url]);
    assert_eq!(code, 1, "{text}");
}

#[tokio::test]
async fn a_keyed_chain_catches_a_rebuilt_history_and_a_checkpoint_a_cut_tail_on_sqlite() {
    // Establishes the keyed audit chain against a database writer without the key, on SQLite.
    check_rewrite(&taavon_testkit::fresh_sqlite_url()).await;
    check_cut(&taavon_testkit::fresh_sqlite_url()).await;
}

#[tokio::test]
async fn a_keyed_chain_catches_a_rebuilt_history_and_a_checkpoint_a_cut_tail_on_postgres() {
    // Establishes the same on PostgreSQL.
    let (Some(rewrite), Some(cut)) = (
        taavon_testkit::fresh_postgres_url_or_skip().await,
        taavon_testkit::fresh_postgres_url_or_skip().await,
    ) else {
        return;
    };
    let _databases = [&rewrite, &cut].map(|url| taavon_testkit::DatabaseGuard::new(url));
    check_rewrite(&rewrite).await;
    check_cut(&cut).await;
}

#[test]
fn an_unknown_database_scheme_is_refused_with_a_clear_error() {
    // Establishes that `--db` chooses the engine by scheme and rejects others.
    let (code, text) = taavon(&["migrate", "--db", "mysql://root@localhost/taavon"]);
    assert_eq!(code, 1);
    assert!(
        text.contains("unknown database URL scheme \"mysql\""),
        "{text}"
    );
}

#[tokio::test]
async fn an_official_tier_list_replaces_the_derived_one_and_a_bad_file_changes_nothing() {
    // Establishes `taavon import tiers`: all-or-nothing, every bad row named, audited.
    let url = taavon_testkit::fresh_sqlite_url();
    assert_eq!(taavon(&["migrate", "--db", &url]).0, 0);
    let counties = taavon_core::reference::ReferenceData::bundled()
        .unwrap()
        .counties;
    let dir = std::env::temp_dir().join(format!("taavon-tiers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    let mut bad = String::from("county_code,tier\n");
    for (i, county) in counties.iter().enumerate() {
        let tier = if i == 3 {
            "9".to_owned()
        } else {
            "1".to_owned()
        };
        bad.push_str(&format!("{},{tier}\n", county.code));
    }
    bad.push_str("9999,2\n");
    let bad_file = dir.join("bad.csv");
    std::fs::write(&bad_file, bad).unwrap();
    let (code, text) = taavon(&[
        "import",
        "tiers",
        bad_file.to_str().unwrap(),
        "--valid-from",
        "2026-03-21",
        "--source",
        "test decree",
        "--db",
        &url,
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("invalid row 5, tier (tier_range)"), "{text}");
    assert!(text.contains("(unknown_county)"), "{text}");

    let mut good = String::from("\u{feff}county_code,tier\n");
    for county in &counties {
        good.push_str(&format!("{},1\n", county.code));
    }
    let good_file = dir.join("good.csv");
    std::fs::write(&good_file, good).unwrap();
    let (code, text) = taavon(&[
        "import",
        "tiers",
        good_file.to_str().unwrap(),
        "--valid-from",
        "2026-03-21",
        "--source",
        "test decree",
        "--db",
        &url,
    ]);
    assert_eq!(code, 0, "{text}");
    let store = taavon_store::Store::open(&url).await.unwrap();
    let mut read = store.read().await.unwrap();
    let tiers = read.counties(Some("IR-23")).await.unwrap();
    assert!(
        tiers.iter().all(|c| c.tier == Some(1)),
        "the newest classification applies"
    );
    let classifications = read.tier_classifications().await.unwrap();
    assert_eq!(classifications.len(), 2);
    assert_eq!(classifications[0].source, "test decree");
    assert_eq!(classifications[0].imported_by, "system:cli");
}
