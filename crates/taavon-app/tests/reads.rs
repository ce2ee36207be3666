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
