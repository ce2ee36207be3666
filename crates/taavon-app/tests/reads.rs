//! The reads the server's pages take through the app instead of the store: each asks the
//! policy, so a role out of scope reads nothing through them.

use taavon_app::{AppError, audit, clock, reference};
use taavon_core::access::{Principal, Role};
use taavon_core::reference::ProvinceCode;
use taavon_store::Store;

fn principal(role: Role) -> Principal {
    Principal {
        user_id: 1,
        username: "reader".into(),
        role,
    }
}

fn ilam() -> ProvinceCode {
    ProvinceCode::parse("IR-16").unwrap()
}

async fn loaded() -> Store {
    let store = taavon_testkit::fresh_sqlite().await;
    reference::ensure_loaded(&store, clock::now())
        .await
        .unwrap();
    store
}

#[tokio::test]
async fn only_a_reader_of_the_audit_trail_verifies_it_through_the_audit_page_use_case() {
    // Establishes that `verify_for`, the audit page's check, is scoped like the records
    // it shows: auditors and ministry admins verify; every other role is refused before
    // the chain is read.
    let store = loaded().await;
    for role in [Role::Auditor, Role::MinistryAdmin] {
        let verification = audit::verify_for(&store, &principal(role)).await.unwrap();
        assert!(verification.first_broken.is_none());
    }
    let out_of_scope = [
        Role::ProvincialOfficer { province: ilam() },
        Role::BankOfficer {
            bank: "022".parse().unwrap(),
            provinces: Vec::new(),
        },
        Role::AgencyOfficer {
            agency: "sso".parse().unwrap(),
            provinces: Vec::new(),
        },
        Role::CooperativeRepresentative {
            cooperative_id: 1,
            province: ilam(),
        },
    ];
    for role in out_of_scope {
        let refused = audit::verify_for(&store, &principal(role.clone())).await;
        assert!(matches!(refused, Err(AppError::Forbidden)), "{role:?}");
    }
}

#[tokio::test]
async fn reference_data_reads_through_the_app_for_everyone() {
    // Establishes that the reference reads the pages and the public API take ask the
    // policy, which lets anyone read reference data (anonymous visitors too): no role
    // is out of its scope.
    let store = loaded().await;
    let bank = principal(Role::BankOfficer {
        bank: "022".parse().unwrap(),
        provinces: vec![ilam()],
    });
    for reader in [None, Some(&bank)] {
        assert_eq!(
            reference::provinces(&store, reader).await.unwrap().len(),
            31
        );
        let (province, counties) = reference::province(&store, reader, &ilam()).await.unwrap();
        assert_eq!(province.code, "IR-16");
        assert!(counties.iter().all(|c| c.province == "IR-16"));
        let tables = reference::name_tables(&store, reader).await.unwrap();
        assert_eq!(tables.provinces.len(), 31);
        assert!(!tables.sectors.is_empty() && !tables.counties.is_empty());
        assert!(!reference::banks(&store, reader).await.unwrap().is_empty());
        assert!(
            !reference::agencies(&store, reader)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

/// Imports a classification putting every county in tier 1 through `store`, and checks
/// that `store` answers it at once and `elsewhere` (another app server on the same
/// database) within its revalidation span.
async fn reference_snapshot_follows_an_import(url: &str) {
    let store = taavon_testkit::open_keyed(url).await;
    reference::ensure_loaded(&store, clock::now())
        .await
        .unwrap();
    let elsewhere = Store::open(url).await.unwrap();
    let before = reference::snapshot(&store, None).await.unwrap();
    assert_eq!(
        reference::snapshot(&elsewhere, None).await.unwrap().tag,
        before.tag,
        "two servers on one database, one snapshot"
    );
    assert!(before.counties.iter().any(|c| c.tier != Some(1)));
    let mut csv = String::from("county_code,tier\n");
    for county in &before.counties {
        csv.push_str(&format!("{},1\n", county.code));
    }
    reference::import_tiers(
        &store,
        taavon_app::users::Caller::Operator("test"),
        &csv,
        "2026-03-21",
        "test decree",
        clock::now(),
    )
    .await
    .unwrap();
    let after = reference::snapshot(&store, None).await.unwrap();
    assert_ne!(after.tag, before.tag);
    assert!(after.counties.iter().all(|c| c.tier == Some(1)));
    assert!(
        after
            .provinces
            .iter()
            .all(|p| p.underprivileged_counties == p.counties)
    );
    let (_, ilam_counties) = reference::province(&store, None, &ilam()).await.unwrap();
    assert!(ilam_counties.iter().all(|c| c.tier == Some(1)));
    let asked = std::time::Instant::now();
    while reference::snapshot(&elsewhere, None).await.unwrap().tag != after.tag {
        assert!(
            asked.elapsed() < std::time::Duration::from_secs(5),
            "the other server still serves the old classification"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    elsewhere.close().await;
}

#[tokio::test]
async fn reference_data_is_served_from_memory_and_follows_an_import() {
    // Establishes that the in-memory reference data is refreshed when an import commits
    // (at once on the server that made it; within seconds on another one, or after
    // `taavon import tiers`), provinces' figures included.
    reference_snapshot_follows_an_import(&taavon_testkit::fresh_sqlite_url()).await;
}

#[tokio::test]
async fn reference_data_is_served_from_memory_and_follows_an_import_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(url) = taavon_testkit::fresh_postgres_url_or_skip().await else {
        return;
    };
    let _database = taavon_testkit::DatabaseGuard::new(&url);
    reference_snapshot_follows_an_import(&url).await;
}
