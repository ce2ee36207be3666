//! The festival of top cooperators on both engines, through one festival from entries to
//! certificates: eligibility reasons from the data, judges assigned automatically, a
//! judge blind to the others' marks until they submit and to their names until the round
//! closes, a conflicted judge refused and the entry reassigned, a closed round refusing
//! marks, the national round taking the provincial winners only, and a certificate's
//! verification code checked.

use taavon_app::awards::{
    self, AwardSettings, EntryInput, FestivalInput, MarksInput, OthersMarks, RoundMove,
    appoint_judge, check_certificate, create_festival, enter, entry_view, list_entries, move_round,
    my_entries, public_results, score, submit,
};
use taavon_app::{AppError, clock};
use taavon_core::access::{JudgePanel, Principal, Role};
use taavon_core::awards::festival::{RoundAction, RoundKind, RoundState};
use taavon_core::calendar::JalaliDate;
use taavon_core::ids::NationalCode;
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::Gender;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, NewMembership, NewPerson, NewUser, Store};

const YEAR: i32 = 1404;

fn now() -> Timestamp {
    clock::now()
}

fn settings() -> AwardSettings {
    AwardSettings {
        certificate_secret: b"a test secret of the ministry".to_vec(),
        ..AwardSettings::default()
    }
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

async fn add_user(store: &Store, username: &str, role: Role) -> Principal {
    let mut write = store.write(Actor::system("spec"), now()).await.unwrap();
    write
        .insert_user(&NewUser {
            username: username.into(),
            display_name: format!("داور {username}"),
            password_hash: "$argon2id$not-a-real-hash".into(),
            role,
        })
        .await
        .unwrap();
    write.commit().await.unwrap();
    principal(store, username).await
}

async fn set_day(store: &Store, jalali: &str) {
    let day = JalaliDate::parse(jalali).unwrap().to_iso().to_string();
    let mut write = store.write(Actor::system("spec"), now()).await.unwrap();
    write.set_business_date(&day).await.unwrap();
    write.commit().await.unwrap();
}

fn national_code(serial: u32) -> String {
    NationalCode::with_check_digit(&format!("{:09}", 5_100_000 + serial * 13))
        .unwrap()
        .as_str()
        .to_owned()
}

fn marks(mark: u32) -> MarksInput {
    MarksInput {
        marks: [
            "economic_performance",
            "jobs_and_inclusion",
            "governance",
            "innovation",
        ]
        .iter()
        .map(|code| ((*code).to_owned(), mark))
        .collect(),
    }
}

fn rule_of(error: AppError) -> String {
    match error {
        AppError::Invalid(errors) => errors
            .first()
            .map(|e| format!("{}:{}", e.field, e.rule))
            .unwrap_or_default(),
        other => format!("{other:?}"),
    }
}

/// The demo, the festival of 1404 (entries in Ordibehesht and Khordad, judging in Tir
/// and Mordad), its business date in the entry window; returns the demo representative's
/// cooperative, the first of the demo's cooperatives (the others follow it in order).
async fn fixture(store: &Store) -> i64 {
    taavon_app::demo::load(store, now()).await.unwrap();
    set_day(store, "1404-02-15").await;
    let admin = principal(store, "admin").await;
    let festival = create_festival(
        store,
        &admin,
        &FestivalInput {
            year: YEAR,
            entry_opens: "1404/02/01".into(),
            entry_closes: "1404/03/31".into(),
            judging_opens: "1404/04/01".into(),
            judging_closes: "1404/05/31".into(),
            judges_per_entry: Some(3),
            load_max: Some(10),
            ..FestivalInput::default()
        },
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(festival.provincial, RoundState::OpenForEntries);
    assert_eq!(festival.fields.categories.len(), 7);
    let coop = principal(store, "coop").await;
    let Role::CooperativeRepresentative { cooperative_id, .. } = coop.role else {
        panic!("the demo's coop user represents a cooperative");
    };
    cooperative_id
}

async fn nominate(store: &Store, officer: &Principal, cooperative_id: i64) -> awards::EntryView {
    enter(
        store,
        officer,
        &settings(),
        &EntryInput {
            year: YEAR,
            cooperative_id,
            category: "agriculture".into(),
        },
        None,
        now(),
    )
    .await
    .unwrap()
}

/// Appoints `count` judges to a panel, returning them.
async fn panel(
    store: &Store,
    panel: JudgePanel,
    name: &str,
    count: u32,
    first_serial: u32,
) -> Vec<Principal> {
    let admin = principal(store, "admin").await;
    let mut judges = Vec::new();
    for n in 0..count {
        let judge = add_user(
            store,
            &format!("{name}{n}"),
            Role::Judge {
                festival_year: YEAR,
                panel: panel.clone(),
            },
        )
        .await;
        appoint_judge(
            store,
            &admin,
            YEAR,
            judge.user_id,
            &national_code(first_serial + n),
            None,
            now(),
        )
        .await
        .unwrap();
        judges.push(judge);
    }
    judges
}

async fn current_judges(
    store: &Store,
    year_festival_id: i64,
    round: RoundKind,
    entry: i64,
) -> Vec<(i64, Option<String>)> {
    let mut read = store.read().await.unwrap();
    let assignments = read
        .award_assignments(year_festival_id, round)
        .await
        .unwrap();
    read.finish().await.unwrap();
    assignments
        .into_iter()
        .filter(|a| a.entry_id == entry)
        .map(|a| (a.judge_user_id, a.conflict))
        .collect()
}

async fn check_a_festival_from_entries_to_certificates(store: Store) {
    let ilam_clothing = fixture(&store).await;
    let admin = principal(&store, "admin").await;
    let coop = principal(&store, "coop").await;
    let lorestan = principal(&store, "lorestan").await;
    let ilam = principal(&store, "ilam").await;

    // Eligibility from the data, with its reasons: the representative's cooperative was
    // registered on 2024-05-12, less than a year before 1404-02-15 (2025-05-05).
    let own = enter(
        &store,
        &coop,
        &settings(),
        &EntryInput {
            year: YEAR,
            cooperative_id: ilam_clothing,
            category: "women_led".into(),
        },
        None,
        now(),
    )
    .await
    .unwrap();
    assert!(!own.entry.fields.eligible);
    let reasons: Vec<&str> = own
        .entry
        .fields
        .reasons
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(reasons, ["registered_too_recently"]);
    assert!(own.entry.fields.reasons[0].message_fa.contains("ثبت شده"));
    assert_eq!(own.entry.fields.route.code(), "entered");
    assert!(own.prescore.is_some());
    // Lorestan's cooperatives follow the first two in the demo; the officer of Ilam may
    // not nominate them (answered as an unknown cooperative), Lorestan's may.
    let lorestan_ids = [ilam_clothing + 2, ilam_clothing + 3, ilam_clothing + 5];
    let refused = enter(
        &store,
        &ilam,
        &settings(),
        &EntryInput {
            year: YEAR,
            cooperative_id: lorestan_ids[0],
            category: "agriculture".into(),
        },
        None,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(rule_of(refused), "cooperative_id:unknown");
    let mut entries = Vec::new();
    for id in lorestan_ids {
        let view = nominate(&store, &lorestan, id).await;
        assert_eq!(view.entry.fields.route.code(), "nominated");
        assert!(
            view.entry.fields.eligible,
            "{id}: {:?}",
            view.entry.fields.reasons
        );
        assert_eq!(view.entry.fields.province.as_str(), "IR-15");
        entries.push(view.entry.id);
    }
    // The demo's loan in the doubtful class keeps its borrower out.
    let doubtful = nominate(&store, &lorestan, ilam_clothing + 4).await;
    let reasons: Vec<&str> = doubtful
        .entry
        .fields
        .reasons
        .iter()
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(reasons, ["doubtful_loan"]);
    // Registered on 2025-02-01: too recent as well.
    let recent = nominate(&store, &lorestan, ilam_clothing + 7).await;
    assert_eq!(
        recent.entry.fields.reasons[0].code,
        "registered_too_recently"
    );
    let twice = enter(
        &store,
        &lorestan,
        &settings(),
        &EntryInput {
            year: YEAR,
            cooperative_id: lorestan_ids[0],
            category: "agriculture".into(),
        },
        None,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(rule_of(twice), "category:already_entered");
    // Each sees their own: the representative one entry, Lorestan's officer its five.
    assert_eq!(list_entries(&store, &coop, YEAR).await.unwrap().len(), 1);
    assert_eq!(
        list_entries(&store, &lorestan, YEAR).await.unwrap().len(),
        5
    );

    // Judging may not start before its window; then the panel is assigned: three of the
    // four judges on each eligible entry, none on the ineligible ones.
    let judges = panel(
        &store,
        JudgePanel::Provincial(ProvinceCode::parse("IR-15").unwrap()),
        "lorestan_judge",
        4,
        1,
    )
    .await;
    let national = panel(&store, JudgePanel::National, "national_judge", 3, 50).await;
    let early = move_round(
        &store,
        &admin,
        &settings(),
        RoundMove {
            year: YEAR,
            kind: RoundKind::Provincial,
            action: RoundAction::StartJudging,
        },
        None,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(rule_of(early), "action:judging_not_open");
    set_day(&store, "1404-04-02").await;
    let festival = move_round(
        &store,
        &admin,
        &settings(),
        RoundMove {
            year: YEAR,
            kind: RoundKind::Provincial,
            action: RoundAction::StartJudging,
        },
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(festival.provincial, RoundState::Judging);
    for entry in &entries {
        assert_eq!(
            current_judges(&store, festival.id, RoundKind::Provincial, *entry)
                .await
                .len(),
            3
        );
    }
    assert!(
        current_judges(&store, festival.id, RoundKind::Provincial, recent.entry.id)
            .await
            .is_empty()
    );
    let late_entry = enter(
        &store,
        &lorestan,
        &settings(),
        &EntryInput {
            year: YEAR,
            cooperative_id: ilam_clothing + 6,
            category: "agriculture".into(),
        },
        None,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(rule_of(late_entry), "year:entries_closed");

    // Blind judging on the first entry: its first judge sees nothing of the others until
    // they submit, then the marks without names.
    let on_first: Vec<i64> = current_judges(&store, festival.id, RoundKind::Provincial, entries[0])
        .await
        .into_iter()
        .map(|(judge, _)| judge)
        .collect();
    let judge_of = |id: i64| judges.iter().find(|j| j.user_id == id).unwrap().clone();
    let (first, second) = (judge_of(on_first[0]), judge_of(on_first[1]));
    score(&store, &second, entries[0], &marks(80), None, now())
        .await
        .unwrap();
    submit(&store, &second, entries[0], None, now())
        .await
        .unwrap();
    let before = entry_view(&store, &first, &settings(), entries[0])
        .await
        .unwrap();
    let side = before.judging.unwrap();
    assert_eq!(side.others, OthersMarks::Hidden);
    assert!(side.other_judges.is_empty());
    score(&store, &first, entries[0], &marks(60), None, now())
        .await
        .unwrap();
    let marked = entry_view(&store, &first, &settings(), entries[0])
        .await
        .unwrap();
    assert_eq!(
        marked.judging.unwrap().others,
        OthersMarks::Hidden,
        "marked is not submitted"
    );
    submit(&store, &first, entries[0], None, now())
        .await
        .unwrap();
    let after = entry_view(&store, &first, &settings(), entries[0])
        .await
        .unwrap();
    let side = after.judging.unwrap();
    assert_eq!(side.others, OthersMarks::Anonymous(vec![80.0]));
    assert!(
        side.other_judges.is_empty(),
        "no names before the round closes"
    );
    let again = score(&store, &first, entries[0], &marks(90), None, now())
        .await
        .unwrap_err();
    assert_eq!(rule_of(again), "marks:already_submitted");
    // A judge not on an entry reads it as a missing one.
    let outsider = judges
        .iter()
        .find(|j| !on_first.contains(&j.user_id))
        .unwrap();
    assert!(matches!(
        entry_view(&store, outsider, &settings(), entries[0]).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        score(&store, outsider, entries[0], &marks(50), None, now()).await,
        Err(AppError::NotFound)
    ));
    let bad = score(
        &store,
        &first,
        entries[1],
        &MarksInput {
            marks: vec![("innovation".into(), 101)],
        },
        None,
        now(),
    )
    .await;
    assert!(bad.is_err());

    // A conflict that came to light after the assignment: a judge of the second entry
    // joins its cooperative's board. Their mark is refused, they are taken off with the
    // reason, and the one free judge is put on in their place.
    let on_second = current_judges(&store, festival.id, RoundKind::Provincial, entries[1]).await;
    let conflicted = judge_of(on_second[0].0);
    let conflicted_serial = judges
        .iter()
        .position(|j| j.user_id == conflicted.user_id)
        .unwrap() as u32
        + 1;
    let mut write = store.write(Actor::system("spec"), now()).await.unwrap();
    let person = write
        .insert_person(&NewPerson {
            province: "IR-15".into(),
            national_code: national_code(conflicted_serial),
            first_name: "مریم".into(),
            last_name: "داوری".into(),
            gender: Gender::Female,
            birth_year: Some(1970),
            mobile: None,
        })
        .await
        .unwrap();
    write
        .insert_membership(&NewMembership {
            province: "IR-15".into(),
            cooperative_id: lorestan_ids[1],
            person_id: person,
            board_role: Some("board".into()),
            joined_on: "2025-06-01".into(),
        })
        .await
        .unwrap();
    write.commit().await.unwrap();
    let refused = score(&store, &conflicted, entries[1], &marks(70), None, now())
        .await
        .unwrap_err();
    assert_eq!(rule_of(refused), "judge:conflict");
    let now_on_second =
        current_judges(&store, festival.id, RoundKind::Provincial, entries[1]).await;
    assert!(now_on_second.contains(&(conflicted.user_id, Some("board_member".into()))));
    let current: Vec<i64> = now_on_second
        .iter()
        .filter(|(_, conflict)| conflict.is_none())
        .map(|(judge, _)| *judge)
        .collect();
    assert_eq!(current.len(), 3);
    assert!(!current.contains(&conflicted.user_id));
    assert!(matches!(
        entry_view(&store, &conflicted, &settings(), entries[1]).await,
        Err(AppError::NotFound)
    ));

    // Every judge marks and submits the rest; then the round closes and refuses marks.
    for (index, entry) in entries.iter().enumerate() {
        for (judge, conflict) in
            current_judges(&store, festival.id, RoundKind::Provincial, *entry).await
        {
            if conflict.is_some() {
                continue;
            }
            let judge = judge_of(judge);
            let listed = my_entries(&store, &judge).await.unwrap();
            let mine = listed.iter().find(|e| e.entry.id == *entry).unwrap();
            if mine.submitted {
                continue;
            }
            let mark = 50 + 10 * index as u32 + (judge.user_id % 7) as u32;
            score(&store, &judge, *entry, &marks(mark), None, now())
                .await
                .unwrap();
            submit(&store, &judge, *entry, None, now()).await.unwrap();
        }
    }
    let closed = move_round(
        &store,
        &admin,
        &settings(),
        RoundMove {
            year: YEAR,
            kind: RoundKind::Provincial,
            action: RoundAction::Close,
        },
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(closed.provincial, RoundState::Closed);
    let late = score(
        &store,
        &judge_of(on_first[2]),
        entries[0],
        &marks(10),
        None,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(rule_of(late), "marks:round_not_judging");
    // Once closed, a judge may see who the others were.
    let named = entry_view(&store, &first, &settings(), entries[0])
        .await
        .unwrap();
    let side = named.judging.unwrap();
    assert!(matches!(side.others, OthersMarks::Named(_)));
    assert_eq!(side.other_judges.len(), 2);
    // Not yet public: the national round may not start, the results are not shown.
    let early_national = move_round(
        &store,
        &admin,
        &settings(),
        RoundMove {
            year: YEAR,
            kind: RoundKind::National,
            action: RoundAction::StartJudging,
        },
        None,
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(rule_of(early_national), "action:provincial_not_published");
    assert!(matches!(
        public_results(&store, YEAR, RoundKind::Provincial).await,
        Err(AppError::NotFound)
    ));

    // Published: one winner in Lorestan's agriculture (the quota), with a certificate
    // whose code the public check finds.
    move_round(
        &store,
        &admin,
        &settings(),
        RoundMove {
            year: YEAR,
            kind: RoundKind::Provincial,
            action: RoundAction::Publish,
        },
        None,
        now(),
    )
    .await
    .unwrap();
    let results = public_results(&store, YEAR, RoundKind::Provincial)
        .await
        .unwrap();
    assert_eq!(results.len(), 3);
    let winners: Vec<_> = results.iter().filter(|r| r.winner).collect();
    assert_eq!(winners.len(), 1);
    assert_eq!(winners[0].rank, Some(1));
    assert!(winners[0].band.is_some());
    let winner = entry_view(&store, &lorestan, &settings(), winners[0].entry_id)
        .await
        .unwrap();
    assert_eq!(winner.certificates.len(), 1);
    let code = winner.certificates[0].code.clone();
    let checked = check_certificate(&store, &code.to_lowercase())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(checked.festival_year, YEAR);
    assert_eq!(checked.cooperative_name, winner.entry.cooperative_name);
    assert_eq!(
        check_certificate(&store, "00000-00000").await.unwrap(),
        None
    );
    assert_eq!(
        rule_of(check_certificate(&store, "not a code").await.unwrap_err()),
        "code:format"
    );

    // The national round takes the provincial winner only, judged by the national panel.
    let national_round = move_round(
        &store,
        &admin,
        &settings(),
        RoundMove {
            year: YEAR,
            kind: RoundKind::National,
            action: RoundAction::StartJudging,
        },
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(national_round.national, RoundState::Judging);
    let mut read = store.read().await.unwrap();
    let admitted: Vec<i64> = read
        .award_entries(festival.id, None, None)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.national)
        .map(|e| e.id)
        .collect();
    read.finish().await.unwrap();
    assert_eq!(admitted, [winners[0].entry_id]);
    let on_national = current_judges(
        &store,
        festival.id,
        RoundKind::National,
        winners[0].entry_id,
    )
    .await;
    assert_eq!(on_national.len(), 3);
    assert!(
        on_national
            .iter()
            .all(|(j, _)| national.iter().any(|n| n.user_id == *j))
    );
    let loser = entries.iter().find(|e| **e != winners[0].entry_id).unwrap();
    assert!(matches!(
        score(&store, &national[0], *loser, &marks(90), None, now()).await,
        Err(AppError::NotFound)
    ));
    score(
        &store,
        &national[0],
        winners[0].entry_id,
        &marks(90),
        None,
        now(),
    )
    .await
    .unwrap();
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
    check_a_festival_from_entries_to_certificates,
    a_festival_runs_from_entries_to_certificates_on_sqlite,
    a_festival_runs_from_entries_to_certificates_on_postgres
);
