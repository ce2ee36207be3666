//! Scope before validation in the use cases the HTTP tests do not reach: a record named
//! in a request but outside the caller's scope is answered exactly like a missing one.

use taavon_app::clock;
use taavon_app::import::import_members;
use taavon_app::table::Table;
use taavon_app::users::Caller;
use taavon_core::access::{Principal, Role};
use taavon_core::reference::ProvinceCode;
use taavon_store::Store;

async fn check_member_import(store: Store) {
    taavon_app::demo::load(&store, clock::now()).await.unwrap();
    let mut read = store.read().await.unwrap();
    let ilam = read.cooperative(1).await.unwrap().unwrap();
    read.finish().await.unwrap();
    assert_eq!(ilam.fields.province, "IR-16");
    let officer = Principal {
        user_id: 3,
        username: "lorestan".into(),
        role: Role::ProvincialOfficer {
            province: ProvinceCode::parse("IR-15").unwrap(),
        },
    };
    let errors_for = |legal_id: &str| {
        let table = Table {
            rows: vec![
                [
                    "cooperative_legal_id",
                    "national_code",
                    "first_name",
                    "last_name",
                    "gender",
                ]
                .map(str::to_owned)
                .to_vec(),
                [legal_id, "0012345679", "زهرا", "کرمی", "female"]
                    .map(str::to_owned)
                    .to_vec(),
            ],
        };
        let (store, officer) = (&store, &officer);
        async move {
            let report = import_members(
                store,
                Caller::User(officer),
                &table,
                false,
                &|_, _| {},
                clock::now(),
            )
            .await
            .unwrap();
            report
                .errors
                .iter()
                .map(|e| (e.column.clone(), e.rule.clone()))
                .collect::<Vec<_>>()
        }
    };
    let elsewhere = errors_for(ilam.fields.legal_id.as_deref().unwrap()).await;
    assert_eq!(elsewhere, errors_for("14000000001").await);
    assert!(
        elsewhere
            .iter()
            .any(|(field, rule)| field == "cooperative_legal_id" && rule == "unknown_cooperative"),
        "{elsewhere:?}"
    );
}

#[tokio::test]
async fn a_member_import_names_a_cooperative_of_another_province_like_an_unknown_one_on_sqlite() {
    // Establishes that an import's row errors do not tell which legal IDs exist in other
    // provinces: Lorestan's officer naming an Ilam cooperative gets the same error as for
    // a legal ID nobody has. On SQLite.
    check_member_import(taavon_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn a_member_import_names_a_cooperative_of_another_province_like_an_unknown_one_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    check_member_import(store).await;
}
