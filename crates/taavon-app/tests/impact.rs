//! Jobs through the store on both engines: insured-worker lists imported from files
//! (idempotent, a corrected month replacing the old rows, a bad file storing nothing and
//! naming every bad row), hires reported on the demo's disbursed loans, verification that
//! re-reads only what a list touches, and who sees whose national codes.

use std::io::Write;
use std::path::PathBuf;

use taavon_app::AppError;
use taavon_app::clock;
use taavon_app::impact::{self, HireStatus, HireVerdict, ListFile, ReportMode, VerificationRules};
use taavon_core::access::{ApplicationScope, Principal, Role};
use taavon_core::calendar::{IsoDate, JalaliDate, JalaliMonth};
use taavon_core::ids::{NationalCode, WorkshopCode};
use taavon_core::reference::ProvinceCode;
use taavon_store::{Actor, HireUpdate, Loan, LoanFilter, Store, WorkshopHolder};

const WORKSHOP_ILAM: &str = "1000000016";
const WORKSHOP_LORESTAN: &str = "1000000015";

fn person(n: u32) -> String {
    NationalCode::with_check_digit(&format!("{n:09}"))
        .unwrap()
        .as_str()
        .to_owned()
}

async fn principal(store: &Store, username: &str) -> Principal {
    let mut read = store.read().await.unwrap();
    let user = read.user_by_username(username).await.unwrap().unwrap();
    read.finish().await.unwrap();
    taavon_app::auth::principal_of(&user)
}

/// The demo's disbursed loans of a province with their first disbursement's month.
async fn disbursed_loan(store: &Store, province: &str) -> (Loan, JalaliMonth) {
    let mut read = store.read().await.unwrap();
    let (loans, _) = read
        .loans(&ApplicationScope::All, &LoanFilter::default(), 100, 0)
        .await
        .unwrap();
    for loan in loans {
        if loan.fields.province != province || loan.fields.cooperative_id.is_none() {
            continue;
        }
        if let Some(day) = read.first_disbursement(loan.id).await.unwrap() {
            return (loan, JalaliMonth::of(JalaliDate::from(day)));
        }
    }
    panic!("the demo has no disbursed cooperative loan in {province}");
}

/// A file holding `text`, removed when dropped.
struct ListPath(PathBuf);

impl Drop for ListPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn list_file(text: &str) -> ListPath {
    file_of(text.as_bytes(), "csv")
}

/// A file holding `bytes`, named with `extension`, removed when dropped.
fn file_of(bytes: &[u8], extension: &str) -> ListPath {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "taavon-list-{}-{n}.{extension}",
        std::process::id()
    ));
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(bytes).unwrap();
    ListPath(path)
}

/// A list's CSV: a byte-order mark, Persian headers, and the rows given.
fn csv(rows: &[(&str, &str, &str, JalaliMonth, u8)]) -> String {
    let mut text = String::from("\u{feff}کد کارگاه,کد ملی,جنسیت,ماه,روز\n");
    for (workshop, code, gender, month, days) in rows {
        text.push_str(&format!("{workshop},{code},{gender},{month},{days}\n"));
    }
    text
}

async fn upload(
    store: &Store,
    sso: &Principal,
    text: &str,
) -> Result<impact::InsuredImportReport, AppError> {
    upload_file(store, sso, &list_file(text), "list.csv").await
}

/// Imports `file` as the CLI does, its format told by `name`.
async fn upload_file(
    store: &Store,
    sso: &Principal,
    file: &ListPath,
    name: &str,
) -> Result<impact::InsuredImportReport, AppError> {
    impact::import_insured_list(
        store,
        sso,
        ListFile {
            path: &file.0,
            name,
        },
        &VerificationRules::default(),
        clock::now(),
        &mut |_| {},
    )
    .await
}

async fn verdicts(store: &Store, who: &Principal, loan_id: i64) -> Vec<(String, HireVerdict)> {
    impact::loan_jobs(store, who, loan_id)
        .await
        .unwrap()
        .hires
        .into_iter()
        .map(|h| (h.national_code, h.verdict))
        .collect()
}

async fn stored_hires(store: &Store, loan_id: i64) -> Vec<taavon_store::HireRow> {
    let mut read = store.read().await.unwrap();
    let hires = read.loan_hires(loan_id).await.unwrap();
    read.finish().await.unwrap();
    hires
}

