//! One person, all agencies, through the store on both engines: the roles allowed see
//! the person (an agency officer only its own services), the others are refused, and
//! every view leaves exactly one audit record naming the person without their code.

use taavon_app::person_view::person_overview;
use taavon_app::services::{self, ServiceInput};
use taavon_app::{AppError, clock};
use taavon_core::access::{Principal, Role};
use taavon_core::ids::NationalCode;
use taavon_core::reference::ProvinceCode;
use taavon_store::{Actor, AuditFilter, NewUser, Store};

fn principal(user_id: i64, username: &str, role: Role) -> Principal {
    Principal {
        user_id,
        username: username.into(),
        role,
    }
}

fn ilam() -> ProvinceCode {
    ProvinceCode::parse("IR-16").unwrap()
}

async fn person_views(store: &Store) -> usize {
    let mut read = store.read().await.unwrap();
    let filter = AuditFilter {
        action: Some("person.view".into()),
        ..AuditFilter::default()
    };
    let records = read
        .audit_records_matching(&filter, 1000, None)
        .await
        .unwrap();
    read.finish().await.unwrap();
    records.len()
}

async fn the_person_view_is_audited(store: Store) {
    taavon_app::reference::ensure_loaded(&store, clock::now())
        .await
        .unwrap();
    let behzisti_role = Role::AgencyOfficer {
        agency: "behzisti".parse().unwrap(),
        provinces: vec![ilam()],
    };
    let mut write = store
        .write(Actor::system("spec"), clock::now())
        .await
        .unwrap();
    let id = write
        .insert_user(&NewUser {
            username: "behzisti-ilam".into(),
            display_name: "کارشناس بهزیستی ایلام".into(),
            password_hash: "$argon2id$not-a-real-hash".into(),
            role: behzisti_role.clone(),
        })
        .await
        .unwrap();
    write.commit().await.unwrap();
    let behzisti = principal(id, "behzisti-ilam", behzisti_role);
    let code = NationalCode::with_check_digit("001234567").unwrap();
    let input = ServiceInput {
        agency: "behzisti".parse().unwrap(),
        reference: "H-1".into(),
        kind: "housing_unit".into(),
        county: "1603".into(),
        national_code: code.as_str().to_owned(),
        delivered_on: "1403/09/01".into(),
        ..ServiceInput::default()
    };
    services::record_service(&store, &behzisti, &input, None, clock::now())
        .await
        .unwrap();

    // Who sees what: (reader, services shown and whether whole) or the refusal.
    let tvto = principal(
        90,
        "tvto-ilam",
        Role::AgencyOfficer {
            agency: "tvto".parse().unwrap(),
            provinces: vec![ilam()],
        },
    );
    let allowed = [
        (principal(91, "admin", Role::MinistryAdmin), 1, true),
        (principal(92, "auditor", Role::Auditor), 1, true),
        (
            principal(93, "ilam", Role::ProvincialOfficer { province: ilam() }),
            1,
            true,
        ),
        (behzisti.clone(), 1, false),
        (tvto, 0, false),
    ];
    let before = person_views(&store).await;
    for (n, (reader, services, whole)) in allowed.iter().enumerate() {
        let overview = person_overview(&store, reader, code.as_str(), clock::now())
            .await
            .unwrap_or_else(|error| panic!("{} refused: {error:?}", reader.username));
        assert_eq!(
            (overview.services.len(), overview.whole),
            (*services, *whole),
            "{}",
            reader.username
        );
        assert_eq!(
            person_views(&store).await,
            before + n + 1,
            "{}",
            reader.username
        );
    }
    let lorestan = principal(
        94,
        "lorestan",
        Role::ProvincialOfficer {
            province: ProvinceCode::parse("IR-15").unwrap(),
        },
    );
    let bank = principal(
        95,
        "bank",
        Role::BankOfficer {
            bank: "022".parse().unwrap(),
            provinces: Vec::new(),
        },
    );
    let refused = [(lorestan, "NotFound"), (bank, "Forbidden")];
    for (reader, expected) in &refused {
        let outcome = person_overview(&store, reader, code.as_str(), clock::now()).await;
        let refusal = match outcome {
            Err(AppError::NotFound) => "NotFound",
            Err(AppError::Forbidden) => "Forbidden",
            other => panic!("{} was not refused: {other:?}", reader.username),
        };
        assert_eq!(refusal, *expected, "{}", reader.username);
    }
    // Refusals record no view; the records never hold the full code.
    assert_eq!(person_views(&store).await, before + allowed.len());
    let mut read = store.read().await.unwrap();
    let records = read.audit_records(1000, None).await.unwrap();
    read.finish().await.unwrap();
    assert!(
        records
            .iter()
            .filter(|r| r.action == "person.view")
            .all(|r| {
                let text = r.after_json.as_deref().unwrap_or("");
                !text.contains(code.as_str()) && text.contains(&code.masked())
            })
    );
    // A code that is not a national code is refused by field and rule.
    let admin = principal(91, "admin", Role::MinistryAdmin);
    let Err(AppError::Invalid(errors)) =
        person_overview(&store, &admin, "12345", clock::now()).await
    else {
        panic!("a malformed code was accepted");
    };
    assert_eq!(errors[0].field, "national_code");
}

#[tokio::test]
async fn the_person_view_is_audited_on_sqlite() {
    the_person_view_is_audited(taavon_testkit::fresh_sqlite().await).await;
}

#[tokio::test]
async fn the_person_view_is_audited_on_postgres() {
    let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    the_person_view_is_audited(store).await;
}
