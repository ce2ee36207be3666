//! The impact figures' grouped read: one row per group and day of first disbursement,
//! summing the loan, its rials, planned, reported and verified jobs (women's and those in
//! underprivileged counties apart), confined to the reader's scope and the days asked.

use taavon_core::access::ApplicationScope;
use taavon_core::calendar::IsoDate;
use taavon_core::ids::{NationalCode, WorkshopCode};
use taavon_core::impact::figures::{FigureCell, Grouping, Period, aggregate};
use taavon_core::impact::{HireStatus, HireVerdict};
use taavon_core::loans::TransactionKind;
use taavon_core::reference::ProvinceCode;
use taavon_store::{FigureFilter, HireUpdate, NewHire, NewLoanTransaction, Store};

use super::loans::contracted_loan;
use super::{Checks, now, operator, run};

fn filter(grouping: Grouping) -> FigureFilter {
    FigureFilter {
        grouping,
        from: None,
        to: None,
        province: None,
        cooperative_id: None,
    }
}

async fn cells(store: &Store, scope: &ApplicationScope, filter: &FigureFilter) -> Vec<FigureCell> {
    let mut read = store.read().await.unwrap();
    let cells = read.impact_figures(scope, filter).await.unwrap();
    read.finish().await.unwrap();
    cells
}

spec!(figures_sum_a_loans_jobs_once_per_group_and_day_within_scope);
async fn figures_sum_a_loans_jobs_once_per_group_and_day_within_scope(
    store: Store,
    _: String,
) -> Checks {
    // An Ilam client's loan of bank 022 (2 jobs planned), disbursed on 2025-01-01.
    let loan = contracted_loan(&store).await;
    let all = ApplicationScope::All;
    assert!(
        cells(&store, &all, &filter(Grouping::Province))
            .await
            .is_empty(),
        "not disbursed yet"
    );
    let province = ProvinceCode::parse("IR-16").unwrap();
    let mut write = store.write(operator(), now()).await.unwrap();
    write
        .record_loan_transaction(
            &NewLoanTransaction {
                loan_id: loan.id,
                province: "IR-16".into(),
                kind: TransactionKind::Disbursement,
                business_on: "2025-01-01".into(),
                amount_rial: 3_000_000,
                penalty_rial: 0,
                fee_rial: 0,
                profit_rial: 0,
                principal_rial: 3_000_000,
                reverses: None,
                note: None,
                receipt: None,
            },
            &[],
        )
        .await
        .unwrap();
    let workshop = WorkshopCode::parse("1000000016").unwrap();
    let people: Vec<NationalCode> = ["000000001", "000000002", "000000003"]
        .iter()
        .map(|n| NationalCode::with_check_digit(n).unwrap())
        .collect();
    let hires: Vec<NewHire> = people
        .iter()
        .map(|code| NewHire {
            national_code: code.clone(),
            workshop: Some(workshop.clone()),
            disbursed_on: IsoDate::parse("2025-01-01").unwrap(),
            verdict: HireVerdict::Status(HireStatus::NotInsured),
            woman: false,
        })
        .collect();
    let report = write
        .record_job_report(loan.id, &province, false, &hires)
        .await
        .unwrap();
    write
        .insert_hires(loan.id, &province, report, &hires)
        .await
        .unwrap();
    let verified = |code: &NationalCode, woman| HireUpdate {
        loan_id: loan.id,
        national_code: code.clone(),
        verdict: HireVerdict::Status(HireStatus::Verified),
        woman,
        upload_id: None,
    };
    write
        .update_hire_verdicts(&[verified(&people[0], true), verified(&people[1], false)])
        .await
        .unwrap();
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    let tier = read
        .county_tier("1601", None, "2025-01-01")
        .await
        .unwrap()
        .unwrap();
    read.finish().await.unwrap();

    let found = cells(&store, &all, &filter(Grouping::Province)).await;
    let expected = FigureCell {
        group: "IR-16".into(),
        disbursed_on: IsoDate::parse("2025-01-01").unwrap(),
        loans: 1,
        disbursed_rial: loan.disbursed_rial,
        planned: 2,
        reported: 3,
        verified: 2,
        verified_women: 1,
        verified_underprivileged: if tier <= 2 { 2 } else { 0 },
    };
    assert_eq!(found, std::slice::from_ref(&expected));
    // 2025-01-01 is 12 Dey 1403.
    let rows = aggregate(&found, Period::Month);
    assert_eq!(rows[0].period.to_string(), "1403-10");
    assert_eq!(
        rows[0].jobs.cost_per_verified_job_rial(),
        Some(loan.disbursed_rial / 2)
    );

    for (grouping, group) in [
        (Grouping::County, "1601"),
        (Grouping::Sector, "handicrafts"),
        (Grouping::Program, "p"),
        (Grouping::Bank, "022"),
    ] {
        let found = cells(&store, &all, &filter(grouping)).await;
        let group = group.to_owned();
        assert_eq!(
            found,
            [FigureCell {
                group,
                ..expected.clone()
            }],
            "{grouping}"
        );
    }

    // Scope: another province, another bank, a cooperative see nothing; its own do.
    let outside = [
        ApplicationScope::Provinces(vec![ProvinceCode::parse("IR-15").unwrap()]),
        ApplicationScope::Bank {
            bank: "013".parse().unwrap(),
            provinces: Vec::new(),
        },
        ApplicationScope::Cooperative(1),
        ApplicationScope::None,
    ];
    for scope in &outside {
        assert!(
            cells(&store, scope, &filter(Grouping::Bank))
                .await
                .is_empty(),
            "{scope:?}"
        );
    }
    let inside = [
        ApplicationScope::Provinces(vec![province.clone()]),
        ApplicationScope::Bank {
            bank: "022".parse().unwrap(),
            provinces: vec![province.clone()],
        },
    ];
    for scope in &inside {
        assert_eq!(
            cells(&store, scope, &filter(Grouping::Province))
                .await
                .len(),
            1,
            "{scope:?}"
        );
    }

    // Days and the page filters.
    let day = |text| Some(IsoDate::parse(text).unwrap());
    let within = |from, to| FigureFilter {
        from,
        to,
        ..filter(Grouping::Province)
    };
    assert_eq!(
        cells(&store, &all, &within(day("2025-01-01"), day("2025-01-01")))
            .await
            .len(),
        1
    );
    assert!(
        cells(&store, &all, &within(day("2025-01-02"), None))
            .await
            .is_empty()
    );
    assert!(
        cells(&store, &all, &within(None, day("2024-12-31")))
            .await
            .is_empty()
    );
    let other_province = FigureFilter {
        province: Some(ProvinceCode::parse("IR-15").unwrap()),
        ..filter(Grouping::Province)
    };
    assert!(cells(&store, &all, &other_province).await.is_empty());
    let a_cooperative = FigureFilter {
        cooperative_id: Some(1),
        ..filter(Grouping::Province)
    };
    assert!(cells(&store, &all, &a_cooperative).await.is_empty());
    Checks::AuditMustVerify
}
