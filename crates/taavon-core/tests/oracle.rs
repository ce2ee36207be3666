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
        "allocation-sectors/applications.csv",
        "allocation-sectors/budgets.csv",
        "allocation-sectors/reference.json",
        "allocation-sectors/sector_caps.csv",
        "workdays/holidays.txt",
        "workdays/cases.csv",
        "impact/loans.csv",
        "impact/hires.csv",
        "impact/insured.csv",
        "impact/expected.json",
        "indicators/units.csv",
        "indicators/expected.json",
        "awards/entries.csv",
        "awards/scores.csv",
        "awards/conflicts.csv",
        "awards/quotas.csv",
        "awards/expected.json",
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

const WORKDAY_HOLIDAYS: &str = include_str!("oracle/workdays/holidays.txt");
const WORKDAY_CASES: &str = include_str!("oracle/workdays/cases.csv");

#[test]
fn every_workday_deadline_of_the_oracle_is_reproduced() {
    // Establishes deadlines in working days (weekly holidays `fri` or `thu,fri`, the
    // holidays file as data) against the reference cases, and that counting the working
    // days back gives the same number.
    use taavon_core::calendar::{IsoDate, JalaliDate};
    use taavon_core::workdays::{Weekend, WorkingCalendar};
    let day = |text: &str| JalaliDate::parse(text).unwrap().to_iso();
    let holidays: Vec<IsoDate> = WORKDAY_HOLIDAYS
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(day)
        .collect();
    let mut reader = csv::Reader::from_reader(WORKDAY_CASES.as_bytes());
    let mut checked = 0;
    for record in reader.records() {
        let record = record.unwrap();
        let calendar = WorkingCalendar::new(
            Weekend::parse(&record[2]).unwrap(),
            holidays.iter().copied(),
        );
        let from = day(&record[0]);
        let days: u32 = record[1].parse().unwrap();
        let due = calendar.add_working_days(from, days);
        assert_eq!(JalaliDate::from(due).to_string(), &record[3], "{record:?}");
        assert_eq!(calendar.working_days_between(from, due), days, "{record:?}");
        checked += 1;
    }
    assert_eq!(checked, 300);
}

#[test]
fn every_impact_case_of_the_oracle_is_verified_alike() {
    // Establishes the verified-jobs rule (lookback, window, months of 15 days, one job per
    // national code nationwide, women's jobs, cost per job) against the reference cases.
    use taavon_core::calendar::{JalaliDate, JalaliMonth};
    use taavon_core::ids::{NationalCode, WorkshopCode};
    use taavon_core::impact::{InsuredRow, ReportedHire, VerificationRules, VerifiedLoan};
    use taavon_core::registry::Gender;
    fn rows(text: &str) -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect()
    }
    let loans: Vec<VerifiedLoan> = rows(include_str!("oracle/impact/loans.csv"))
        .iter()
        .map(|r| VerifiedLoan {
            loan_id: r[0].parse().unwrap(),
            workshop: WorkshopCode::parse(&r[1]).unwrap(),
            disbursed_on: JalaliDate::parse(&r[2]).unwrap(),
            amount_rial: r[3].parse().unwrap(),
        })
        .collect();
    let hires: Vec<ReportedHire> = rows(include_str!("oracle/impact/hires.csv"))
        .iter()
        .map(|r| ReportedHire {
            loan_id: r[0].parse().unwrap(),
            national_code: NationalCode::parse(&r[1]).unwrap(),
        })
        .collect();
    let insured: Vec<InsuredRow> = rows(include_str!("oracle/impact/insured.csv"))
        .iter()
        .map(|r| InsuredRow {
            workshop: WorkshopCode::parse(&r[0]).unwrap(),
            national_code: NationalCode::parse(&r[1]).unwrap(),
            gender: Gender::parse_loose(&r[2]).unwrap(),
            month: JalaliMonth::parse(&r[3]).unwrap(),
            days: r[4].parse().unwrap(),
        })
        .collect();
    let result = VerificationRules::default()
        .verify(&loans, &hires, &insured)
        .unwrap();
    let got = serde_json::json!({
        "loans": result.loans.iter().map(|l| serde_json::json!({
            "loan_id": l.loan_id,
            "reported": l.reported,
            "verified": l.verified,
            "verified_women": l.verified_women,
            "cost_per_verified_job": l.cost_per_verified_job_rial,
        })).collect::<Vec<_>>(),
        "hires": result.hires.iter().map(|h| serde_json::json!({
            "loan_id": h.loan_id,
            "national_code": h.national_code.as_str(),
            "status": h.status.code(),
        })).collect::<Vec<_>>(),
        "totals": {
            "reported": result.reported,
            "verified": result.verified,
            "verified_women": result.verified_women,
            "by_status": result.by_status.iter()
                .map(|(status, count)| (status.code().to_owned(), serde_json::json!(count)))
                .collect::<serde_json::Map<_, _>>(),
        },
    });
    let want: serde_json::Value =
        serde_json::from_str(include_str!("oracle/impact/expected.json")).unwrap();
    for (index, (got, want)) in got["hires"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["hires"].as_array().unwrap())
        .enumerate()
    {
        assert_eq!(got, want, "hire {index}");
    }
    assert_eq!(got["loans"], want["loans"]);
    assert_eq!(got["totals"], want["totals"]);
    assert_eq!(got, want);
}

