//! Support requests on both engines: routing follows the rules data (a changed rule
//! routes new requests only), deadlines skip weekends and holidays across Nowruz,
//! escalation is recorded once per level even when two runs race, attachments of the
//! wrong size or type are refused with nothing stored, and each role sees its own.

use taavon_app::support::{
    self, AttachedFile, EscalationLevel, RequestInput, RuleInput, SupportSettings, attach,
    attachment, escalate_overdue, file_request, list_requests, move_request, rate, request_view,
    set_routing_rule,
};
use taavon_app::{AppError, clock};
use taavon_core::access::{Principal, Role};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::reference::ProvinceCode;
use taavon_core::support::{RequestStatus, Unit};
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, NewUser, Store};

fn now() -> Timestamp {
    clock::now()
}

fn day(jalali: &str) -> IsoDate {
    JalaliDate::parse(jalali).unwrap().to_iso()
}

async fn principal(store: &Store, username: &str) -> Principal {
    let mut read = store.read().await.unwrap();
    let user = read.user_by_username(username).await.unwrap().unwrap();
    read.finish().await.unwrap();
    Principal {
        user_id: user.id,
        username: user.username,
        role: user.role,
    }
}

/// The demo, its business date at 1403-12-28 (a Tuesday before Nowruz), Nowruz and the
/// 12th and 13th of Farvardin 1404 listed as holidays; returns the demo's own date.
async fn fixture(store: &Store) -> IsoDate {
    taavon_app::demo::load(store, now()).await.unwrap();
    let demo_date = taavon_app::loans::business_date(store, now())
        .await
        .unwrap();
    let mut write = store.write(Actor::system("spec"), now()).await.unwrap();
    write
        .set_business_date(&day("1403-12-28").to_string())
        .await
        .unwrap();
    let listed: Vec<String> = write
        .holidays()
        .await
        .unwrap()
        .into_iter()
        .map(|(day, _)| day)
        .collect();
    for jalali in [
        "1404-01-01",
        "1404-01-02",
        "1404-01-03",
        "1404-01-04",
        "1404-01-12",
        "1404-01-13",
    ] {
        let iso = day(jalali).to_string();
        if !listed.contains(&iso) {
            write.add_holiday(&iso, "نوروز").await.unwrap();
        }
    }
    write.commit().await.unwrap();
    demo_date
}

async fn add_user(store: &Store, username: &str, role: Role) -> Principal {
    let mut write = store.write(Actor::system("spec"), now()).await.unwrap();
    write
        .insert_user(&NewUser {
            username: username.into(),
            display_name: username.into(),
            password_hash: "$argon2id$not-a-real-hash".into(),
            role,
        })
        .await
        .unwrap();
    write.commit().await.unwrap();
    principal(store, username).await
}

fn settings() -> SupportSettings {
    let mut settings = SupportSettings::default();
    settings.rules.answer_days = 7;
    settings.rules.ministry_after_days = 2;
    settings.attachment_max_bytes = 1024;
    settings
}

fn input(cooperative_id: i64, topic: &str) -> RequestInput {
    RequestInput {
        cooperative_id: Some(cooperative_id),
        client_id: None,
        kind: "technical".into(),
        topic: topic.into(),
        body: "برای دریافت مجوز صادرات راهنمایی می‌خواهیم.".into(),
    }
}

fn rule(topic: &str, kind: &str, code: Option<&str>) -> RuleInput {
    RuleInput {
        topic: topic.into(),
        province: "IR-16".into(),
        unit_kind: kind.into(),
        unit_code: code.map(str::to_owned),
    }
}

