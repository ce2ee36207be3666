//! Support requests through the store: a request keeps the unit it was routed to when a
//! rule changes, each escalation level is recorded once even by two transactions at the
//! same time, a unit's officers list its requests in their provinces only, and the
//! counties' figures sum each county's open and answered requests and the days their
//! answers took, across a month's and a leap year's end.

use taavon_core::access::{Role, SupportScope};
use taavon_core::reference::ProvinceCode;
use taavon_core::support::RequestStatus;
use taavon_core::support::{EscalationLevel, RequestKind, Unit};
use taavon_store::{
    NewSupportRequest, NewUser, Store, SupportChange, SupportCountyFigure, SupportFilter,
};

use super::{Checks, cooperative, load_reference, now, operator, run};

fn province(code: &str) -> ProvinceCode {
    ProvinceCode::parse(code).unwrap()
}

/// A cooperative in each of Ilam and Lorestan and a representative filing for them.
async fn fixture(store: &Store) -> (i64, i64, i64) {
    load_reference(store).await;
    let mut write = store.write(operator(), now()).await.unwrap();
    let ilam = write
        .insert_cooperative(&cooperative("تعاونی ایلام", "1601", "IR-16", "14000001004"))
        .await
        .unwrap();
    let dorud = write
        .insert_cooperative(&cooperative("تعاونی دورود", "1505", "IR-15", "14000001116"))
        .await
        .unwrap();
    let user = write
        .insert_user(&NewUser {
            username: "coop".into(),
            display_name: "نماینده".into(),
            password_hash: "$argon2id$not-a-real-hash".into(),
            role: Role::CooperativeRepresentative {
                cooperative_id: ilam,
                province: province("IR-16"),
            },
        })
        .await
        .unwrap();
    write.commit().await.unwrap();
    (ilam, dorud, user)
}

/// Files a request the way the use case does: the unit from the rule, else the office.
async fn file(store: &Store, cooperative_id: i64, at: &str, user: i64) -> i64 {
    let mut write = store.write(operator(), now()).await.unwrap();
    let unit = write
        .routing_rule("insurance", &province(at))
        .await
        .unwrap()
        .map_or(Unit::ProvincialOffice, |rule| rule.unit);
    let id = write
        .insert_support_request(&NewSupportRequest {
            province: province(at),
            cooperative_id: Some(cooperative_id),
            client_id: None,
            kind: RequestKind::Administrative,
            topic: "insurance".into(),
            body: "ثبت کارگاه در بیمه".into(),
            unit,
            filed_by_user_id: user,
            filed_on: "2025-03-18".into(),
            deadline: "2025-04-05".into(),
        })
        .await
        .unwrap();
    write.commit().await.unwrap();
    id
}

async fn set_rule(store: &Store, at: &str, unit: Unit) {
    let mut write = store.write(operator(), now()).await.unwrap();
    write
        .set_routing_rule("insurance", &province(at), &unit)
        .await
        .unwrap();
    write.commit().await.unwrap();
}

spec!(a_changed_rule_routes_new_requests_only);
async fn a_changed_rule_routes_new_requests_only(store: Store, _: String) -> Checks {
    // Establishes that the unit is copied onto the request: the rule's later change
    // leaves it where it was routed.
    let (ilam, _, user) = fixture(&store).await;
    set_rule(&store, "IR-16", Unit::Agency("sso".parse().unwrap())).await;
    let first = file(&store, ilam, "IR-16", user).await;
    set_rule(&store, "IR-16", Unit::Bank("022".parse().unwrap())).await;
    let second = file(&store, ilam, "IR-16", user).await;
    let mut read = store.read().await.unwrap();
    let unit = |request: Option<taavon_store::SupportRequest>| request.unwrap().fields.unit;
    assert_eq!(
        unit(read.support_request(first).await.unwrap()),
        Unit::Agency("sso".parse().unwrap())
    );
    assert_eq!(
        unit(read.support_request(second).await.unwrap()),
        Unit::Bank("022".parse().unwrap())
    );
    assert_eq!(read.routing_rules().await.unwrap().len(), 1);
    Checks::AuditMustVerify
}

