//! What a PDF text tool reads back from a document: poppler's `pdftotext`, the tool the
//! festival issue names. Without it a test says so and passes, except under `CI=true`
//! (scripts/install-test-deps.sh installs it).

use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

/// The text `pdftotext` extracts from `pdf`, without the bidi marks it inserts around
/// runs; `None` (and a loud line) when the tool is missing outside CI.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "taavon-pdf-{}-{}.pdf",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, pdf).expect("write the PDF to a temporary file");
    let output = Command::new("pdftotext").arg(&path).arg("-").output();
    let _ = std::fs::remove_file(&path);
    let output = match output {
        Ok(output) => output,
        Err(error) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "pdftotext (poppler-utils) is missing under CI=true: {error}"
            );
            eprintln!("SKIPPED: pdftotext (poppler-utils) is not installed: {error}");
            return None;
        }
    };
    assert!(output.status.success(), "pdftotext failed: {output:?}");
    let text = String::from_utf8(output.stdout).expect("pdftotext writes UTF-8");
    Some(
        text.chars()
            .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
            .collect(),
    )
}
