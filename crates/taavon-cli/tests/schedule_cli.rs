//! `taavon schedule` through the real binary: every oracle case in JSON, the CSV and table
//! shapes, and bad terms reported by flag with exit status 2.

use std::process::Command;

use serde_json::Value;

const SCHEDULES: &str = include_str!("../../taavon-core/tests/oracle/schedules.json");

fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_taavon"))
        .arg("schedule")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// The flags of an oracle case's input.
fn flags(input: &Value) -> Vec<String> {
    let text = |key: &str| match &input[key] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    [
        ("--principal", "principal"),
        ("--rate", "annual_rate_percent"),
        ("--months", "months"),
        ("--grace-months", "grace_months"),
        ("--grace-mode", "grace_mode"),
        ("--method", "method"),
        ("--start", "start"),
    ]
    .iter()
    .flat_map(|(flag, key)| [flag.to_string(), text(key)])
    .collect()
}

#[test]
fn taavon_schedule_prints_every_oracle_case_row_by_row_in_json() {
    // Establishes the CLI against all 40 reference schedules, every field of every row,
    // and the totals as the column sums.
    let cases: Vec<Value> = serde_json::from_str(SCHEDULES).unwrap();
    assert_eq!(cases.len(), 40);
    for case in &cases {
        let mut args = flags(&case["input"]);
        args.extend(["--format".to_owned(), "json".to_owned()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, 0, "{stderr}");
        let printed: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(printed["rows"], case["expected"], "{}", case["input"]);
        let rows = case["expected"].as_array().unwrap();
        for column in ["principal", "profit", "grace_profit", "total"] {
            let sum: i64 = rows.iter().map(|r| r[column].as_i64().unwrap()).sum();
            assert_eq!(printed["totals"][column], sum, "{column}");
        }
    }
}

const TERMS: [&str; 12] = [
    "--principal",
    "1,200,000",
    "--rate",
    "۱۸",
    "--months",
    "3",
    "--grace-months",
    "1",
    "--method",
    "equal-principal",
    "--start",
    "1404-06-31",
];

#[test]
fn csv_has_a_header_and_one_line_per_row_with_clamped_jalali_due_dates() {
    // Establishes the CSV shape and input read as people type it.
    let (code, stdout, _) = run(&[&TERMS[..], &["--format", "csv"]].concat());
    assert_eq!(code, 0);
    // Grace: 1 200 000 · 18 · 30 / 36 500 = 17 753.4 for Shahrivar 31 → Mehr 30.
    assert_eq!(
        stdout,
        "n,due,principal,profit,grace_profit,total,balance\n\
         1,1404-07-30,0,17753,0,17753,1200000\n\
         2,1404-08-30,400000,18000,0,418000,800000\n\
         3,1404-09-30,400000,12000,0,412000,400000\n\
         4,1404-10-30,400000,6000,0,406000,0\n"
    );
}

#[test]
fn the_table_is_the_default_with_separators_and_a_totals_line() {
    // Establishes the human-readable format.
    let (code, stdout, _) = run(&TERMS);
    assert_eq!(code, 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1 + 4 + 2, "{stdout}");
    assert!(lines[0].trim_start().starts_with("n  "), "{stdout}");
    assert!(
        lines[2].contains("1404-08-30") && lines[2].contains("400,000"),
        "{stdout}"
    );
    assert!(
        lines[6].contains("total") && lines[6].contains("1,200,000"),
        "{stdout}"
    );
    assert!(lines[6].contains("1,253,753"), "{stdout}");
}

#[test]
fn bad_terms_name_the_flag_and_exit_2_without_a_panic() {
    // Establishes the error path for values clap parses and rules the core checks.
    let with = |flag: &str, value: &str| {
        let mut args: Vec<&str> = TERMS.to_vec();
        let at = args.iter().position(|a| *a == flag).unwrap();
        args[at + 1] = value;
        run(&args)
    };
    for (flag, value, needle) in [
        ("--months", "0", "--months"),
        ("--months", "x", "--months"),
        ("--grace-months", "61", "--grace-months"),
        ("--principal", "-5", "--principal"),
        ("--principal", "12.5", "--principal"),
        ("--rate", "4.125", "--rate"),
        ("--rate", "101", "--rate"),
        ("--start", "1404-07-31", "--start"),
        ("--method", "balloon", "--method"),
    ] {
        let (code, stdout, stderr) = with(flag, value);
        assert_eq!(code, 2, "{flag} {value}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains(needle), "{flag} {value}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
