//! The shared oracle cases (`shared/oracle/`), copied into `tests/oracle/`, through the
//! library. The copies must equal the originals wherever those sit next to the repo.

use taavon_core::ids::{LegalId, NationalCode, Sheba};

const IDENTIFIERS: &str = include_str!("oracle/identifiers.csv");

#[test]
fn every_identifier_case_of_the_oracle_passes() {
    // Establishes national code, legal ID and Sheba rules against the reference cases.
    let mut checked = 0;
    for line in IDENTIFIERS.lines().skip(1) {
        let fields: Vec<&str> = line.splitn(4, ',').collect();
        let [kind, input, expected, normalized] = fields.as_slice() else {
            panic!("bad oracle line {line}");
        };
        let input = input.trim_matches('"');
        let result = match *kind {
            "national_code" => NationalCode::parse(input).map(|v| v.as_str().to_owned()),
            "legal_id" => LegalId::parse(input).map(|v| v.as_str().to_owned()),
            "sheba" => Sheba::parse(input).map(|v| v.as_str().to_owned()),
            other => panic!("unknown kind {other}"),
        };
        match *expected {
            "valid" => assert_eq!(result.as_deref(), Ok(*normalized), "{line}"),
            _ => assert!(result.is_err(), "{line} was accepted as {result:?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 600);
}

#[test]
fn the_copied_oracle_files_equal_the_shared_originals() {
    // Establishes that the repo's copies have not drifted from shared/oracle.
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/oracle");
    if !shared.exists() {
        eprintln!("shared/oracle is not next to the repository; nothing to compare");
        return;
    }
    for name in [
        "identifiers.csv",
        "jalali.csv",
        "schedules.json",
        "allocation/applications.csv",
        "allocation/budgets.csv",
        "allocation/reference.json",
    ] {
        let original = std::fs::read(shared.join(name)).unwrap();
        let copy = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/oracle")
                .join(name),
        )
        .unwrap();
        assert!(
            original == copy,
            "tests/oracle/{name} differs from shared/oracle/{name}"
        );
    }
}

const JALALI: &str = include_str!("oracle/jalali.csv");

#[test]
fn every_jalali_case_of_the_oracle_converts_both_ways() {
    // Establishes Gregorian ↔ Jalali conversion against the reference cases.
    use taavon_core::calendar::{IsoDate, JalaliDate};
    let mut checked = 0;
    for line in JALALI.lines().skip(1) {
        let (gregorian, jalali) = line.split_once(',').unwrap();
        let iso = IsoDate::parse(gregorian).unwrap();
        let persian = JalaliDate::parse(jalali).unwrap();
        assert_eq!(JalaliDate::from(iso), persian, "{line}");
        assert_eq!(persian.to_iso(), iso, "{line}");
        checked += 1;
    }
    assert_eq!(checked, 400);
}

const SCHEDULES: &str = include_str!("oracle/schedules.json");

#[test]
fn every_schedule_case_of_the_oracle_passes_row_by_row() {
    // Establishes the schedule rules (annuity and equal principal; grace paid,
    // capitalised and spread; due dates; rounding) against all 40 reference cases.
    use taavon_core::calendar::JalaliDate;
    use taavon_core::loans::schedule::{DayBase, GraceMode, Method, RateBp, ScheduleTerms, build};
    let cases: Vec<serde_json::Value> = serde_json::from_str(SCHEDULES).unwrap();
    assert_eq!(cases.len(), 40);
    for case in &cases {
        let input = &case["input"];
        let terms = ScheduleTerms {
            principal: input["principal"].as_i64().unwrap(),
            rate: RateBp::parse(&input["annual_rate_percent"].to_string()).unwrap(),
            months: input["months"].as_u64().unwrap().try_into().unwrap(),
            grace_months: input["grace_months"].as_u64().unwrap().try_into().unwrap(),
            grace_mode: GraceMode::parse(input["grace_mode"].as_str().unwrap()).unwrap(),
            method: Method::parse(&input["method"].as_str().unwrap().replace('-', "_")).unwrap(),
            start: JalaliDate::parse(input["start"].as_str().unwrap()).unwrap(),
            day_base: DayBase::Days365,
        };
        let schedule = build(&terms).unwrap();
        let expected = case["expected"].as_array().unwrap();
        assert_eq!(schedule.rows.len(), expected.len(), "{input}");
        for (row, want) in schedule.rows.iter().zip(expected) {
            let got = serde_json::json!({
                "n": row.n,
                "due": row.due.to_string(),
                "principal": row.principal,
                "profit": row.profit,
                "grace_profit": row.grace_profit,
                "total": row.total,
                "balance": row.balance,
            });
            assert_eq!(&got, want, "{input}");
        }
    }
}
