//! `taavon date` and `taavon validate` through the real binary, over every oracle case,
//! fed on standard input.

use std::io::Write;
use std::process::{Command, Stdio};

const JALALI: &str = include_str!("../../taavon-core/tests/oracle/jalali.csv");
const IDENTIFIERS: &str = include_str!("../../taavon-core/tests/oracle/identifiers.csv");

fn run_with_stdin(args: &[&str], input: &str) -> (i32, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taavon"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let lines = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    (output.status.code().unwrap(), lines)
}

#[test]
fn taavon_date_converts_every_oracle_date_both_ways() {
    // Establishes the date command over the whole oracle, in both directions.
    let rows: Vec<(&str, &str)> = JALALI
        .lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap())
        .collect();
    let gregorian: String = rows.iter().map(|(g, _)| format!("{g}\n")).collect();
    let (code, lines) = run_with_stdin(&["date", "-"], &gregorian);
    assert_eq!(code, 0);
    assert_eq!(
        lines,
        rows.iter().map(|(_, j)| j.to_string()).collect::<Vec<_>>()
    );
    let jalali: String = rows.iter().map(|(_, j)| format!("{j}\n")).collect();
    let (code, lines) = run_with_stdin(&["date", "-"], &jalali);
    assert_eq!(code, 0);
    assert_eq!(
        lines,
        rows.iter().map(|(g, _)| g.to_string()).collect::<Vec<_>>()
    );
}

#[test]
fn taavon_date_names_an_impossible_date_and_exits_1() {
    // Establishes the invalid path of the date command.
    let (code, lines) = run_with_stdin(&["date", "۱۴۰۴/۶/۹", "1404-07-31", "1403-12-31"], "");
    assert_eq!(code, 1);
    assert_eq!(lines[0], "2025-08-31");
    assert_eq!(
        lines[1],
        "invalid day 31 does not exist in month 7 of 1404 (day_range)"
    );
    // 1403 is a leap year, so Esfand has 30 days and the 31st still does not exist.
    assert!(lines[2].starts_with("invalid "), "{lines:?}");
    assert!(lines[2].ends_with("(day_range)"), "{lines:?}");
}

#[test]
fn taavon_validate_reads_card_and_mobile_numbers_as_people_type_them() {
    // Establishes the card and mobile kinds: normalised output, rule codes, exit status.
    let (code, lines) = run_with_stdin(
        &[
            "validate",
            "card",
            "6037-9975-9940-5587",
            "6037997599405581",
        ],
        "",
    );
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "valid 6037997599405587",
            "invalid its check digit is wrong (check_digit)"
        ]
    );
    let (code, lines) = run_with_stdin(
        &["validate", "mobile", "-"],
        "+98 912 123 4567\n۰۹۱۲۱۲۳۴۵۶۷\n00989121234567\n",
    );
    assert_eq!(code, 0);
    assert_eq!(lines, ["valid 09121234567"; 3]);
}

#[test]
fn taavon_validate_agrees_with_every_oracle_identifier() {
    // Establishes the validate command over the whole oracle, per kind, on stdin.
    for kind in ["national_code", "legal_id", "sheba"] {
        let rows: Vec<Vec<&str>> = IDENTIFIERS
            .lines()
            .skip(1)
            .map(|l| l.splitn(4, ',').collect())
            .filter(|r: &Vec<&str>| r[0] == kind)
            .collect();
        let input: String = rows
            .iter()
            .map(|r| format!("{}\n", r[1].trim_matches('"')))
            .collect();
        let (code, lines) = run_with_stdin(&["validate", &kind.replace('_', "-"), "-"], &input);
        assert_eq!(lines.len(), rows.len(), "{kind}");
        for (row, line) in rows.iter().zip(&lines) {
            match row[2] {
                "valid" => assert_eq!(line, &format!("valid {}", row[3]), "{row:?}"),
                _ => assert!(line.starts_with("invalid "), "{row:?} gave {line}"),
            }
        }
        let any_invalid = rows.iter().any(|r| r[2] == "invalid");
        assert_eq!(code, i32::from(any_invalid), "{kind}");
    }
}