async fn jobs_from_lists(store: Store) {
    taavon_app::demo::load(&store, clock::now()).await.unwrap();
    let (ilam_loan, d) = disbursed_loan(&store, "IR-16").await;
    let (lorestan_loan, d_lorestan) = disbursed_loan(&store, "IR-15").await;
    let mut write = store
        .write(Actor::system("spec"), clock::now())
        .await
        .unwrap();
    for (loan, code) in [
        (&ilam_loan, WORKSHOP_ILAM),
        (&lorestan_loan, WORKSHOP_LORESTAN),
    ] {
        let holder = WorkshopHolder::Cooperative(loan.fields.cooperative_id.unwrap());
        let code = WorkshopCode::parse(code).unwrap();
        assert!(write.set_workshop_code(holder, Some(&code)).await.unwrap());
    }
    write.commit().await.unwrap();
    let sso = principal(&store, "sso").await;
    // The demo's own list is there already; this test counts on top of it.
    let demo_rows = impact::insured_lists(&store, &sso)
        .await
        .unwrap()
        .counts
        .rows;
    let ilam = principal(&store, "ilam").await;
    let lorestan = principal(&store, "lorestan").await;
    let bank = principal(&store, "bank").await;
    let coop = principal(&store, "coop").await;
    let representative = |loan: &Loan| Principal {
        role: Role::CooperativeRepresentative {
            cooperative_id: loan.fields.cooperative_id.unwrap(),
            province: ProvinceCode::parse(&loan.fields.province).unwrap(),
        },
        ..coop.clone()
    };
    let rules = VerificationRules::default();
    let report = |loan: &Loan, people: Vec<String>, mode| {
        let who = representative(loan);
        let store = store.clone();
        let loan_id = loan.id;
        async move {
            impact::report_hires(
                &store,
                &who,
                loan_id,
                &people,
                mode,
                &rules,
                None,
                clock::now(),
            )
            .await
        }
    };

    // Hires reported before any list: nobody is insured yet.
    let (woman, veteran, absent) = (person(1), person(2), person(3));
    report(
        &ilam_loan,
        vec![woman.clone(), veteran.clone(), absent.clone()],
        ReportMode::Add,
    )
    .await
    .unwrap();
    report(&lorestan_loan, vec![person(4)], ReportMode::Add)
        .await
        .unwrap();
    let not_insured = HireVerdict::Status(HireStatus::NotInsured);
    assert!(
        verdicts(&store, &ilam, ilam_loan.id)
            .await
            .iter()
            .all(|(_, v)| *v == not_insured)
    );

    // Someone other than the SSO's officer may not upload.
    assert!(matches!(
        upload(&store, &ilam, &csv(&[])).await,
        Err(AppError::Forbidden)
    ));

    // The Lorestan list first: it verifies its loan's hire.
    let lorestan_list = csv(&[
        (
            WORKSHOP_LORESTAN,
            &person(4),
            "M",
            d_lorestan.add_months(1),
            30,
        ),
        (
            WORKSHOP_LORESTAN,
            &person(4),
            "M",
            d_lorestan.add_months(2),
            30,
        ),
        (
            WORKSHOP_LORESTAN,
            &person(4),
            "M",
            d_lorestan.add_months(3),
            30,
        ),
    ]);
    let first = upload(&store, &sso, &lorestan_list).await.unwrap();
    assert_eq!((first.rows, first.error_count), (3, 0));
    let lorestan_before = stored_hires(&store, lorestan_loan.id).await;
    assert_eq!(
        lorestan_before[0].verdict,
        HireVerdict::Status(HireStatus::Verified)
    );

    // The Ilam list, in Persian digits for one row: the woman works three months after
    // the disbursement, the veteran worked there the month before, the third never.
    let persian_month = d
        .add_months(3)
        .to_string()
        .replace('1', "۱")
        .replace('4', "۴");
    let mut ilam_list = csv(&[
        (WORKSHOP_ILAM, &woman, "F", d.add_months(1), 30),
        (WORKSHOP_ILAM, &woman, "زن", d.add_months(2), 20),
        (WORKSHOP_ILAM, &veteran, "M", d.add_months(-1), 30),
        (WORKSHOP_ILAM, &veteran, "M", d.add_months(1), 30),
    ]);
    ilam_list.push_str(&format!("{WORKSHOP_ILAM},{woman},F,{persian_month},۳۱\n"));
    let stored = upload(&store, &sso, &ilam_list).await.unwrap();
    assert_eq!((stored.rows, stored.error_count), (5, 0));
    assert_eq!(stored.hires_checked, 3, "only the Ilam workshop's hires");
    let expected = vec![
        (woman.clone(), HireVerdict::Status(HireStatus::Verified)),
        (
            veteran.clone(),
            HireVerdict::Status(HireStatus::InsuredBefore),
        ),
        (absent.clone(), not_insured),
    ];
    let mut sorted = expected.clone();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(verdicts(&store, &ilam, ilam_loan.id).await, sorted);
    let jobs = impact::loan_jobs(&store, &ilam, ilam_loan.id)
        .await
        .unwrap();
    assert_eq!(
        (jobs.reported, jobs.verified, jobs.verified_women),
        (3, 1, 1)
    );
    assert!(jobs.planned > 0, "planned jobs come from the application");

    // A new list changes only the hires it touches: Lorestan's hire was not re-read.
    assert_eq!(
        stored_hires(&store, lorestan_loan.id).await,
        lorestan_before
    );

    // The same file again changes nothing.
    let counts = |store: Store| async move {
        impact::insured_lists(&store, &principal(&store, "sso").await)
            .await
            .unwrap()
            .counts
    };
    let before = counts(store.clone()).await;
    assert_eq!(before.rows, demo_rows + 8);
    upload(&store, &sso, &ilam_list).await.unwrap();
    let again = counts(store.clone()).await;
    assert_eq!(
        (again.rows, again.workshops),
        (before.rows, before.workshops)
    );
    assert_eq!(verdicts(&store, &ilam, ilam_loan.id).await, sorted);

    // A corrected list for the first month after disbursement leaves the woman out:
    // that month's Ilam rows are replaced, and she has two months left.
    let corrected = csv(&[(WORKSHOP_ILAM, &veteran, "M", d.add_months(1), 30)]);
    upload(&store, &sso, &corrected).await.unwrap();
    assert_eq!(counts(store.clone()).await.rows, before.rows - 1);
    let now = verdicts(&store, &ilam, ilam_loan.id).await;
    assert!(now.contains(&(woman.clone(), HireVerdict::Status(HireStatus::TooFewMonths))));

    let counts_uploads_before_late = counts(store.clone()).await.uploads;

    // A bad file stores nothing and names every bad row.
    let bad = format!(
        "{}{WORKSHOP_ILAM},123,F,{},30\n{WORKSHOP_ILAM},{woman},X,1403-13,40\n",
        csv(&[(WORKSHOP_ILAM, &woman, "F", d.add_months(1), 30)]),
        d.add_months(1)
    );
    let refused = upload(&store, &sso, &bad).await.unwrap();
    assert_eq!(refused.upload_id, None);
    let named: Vec<(usize, &str)> = refused
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str()))
        .collect();
    assert_eq!(
        named,
        [
            (3, "national_code"),
            (4, "gender"),
            (4, "month"),
            (4, "days")
        ]
    );
    assert!(refused.errors.iter().all(|e| !e.message_fa.is_empty()));
    assert_eq!(counts(store.clone()).await.rows, before.rows - 1);

    // A list is written as it is read: a bad row after more than a batch of good ones
    // (which replaced the month's Ilam rows) still leaves nothing of the file stored.
    let mut late = csv(&(1..=10_001)
        .map(|n| (WORKSHOP_ILAM, person(100 + n), d.add_months(1)))
        .collect::<Vec<_>>()
        .iter()
        .map(|(w, code, month)| (*w, code.as_str(), "M", *month, 30))
        .collect::<Vec<_>>());
    late.push_str(&format!(
        "{WORKSHOP_ILAM},{woman},F,{},32\n",
        d.add_months(1)
    ));
    let late_report = upload(&store, &sso, &late).await.unwrap();
    assert_eq!(late_report.upload_id, None);
    assert_eq!(late_report.rows, 10_002);
    assert_eq!(
        late_report
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect::<Vec<_>>(),
        [(10_003, "days")]
    );
    let after_late = counts(store.clone()).await;
    assert_eq!(
        (after_late.rows, after_late.uploads),
        (before.rows - 1, counts_uploads_before_late)
    );
    assert_eq!(verdicts(&store, &ilam, ilam_loan.id).await, now);

    // Scoping: Ilam's officer never sees a Lorestan hire; a bank sees codes masked;
    // others see counts of the lists, not who uploaded what.
    assert!(matches!(
        impact::loan_jobs(&store, &ilam, lorestan_loan.id).await,
        Err(AppError::NotFound)
    ));
    assert_eq!(
        verdicts(&store, &lorestan, lorestan_loan.id).await[0].0,
        person(4)
    );
    let masked = verdicts(&store, &bank, lorestan_loan.id).await;
    assert!(!masked[0].0.contains(&person(4)[..6]), "{masked:?}");
    let seen_by_bank = impact::insured_lists(&store, &bank).await.unwrap();
    assert!(seen_by_bank.uploads.is_empty());
    assert_eq!(seen_by_bank.counts.rows, before.rows - 1);
    assert!(matches!(
        impact::fraud_signals(&store, &ilam, "IR-15").await,
        Err(AppError::NotFound)
    ));
    let signals = impact::fraud_signals(&store, &ilam, "IR-16").await.unwrap();
    assert_eq!(signals.len(), 1);
    assert_eq!(signals[0].status, HireStatus::InsuredBefore);
    assert!(matches!(
        impact::fraud_signals(&store, &bank, "IR-16").await,
        Err(AppError::Forbidden)
    ));

    // An amendment that leaves the veteran out removes the signal.
    report(
        &ilam_loan,
        vec![woman.clone(), absent.clone()],
        ReportMode::Replace,
    )
    .await
    .unwrap();
    assert!(
        impact::fraud_signals(&store, &ilam, "IR-16")
            .await
            .unwrap()
            .is_empty()
    );
    let reports = impact::loan_jobs(&store, &ilam, ilam_loan.id)
        .await
        .unwrap()
        .reports;
    assert_eq!(
        reports.iter().map(|r| r.amendment).collect::<Vec<_>>(),
        [false, true]
    );
    let _: IsoDate = lorestan_before[0].disbursed_on;
}

