//! Bulk import and export through the real binary: every bad row named, nothing stored
//! from a bad file, `--skip-invalid` stores the rest, re-imports change nothing.

mod common;

use taavon_core::ids::{LegalId, NationalCode};

fn taavon(args: &[&str]) -> (i32, String) {
    common::run(args, None)
}

fn legal_id(i: u64) -> String {
    (0..)
        .find_map(|k| LegalId::with_check_digit(&format!("{:010}", 2_000_000_000 + i * 10 + k)))
        .unwrap()
        .to_string()
}

#[test]
fn ten_thousand_rows_with_three_bad_ones() {
    // Establishes the registry issue's import acceptance line.
    let dir = std::env::temp_dir().join(format!("taavon-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/taavon.db", dir.display());
    assert_eq!(taavon(&["migrate", "--db", &url]).0, 0);

    let counties = ["1601", "1505", "2301", "0303", "1102"];
    let mut csv = String::from("\u{feff}name,type,sector,county,legal_id,founded_on,women_led\n");
    for i in 0..10_000u64 {
        let (mut kind, mut county, mut id) = (
            "production",
            counties[i as usize % 5].to_owned(),
            legal_id(i),
        );
        match i {
            17 => id = "12345678901".into(),
            4242 => county = "9999".into(),
            9999 => kind = "bakery",
            _ => {}
        }
        csv.push_str(&format!(
            "تعاونی شماره {i},{kind},handicrafts,{county},{id},۱۴۰۲/۰۱/۱۵,{}\n",
            if i % 2 == 0 { "بله" } else { "خیر" }
        ));
    }
    let file = dir.join("cooperatives.csv");
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap();

    let (code, text) = taavon(&["import", "cooperatives", file, "--db", &url]);
    assert_eq!(code, 1, "{text}");
    let error_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("row ")).collect();
    assert_eq!(error_lines.len(), 3, "{error_lines:?}");
    assert!(
        error_lines[0].starts_with("row 19, column legal_id (check_digit)"),
        "{}",
        error_lines[0]
    );
    assert!(
        error_lines[1].starts_with("row 4244, column county (unknown)"),
        "{}",
        error_lines[1]
    );
    assert!(
        error_lines[2].starts_with("row 10001, column type (unknown)"),
        "{}",
        error_lines[2]
    );
    assert!(
        text.contains("10000 rows: 0 created, 0 unchanged, 3 invalid; nothing stored"),
        "{text}"
    );

    let (code, text) = taavon(&[
        "import",
        "cooperatives",
        file,
        "--skip-invalid",
        "--db",
        &url,
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("10000 rows: 9997 created, 0 unchanged, 3 invalid"),
        "{text}"
    );

    let (code, text) = taavon(&[
        "import",
        "cooperatives",
        file,
        "--skip-invalid",
        "--db",
        &url,
    ]);
    assert_eq!(code, 0);
    assert!(
        text.contains("10000 rows: 0 created, 9997 unchanged, 3 invalid"),
        "{text}"
    );

    // An export in XLSX, with Persian headers and Jalali dates, imports back unchanged.
    let xlsx = dir.join("export.xlsx");
    let (code, text) = taavon(&[
        "export",
        "cooperatives",
        "--out",
        xlsx.to_str().unwrap(),
        "--db",
        &url,
    ]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = taavon(&[
        "import",
        "cooperatives",
        xlsx.to_str().unwrap(),
        "--db",
        &url,
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("9997 rows: 0 created, 9997 unchanged, 0 invalid"),
        "{text}"
    );
    let csv_export = dir.join("export.csv");
    assert_eq!(
        taavon(&[
            "export",
            "cooperatives",
            "--out",
            csv_export.to_str().unwrap(),
            "--db",
            &url
        ])
        .0,
        0
    );
    let exported = std::fs::read_to_string(&csv_export).unwrap();
    assert!(exported.starts_with("\u{feff}نام,نوع,بخش,شهرستان,شناسه ملی,تاریخ تأسیس"));
    assert!(exported.contains("۱۴۰۲/۰۱/۱۵"));

    // Members: matched by national code, idempotent too.
    let mut members =
        String::from("cooperative_legal_id,national_code,first_name,last_name,gender,birth_year\n");
    for i in 0..20u32 {
        let code = NationalCode::with_check_digit(&format!("{:09}", 300_000_000 + i * 13)).unwrap();
        members.push_str(&format!(
            "{},{},مریم,احمدی,زن,1365\n",
            legal_id(u64::from(i % 4)),
            code
        ));
    }
    let members_file = dir.join("members.csv");
    std::fs::write(&members_file, members).unwrap();
    let (code, text) = taavon(&[
        "import",
        "members",
        members_file.to_str().unwrap(),
        "--db",
        &url,
    ]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("20 rows: 20 created, 0 unchanged, 0 invalid"),
        "{text}"
    );
    let (_, text) = taavon(&[
        "import",
        "members",
        members_file.to_str().unwrap(),
        "--db",
        &url,
    ]);
    assert!(
        text.contains("20 rows: 0 created, 20 unchanged, 0 invalid"),
        "{text}"
    );

    // A national code recorded (or met earlier in the file) under another identity is a
    // bad row, reported without the recorded name; the same name in Arabic letters is not.
    let known =
        |i: u32| NationalCode::with_check_digit(&format!("{:09}", 300_000_000 + i * 13)).unwrap();
    let new_code = NationalCode::with_check_digit("300999999").unwrap();
    let rows = [
        format!("{},{},زهرا,احمدی,زن,1365", legal_id(1), known(0)),
        format!("{},{},مريم,احمدي,زن,1365", legal_id(2), known(1)),
        format!("{},{},سارا,کاظمی,زن,1370", legal_id(0), new_code),
        format!("{},{},سمیه,کاظمی,زن,1370", legal_id(1), new_code),
    ];
    let mixed = dir.join("mixed.csv");
    std::fs::write(
        &mixed,
        format!(
            "cooperative_legal_id,national_code,first_name,last_name,gender,birth_year\n{}\n",
            rows.join("\n")
        ),
    )
    .unwrap();
    let mixed = mixed.to_str().unwrap();
    let (code, text) = taavon(&["import", "members", mixed, "--db", &url]);
    assert_eq!(code, 1, "{text}");
    let error_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("row ")).collect();
    assert_eq!(error_lines.len(), 2, "{text}");
    assert!(
        error_lines[0].starts_with("row 2, column national_code (identity_mismatch)"),
        "{text}"
    );
    assert!(
        error_lines[1].starts_with("row 5, column national_code (identity_mismatch)"),
        "{text}"
    );
    assert!(!text.contains("مریم") && !text.contains("سارا"), "{text}");
    assert!(
        text.contains("4 rows: 0 created, 0 unchanged, 2 invalid; nothing stored"),
        "{text}"
    );
    let (code, text) = taavon(&["import", "members", mixed, "--skip-invalid", "--db", &url]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("4 rows: 2 created, 0 unchanged, 2 invalid"),
        "{text}"
    );
    assert_eq!(taavon(&["audit", "verify", "--db", &url]).0, 0);
}
