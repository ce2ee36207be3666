//! Services delivered through the store on both engines: an agency's file (Persian
//! headers, Persian digits, Jalali dates) imported once however often it is sent, a bad
//! file storing nothing and naming each bad cell by row and column — even when its bad
//! row comes after a batch the one pass had already written — an officer refused
//! the counties outside its provinces, one record through the form's use case, and the
//! gap list ranking underprivileged counties by services per 1 000 population from the
//! county figures.

use std::io::Write;
use std::path::PathBuf;

use taavon_app::AppError;
use taavon_app::clock;
use taavon_app::services::{self, ServiceFile, ServiceImportReport, ServiceInput};
use taavon_app::users::Caller;
use taavon_core::access::{Principal, Role};
use taavon_core::ids::NationalCode;
use taavon_core::reference::ProvinceCode;
use taavon_store::{Actor, NewUser, Store};

fn person(n: u32) -> String {
    NationalCode::with_check_digit(&format!("{n:09}"))
        .unwrap()
        .as_str()
        .to_owned()
}

/// A file holding `text`, removed when dropped.
struct FilePath(PathBuf);

impl Drop for FilePath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn file_of(text: &str) -> FilePath {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("taavon-services-{}-{n}.csv", std::process::id()));
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
    FilePath(path)
}

/// The reference data and a Behzisti officer of Ilam.
async fn fixture(store: &Store) -> Principal {
    taavon_app::reference::ensure_loaded(store, clock::now())
        .await
        .unwrap();
    let mut write = store
        .write(Actor::system("spec"), clock::now())
        .await
        .unwrap();
    let id = write
        .insert_user(&NewUser {
            username: "behzisti-ilam".into(),
            display_name: "کارشناس بهزیستی ایلام".into(),
            password_hash: "$argon2id$not-a-real-hash".into(),
            role: Role::AgencyOfficer {
                agency: "behzisti".parse().unwrap(),
                provinces: vec![ProvinceCode::parse("IR-16").unwrap()],
            },
        })
        .await
        .unwrap();
    write.commit().await.unwrap();
    Principal {
        user_id: id,
        username: "behzisti-ilam".into(),
        role: Role::AgencyOfficer {
            agency: "behzisti".parse().unwrap(),
            provinces: vec![ProvinceCode::parse("IR-16").unwrap()],
        },
    }
}

async fn import(store: &Store, officer: &Principal, text: &str) -> ServiceImportReport {
    let file = file_of(text);
    services::import_services(
        store,
        Caller::User(officer),
        "behzisti",
        ServiceFile {
            path: &file.0,
            name: "services.csv",
        },
        clock::now(),
        &mut |_| {},
    )
    .await
    .unwrap()
}

async fn county_services(store: &Store, officer: &Principal, county: &str) -> u64 {
    services::synergy(store, officer, Some(&ProvinceCode::parse("IR-16").unwrap()))
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.county == county)
        .map_or(0, |c| c.services)
}

