//! The store specification: every spec runs on SQLite and on PostgreSQL, each on a fresh
//! database, and the audit chain must verify after each one (except where a spec breaks
//! it on purpose).

use std::future::Future;

use taavon_core::access::{ApplicationScope, CooperativeScope, Role};
use taavon_core::reference::{ProvinceCode, ReferenceData};
use taavon_core::registry::{CooperativeKind, CooperativeStatus};
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    Actor, AuditEntry, CooperativeFilter, CountyTier, LoginContext, NewCooperative, NewUser,
    Purged, Reservation, SessionRow, Store, StoreError, ThrottleKey,
};

macro_rules! spec {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let url = taavon_testkit::fresh_sqlite_url();
                super::run(url, super::$name).await
            }
            #[tokio::test]
            async fn postgres() {
                let Some(url) = taavon_testkit::fresh_postgres_url_or_skip().await else {
                    return;
                };
                super::run(url, super::$name).await
            }
        }
    };
}

/// Opens a fresh store, runs the spec, then checks the audit chain is intact and the
/// ledger passes its full check (unless the spec broke one on purpose), and that the
/// counties' support figures are their requests' sums.
async fn run<F, Fut>(url: String, spec: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: Future<Output = Checks>,
{
    let database = taavon_testkit::DatabaseGuard::new(&url);
    let store = Store::open(&url).await.unwrap();
    let checks = spec(store.clone(), url).await;
    if checks != Checks::AuditBrokenOnPurpose {
        let verification = store.verify_audit().await.unwrap();
        assert_eq!(verification.first_broken, None);
    }
    if checks != Checks::LedgerBrokenOnPurpose {
        let mut read = store.read().await.unwrap();
        assert!(read.check_ledger().await.unwrap().is_ok());
    }
    // The counties' support figures kept beside the requests are what the requests sum to.
    let mut read = store.read().await.unwrap();
    assert_eq!(
        read.support_county_figures(None).await.unwrap(),
        read.support_county_figures_from_records(None)
            .await
            .unwrap()
    );
    // So are the counties' loan figures what the loans, their transactions and hires sum to.
    assert_eq!(
        read.loan_county_figures(&ApplicationScope::All, None)
            .await
            .unwrap(),
        loan_county_figures_from_records(&mut read).await
    );
    // So are the dashboards' figures the sums of the application moves and loan
    // transactions: by day, by month, by area and committed.
    assert_eq!(
        read.check_dashboard_figures().await.unwrap(),
        Vec::<String>::new()
    );
    read.finish().await.unwrap();
    store.close().await;
    drop(database);
}

/// The counties' loan figures as the impact figures' grouped read of the records sums them.
async fn loan_county_figures_from_records(
    read: &mut taavon_store::ReadTx,
) -> Vec<taavon_store::LoanCountyFigure> {
    let filter = taavon_store::FigureFilter {
        grouping: taavon_core::impact::figures::Grouping::County,
        from: None,
        to: None,
        province: None,
        cooperative_id: None,
    };
    let mut by_county = std::collections::BTreeMap::new();
    for cell in read
        .impact_figures(&ApplicationScope::All, &filter)
        .await
        .unwrap()
    {
        let figure: &mut taavon_store::LoanCountyFigure =
            by_county.entry(cell.group.clone()).or_default();
        figure.county = cell.group;
        figure.loans += cell.loans;
        figure.disbursed_rial += cell.disbursed_rial;
        figure.verified_jobs += cell.verified;
    }
    by_county.into_values().collect()
}

#[derive(PartialEq, Eq)]
enum Checks {
    AuditMustVerify,
    AuditBrokenOnPurpose,
    LedgerBrokenOnPurpose,
}

fn now() -> Timestamp {
    Timestamp::parse("2025-08-31T08:30:00.000Z").unwrap()
}

fn operator() -> Actor {
    Actor::system("spec")
}

async fn load_reference(store: &Store) -> ReferenceData {
    let data = ReferenceData::bundled().unwrap();
    let mut write = store.write(operator(), now()).await.unwrap();
    write.load_reference(&data).await.unwrap();
    let tiers: Vec<CountyTier> = data
        .tiers
        .tiers
        .iter()
        .map(|(county, province, tier)| CountyTier {
            county: county.as_str().into(),
            province: province.as_str().into(),
            tier: i64::from(tier.get()),
        })
        .collect();
    write
        .insert_tier_classification(&data.tiers.valid_from, &data.tiers.source, &tiers)
        .await
        .unwrap();
    write.commit().await.unwrap();
    data
}

async fn a_commits_events_keep_their_order_past_a_statements_worth(
    store: Store,
    _url: String,
) -> Checks {
    // Establishes the outbox's batched write: the events of one commit, more than one
    // statement holds on either engine (100 rows on SQLite, 10 000 on PostgreSQL), get
    // cursors in the order they were emitted, each with its data.
    let mut write = store.write(operator(), now()).await.unwrap();
    write.audit(AuditEntry::created(
        "spec.events",
        "spec",
        1,
        None,
        serde_json::json!({}),
    ));
    const EVENTS: i64 = 10_250;
    for n in 0..EVENTS {
        write.emit(taavon_store::NewEvent {
            event_id: format!("evt_spec_{n:05}"),
            event_type: taavon_core::events::EventType::JobVerified,
            concern: taavon_core::events::EventConcern {
                province: "IR-16".into(),
                bank: (n % 2 == 0).then(|| "BANK".to_owned()),
                agency: None,
                cooperative_id: Some(n),
            },
            resource_id: format!("{n}"),
            data: serde_json::json!({ "n": n }),
        });
    }
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    let events = read.events_after(0, 2 * EVENTS).await.unwrap();
    read.finish().await.unwrap();
    assert_eq!(events.len(), 10_250);
    for (n, event) in (0i64..).zip(&events) {
        assert_eq!(event.event_id, format!("evt_spec_{n:05}"));
        assert_eq!(event.concern.cooperative_id, Some(n));
        assert_eq!(event.concern.bank.is_some(), n % 2 == 0);
        assert_eq!(event.data, format!("{{\"n\":{n}}}"));
    }
    assert!(events.windows(2).all(|w| w[0].id < w[1].id));
    Checks::AuditMustVerify
}
spec!(a_commits_events_keep_their_order_past_a_statements_worth);

mod ledger;

fn cooperative(name: &str, county: &str, province: &str, legal_id: &str) -> NewCooperative {
    NewCooperative {
        province: province.into(),
        county: county.into(),
        name: name.into(),
        name_key: taavon_core::text::search_key(name),
        kind: CooperativeKind::Production,
        sector: "textiles".into(),
        legal_id: Some(legal_id.into()),
        registration_number: None,
        registered_on: None,
        founded_on: Some("2024-05-12".into()),
        women_led: true,
        status: CooperativeStatus::Active,
        address: None,
        phone: None,
    }
}

spec!(reference_data_loads_with_31_provinces_and_a_tier_for_every_county);
async fn reference_data_loads_with_31_provinces_and_a_tier_for_every_county(
    store: Store,
    _: String,
) -> Checks {
    // Establishes that the bundled reference data lands whole on both engines.
    let data = load_reference(&store).await;
    let mut read = store.read().await.unwrap();
    assert!(read.reference_loaded().await.unwrap());
    let provinces = read.provinces().await.unwrap();
    assert_eq!(provinces.len(), 31);
    let ilam = provinces.iter().find(|p| p.code == "IR-16").unwrap();
    assert_eq!(ilam.name_fa, "ایلام");
    assert!(ilam.underprivileged_counties > 0);
    let counties = read.counties(None).await.unwrap();
    assert_eq!(counties.len(), data.counties.len());
    assert!(counties.iter().all(|c| c.tier.is_some()));
    assert_eq!(read.counties(Some("IR-16")).await.unwrap().len(), 12);
    assert_eq!(read.sectors().await.unwrap().len(), data.sectors.len());
    assert_eq!(read.branches().await.unwrap().len(), 62);
    Checks::AuditMustVerify
}

spec!(a_write_without_an_audit_record_is_refused_and_leaves_nothing_behind);
async fn a_write_without_an_audit_record_is_refused_and_leaves_nothing_behind(
    store: Store,
    _: String,
) -> Checks {
    // Establishes the invariant that no state change escapes the audit trail.
    load_reference(&store).await;
    let mut write = store.write(operator(), now()).await.unwrap();
    write
        .insert_cooperative(&cooperative("تعاونی آزمون", "1601", "IR-16", "14000001004"))
        .await
        .unwrap();
    // Drop the recorded entry to simulate a use case that forgot to audit.
    write.audit(AuditEntry {
        action: "noop",
        entity: "none",
        entity_id: String::new(),
        province: None,
        before: None,
        after: None,
    });
    write.rollback().await.unwrap();
    let empty = store.write(operator(), now()).await.unwrap();
    assert!(matches!(empty.commit().await, Err(StoreError::Unaudited)));
    let mut read = store.read().await.unwrap();
    let (list, total) = read
        .cooperatives(
            &CooperativeScope::All,
            &ApplicationScope::All,
            &CooperativeFilter::default(),
            10,
            0,
        )
        .await
        .unwrap();
    assert!(list.is_empty() && total == 0);
    Checks::AuditMustVerify
}

spec!(a_list_shows_only_the_cooperatives_in_scope);
async fn a_list_shows_only_the_cooperatives_in_scope(store: Store, _: String) -> Checks {
    // Establishes province scoping in the store's list query.
    load_reference(&store).await;
    let mut write = store.write(operator(), now()).await.unwrap();
    let ilam = write
        .insert_cooperative(&cooperative("تعاونی ایلام", "1601", "IR-16", "14000001004"))
        .await
        .unwrap();
    write
        .insert_cooperative(&cooperative("تعاونی دورود", "1505", "IR-15", "14000001116"))
        .await
        .unwrap();
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    let ilam_scope = CooperativeScope::Provinces(vec![ProvinceCode::parse("IR-16").unwrap()]);
    let (list, total) = read
        .cooperatives(
            &ilam_scope,
            &ApplicationScope::All,
            &CooperativeFilter::default(),
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!((list.len(), total), (1, 1));
    assert_eq!(list[0].id, ilam);
    let (list, _) = read
        .cooperatives(
            &CooperativeScope::All,
            &ApplicationScope::All,
            &CooperativeFilter {
                province: Some("IR-15".into()),
                ..CooperativeFilter::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(list[0].fields.province, "IR-15");
    let (list, total) = read
        .cooperatives(
            &CooperativeScope::One(ilam),
            &ApplicationScope::All,
            &CooperativeFilter::default(),
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!((list.len(), total), (1, 1));
    let (_, total) = read
        .cooperatives(
            &CooperativeScope::None,
            &ApplicationScope::All,
            &CooperativeFilter::default(),
            10,
            0,
        )
        .await
        .unwrap();
    assert_eq!(total, 0);
    Checks::AuditMustVerify
}

spec!(a_duplicate_legal_id_is_reported_as_a_duplicate);
async fn a_duplicate_legal_id_is_reported_as_a_duplicate(store: Store, _: String) -> Checks {
    // Establishes that unique violations reach callers as `Duplicate`, not as internal errors.
    load_reference(&store).await;
    let mut write = store.write(operator(), now()).await.unwrap();
    write
        .insert_cooperative(&cooperative("الف", "1601", "IR-16", "14000001004"))
        .await
        .unwrap();
    let second = write
        .insert_cooperative(&cooperative("ب", "1601", "IR-16", "14000001004"))
        .await;
    assert!(
        matches!(second, Err(StoreError::Duplicate { .. })),
        "{second:?}"
    );
    Checks::AuditMustVerify
}

spec!(users_keep_their_role_and_scope);
async fn users_keep_their_role_and_scope(store: Store, _: String) -> Checks {
    // Establishes that every role, with its scope, reads back as written.
    load_reference(&store).await;
    let province = |code| ProvinceCode::parse(code).unwrap();
    let roles = [
        Role::MinistryAdmin,
        Role::Auditor,
        Role::ProvincialOfficer {
            province: province("IR-16"),
        },
        Role::BankOfficer {
            bank: "022".parse().unwrap(),
            provinces: vec![province("IR-15"), province("IR-16")],
        },
        Role::AgencyOfficer {
            agency: "sso".parse().unwrap(),
            provinces: Vec::new(),
        },
    ];
    let mut write = store.write(operator(), now()).await.unwrap();
    for (i, role) in roles.iter().enumerate() {
        write
            .insert_user(&NewUser {
                username: format!("user{i}"),
                display_name: format!("کاربر {i}"),
                password_hash: "$argon2id$not-a-real-hash".into(),
                role: role.clone(),
            })
            .await
            .unwrap();
    }
    write.commit().await.unwrap();
    let mut read = store.read().await.unwrap();
    for (i, role) in roles.iter().enumerate() {
        let user = read
            .user_by_username(&format!("user{i}"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&user.role, role);
    }
    let audit = read.audit_records(100, None).await.unwrap();
    assert!(
        audit
            .iter()
            .all(|r| !r.after_json.clone().unwrap_or_default().contains("argon2"))
    );
    Checks::AuditMustVerify
}

spec!(sessions_expire_and_can_be_deleted);
async fn sessions_expire_and_can_be_deleted(store: Store, _: String) -> Checks {
    // Establishes the session table the UI's cookie sessions rest on.
    let row = SessionRow {
        id_hash: "abc".into(),
        data: "{\"user_id\":1}".into(),
        expires_at: now().plus_seconds(60),
    };
    assert!(store.session_create(&row).await.unwrap());
    assert!(!store.session_create(&row).await.unwrap());
    assert_eq!(
        store.session_load("abc", now()).await.unwrap(),
        Some(row.clone())
    );
    assert_eq!(
        store
            .session_load("abc", now().plus_seconds(61))
            .await
            .unwrap(),
        None
    );
    store.session_delete("abc").await.unwrap();
    assert_eq!(store.session_load("abc", now()).await.unwrap(), None);
    Checks::AuditMustVerify
}

spec!(expired_sessions_tokens_and_stale_throttle_counters_are_purged);
async fn expired_sessions_tokens_and_stale_throttle_counters_are_purged(
    store: Store,
    url: String,
) -> Checks {
    // Establishes that transport state does not pile up: one purge deletes what has
    // expired (sessions, tokens, revoked tokens, throttle windows) and keeps the rest.
    for (id_hash, expires_at) in [("old", now()), ("live", now().plus_seconds(60))] {
        let row = SessionRow {
            id_hash: id_hash.into(),
            data: "{}".into(),
            expires_at,
        };
        assert!(store.session_create(&row).await.unwrap());
    }
    let mut write = store.write(operator(), now()).await.unwrap();
    let id = write
        .insert_user(&NewUser {
            username: "admin".into(),
            display_name: "مدیر".into(),
            password_hash: "$argon2id$not-a-real-hash".into(),
            role: Role::MinistryAdmin,
        })
        .await
        .unwrap();
    let user = write.user_by_id(id).await.unwrap().unwrap();
    let login = LoginContext {
        via: "api",
        source: "192.0.2.1",
    };
    for (hash, expires_at) in [
        ("expired", now()),
        ("live", now().plus_seconds(60)),
        ("revoked", now().plus_seconds(60)),
    ] {
        write
            .insert_token(hash, &user, expires_at, login)
            .await
            .unwrap();
    }
    write.revoke_token("revoked", &user).await.unwrap();
    write.commit().await.unwrap();
    for at in [now().plus_seconds(-900), now()] {
        taavon_testkit::tamper(
            &url,
            &format!(
                "INSERT INTO login_throttle (key, attempts, window_started_at) \
                 VALUES ('at {at}', 1, '{at}')"
            ),
        )
        .await;
    }

    let purged = store
        .purge_expired(now(), now().plus_seconds(-900))
        .await
        .unwrap();
    assert_eq!(
        purged,
        Purged {
            sessions: 1,
            tokens: 2,
            throttle_counters: 1
        }
    );
    assert!(store.session_load("live", now()).await.unwrap().is_some());
    let mut read = store.read().await.unwrap();
    assert!(
        read.user_by_token_hash("live", now())
            .await
            .unwrap()
            .is_some()
    );
    read.finish().await.unwrap();
    let again = store
        .purge_expired(now(), now().plus_seconds(-900))
        .await
        .unwrap();
    assert_eq!(again, Purged::default());
    Checks::AuditMustVerify
}

spec!(parallel_login_attempts_are_counted_exactly_and_a_window_restarts_the_count);
async fn parallel_login_attempts_are_counted_exactly_and_a_window_restarts_the_count(
    store: Store,
    _: String,
) -> Checks {
    // Establishes the atomic reservation the login throttle rests on: of 40 parallel
    // attempts on a key with limit 5, exactly 5 are reserved on both engines; a refusal
    // counts nothing on the other keys; a success gives its reservation back; once the
    // window has passed the count starts again.
    let keys = [
        ThrottleKey {
            key: "source:192.0.2.9",
            limit: 100,
        },
        ThrottleKey {
            key: "pair:admin@192.0.2.9",
            limit: 5,
        },
    ];
    let attempts = (0..40).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.reserve_login_attempt(&keys, now(), 900).await })
    });
    let mut reserved = 0;
    let mut refused = 0;
    for attempt in attempts {
        match attempt.await.unwrap().unwrap() {
            Reservation::Reserved => reserved += 1,
            Reservation::Refused {
                retry_after_seconds,
            } => {
                assert_eq!(retry_after_seconds, 900);
                refused += 1;
            }
        }
    }
    assert_eq!((reserved, refused), (5, 35));
    // The refused attempts left the source's count at 5 of 100: the source lets 95 more
    // through (here all for a key without a limit of its own), then refuses.
    let other = [
        keys[0],
        ThrottleKey {
            key: "pair:ilam@192.0.2.9",
            limit: 1000,
        },
    ];
    for _ in 0..95 {
        assert_eq!(
            store
                .reserve_login_attempt(&other, now(), 900)
                .await
                .unwrap(),
            Reservation::Reserved
        );
    }
    assert!(matches!(
        store
            .reserve_login_attempt(&other, now(), 900)
            .await
            .unwrap(),
        Reservation::Refused { .. }
    ));
    // A success gives back its reservation.
    let mut write = store.write(operator(), now()).await.unwrap();
    write
        .release_login_attempt("pair:admin@192.0.2.9", "source:192.0.2.9")
        .await
        .unwrap();
    write.audit(AuditEntry {
        action: "spec.release",
        entity: "spec",
        entity_id: "1".into(),
        province: None,
        before: None,
        after: None,
    });
    write.commit().await.unwrap();
    assert_eq!(
        store
            .reserve_login_attempt(&keys, now(), 900)
            .await
            .unwrap(),
        Reservation::Reserved
    );
    // A minute before the window ends, the wait is that minute; after it, a new window.
    assert_eq!(
        store
            .reserve_login_attempt(&keys, now().plus_seconds(840), 900)
            .await
            .unwrap(),
        Reservation::Refused {
            retry_after_seconds: 60
        }
    );
    assert_eq!(
        store
            .reserve_login_attempt(&keys[1..], now().plus_seconds(901), 900)
            .await
            .unwrap(),
        Reservation::Reserved
    );
    Checks::AuditMustVerify
}

spec!(editing_or_deleting_any_audit_record_breaks_the_chain_at_that_record);
async fn editing_or_deleting_any_audit_record_breaks_the_chain_at_that_record(
    store: Store,
    url: String,
) -> Checks {
    // Establishes tamper evidence: edits, deletions in the middle and at the end.
    load_reference(&store).await;
    for i in 0..3 {
        let mut write = store.write(operator(), now()).await.unwrap();
        write
            .insert_cooperative(&cooperative(
                &format!("ت{i}"),
                "1601",
                "IR-16",
                &format!("1400000{i}"),
            ))
            .await
            .unwrap();
        write.commit().await.unwrap();
    }
    let intact = store.verify_audit().await.unwrap();
    assert_eq!((intact.records_checked, intact.first_broken), (5, None));

    taavon_testkit::tamper(
        &url,
        "UPDATE audit_log SET actor = 'system:someone-else' WHERE seq = 3",
    )
    .await;
    let edited = store.verify_audit().await.unwrap();
    assert_eq!(edited.first_broken.unwrap().seq, 3);
    taavon_testkit::tamper(
        &url,
        "UPDATE audit_log SET actor = 'system:spec' WHERE seq = 3",
    )
    .await;
    assert_eq!(store.verify_audit().await.unwrap().first_broken, None);

    taavon_testkit::tamper(&url, "DELETE FROM audit_log WHERE seq = 5").await;
    let truncated = store.verify_audit().await.unwrap();
    assert_eq!(truncated.first_broken.unwrap().seq, 5);

    taavon_testkit::tamper(&url, "DELETE FROM audit_log WHERE seq = 2").await;
    let holed = store.verify_audit().await.unwrap();
    assert_eq!(holed.first_broken.unwrap().seq, 2);
    Checks::AuditBrokenOnPurpose
}

#[tokio::test]
async fn both_engines_produce_the_same_schema() {
    // Establishes migration parity between the SQLite and PostgreSQL dialects: the same
    // tables and columns, primary keys, indexes, foreign keys, check constraints and
    // triggers.
    let sqlite = taavon_testkit::fresh_sqlite().await.schema().await.unwrap();
    let Some((postgres, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
        return;
    };
    let postgres = postgres.schema().await.unwrap();
    // Each part is really read (an empty description would compare equal).
    assert!(sqlite.tables.len() >= 20, "{sqlite:?}");
    assert!(sqlite.primary_keys.len() >= 20, "{:?}", sqlite.primary_keys);
    assert!(sqlite.indexes.len() >= 20, "{:?}", sqlite.indexes);
    assert!(sqlite.foreign_keys.len() >= 10, "{:?}", sqlite.foreign_keys);
    assert!(!sqlite.checks.is_empty(), "{:?}", sqlite.checks);
    assert!(sqlite.triggers.len() >= 3, "{:?}", sqlite.triggers);
    assert_eq!(sqlite.tables, postgres.tables);
    assert_eq!(sqlite.primary_keys, postgres.primary_keys);
    assert_eq!(sqlite.indexes, postgres.indexes);
    assert_eq!(sqlite.foreign_keys, postgres.foreign_keys);
    assert_eq!(sqlite.checks, postgres.checks);
    assert_eq!(sqlite.triggers, postgres.triggers);
}

#[tokio::test]
async fn an_unknown_database_scheme_is_an_error() {
    // Establishes that the URL scheme chooses the engine and nothing else is guessed.
    let error = Store::open("mysql://root@localhost/taavon")
        .await
        .err()
        .unwrap();
    assert!(matches!(error, StoreError::UnknownScheme { .. }));
}

mod citus;
mod dashboard;
mod dashboard_history;
mod impact;
mod loans;
mod search;
mod services;
mod support;