spec!(an_escalation_level_is_recorded_once_by_concurrent_runs);
async fn an_escalation_level_is_recorded_once_by_concurrent_runs(
    store: Store,
    url: String,
) -> Checks {
    // Establishes the (request, level) key: of two transactions escalating the same
    // request at once — each from its own app server, a store opened apart on the same
    // database — exactly one records the level.
    let (ilam, _, user) = fixture(&store).await;
    let id = file(&store, ilam, "IR-16", user).await;
    let mut read = store.read().await.unwrap();
    let request = read.support_request(id).await.unwrap().unwrap();
    read.finish().await.unwrap();
    let other_server = Store::open(&url).await.unwrap();
    let escalate = |store: &Store| {
        let (store, request) = (store.clone(), request.clone());
        async move {
            let mut write = store.write(operator(), now()).await.unwrap();
            let recorded = write
                .escalate_support_request(&request, EscalationLevel::ProvincialHead, "2025-04-06")
                .await
                .unwrap();
            if recorded {
                write.commit().await.unwrap();
            } else {
                write.rollback().await.unwrap();
            }
            recorded
        }
    };
    let (a, b) = tokio::join!(
        tokio::spawn(escalate(&store)),
        tokio::spawn(escalate(&other_server))
    );
    assert_eq!(u8::from(a.unwrap()) + u8::from(b.unwrap()), 1);
    other_server.close().await;
    let mut read = store.read().await.unwrap();
    let levels = read.support_escalations(id).await.unwrap();
    assert_eq!(levels.len(), 1);
    let request = read.support_request(id).await.unwrap().unwrap();
    assert_eq!(request.escalation, Some(EscalationLevel::ProvincialHead));
    let overdue = read.overdue_support_requests("2025-04-06").await.unwrap();
    assert_eq!(overdue.len(), 1, "the ministry's level is still to come");
    Checks::AuditMustVerify
}

spec!(a_units_officers_list_its_requests_in_their_provinces);
async fn a_units_officers_list_its_requests_in_their_provinces(store: Store, _: String) -> Checks {
    // Establishes the list's scopes: the unit and its provinces, a province, one
    // cooperative.
    let (ilam, dorud, user) = fixture(&store).await;
    set_rule(&store, "IR-16", Unit::Agency("sso".parse().unwrap())).await;
    set_rule(&store, "IR-15", Unit::Agency("sso".parse().unwrap())).await;
    let in_ilam = file(&store, ilam, "IR-16", user).await;
    let in_dorud = file(&store, dorud, "IR-15", user).await;
    let listed = |scope: SupportScope| {
        let store = store.clone();
        async move {
            let mut read = store.read().await.unwrap();
            let mut ids: Vec<i64> = read
                .support_requests(&scope, &SupportFilter::default())
                .await
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect();
            read.finish().await.unwrap();
            ids.sort_unstable();
            ids
        }
    };
    let sso = |provinces: Vec<ProvinceCode>| SupportScope::Unit {
        unit: Unit::Agency("sso".parse().unwrap()),
        provinces,
    };
    assert_eq!(listed(sso(vec![province("IR-16")])).await, vec![in_ilam]);
    assert_eq!(listed(sso(Vec::new())).await, vec![in_ilam, in_dorud]);
    let behzisti = SupportScope::Unit {
        unit: Unit::Agency("behzisti".parse().unwrap()),
        provinces: Vec::new(),
    };
    assert_eq!(listed(behzisti).await, Vec::<i64>::new());
    assert_eq!(
        listed(SupportScope::Provinces(vec![province("IR-15")])).await,
        vec![in_dorud]
    );
    assert_eq!(listed(SupportScope::Cooperative(ilam)).await, vec![in_ilam]);
    Checks::AuditMustVerify
}

spec!(the_counties_figures_sum_open_requests_and_days_to_answer);
async fn the_counties_figures_sum_open_requests_and_days_to_answer(
    store: Store,
    _: String,
) -> Checks {
    // Establishes the grouped read: a county's open requests (closed ones out), its
    // answered ones and their calendar days to the first answer — 2025-03-18 to
    // 2025-04-02 is 15 days, to 2028-03-01 (past a leap day) is 1 079 — and the
    // province filter.
    let (ilam, dorud, user) = fixture(&store).await;
    let answer = |id: i64, on: &'static str, status: RequestStatus| {
        let store = store.clone();
        async move {
            let mut write = store.write(operator(), now()).await.unwrap();
            let request = write.support_request(id).await.unwrap().unwrap();
            let change = SupportChange {
                status,
                assignee_user_id: None,
                answered_on: Some(on.into()),
                satisfaction: None,
                satisfaction_comment: None,
            };
            assert!(
                write
                    .change_support_request(&request, &change, "support.answer")
                    .await
                    .unwrap()
            );
            write.commit().await.unwrap();
        }
    };
    let first = file(&store, ilam, "IR-16", user).await;
    let second = file(&store, ilam, "IR-16", user).await;
    file(&store, ilam, "IR-16", user).await;
    let in_dorud = file(&store, dorud, "IR-15", user).await;
    answer(first, "2025-04-02", RequestStatus::Answered).await;
    answer(second, "2028-03-01", RequestStatus::Closed).await;
    answer(in_dorud, "2025-03-19", RequestStatus::Closed).await;
    let mut read = store.read().await.unwrap();
    let figure = |county: &str, open, answered, answer_days| SupportCountyFigure {
        county: county.into(),
        open,
        answered,
        answer_days,
    };
    assert_eq!(
        read.support_county_figures(None).await.unwrap(),
        vec![figure("1505", 0, 1, 1), figure("1601", 2, 2, 15 + 1079)]
    );
    assert_eq!(
        read.support_county_figures(Some("IR-15")).await.unwrap(),
        vec![figure("1505", 0, 1, 1)]
    );
    Checks::AuditMustVerify
}