#[tokio::test]
async fn jobs_are_verified_from_lists_on_sqlite() {
    // Establishes the list import, reports and incremental verification on SQLite.
    jobs_from_lists(taavon_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn jobs_are_verified_from_lists_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    jobs_from_lists(store).await;
}

/// The oracle's case (`shared/oracle/impact/`, copied beside the core's tests) through the
/// store: its loans made from a demo loan, its hires recorded with its workshops and
/// disbursement days, its list uploaded; every hire's status must be the oracle's.
async fn oracle_through_the_store(store: Store) {
    let oracle = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../taavon-core/tests/oracle/impact"
    );
    let read_csv = |name: &str| -> Vec<Vec<String>> {
        let mut reader = csv::Reader::from_path(format!("{oracle}/{name}")).unwrap();
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    };
    let loans = read_csv("loans.csv");
    taavon_app::demo::load(&store, clock::now()).await.unwrap();
    let (template, _) = disbursed_loan(&store, "IR-16").await;
    let mut read = store.read().await.unwrap();
    let application = read
        .application(template.fields.application_id)
        .await
        .unwrap()
        .unwrap();
    read.finish().await.unwrap();
    let mut write = store
        .write(Actor::system("spec"), clock::now())
        .await
        .unwrap();
    let applications = vec![application.fields.clone(); loans.len()];
    let application_ids = write.insert_applications_bulk(&applications).await.unwrap();
    let running: Vec<taavon_store::RunningLoan> = application_ids
        .iter()
        .map(|application_id| taavon_store::RunningLoan {
            loan: taavon_store::NewLoan {
                application_id: *application_id,
                contract_no: format!("oracle-{application_id}"),
                ..template.fields.clone()
            },
            state: template.state,
            class: template.class,
            schedule: Vec::new(),
        })
        .collect();
    let loan_ids = write.insert_running_loans_bulk(&running).await.unwrap();
    // Oracle ids are 1…300 in order and the new ids increase, so ties order alike.
    let mut of_oracle = std::collections::BTreeMap::new();
    let mut to_oracle = std::collections::BTreeMap::new();
    for (row, id) in loans.iter().zip(&loan_ids) {
        let oracle_id: i64 = row[0].parse().unwrap();
        let workshop = WorkshopCode::parse(&row[1]).unwrap();
        let disbursed_on = JalaliDate::parse(&row[2]).unwrap().to_iso();
        of_oracle.insert(oracle_id, (*id, workshop, disbursed_on));
        to_oracle.insert(*id, oracle_id);
    }
    let province = ProvinceCode::parse(&template.fields.province).unwrap();
    let mut hires: std::collections::BTreeMap<i64, Vec<taavon_store::NewHire>> = Default::default();
    for row in read_csv("hires.csv") {
        let (id, workshop, disbursed_on) = &of_oracle[&row[0].parse::<i64>().unwrap()];
        hires.entry(*id).or_default().push(taavon_store::NewHire {
            national_code: NationalCode::parse(&row[1]).unwrap(),
            workshop: Some(workshop.clone()),
            disbursed_on: *disbursed_on,
            verdict: HireVerdict::NoWorkshop,
            woman: false,
        });
    }
    for (id, people) in &hires {
        let report = write
            .record_job_report(*id, &province, false, people)
            .await
            .unwrap();
        write
            .insert_hires(*id, &province, report, people)
            .await
            .unwrap();
    }
    write.commit().await.unwrap();
    let file = list_file(&std::fs::read_to_string(format!("{oracle}/insured.csv")).unwrap());
    let sso = principal(&store, "sso").await;
    let report = impact::import_insured_list(
        &store,
        &sso,
        ListFile {
            path: &file.0,
            name: "insured.csv",
        },
        &VerificationRules::default(),
        clock::now(),
        &mut |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.error_count, 0, "{:?}", report.errors);
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{oracle}/expected.json")).unwrap())
            .unwrap();
    let mut want: Vec<(i64, String, String)> = expected["hires"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["loan_id"].as_i64().unwrap(),
                h["national_code"].as_str().unwrap().to_owned(),
                h["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    want.sort();
    let statuses = async || {
        let mut got = Vec::new();
        let mut read = store.read().await.unwrap();
        for id in hires.keys() {
            for hire in read.loan_hires(*id).await.unwrap() {
                got.push((
                    to_oracle[id],
                    hire.national_code.as_str().to_owned(),
                    hire.verdict.code().to_owned(),
                ));
            }
        }
        read.finish().await.unwrap();
        got.sort();
        got
    };
    let got = statuses().await;
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);

    // Judged again from scratch a few people a page (a page is judged while the next is
    // read), the verdicts are the same: a person's claims never straddle two pages.
    let upload_id = report.upload_id.expect("the list was stored");
    let mut write = store
        .write(Actor::system("spec"), clock::now())
        .await
        .unwrap();
    let unjudged: Vec<HireUpdate> = hires
        .iter()
        .flat_map(|(loan_id, people)| {
            people.iter().map(|hire| HireUpdate {
                loan_id: *loan_id,
                national_code: hire.national_code.clone(),
                verdict: HireVerdict::NoWorkshop,
                woman: false,
                upload_id: None,
            })
        })
        .collect();
    write.update_hire_verdicts(&unjudged).await.unwrap();
    let (judged, _) =
        impact::reverify_upload_in_pages(&mut write, &VerificationRules::default(), upload_id, 7)
            .await
            .unwrap();
    write.audit(impact::reverification_audit(upload_id));
    write.commit().await.unwrap();
    assert_eq!(judged, u64::try_from(want.len()).unwrap());
    assert_eq!(statuses().await, want);
}

#[tokio::test]
async fn the_oracle_case_through_the_store_gives_the_cores_statuses_on_sqlite() {
    // Establishes that incremental verification over stored rows is the core's rule.
    oracle_through_the_store(taavon_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn the_oracle_case_through_the_store_gives_the_cores_statuses_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    oracle_through_the_store(store).await;
}

/// Every status of the rule among the demo's hires, and fraud signals in Lorestan.
async fn demo_shows_every_status(store: Store) {
    taavon_app::demo::load(&store, clock::now()).await.unwrap();
    let admin = principal(&store, "admin").await;
    let mut read = store.read().await.unwrap();
    let (loans, _) = read
        .loans(&ApplicationScope::All, &LoanFilter::default(), 100, 0)
        .await
        .unwrap();
    read.finish().await.unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for loan in &loans {
        for hire in impact::loan_jobs(&store, &admin, loan.id)
            .await
            .unwrap()
            .hires
        {
            if let HireVerdict::Status(status) = hire.verdict {
                seen.insert(status);
            }
        }
    }
    let every = [
        HireStatus::Verified,
        HireStatus::InsuredBefore,
        HireStatus::NotInsured,
        HireStatus::TooFewMonths,
        HireStatus::ClaimedElsewhere,
    ];
    assert_eq!(seen, every.into_iter().collect());
    let lorestan = principal(&store, "lorestan").await;
    let signals = impact::fraud_signals(&store, &lorestan, "IR-15")
        .await
        .unwrap();
    let statuses: std::collections::BTreeSet<HireStatus> =
        signals.iter().map(|s| s.status).collect();
    assert_eq!(
        statuses,
        [HireStatus::InsuredBefore, HireStatus::ClaimedElsewhere]
            .into_iter()
            .collect()
    );
}

#[tokio::test]
async fn the_demo_shows_every_hire_status_on_sqlite() {
    // Establishes that `--demo` seeds lists and reports covering the whole rule.
    demo_shows_every_status(taavon_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn the_demo_shows_every_hire_status_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    demo_shows_every_status(store).await;
}

/// The figures sum each disbursed loan once, in the Jalali month of its first
/// disbursement, and every reader sums only the loans it may see.
async fn figures_group_scope_and_periods(store: Store) {
    use std::collections::BTreeMap;
    use taavon_app::impact::figures::{self, FiguresQuery, Jobs, JobsOf, PeriodKey};

    taavon_app::demo::load(&store, clock::now()).await.unwrap();
    let admin = principal(&store, "admin").await;
    // What the figures must say, loan by loan.
    let mut expected: BTreeMap<(PeriodKey, String), Jobs> = BTreeMap::new();
    let mut read = store.read().await.unwrap();
    let (loans, _) = read
        .loans(&ApplicationScope::All, &LoanFilter::default(), 1000, 0)
        .await
        .unwrap();
    let mut disbursed = Vec::new();
    for loan in &loans {
        if let Some(day) = read.first_disbursement(loan.id).await.unwrap() {
            let application = read.application(loan.fields.application_id).await.unwrap();
            disbursed.push((loan.clone(), day, application.unwrap().fields.jobs));
        }
    }
    read.finish().await.unwrap();
    assert!(disbursed.len() > 2, "the demo disburses several loans");
    for (loan, day, planned) in &disbursed {
        let jobs = impact::loan_jobs(&store, &admin, loan.id).await.unwrap();
        let month = PeriodKey::of(figures::Period::Month, *day);
        let sums = expected
            .entry((month, loan.fields.province.clone()))
            .or_default();
        sums.loans += 1;
        sums.disbursed_rial += loan.disbursed_rial;
        sums.planned += planned;
        sums.reported += i64::try_from(jobs.reported).unwrap();
        sums.verified += i64::try_from(jobs.verified).unwrap();
        sums.verified_women += i64::try_from(jobs.verified_women).unwrap();
    }
    let ask = |by: &str, period: &str| FiguresQuery {
        by: Some(by.into()),
        period: Some(period.into()),
        ..FiguresQuery::default()
    };
    let by_month = figures::figures(&store, &admin, &ask("province", "month"))
        .await
        .unwrap();
    let found: BTreeMap<(PeriodKey, String), Jobs> = by_month
        .rows
        .iter()
        .map(|r| {
            let jobs = Jobs {
                verified_underprivileged: 0,
                ..r.jobs
            };
            ((r.period, r.group.clone()), jobs)
        })
        .collect();
    assert_eq!(found, expected);
    assert!(by_month.totals.verified > 0, "the demo verifies jobs");
    // Ilam's counties are all of tiers 1–2 in the bundled classification.
    let ilam_verified: i64 = by_month
        .rows
        .iter()
        .filter(|r| r.group == "IR-16")
        .map(|r| r.jobs.verified)
        .sum();
    let ilam_under: i64 = by_month
        .rows
        .iter()
        .filter(|r| r.group == "IR-16")
        .map(|r| r.jobs.verified_underprivileged)
        .sum();
    assert!(ilam_under <= ilam_verified);

    // Seasons and years hold the same loans as the months.
    for period in ["season", "year"] {
        let coarser = figures::figures(&store, &admin, &ask("county", period))
            .await
            .unwrap();
        assert_eq!(coarser.totals, by_month.totals, "{period}");
    }
    let by_program = figures::figures(&store, &admin, &ask("program", "year"))
        .await
        .unwrap();
    assert_eq!(by_program.totals, by_month.totals);

    // A provincial officer sums its province, a bank its loans, a representative its
    // cooperative's, an agency nothing.
    let ilam = figures::figures(
        &store,
        &principal(&store, "ilam").await,
        &ask("province", "year"),
    )
    .await
    .unwrap();
    assert!(!ilam.rows.is_empty());
    assert!(ilam.rows.iter().all(|r| r.group == "IR-16"));
    assert_eq!(ilam.totals.verified, ilam_verified);
    let refah = principal(&store, "refah").await;
    let banked = figures::figures(&store, &refah, &ask("bank", "year"))
        .await
        .unwrap();
    assert!(banked.rows.iter().all(|r| r.group == "013"));
    let coop = principal(&store, "coop").await;
    let Role::CooperativeRepresentative { cooperative_id, .. } = coop.role else {
        panic!("coop is a representative");
    };
    let own = figures::figures(&store, &coop, &ask("sector", "month"))
        .await
        .unwrap();
    let expected_own = figures::jobs_of(&store, &admin, &JobsOf::Cooperative(cooperative_id))
        .await
        .unwrap();
    assert_eq!(own.totals, expected_own);
    assert!(own.totals.loans < by_month.totals.loans);
    let sso = principal(&store, "sso").await;
    let none = figures::figures(&store, &sso, &ask("province", "year"))
        .await
        .unwrap();
    assert!(none.rows.is_empty());
    let province = figures::jobs_of(
        &store,
        &principal(&store, "lorestan").await,
        &JobsOf::Province(ProvinceCode::parse("IR-16").unwrap()),
    )
    .await
    .unwrap();
    assert_eq!(
        province,
        Jobs::default(),
        "another province's jobs are not summed"
    );

    // A day range keeps the loans first disbursed inside it.
    let first_day = disbursed.iter().map(|(_, day, _)| *day).min().unwrap();
    let only_first = figures::figures(
        &store,
        &admin,
        &FiguresQuery {
            from: Some(first_day.to_string()),
            to: Some(first_day.to_string()),
            ..FiguresQuery::default()
        },
    )
    .await
    .unwrap();
    let on_first = disbursed.iter().filter(|(_, d, _)| *d == first_day).count();
    assert_eq!(only_first.totals.loans, i64::try_from(on_first).unwrap());

    // Each wrong parameter is named.
    let Err(AppError::Invalid(errors)) =
        figures::figures(&store, &admin, &ask("city", "week")).await
    else {
        panic!("a wrong grouping and period are refused");
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["by", "period"]);
}

#[tokio::test]
async fn figures_group_scope_and_fold_jalali_periods_on_sqlite() {
    // Establishes the figures' sums, scoping and periods against the loans one by one.
    figures_group_scope_and_periods(taavon_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn figures_group_scope_and_fold_jalali_periods_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    figures_group_scope_and_periods(store).await;
}

/// A borrower's new workshop code moves the loans that follow the registry and verifies
/// their hires again at once; the old code back restores them.
async fn a_new_workshop_code_reverifies(store: Store) {
    taavon_app::demo::load(&store, clock::now()).await.unwrap();
    let admin = principal(&store, "admin").await;
    let mut read = store.read().await.unwrap();
    let (loans, _) = read
        .loans(&ApplicationScope::All, &LoanFilter::default(), 1000, 0)
        .await
        .unwrap();
    read.finish().await.unwrap();
    let mut chosen = None;
    for loan in loans {
        let jobs = impact::loan_jobs(&store, &admin, loan.id).await.unwrap();
        if jobs.verified > 0 && loan.fields.cooperative_id.is_some() {
            chosen = Some((loan, jobs));
            break;
        }
    }
    let (loan, before) = chosen.expect("the demo verifies a cooperative's jobs");
    let old = before.workshop.clone().unwrap();
    let cooperative = impact::Borrower::Cooperative(loan.fields.cooperative_id.unwrap());
    let rules = VerificationRules::default();
    let set = |code: String| {
        let (store, admin, rules) = (store.clone(), admin.clone(), rules);
        async move {
            impact::set_borrower_workshop(
                &store,
                &admin,
                cooperative,
                Some(&code),
                &rules,
                None,
                clock::now(),
            )
            .await
            .unwrap();
        }
    };
    set("3999999990".to_owned()).await;
    let moved = impact::loan_jobs(&store, &admin, loan.id).await.unwrap();
    assert_eq!(moved.workshop.unwrap().as_str(), "3999999990");
    assert_eq!(moved.verified, 0, "no list holds the new workshop");
    assert!(
        moved
            .hires
            .iter()
            .all(|h| h.verdict == HireVerdict::Status(HireStatus::NotInsured))
    );
    set(old.as_str().to_owned()).await;
    let back = impact::loan_jobs(&store, &admin, loan.id).await.unwrap();
    assert_eq!(back.hires, before.hires);
}

#[tokio::test]
async fn a_borrowers_new_workshop_code_reverifies_its_loans_hires_on_sqlite() {
    // Establishes that a corrected workshop code re-verifies at once.
    a_new_workshop_code_reverifies(taavon_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn a_borrowers_new_workshop_code_reverifies_its_loans_hires_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    a_new_workshop_code_reverifies(store).await;
}

/// One cell of a list's sheet: text, or a number as a spreadsheet stores one.
enum Cell<'a> {
    Text(&'a str),
    Number(f64),
}

/// A list as an XLSX workbook: Persian headers, then the rows given.
fn xlsx(rows: &[[Cell<'_>; 5]]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, header) in (0u16..).zip(["کد کارگاه", "کد ملی", "جنسیت", "ماه", "روز"])
    {
        sheet.write_string(0, c, header).unwrap();
    }
    for (r, row) in (1u32..).zip(rows) {
        for (c, cell) in (0u16..).zip(row) {
            match cell {
                Cell::Text(text) => sheet.write_string(r, c, *text).unwrap(),
                Cell::Number(number) => sheet.write_number(r, c, *number).unwrap(),
            };
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// An XLSX list imports as a CSV one does: its number cells (a workshop code, days) and
/// text cells in any digits read as the columns say, the hires at its workshop verified;
/// a workbook with a bad cell stores nothing and names its row and column.
async fn an_xlsx_list_imports(store: Store) {
    taavon_app::demo::load(&store, clock::now()).await.unwrap();
    let (loan, d) = disbursed_loan(&store, "IR-16").await;
    let mut write = store
        .write(Actor::system("spec"), clock::now())
        .await
        .unwrap();
    let holder = WorkshopHolder::Cooperative(loan.fields.cooperative_id.unwrap());
    let code = WorkshopCode::parse(WORKSHOP_ILAM).unwrap();
    assert!(write.set_workshop_code(holder, Some(&code)).await.unwrap());
    write.commit().await.unwrap();
    let sso = principal(&store, "sso").await;
    let admin = principal(&store, "admin").await;
    let (woman, veteran) = (person(1), person(2));
    let representative = Principal {
        role: Role::CooperativeRepresentative {
            cooperative_id: loan.fields.cooperative_id.unwrap(),
            province: ProvinceCode::parse(&loan.fields.province).unwrap(),
        },
        ..principal(&store, "coop").await
    };
    impact::report_hires(
        &store,
        &representative,
        loan.id,
        &[woman.clone(), veteran.clone()],
        ReportMode::Add,
        &VerificationRules::default(),
        None,
        clock::now(),
    )
    .await
    .unwrap();
    let before = impact::insured_lists(&store, &sso).await.unwrap().counts;

    let workshop = Cell::Number(1_000_000_016.0);
    let months: Vec<String> = [1, 2, 3, -1]
        .map(|offset| d.add_months(offset).to_string())
        .into();
    let persian = months[2].replace('1', "۱").replace('4', "۴");
    let rows = [
        [
            workshop,
            Cell::Text(&woman),
            Cell::Text("F"),
            Cell::Text(&months[0]),
            Cell::Number(30.0),
        ],
        [
            Cell::Text(WORKSHOP_ILAM),
            Cell::Text(&woman),
            Cell::Text("زن"),
            Cell::Text(&months[1]),
            Cell::Text("۲۰"),
        ],
        [
            Cell::Number(1_000_000_016.0),
            Cell::Text(&woman),
            Cell::Text("F"),
            Cell::Text(&persian),
            Cell::Number(31.0),
        ],
        [
            Cell::Number(1_000_000_016.0),
            Cell::Text(&veteran),
            Cell::Text("M"),
            Cell::Text(&months[3]),
            Cell::Number(30.0),
        ],
    ];
    let stored = upload_file(&store, &sso, &file_of(&xlsx(&rows), "xlsx"), "list.xlsx")
        .await
        .unwrap();
    assert_eq!(
        (stored.rows, stored.error_count),
        (4, 0),
        "{:?}",
        stored.errors
    );
    assert!(stored.upload_id.is_some());
    assert_eq!(stored.workshops, 1);
    assert_eq!(stored.hires_checked, 2);
    let listed = impact::insured_rows_of_workshop(&store, &sso, WORKSHOP_ILAM)
        .await
        .unwrap();
    assert_eq!(listed.len(), 4);
    let mut expected = vec![
        (woman.clone(), HireVerdict::Status(HireStatus::Verified)),
        (
            veteran.clone(),
            HireVerdict::Status(HireStatus::InsuredBefore),
        ),
    ];
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(verdicts(&store, &admin, loan.id).await, expected);
    let jobs = impact::loan_jobs(&store, &admin, loan.id).await.unwrap();
    assert_eq!((jobs.verified, jobs.verified_women), (1, 1));

    // A workbook with 40 days in its second row stores nothing and names the cell.
    let bad = [
        [
            Cell::Text(WORKSHOP_ILAM),
            Cell::Text(&woman),
            Cell::Text("F"),
            Cell::Text(&months[0]),
            Cell::Number(30.0),
        ],
        [
            Cell::Text(WORKSHOP_ILAM),
            Cell::Text(&veteran),
            Cell::Text("M"),
            Cell::Text(&months[0]),
            Cell::Number(40.0),
        ],
    ];
    let refused = upload_file(&store, &sso, &file_of(&xlsx(&bad), "xlsx"), "bad.xlsx")
        .await
        .unwrap();
    assert_eq!(refused.upload_id, None);
    assert_eq!(
        refused
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str()))
            .collect::<Vec<_>>(),
        [(3, "days")]
    );
    let after = impact::insured_lists(&store, &sso).await.unwrap().counts;
    assert_eq!(after.rows, before.rows + 4);
    assert_eq!(after.uploads, before.uploads + 1);
}

#[tokio::test]
async fn an_xlsx_list_imports_on_sqlite() {
    // Establishes that the SSO's XLSX lists import (number and text cells) on SQLite.
    an_xlsx_list_imports(taavon_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn an_xlsx_list_imports_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    an_xlsx_list_imports(store).await;
}