async fn services_of_an_agency(store: Store) {
    let officer = fixture(&store).await;
    let header = "\u{feff}شماره مرجع,نوع خدمت,شهرستان,کد ملی,تعداد نفرات,مبلغ (ریال),تاریخ ارائه\n";
    // Persian digits in the county; the kind by its Persian word and by its code; Jalali
    // dates in Persian and ASCII digits; an amount with separators.
    let good = format!(
        "{header}H-1,واحد مسکونی,۱۶۰۳,{},1,,۱۴۰۳/۰۷/۱۵\nH-2,housing_unit,1603,{},,,1403-07-16\n\
         W-1,کمک معیشتی,1608,{},1,\"25,000,000\",1403-08-01\n",
        person(1),
        person(2),
        person(3)
    );
    let first = import(&store, &officer, &good).await;
    assert_eq!(
        (
            first.rows,
            first.created,
            first.unchanged,
            first.error_count
        ),
        (3, 3, 0, 0)
    );
    assert!(first.import_id.is_some());
    assert_eq!(county_services(&store, &officer, "1603").await, 2);
    // The same file again: every reference is known, the figures stay.
    let again = import(&store, &officer, &good).await;
    assert_eq!((again.created, again.unchanged), (0, 3));
    assert_eq!(county_services(&store, &officer, "1603").await, 2);

    // A bad file stores nothing, not even its good rows, and names each bad cell.
    let bad = format!(
        "{header}H-9,واحد مسکونی,1603,{},1,,1403/07/15\nH-10,دوره آموزشی,9999,123,2,x,1403/13/01\n\
         H-11,واحد مسکونی,1501,{},1,,1403/07/15\n",
        person(9),
        person(11)
    );
    let refused = import(&store, &officer, &bad).await;
    assert_eq!(refused.import_id, None);
    let cells: Vec<(usize, &str, &str)> = refused
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), e.rule.as_str()))
        .collect();
    assert_eq!(
        cells,
        [
            (3, "county", "unknown"),
            (3, "national_code", "national_code"),
            (3, "amount_rial", "amount"),
            (3, "delivered_on", "date"),
            (3, "kind", "service"),
            (4, "county", "out_of_scope"),
        ]
    );
    assert!(refused.errors.iter().all(|e| !e.message_fa.is_empty()));
    assert_eq!(county_services(&store, &officer, "1603").await, 2);

    // The file is read once, its rows written batch by batch as they come: a bad row
    // after a whole batch went in rolls that batch back with the rest of the file.
    let batch = u32::try_from(taavon_store::SERVICE_BATCH_MAX).unwrap();
    let mut long = header.to_owned();
    for n in 0..=batch {
        long.push_str(&format!(
            "L-{n},housing_unit,1603,{},1,,1403/07/15\n",
            person(100 + n)
        ));
    }
    long.push_str(&format!(
        "L-last,housing_unit,1603,{},1,,1403/13/01\n",
        person(99)
    ));
    let late = import(&store, &officer, &long).await;
    assert_eq!(
        (late.import_id, late.rows, late.created, late.error_count),
        (None, u64::from(batch) + 2, 0, 1)
    );
    assert_eq!(
        (late.errors[0].row, late.errors[0].column.as_str()),
        (usize::try_from(batch).unwrap() + 3, "delivered_on")
    );
    assert_eq!(county_services(&store, &officer, "1603").await, 2);

    // A header without a required column names it and reads no row.
    let headless = import(&store, &officer, "شماره مرجع,شهرستان\nX,1603\n").await;
    let missing: Vec<&str> = headless.errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(missing, ["kind", "delivered_on"]);

    // One record through the form's use case; the agency's kinds only.
    let input = ServiceInput {
        agency: "behzisti".parse().unwrap(),
        reference: "H-20".into(),
        kind: "housing_unit".into(),
        county: "1603".into(),
        national_code: person(20),
        delivered_on: "1403/09/01".into(),
        ..ServiceInput::default()
    };
    let recorded = services::record_service(&store, &officer, &input, None, clock::now())
        .await
        .unwrap();
    assert!(recorded.created);
    let course = ServiceInput {
        reference: "T-1".into(),
        kind: "training_course".into(),
        ..input.clone()
    };
    let refused = services::record_service(&store, &officer, &course, None, clock::now()).await;
    let Err(AppError::Invalid(errors)) = refused else {
        panic!("a Behzisti officer recorded a training course: {refused:?}");
    };
    assert_eq!(errors[0].field, "kind");
    assert_eq!(county_services(&store, &officer, "1603").await, 3);

    // The gap list: Ilam's underprivileged counties, lowest per capita first; Dehloran
    // (1603) has three services, so it comes after every Ilam county with none.
    let gaps = services::gaps(
        &store,
        &officer,
        Some(&ProvinceCode::parse("IR-16").unwrap()),
    )
    .await
    .unwrap();
    assert!(!gaps.is_empty());
    assert!(
        gaps.windows(2)
            .all(|w| w[0].per_thousand_milli <= w[1].per_thousand_milli)
    );
    assert!(gaps.iter().all(|g| g.tier.is_underprivileged()));
    if let Some(dehloran) = gaps.iter().position(|g| g.county == "1603") {
        assert!(gaps[..dehloran].iter().all(|g| g.services == 0));
        assert_eq!(gaps[dehloran].per_thousand_milli, 3 * 1_000_000 / 65_630);
    }
}

#[tokio::test]
async fn services_of_an_agency_on_sqlite() {
    services_of_an_agency(taavon_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn services_of_an_agency_on_postgres() {
    let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    services_of_an_agency(store).await;
}

/// What the demo holds for the synergy pages: support requests in every status, some
/// overdue; services of every agency; a gap list naming agencies missing from
/// underprivileged counties; and the disbursed loans in their counties' figures.
async fn the_demo_shows_synergy(store: Store) {
    taavon_app::demo::load(&store, clock::now()).await.unwrap();
    let mut read = store.read().await.unwrap();
    let admin = read.user_by_username("admin").await.unwrap().unwrap();
    let agencies = read.agencies().await.unwrap();
    read.finish().await.unwrap();
    let admin = Principal {
        user_id: admin.id,
        username: admin.username,
        role: admin.role,
    };
    let requests = taavon_app::support::list_requests(&store, &admin, None, false, clock::now())
        .await
        .unwrap();
    for &status in taavon_core::support::RequestStatus::ALL {
        assert!(
            requests.iter().any(|r| r.status == status),
            "no demo request is {status:?}"
        );
    }
    let overdue = taavon_app::support::list_requests(&store, &admin, None, true, clock::now())
        .await
        .unwrap();
    assert!(!overdue.is_empty(), "some demo requests are overdue");

    let counties = services::synergy(&store, &admin, None).await.unwrap();
    for agency in &agencies {
        assert!(
            counties.iter().flat_map(|c| &c.figures).any(|f| {
                f.provider == taavon_core::services::Provider::Agency(agency.code.as_str().into())
            }),
            "the demo has no service of {}",
            agency.code.as_str()
        );
    }
    assert!(counties.iter().any(|c| c.loans > 0 && c.disbursed_rial > 0));
    let gaps = services::gaps(&store, &admin, None).await.unwrap();
    assert!(gaps.len() > 10);
    assert!(gaps.iter().any(|g| !g.shortfalls.is_empty()));
    assert!(
        gaps.windows(2)
            .all(|w| w[0].per_thousand_milli <= w[1].per_thousand_milli)
    );
}

#[tokio::test]
async fn the_demo_shows_synergy_on_sqlite() {
    the_demo_shows_synergy(taavon_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn the_demo_shows_synergy_on_postgres() {
    let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    the_demo_shows_synergy(store).await;
}
