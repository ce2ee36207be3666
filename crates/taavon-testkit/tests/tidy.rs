//! Tidy: repository-wide rules checked inside `cargo test` (after rust-analyzer's tidy).

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_opens_with_a_doc_header_and_holds_no_stub_or_debug_leftover() {
    // Establishes the file header rule and that no stub, dbg or ignored test slips in.
    let mut files = Vec::new();
    rust_files(&workspace().join("crates"), &mut files);
    if workspace().join("fuzz").exists() {
        rust_files(&workspace().join("fuzz"), &mut files);
    }
    assert!(files.len() > 20);
    // Spelled in pieces so this file does not match itself.
    let forbidden = [
        concat!("to", "do!("),
        concat!("unimple", "mented!("),
        concat!("db", "g!("),
        concat!("#[ig", "nore"),
        concat!("#[should", "_panic"),
    ];
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if !first.starts_with("//!") {
            problems.push(format!("{}: no //! header", file.display()));
        }
        for needle in forbidden {
            if text.contains(needle) {
                problems.push(format!("{}: contains {needle}", file.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_server_reads_and_writes_only_through_the_app() {
    // Establishes that no server module opens a store transaction or names the store
    // crate: its manifest lists no `taavon-store` (so the compiler refuses an import),
    // and the `Store` handle the app lends it is only passed to use cases.
    let server = workspace().join("crates/taavon-server");
    let manifest = std::fs::read_to_string(server.join("Cargo.toml")).unwrap();
    assert!(!manifest.contains("taavon-store"), "{manifest}");
    let mut files = Vec::new();
    rust_files(&server.join("src"), &mut files);
    // Spelled in pieces so this file does not match itself.
    let forbidden = [
        concat!("store.re", "ad()"),
        concat!("store.wr", "ite("),
        concat!("store.ses", "sion_"),
        concat!("taavon", "_store"),
    ];
    let problems: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            forbidden
                .iter()
                .filter(|needle| text.contains(**needle))
                .map(|needle| format!("{}: {needle}", file.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn architecture_md_names_every_crate() {
    // Establishes that the map of the code stays complete.
    let architecture = std::fs::read_to_string(workspace().join("ARCHITECTURE.md")).unwrap();
    for entry in std::fs::read_dir(workspace().join("crates")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            architecture.contains(&name),
            "ARCHITECTURE.md does not name {name}"
        );
    }
}

#[test]
fn both_engines_have_the_same_migrations() {
    // Establishes lock-step migration names for SQLite and PostgreSQL.
    let names = |engine: &str| {
        let mut names: Vec<String> = std::fs::read_dir(
            workspace()
                .join("crates/taavon-store/migrations")
                .join(engine),
        )
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
        names.sort();
        names
    };
    assert_eq!(names("sqlite"), names("postgres"));
    assert!(!names("sqlite").is_empty());
}