async fn check_routing_and_deadlines(store: Store) {
    fixture(&store).await;
    let (admin, coop) = (
        principal(&store, "admin").await,
        principal(&store, "coop").await,
    );
    let Role::CooperativeRepresentative { cooperative_id, .. } = coop.role else {
        panic!("the demo's coop user represents a cooperative");
    };
    // No rule: the provincial office, due 7 office working days later (Thursdays and
    // Fridays off, Nowruz and the 12th–13th skipped).
    let first = file_request(
        &store,
        &coop,
        &settings(),
        &input(cooperative_id, "legal"),
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(first.fields.unit, Unit::ProvincialOffice);
    assert_eq!(first.fields.deadline, day("1404-01-16").to_string());
    assert_eq!(first.status, RequestStatus::New);

    set_routing_rule(
        &store,
        &admin,
        &rule("training", "agency", Some("tvto")),
        None,
        now(),
    )
    .await
    .unwrap();
    let trained = file_request(
        &store,
        &coop,
        &settings(),
        &input(cooperative_id, "training"),
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(trained.fields.unit, Unit::Agency("tvto".parse().unwrap()));
    // The ministry moves training to a bank: the filed request stays with the agency, a
    // new one goes to the bank, due on the bank's calendar (Fridays only off).
    set_routing_rule(
        &store,
        &admin,
        &rule("training", "bank", Some("022")),
        None,
        now(),
    )
    .await
    .unwrap();
    let banked = file_request(
        &store,
        &coop,
        &settings(),
        &input(cooperative_id, "training"),
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(banked.fields.unit, Unit::Bank("022".parse().unwrap()));
    assert_eq!(banked.fields.deadline, day("1404-01-10").to_string());
    let again = request_view(&store, &admin, trained.id, now())
        .await
        .unwrap();
    assert_eq!(
        again.request.fields.unit,
        Unit::Agency("tvto".parse().unwrap())
    );

    // Only the ministry keeps the rules, and an unknown unit is refused by field.
    assert!(matches!(
        set_routing_rule(
            &store,
            &coop,
            &rule("training", "provincial_office", None),
            None,
            now()
        )
        .await,
        Err(AppError::Forbidden)
    ));
    let Err(AppError::Invalid(errors)) = set_routing_rule(
        &store,
        &admin,
        &rule("training", "agency", Some("nasa")),
        None,
        now(),
    )
    .await
    else {
        panic!("an unknown agency is refused");
    };
    assert_eq!(errors[0].field, "unit_code");
}

async fn check_escalation_once_per_level(store: Store) {
    let demo_date = fixture(&store).await;
    let coop = principal(&store, "coop").await;
    let Role::CooperativeRepresentative { cooperative_id, .. } = coop.role else {
        panic!("the demo's coop user represents a cooperative");
    };
    let filed = file_request(
        &store,
        &coop,
        &settings(),
        &input(cooperative_id, "legal"),
        None,
        now(),
    )
    .await
    .unwrap();
    let rules = settings().rules;
    // On the deadline nothing is due.
    assert_eq!(
        escalate_overdue(&store, &rules, day("1404-01-16"), now())
            .await
            .unwrap(),
        0
    );
    // Well past it both levels are due; two runs racing record each once.
    let late = day("1404-01-25");
    let (a, b) = tokio::join!(
        escalate_overdue(&store, &rules, late, now()),
        escalate_overdue(&store, &rules, late, now()),
    );
    let recorded = a.unwrap() + b.unwrap();
    let demo_admin = principal(&store, "admin").await;
    let view = request_view(&store, &demo_admin, filed.id, now())
        .await
        .unwrap();
    let levels: Vec<EscalationLevel> = view.escalations.iter().map(|(level, _)| *level).collect();
    assert_eq!(
        levels,
        vec![EscalationLevel::ProvincialHead, EscalationLevel::Ministry]
    );
    assert_eq!(view.request.escalation, Some(EscalationLevel::Ministry));
    assert_eq!(recorded, 2);
    assert_eq!(
        escalate_overdue(&store, &rules, late, now()).await.unwrap(),
        0
    );
    // End of day (back at the demo's date) escalates too, and adds nothing to this one.
    let mut write = store.write(Actor::system("spec"), now()).await.unwrap();
    write
        .set_business_date(&demo_date.to_string())
        .await
        .unwrap();
    write.commit().await.unwrap();
    let eod = taavon_app::eod::EodSettings {
        support: rules,
        ..taavon_app::eod::EodSettings::default()
    };
    taavon_app::eod::close_at(&store, demo_date, &eod, now())
        .await
        .unwrap()
        .unwrap();
    let view = request_view(&store, &demo_admin, filed.id, now())
        .await
        .unwrap();
    assert_eq!(view.escalations.len(), 2);
}

async fn check_attachments(store: Store) {
    fixture(&store).await;
    let coop = principal(&store, "coop").await;
    let lorestan = principal(&store, "lorestan").await;
    let Role::CooperativeRepresentative { cooperative_id, .. } = coop.role else {
        panic!("the demo's coop user represents a cooperative");
    };
    let filed = file_request(
        &store,
        &coop,
        &settings(),
        &input(cooperative_id, "legal"),
        None,
        now(),
    )
    .await
    .unwrap();
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(1025, b' ');
    let refused = |result: Result<_, AppError>| match result {
        Err(AppError::Invalid(errors)) => (errors[0].field.clone(), errors[0].rule.clone()),
        other => panic!("refused expected, got {other:?}"),
    };
    assert_eq!(
        refused(
            attach(
                &store,
                &coop,
                &settings(),
                filed.id,
                AttachedFile {
                    name: "big.pdf",
                    content: &big
                },
                None,
                now()
            )
            .await
        ),
        ("file".into(), "too_large".into())
    );
    assert_eq!(
        refused(
            attach(
                &store,
                &coop,
                &settings(),
                filed.id,
                AttachedFile {
                    name: "x.pdf",
                    content: b"MZ\x90\x00 not a pdf",
                },
                None,
                now()
            )
            .await
        ),
        ("file".into(), "type".into())
    );
    let view = request_view(&store, &coop, filed.id, now()).await.unwrap();
    assert!(view.attachments.is_empty(), "nothing stored when refused");

    let pdf = b"%PDF-1.7\n%%EOF\n";
    let stored = attach(
        &store,
        &coop,
        &settings(),
        filed.id,
        AttachedFile {
            name: "letter.pdf",
            content: pdf,
        },
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(stored.size_bytes, 15);
    assert_eq!(stored.content_sha256.len(), 64);
    let (_, content) = attachment(&store, &coop, stored.id).await.unwrap();
    assert_eq!(content, pdf);
    // Another province's officer may not read the request, so not its file either.
    assert!(matches!(
        attachment(&store, &lorestan, stored.id).await,
        Err(AppError::NotFound)
    ));
}

async fn check_scoping_and_moves(store: Store) {
    fixture(&store).await;
    let admin = principal(&store, "admin").await;
    let coop = principal(&store, "coop").await;
    let ilam = principal(&store, "ilam").await;
    let lorestan = principal(&store, "lorestan").await;
    let auditor = principal(&store, "auditor").await;
    let Role::CooperativeRepresentative { cooperative_id, .. } = coop.role else {
        panic!("the demo's coop user represents a cooperative");
    };
    let province = |code| ProvinceCode::parse(code).unwrap();
    let ilam_tvto = add_user(
        &store,
        "tvto-ilam",
        Role::AgencyOfficer {
            agency: "tvto".parse().unwrap(),
            provinces: vec![province("IR-16")],
        },
    )
    .await;
    let lorestan_tvto = add_user(
        &store,
        "tvto-lorestan",
        Role::AgencyOfficer {
            agency: "tvto".parse().unwrap(),
            provinces: vec![province("IR-15")],
        },
    )
    .await;
    let other_coop = add_user(
        &store,
        "other-coop",
        Role::CooperativeRepresentative {
            cooperative_id: cooperative_id + 1,
            province: province("IR-16"),
        },
    )
    .await;
    set_routing_rule(
        &store,
        &admin,
        &rule("training", "agency", Some("tvto")),
        None,
        now(),
    )
    .await
    .unwrap();
    let filed = file_request(
        &store,
        &coop,
        &settings(),
        &input(cooperative_id, "training"),
        None,
        now(),
    )
    .await
    .unwrap();
    let sees = |principal: &Principal| {
        let (store, principal) = (&store, principal.clone());
        async move {
            list_requests(store, &principal, None, false, now())
                .await
                .unwrap()
                .iter()
                .any(|r| r.id == filed.id)
        }
    };
    for (who, expected) in [
        (&admin, true),
        (&auditor, true),
        (&ilam, true),
        (&coop, true),
        (&ilam_tvto, true),
        (&lorestan, false),
        (&lorestan_tvto, false),
        (&other_coop, false),
    ] {
        assert_eq!(sees(who).await, expected, "{}", who.username);
    }
    assert!(matches!(
        request_view(&store, &lorestan_tvto, filed.id, now()).await,
        Err(AppError::NotFound)
    ));

    // The agency takes it and answers; the requester closes and rates it.
    let move_to = |who: &Principal, to: RequestStatus| {
        let (store, who) = (&store, who.clone());
        async move { move_request(store, &who, filed.id, to.code(), None, now()).await }
    };
    assert!(matches!(
        move_to(&coop, RequestStatus::Answered).await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        move_to(&auditor, RequestStatus::Assigned).await,
        Err(AppError::Forbidden)
    ));
    let taken = move_to(&ilam_tvto, RequestStatus::Assigned).await.unwrap();
    assert_eq!(taken.assignee_user_id, Some(ilam_tvto.user_id));
    support::reply(
        &store,
        &ilam_tvto,
        filed.id,
        "مدارک را بفرستید.",
        None,
        now(),
    )
    .await
    .unwrap();
    move_to(&ilam_tvto, RequestStatus::WaitingForRequester)
        .await
        .unwrap();
    let back = support::reply(&store, &coop, filed.id, "فرستادیم.", None, now())
        .await
        .unwrap();
    assert_eq!(back.status, RequestStatus::Assigned);
    let answered = move_to(&ilam_tvto, RequestStatus::Answered).await.unwrap();
    assert_eq!(answered.answered_on, Some(day("1403-12-28").to_string()));
    assert!(matches!(
        rate(&store, &coop, filed.id, 5, None, None, now()).await,
        Err(AppError::Invalid(_))
    ));
    move_to(&coop, RequestStatus::Closed).await.unwrap();
    let rated = rate(&store, &coop, filed.id, 4, Some("خوب بود"), None, now())
        .await
        .unwrap();
    assert_eq!(rated.satisfaction, Some(4));
    let view = request_view(&store, &coop, filed.id, now()).await.unwrap();
    assert_eq!(view.messages.len(), 2);
    assert_eq!(view.moves, vec![RequestStatus::Reopened]);

    let figures = support::sla_figures(&store, &admin, now()).await.unwrap();
    let tvto = figures
        .by_unit
        .iter()
        .find(|line| {
            line.group
                == support::SlaGroup::Unit(
                    taavon_core::support::UnitKind::Agency,
                    Some("tvto".into()),
                )
        })
        .unwrap();
    assert_eq!((tvto.received, tvto.answered_in_time), (1, 1));
    assert_eq!(tvto.median_days_to_answer, Some(0));
    assert_eq!(tvto.mean_satisfaction_hundredths, Some(400));
    let theirs = support::sla_figures(&store, &lorestan_tvto, now())
        .await
        .unwrap();
    assert!(theirs.by_unit.is_empty());
}

macro_rules! on_both_engines {
    ($check:ident, $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $check(taavon_testkit::fresh_sqlite().await).await;
        }

        #[tokio::test]
        async fn $postgres() {
            let Some((store, _database)) = taavon_testkit::fresh_postgres_or_skip().await else {
                return;
            };
            $check(store).await;
        }
    };
}

on_both_engines!(
    check_routing_and_deadlines,
    routing_follows_the_rules_and_deadlines_skip_nowruz_on_sqlite,
    routing_follows_the_rules_and_deadlines_skip_nowruz_on_postgres
);
on_both_engines!(
    check_escalation_once_per_level,
    escalation_is_recorded_once_per_level_on_sqlite,
    escalation_is_recorded_once_per_level_on_postgres
);
on_both_engines!(
    check_attachments,
    attachments_of_the_wrong_size_or_type_store_nothing_on_sqlite,
    attachments_of_the_wrong_size_or_type_store_nothing_on_postgres
);
on_both_engines!(
    check_scoping_and_moves,
    each_role_sees_its_own_and_each_side_makes_its_moves_on_sqlite,
    each_role_sees_its_own_and_each_side_makes_its_moves_on_postgres
);
