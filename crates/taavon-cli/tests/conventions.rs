//! The rule-alone commands through the real binary over every oracle case: `taavon date`,
//! `validate` and `workdays add` fed on standard input; `impact verify`, `indicators`,
//! `awards score` and `allocate` over the oracle's files.

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

const ORACLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../taavon-core/tests/oracle");

#[test]
fn taavon_workdays_add_gives_every_oracle_deadline() {
    // Establishes `workdays add -` (FROM DAYS WEEKEND lines) and the one-date form.
    let cases = include_str!("../../taavon-core/tests/oracle/workdays/cases.csv");
    let holidays = format!("{ORACLE}/workdays/holidays.txt");
    let mut input = String::new();
    let mut expected = Vec::new();
    for line in cases.lines().skip(1) {
        let (from, rest) = line.split_once(',').unwrap();
        let (days, rest) = rest.split_once(',').unwrap();
        let (weekend, due) = rest.rsplit_once(',').unwrap();
        input.push_str(&format!("{from} {days} {}\n", weekend.trim_matches('"')));
        expected.push(due.to_owned());
    }
    let (code, lines) = run_with_stdin(&["workdays", "add", "--holidays", &holidays, "-"], &input);
    assert_eq!(code, 0);
    assert_eq!(lines, expected);
    let (code, lines) = run_with_stdin(
        &[
            "workdays",
            "add",
            "--holidays",
            &holidays,
            "--weekend",
            "thu,fri",
            "۱۴۰۸-۱۲-۲۳",
            "5",
        ],
        "",
    );
    assert_eq!((code, lines), (0, vec!["1409-01-05".to_owned()]));
    let (code, lines) = run_with_stdin(&["workdays", "add", "-"], "1404-13-01 5\n1404-01-01 0\n");
    assert_eq!(code, 1);
    assert!(
        lines.iter().all(|line| line.starts_with("invalid ")),
        "{lines:?}"
    );
}

