//! `taavon audit verify` through the real binary: intact after normal use, failing with
//! the first broken link after any audit row is edited or deleted.

use std::process::Command;

fn taavon(args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_taavon"))
        .args(args)
        .env("TAAVON_PASSWORD", "a-long-password")
        .env_remove("TAAVON_DATABASE_URL")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
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
    assert_eq!((code, text.trim()), (0, "audit trail intact: 5 records"));

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
    check(&url).await;
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
