//! The real `taavon` binary as the CLI tests run it: no database from the environment, the
//! audit key file only when a test gives one, a password for `user add`; its exit code and
//! everything it printed.

use std::path::Path;
use std::process::Command;

pub fn run(args: &[&str], key_file: Option<&Path>) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_taavon"));
    command
        .args(args)
        .env("TAAVON_PASSWORD", "a-long-password")
        .env_remove("TAAVON_DATABASE_URL")
        .env_remove("TAAVON_AUDIT_KEY_FILE");
    if let Some(key_file) = key_file {
        command.env("TAAVON_AUDIT_KEY_FILE", key_file);
    }
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}