#[test]
fn taavon_impact_verify_prints_the_oracle_verdicts() {
    // Establishes `impact verify --format json` against the oracle's expected.json, and
    // that a bad row is named by file, row and column.
    let (code, lines) = run_with_stdin(
        &[
            "impact",
            "verify",
            "--loans",
            &format!("{ORACLE}/impact/loans.csv"),
            "--hires",
            &format!("{ORACLE}/impact/hires.csv"),
            "--insured",
            &format!("{ORACLE}/impact/insured.csv"),
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(code, 0);
    let got: serde_json::Value = serde_json::from_str(&lines.join("\n")).unwrap();
    let want: serde_json::Value = serde_json::from_str(include_str!(
        "../../taavon-core/tests/oracle/impact/expected.json"
    ))
    .unwrap();
    assert_eq!(got, want);

    let dir = std::env::temp_dir().join(format!("taavon-impact-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("hires.csv");
    std::fs::write(&bad, "loan_id,national_code\n1,3755142120\n1,1234567890\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_taavon"))
        .args(["impact", "verify", "--loans"])
        .arg(format!("{ORACLE}/impact/loans.csv"))
        .arg("--hires")
        .arg(&bad)
        .arg("--insured")
        .arg(format!("{ORACLE}/impact/insured.csv"))
        .output()
        .unwrap();
    let error = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(error.contains("row 3, column `national_code`"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn taavon_indicators_prints_the_oracle_figures() {
    // Establishes `indicators --format json` against the oracle's figures (to 1e-6).
    let (code, lines) = run_with_stdin(
        &[
            "indicators",
            "--units",
            &format!("{ORACLE}/indicators/units.csv"),
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(code, 0);
    let got: serde_json::Value = serde_json::from_str(&lines.join("\n")).unwrap();
    let want: serde_json::Value = serde_json::from_str(include_str!(
        "../../taavon-core/tests/oracle/indicators/expected.json"
    ))
    .unwrap();
    for key in ["units", "population", "allocated_rial"] {
        assert_eq!(got[key], want[key], "{key}");
    }
    for key in [
        "mean_per_capita_rial",
        "gini",
        "theil",
        "theil_between",
        "theil_within",
        "concentration_index",
    ] {
        let (got, want) = (got[key].as_f64().unwrap(), want[key].as_f64().unwrap());
        assert!((got - want).abs() < 1e-6, "{key}: {got} ≠ {want}");
    }
}

#[test]
fn taavon_awards_score_ranks_the_oracle_round_alike() {
    // Establishes `awards score --format json` against the oracle's expected.json: counts
    // exactly, scores to 1e-6, ranks and winners exactly.
    let file = |name: &str| format!("{ORACLE}/awards/{name}.csv");
    let (code, lines) = run_with_stdin(
        &[
            "awards",
            "score",
            "--entries",
            &file("entries"),
            "--scores",
            &file("scores"),
            "--conflicts",
            &file("conflicts"),
            "--quotas",
            &file("quotas"),
            "--format",
            "json",
        ],
        "",
    );
    assert_eq!(code, 0);
    let got: serde_json::Value = serde_json::from_str(&lines.join("\n")).unwrap();
    let want: serde_json::Value = serde_json::from_str(include_str!(
        "../../taavon-core/tests/oracle/awards/expected.json"
    ))
    .unwrap();
    for key in ["excluded_scores", "winners", "incomplete"] {
        assert_eq!(got[key], want[key], "{key}");
    }
    let (got, want) = (
        got["entries"].as_array().unwrap(),
        want["entries"].as_array().unwrap(),
    );
    assert_eq!(got.len(), want.len());
    for (got, want) in got.iter().zip(want) {
        for key in ["entry", "judges", "rank", "winner", "status"] {
            assert_eq!(got[key], want[key], "{key} of {want}");
        }
        match (got["score"].as_f64(), want["score"].as_f64()) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-6, "{want}"),
            (a, b) => assert_eq!(a, b, "{want}"),
        }
    }
}

/// `allocate` over the sectors oracle with `caps` as the caps file: (exit code, stdout,
/// stderr, the `id,funded` file).
fn allocate_sectors(
    caps: &std::path::Path,
    dir: &std::path::Path,
) -> (i32, String, String, String) {
    let out = dir.join("funded.csv");
    let output = Command::new(env!("CARGO_BIN_EXE_taavon"))
        .arg("allocate")
        .arg("--applications")
        .arg(format!("{ORACLE}/allocation-sectors/applications.csv"))
        .arg("--budgets")
        .arg(format!("{ORACLE}/allocation-sectors/budgets.csv"))
        .arg("--sector-caps")
        .arg(caps)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
        std::fs::read_to_string(&out).unwrap_or_default(),
    )
}

#[test]
fn taavon_allocate_meets_the_sector_caps_of_the_oracle_and_explains_each_decision() {
    // Establishes `allocate --sector-caps` through the binary: every cap met (recounted
    // here in integers from the files), 99.9 % of the oracle's MIP bound, one explanation
    // per application in the JSON; and that a bad cap is named by file, row and column.
    let dir = std::env::temp_dir().join(format!("taavon-allocate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let caps = format!("{ORACLE}/allocation-sectors/sector_caps.csv");
    let (code, stdout, stderr, funded) = allocate_sectors(std::path::Path::new(&caps), &dir);
    assert_eq!(code, 0, "{stderr}");
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let reference: serde_json::Value = serde_json::from_str(include_str!(
        "../../taavon-core/tests/oracle/allocation-sectors/reference.json"
    ))
    .unwrap();
    let mip_bound = reference["mip_dual_bound"].as_f64().unwrap();
    assert!(summary["objective"].as_f64().unwrap() >= 0.999 * mip_bound);
    assert!(summary["upper_bound"].as_f64().unwrap() >= mip_bound);

    let applications =
        include_str!("../../taavon-core/tests/oracle/allocation-sectors/applications.csv");
    let mut by_sector: std::collections::HashMap<&str, i128> = Default::default();
    let mut total = 0i128;
    for (row, line) in applications.lines().skip(1).zip(funded.lines().skip(1)) {
        let f: Vec<&str> = row.split(',').collect();
        assert_eq!(line, format!("{},{}", f[0], &line[line.len() - 1..]));
        if line.ends_with(",1") {
            let amount: i128 = f[2].parse().unwrap();
            *by_sector.entry(f[7]).or_default() += amount;
            total += amount;
        }
    }
    for (sector, cap) in reference["sector_caps_bp"].as_object().unwrap() {
        let cap = i128::from(u16::try_from(cap.as_u64().unwrap()).unwrap());
        let part = by_sector.get(sector.as_str()).copied().unwrap_or(0);
        assert!(10_000 * part <= cap * total, "{sector}: {part} of {total}");
    }
    let explanations = &summary["explanations"];
    for column in ["rank", "marginal_value", "binding"] {
        assert_eq!(
            explanations[column].as_array().unwrap().len(),
            3000,
            "{column}"
        );
    }
    assert!(summary["bindings"]["sector_cap"].as_u64().unwrap() > 0);

    let bad = dir.join("caps.csv");
    for (third_row, named) in [
        ("textiles,12000", "row 3, column `cap_bp`"),
        ("mining,100", "row 3, column `sector`: `mining`"),
    ] {
        std::fs::write(
            &bad,
            format!("sector,cap_bp\nagriculture,2500\n{third_row}\n"),
        )
        .unwrap();
        let (code, _, stderr, _) = allocate_sectors(&bad, &dir);
        assert_eq!(code, 1);
        assert!(stderr.contains(&format!("caps.csv: {named}")), "{stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
