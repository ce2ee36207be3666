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