#[test]
fn the_balanced_development_indicators_of_the_oracle_agree() {
    // Establishes Gini, Theil T with its between/within split and the concentration index
    // (tied ranks included) against the reference figures, to 1e-6.
    use taavon_core::indicators::{Unit, balanced_development};
    let records: Vec<csv::StringRecord> =
        csv::Reader::from_reader(include_str!("oracle/indicators/units.csv").as_bytes())
            .records()
            .map(Result::unwrap)
            .collect();
    let units: Vec<Unit<'_>> = records
        .iter()
        .map(|r| Unit {
            group: r.get(1).unwrap(),
            population: r[2].parse().unwrap(),
            allocated_rial: r[3].parse().unwrap(),
            deprivation_rank: r[4].parse().unwrap(),
        })
        .collect();
    let got = balanced_development(&units).unwrap();
    let want: serde_json::Value =
        serde_json::from_str(include_str!("oracle/indicators/expected.json")).unwrap();
    assert_eq!(got.units as u64, want["units"].as_u64().unwrap());
    assert_eq!(got.population, want["population"].as_u64().unwrap());
    assert_eq!(
        got.allocated_rial,
        i128::from(want["allocated_rial"].as_i64().unwrap())
    );
    for (name, value) in [
        ("mean_per_capita_rial", got.mean_per_capita_rial),
        ("gini", got.gini),
        ("theil", got.theil),
        ("theil_between", got.theil_between),
        ("theil_within", got.theil_within),
        ("concentration_index", got.concentration_index),
    ] {
        let expected = want[name].as_f64().unwrap();
        assert!(
            (value - expected).abs() < 1e-6,
            "{name}: {value} ≠ {expected}"
        );
    }
}

#[test]
fn the_festival_round_of_the_oracle_is_scored_and_ranked_alike() {
    // Establishes conflict exclusion, per-judge z-scores, the three-judge minimum, ranking
    // within province and category (score, then pre-score, then entry) and the quotas.
    use std::collections::{BTreeMap, BTreeSet};
    use taavon_core::awards::{Entry, Mark, RoundRules};
    fn rows(text: &str) -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(Result::unwrap)
            .collect()
    }
    let entry_rows = rows(include_str!("oracle/awards/entries.csv"));
    let entries: Vec<Entry<'_>> = entry_rows
        .iter()
        .map(|r| Entry {
            entry: r[0].parse().unwrap(),
            province: r.get(1).unwrap(),
            category: r.get(2).unwrap(),
            prescore: r[3].parse().unwrap(),
        })
        .collect();
    let marks: Vec<Mark<String>> = rows(include_str!("oracle/awards/scores.csv"))
        .iter()
        .map(|r| Mark {
            judge: r[0].to_owned(),
            entry: r[1].parse().unwrap(),
            score: r[2].parse().unwrap(),
        })
        .collect();
    let conflicts: BTreeSet<(String, i64)> = rows(include_str!("oracle/awards/conflicts.csv"))
        .iter()
        .map(|r| (r[0].to_owned(), r[1].parse().unwrap()))
        .collect();
    let quota_rows = rows(include_str!("oracle/awards/quotas.csv"));
    let quotas: BTreeMap<(&str, &str), usize> = quota_rows
        .iter()
        .map(|r| {
            (
                (r.get(0).unwrap(), r.get(1).unwrap()),
                r[2].parse().unwrap(),
            )
        })
        .collect();
    let round = RoundRules::default().score(&entries, &marks, &conflicts, &quotas);
    let want: serde_json::Value =
        serde_json::from_str(include_str!("oracle/awards/expected.json")).unwrap();
    assert_eq!(
        round.excluded_marks as u64,
        want["excluded_scores"].as_u64().unwrap()
    );
    assert_eq!(round.winners as u64, want["winners"].as_u64().unwrap());
    assert_eq!(
        round.incomplete as u64,
        want["incomplete"].as_u64().unwrap()
    );
    let expected = want["entries"].as_array().unwrap();
    assert_eq!(round.entries.len(), expected.len());
    for (got, want) in round.entries.iter().zip(expected) {
        assert_eq!(got.entry, want["entry"].as_i64().unwrap());
        assert_eq!(
            got.judges as u64,
            want["judges"].as_u64().unwrap(),
            "{want}"
        );
        assert_eq!(
            got.status.code(),
            want["status"].as_str().unwrap(),
            "{want}"
        );
        match (got.score, want["score"].as_f64()) {
            (Some(score), Some(expected)) => {
                assert!((score - expected).abs() < 1e-6, "{want}: {score}")
            }
            (None, None) => {}
            (score, _) => panic!("{want}: score {score:?}"),
        }
        assert_eq!(got.rank.map(u64::from), want["rank"].as_u64(), "{want}");
        assert_eq!(got.winner, want["winner"].as_bool().unwrap(), "{want}");
    }
}
