//! The impact figures' grouped read: one row per group and day of first disbursement,
//! summing the loan, its rials, planned, reported and verified jobs (women's and those in
//! underprivileged counties apart), confined to the reader's scope and the days asked;
//! and what verification reads and writes.

use taavon_core::access::ApplicationScope;
use taavon_core::calendar::{IsoDate, JalaliMonth};
use taavon_core::ids::{NationalCode, WorkshopCode};
use taavon_core::impact::figures::{FigureCell, Grouping, Period, aggregate};
use taavon_core::impact::{HireStatus, HireVerdict, InsuredMonth, InsuredRow};
use taavon_core::loans::TransactionKind;
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::Gender;
use taavon_store::{
    FigureFilter, HireRow, HireUpdate, InsuredCoverage, NewHire, NewInsuredUpload, NewLoan,
    NewLoanTransaction, PageClaim, Store,
};

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

spec!(an_uploads_hires_are_staged_and_paged_by_person_with_their_claims_and_months);
async fn an_uploads_hires_are_staged_and_paged_by_person_with_their_claims_and_months(
    store: Store,
    _: String,
) -> Checks {
    // Establishes what verification reads and writes, alike on both engines: the hires at
    // an upload's workshops in pages of whole people, every claim on a person nationwide,
    // each person's months in the order asked, and the new verdicts.
    let first_loan = contracted_loan(&store).await;
    let province = ProvinceCode::parse("IR-16").unwrap();
    let mut write = store.write(operator(), now()).await.unwrap();
    let application = write
        .application(first_loan.fields.application_id)
        .await
        .unwrap()
        .unwrap();
    let application_id = write.insert_application(&application.fields).await.unwrap();
    let second_loan = write
        .insert_loan(
            &NewLoan {
                application_id,
                contract_no: "second".into(),
                ..first_loan.fields.clone()
            },
            &[],
        )
        .await
        .unwrap();
    let listed = WorkshopCode::parse("1000000016").unwrap();
    let elsewhere = WorkshopCode::parse("1000000017").unwrap();
    let person = |n: u32| NationalCode::with_check_digit(&format!("{n:09}")).unwrap();
    let hire = |n: u32, workshop: &WorkshopCode| NewHire {
        national_code: person(n),
        workshop: Some(workshop.clone()),
        disbursed_on: IsoDate::parse("2025-01-01").unwrap(),
        verdict: HireVerdict::Status(HireStatus::NotInsured),
        woman: false,
    };
    // People 1 to 4 at the listed workshop on the first loan; person 2 there on the
    // second loan too, persons 3 and 5 at another workshop.
    for (loan_id, hires) in [
        (
            first_loan.id,
            (1..=4).map(|n| hire(n, &listed)).collect::<Vec<_>>(),
        ),
        (
            second_loan,
            vec![hire(2, &listed), hire(3, &elsewhere), hire(5, &elsewhere)],
        ),
    ] {
        let report = write
            .record_job_report(loan_id, &province, false, &hires)
            .await
            .unwrap();
        write
            .insert_hires(loan_id, &province, report, &hires)
            .await
            .unwrap();
    }
    let (before, after) = (
        JalaliMonth::parse("1403-10").unwrap(),
        JalaliMonth::parse("1403-11").unwrap(),
    );
    let upload_id = write
        .record_insured_upload(
            &NewInsuredUpload {
                file_name: "list.csv".into(),
                content_sha256: "0".repeat(64),
                row_count: 3,
                first_month: before,
                last_month: after,
            },
            &[
                InsuredCoverage {
                    workshop: listed.clone(),
                    month: before,
                    row_count: 1,
                },
                InsuredCoverage {
                    workshop: listed.clone(),
                    month: after,
                    row_count: 2,
                },
            ],
        )
        .await
        .unwrap();
    let row = |n: u32, month, days, gender| InsuredRow {
        workshop: listed.clone(),
        national_code: person(n),
        gender,
        month,
        days,
    };
    write
        .insert_insured_rows(
            upload_id,
            &[
                row(1, before, 30, Gender::Female),
                row(1, after, 20, Gender::Female),
                row(2, after, 31, Gender::Male),
            ],
        )
        .await
        .unwrap();

    let keys = |hires: Vec<HireRow>| -> Vec<(u32, i64)> {
        hires
            .iter()
            .map(|h| (h.national_code.as_str()[..9].parse().unwrap(), h.loan_id))
            .collect()
    };
    assert_eq!(
        write.stage_upload_people(upload_id).await.unwrap(),
        4,
        "the people with hires at the upload's workshop"
    );
    // Staging again in the same transaction starts afresh.
    assert_eq!(write.stage_upload_people(upload_id).await.unwrap(), 4);
    // A page as verification reads it: every claim on its people, those staged touched
    // and with their months at the workshop within the range asked.
    let day = IsoDate::parse("2025-01-01").unwrap();
    assert_eq!(
        write.staged_disbursements().await.unwrap(),
        Some((day, day))
    );
    type Seen = (u32, i64, bool, Vec<(JalaliMonth, u8, Gender)>);
    let claims = |page: Vec<PageClaim>| -> Vec<Seen> {
        page.into_iter()
            .map(|c| {
                let mut months: Vec<_> = c
                    .months
                    .iter()
                    .map(|m| (m.month, m.days, m.gender))
                    .collect();
                months.sort_by_key(|(month, _, _)| *month);
                (
                    c.hire.national_code.as_str()[..9].parse().unwrap(),
                    c.hire.loan_id,
                    c.touched,
                    months,
                )
            })
            .collect()
    };
    assert_eq!(
        claims(
            write
                .upload_page(upload_id, None, 1, (after, after))
                .await
                .unwrap()
        ),
        [(1, first_loan.id, true, vec![(after, 20, Gender::Female)])],
        "the months within the range only"
    );
    assert_eq!(
        claims(
            write
                .upload_page(upload_id, Some(&person(1)), 2, (before, after))
                .await
                .unwrap()
        ),
        [
            (2, first_loan.id, true, vec![(after, 31, Gender::Male)]),
            (2, second_loan, true, vec![(after, 31, Gender::Male)]),
            (3, first_loan.id, true, vec![]),
            (3, second_loan, false, vec![]),
        ],
        "a person's claim at another workshop comes untouched, without months"
    );
    assert_eq!(
        claims(
            write
                .upload_page(upload_id, Some(&person(3)), 2, (before, after))
                .await
                .unwrap()
        ),
        [(4, first_loan.id, true, vec![])],
        "only the people with hires at the upload's workshops (not person 5)"
    );
    assert!(
        write
            .upload_page(upload_id, Some(&person(4)), 2, (before, after))
            .await
            .unwrap()
            .is_empty()
    );
    write.unstage_upload_people().await.unwrap();

    let mut claims = keys(
        write
            .hires_of_people(&[person(5), person(3)])
            .await
            .unwrap(),
    );
    claims.sort();
    assert_eq!(
        claims,
        [(3, first_loan.id), (3, second_loan), (5, second_loan)]
    );
    let months = write
        .insured_months(
            &[
                (listed.clone(), person(2)),
                (elsewhere.clone(), person(1)),
                (listed.clone(), person(1)),
            ],
            after,
        )
        .await
        .unwrap();
    let month = |month, days, gender| InsuredMonth {
        month,
        days,
        gender,
    };
    assert_eq!(
        months,
        [
            vec![month(after, 31, Gender::Male)],
            vec![],
            vec![month(after, 20, Gender::Female)],
        ],
        "in the order asked, from the month asked on"
    );

    write
        .update_hire_verdicts(&[HireUpdate {
            loan_id: second_loan,
            national_code: person(2),
            verdict: HireVerdict::Status(HireStatus::ClaimedElsewhere),
            woman: true,
            upload_id: Some(upload_id),
        }])
        .await
        .unwrap();
    let updated: Vec<HireRow> = write.loan_hires(second_loan).await.unwrap();
    let (changed, kept): (Vec<&HireRow>, Vec<&HireRow>) =
        updated.iter().partition(|h| h.national_code == person(2));
    assert_eq!(
        (
            changed[0].verdict,
            changed[0].woman,
            changed[0].upload_id,
            changed[0].verified_at.as_str()
        ),
        (
            HireVerdict::Status(HireStatus::ClaimedElsewhere),
            true,
            Some(upload_id),
            now().to_string().as_str()
        )
    );
    assert!(
        kept.iter()
            .all(|h| h.verdict == HireVerdict::Status(HireStatus::NotInsured)
                && h.upload_id.is_none())
    );
    write.commit().await.unwrap();

    // Vacuuming (outside any transaction, as VACUUM demands) keeps every live row.
    store.vacuum_impact_tables().await.unwrap();
    let mut read = store.read().await.unwrap();
    assert_eq!(read.loan_hires(second_loan).await.unwrap(), updated);
    assert_eq!(
        read.insured_months(&[(listed.clone(), person(1))], before)
            .await
            .unwrap(),
        [vec![
            month(before, 30, Gender::Female),
            month(after, 20, Gender::Female)
        ]]
    );
    read.finish().await.unwrap();
    Checks::AuditMustVerify
}
