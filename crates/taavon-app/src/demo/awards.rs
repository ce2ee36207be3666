//! The demo's festival of top cooperators, in progress on the demo's today: the festival
//! of the business date's Jalali year, entered and nominated in Ilam, Lorestan and
//! Sistan and Baluchestan on a day of its entry window, judged by a panel in each of the
//! three provinces, its provincial round closed and published (the winners' certificates
//! issued), and its national round judging, some of the national panel's marks submitted
//! and some not — so that every page of the festival shows something real. The business
//! date is moved into the festival's windows while it is played and put back after.

use taavon_core::access::{JudgePanel, Principal, Role};
use taavon_core::awards::criteria::Criterion;
use taavon_core::awards::festival::{RoundAction, RoundKind};
use taavon_core::calendar::JalaliDate;
use taavon_core::ids::NationalCode;
use taavon_core::reference::ProvinceCode;
use taavon_core::timestamp::Timestamp;
use taavon_store::Store;

use crate::AppError;
use crate::auth::principal_of;
use crate::awards::{
    AwardSettings, EntryInput, FestivalInput, MarksInput, RoundMove, appoint_judge,
    create_festival, enter, move_round, my_entries, score, submit,
};
use crate::loans::{business_date, set_business_date};
use crate::users::{Caller, PasswordRule, add_user};

/// The demo's judges: user name, name, panel (a province's code, or none: national).
/// `judge` is the one the demo's visitors log in as, on the national panel.
const JUDGES: [(&str, &str, Option<&str>); 12] = [
    ("judge", "داور ملی جشنواره (نمایشی)", None),
    ("judge-n2", "داور ملی دوم", None),
    ("judge-n3", "داور ملی سوم", None),
    ("judge-ilam1", "داور استان ایلام یکم", Some("IR-16")),
    ("judge-ilam2", "داور استان ایلام دوم", Some("IR-16")),
    ("judge-ilam3", "داور استان ایلام سوم", Some("IR-16")),
    ("judge-lor1", "داور استان لرستان یکم", Some("IR-15")),
    ("judge-lor2", "داور استان لرستان دوم", Some("IR-15")),
    ("judge-lor3", "داور استان لرستان سوم", Some("IR-15")),
    (
        "judge-sb1",
        "داور استان سیستان و بلوچستان یکم",
        Some("IR-11"),
    ),
    (
        "judge-sb2",
        "داور استان سیستان و بلوچستان دوم",
        Some("IR-11"),
    ),
    (
        "judge-sb3",
        "داور استان سیستان و بلوچستان سوم",
        Some("IR-11"),
    ),
];

/// The entries: the index of the demo's cooperative, its category, who puts it in.
const ENTRIES: [(usize, &str, &str); 8] = [
    (0, "women_led", "coop"),
    (1, "handicrafts", "ilam"),
    (3, "handicrafts", "lorestan"),
    (4, "agriculture", "lorestan"),
    (5, "agriculture", "lorestan"),
    (6, "agriculture", "lorestan"),
    (9, "housing", "admin"),
    (10, "border_regions", "admin"),
];

/// The demo's certificates' key: the demo's codes are looked up, never recomputed, so a
/// key of its own is enough (a deployment configures `certificate_key_file`).
const DEMO_CERTIFICATE_KEY: &[u8] = b"taavon demo certificates, never a deployment's key";

/// Plays the festival on the demo's data; `cooperative_ids` in the demo's order.
pub(super) async fn hold(
    store: &Store,
    cooperative_ids: &[i64],
    now: Timestamp,
) -> Result<(), AppError> {
    let today = business_date(store, now).await?;
    let Some(days) = Days::around(JalaliDate::from(today)) else {
        // The first days of a Jalali year leave no room for a past entry window.
        tracing::info!("the demo's festival needs a few days of the year gone; none held");
        return Ok(());
    };
    add_judges(store, now).await?;
    let user = |name: &'static str| principal(store, name);
    let admin = user("admin").await?;
    let settings = AwardSettings {
        certificate_secret: DEMO_CERTIFICATE_KEY.to_vec(),
        ..AwardSettings::default()
    };
    let year = days.year;
    let festival = FestivalInput {
        year,
        entry_opens: days.entry_opens.to_iso().to_string(),
        entry_closes: days.entry_closes.to_iso().to_string(),
        judging_opens: days.judging_opens.to_iso().to_string(),
        judging_closes: days.judging_closes.to_iso().to_string(),
        ..FestivalInput::default()
    };
    create_festival(store, &admin, &festival, None, now).await?;
    for (n, (username, _, _)) in JUDGES.iter().enumerate() {
        let judge = user(username).await?;
        let code = judge_code(n)?;
        appoint_judge(store, &admin, year, judge.user_id, code.as_str(), None, now).await?;
    }
    set_business_date(store, &admin, days.entry_opens.to_iso(), now).await?;
    for (index, category, by) in ENTRIES {
        let cooperative_id = *cooperative_ids
            .get(index)
            .ok_or_else(|| AppError::Internal(format!("demo cooperative {index}")))?;
        let input = EntryInput {
            year,
            cooperative_id,
            category: category.into(),
        };
        enter(store, &user(by).await?, &settings, &input, None, now).await?;
    }
    set_business_date(store, &admin, days.judging_opens.to_iso(), now).await?;
    let round = |kind, action| RoundMove { year, kind, action };
    let provincial = RoundKind::Provincial;
    move_round(
        store,
        &admin,
        &settings,
        round(provincial, RoundAction::StartJudging),
        None,
        now,
    )
    .await?;
    for (n, (username, _, panel)) in JUDGES.iter().enumerate() {
        if panel.is_some() {
            judge_all(store, &user(username).await?, n, Submitting::All, now).await?;
        }
    }
    move_round(
        store,
        &admin,
        &settings,
        round(provincial, RoundAction::Close),
        None,
        now,
    )
    .await?;
    move_round(
        store,
        &admin,
        &settings,
        round(provincial, RoundAction::Publish),
        None,
        now,
    )
    .await?;
    set_business_date(store, &admin, today, now).await?;
    let national = RoundKind::National;
    move_round(
        store,
        &admin,
        &settings,
        round(national, RoundAction::StartJudging),
        None,
        now,
    )
    .await?;
    // The national panel is half way: one judge submitted every entry, one marked them
    // without submitting, and the demo's judge submitted one and has the rest to do.
    judge_all(store, &user("judge-n2").await?, 1, Submitting::All, now).await?;
    judge_all(store, &user("judge-n3").await?, 2, Submitting::None, now).await?;
    judge_all(store, &user("judge").await?, 0, Submitting::First, now).await?;
    Ok(())
}

/// The festival's days around the demo's today: the entry window closed a fortnight or
/// more ago, judging open since, until a month ahead; all opening in today's year.
struct Days {
    year: i32,
    entry_opens: JalaliDate,
    entry_closes: JalaliDate,
    judging_opens: JalaliDate,
    judging_closes: JalaliDate,
}

impl Days {
    fn around(today: JalaliDate) -> Option<Self> {
        let year = today.year();
        let new_year = JalaliDate::new(year, 1, 1).ok()?;
        let gone = new_year.days_until(today).min(60);
        if gone < 2 {
            return None;
        }
        let today_iso = today.to_iso();
        let day = |back: i64| JalaliDate::from(today_iso.add_days(-back));
        Some(Self {
            year,
            entry_opens: day(gone),
            entry_closes: day(gone / 2 + 1),
            judging_opens: day(gone / 2),
            judging_closes: day(-30),
        })
    }
}

/// How many of their entries a judge submits after marking them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Submitting {
    All,
    First,
    None,
}

/// Marks every entry assigned to `judge` (the `n`th judge: marks differ by judge and
/// entry, so that rankings are not ties) and submits as `submitting` says.
async fn judge_all(
    store: &Store,
    judge: &Principal,
    n: usize,
    submitting: Submitting,
    now: Timestamp,
) -> Result<(), AppError> {
    let criteria = Criterion::defaults();
    for (k, listed) in my_entries(store, judge).await?.into_iter().enumerate() {
        let entry = listed.entry.id;
        let marks = criteria
            .iter()
            .enumerate()
            .map(|(c, criterion)| {
                let seed = entry.unsigned_abs() as usize * 7 + n * 11 + c * 5;
                (criterion.code.clone(), 55 + (seed % 43) as u32)
            })
            .collect();
        score(store, judge, entry, &MarksInput { marks }, None, now).await?;
        let submits = match submitting {
            Submitting::All => true,
            Submitting::First => k == 0,
            Submitting::None => false,
        };
        if submits {
            submit(store, judge, entry, None, now).await?;
        }
    }
    Ok(())
}

/// The `n`th judge's own national code (no demo cooperative's member has it).
fn judge_code(n: usize) -> Result<NationalCode, AppError> {
    NationalCode::with_check_digit(&format!("{:09}", 6_500_000 + n * 13))
        .ok_or_else(|| AppError::Internal("demo judge's national code".into()))
}

async fn add_judges(store: &Store, now: Timestamp) -> Result<(), AppError> {
    let year = JalaliDate::from(business_date(store, now).await?).year();
    for (username, display_name, panel) in JUDGES {
        let panel = match panel {
            Some(code) => JudgePanel::Provincial(
                ProvinceCode::parse(code)
                    .map_err(|_| AppError::Internal(format!("demo province {code}")))?,
            ),
            None => JudgePanel::National,
        };
        let role = Role::Judge {
            festival_year: year,
            panel,
        };
        add_user(
            store,
            Caller::Operator("demo"),
            &super::user_input(username, display_name, &role),
            PasswordRule::Demo,
            None,
            now,
        )
        .await?;
    }
    Ok(())
}

async fn principal(store: &Store, username: &str) -> Result<Principal, AppError> {
    let mut read = store.read().await?;
    let user = read.user_by_username(username).await?;
    read.finish().await?;
    user.map(|user| principal_of(&user))
        .ok_or_else(|| AppError::Internal(format!("demo user {username} is missing")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_festivals_days_open_in_todays_year_and_judging_holds_today() {
        // Establishes the windows the demo's festival takes on any day of a year but its
        // first: entries close before judging opens, both open in today's year, and
        // judging is open today.
        for (month, day) in [(1, 3), (1, 20), (6, 31), (9, 15), (12, 29)] {
            let today = JalaliDate::new(1405, month, day).unwrap();
            let days = Days::around(today).unwrap();
            assert_eq!(days.year, 1405);
            assert_eq!(days.entry_opens.year(), 1405, "{today:?}");
            assert!(days.entry_opens <= days.entry_closes);
            assert!(days.entry_closes < days.judging_opens);
            assert!(days.judging_opens <= today && today <= days.judging_closes);
        }
        assert!(Days::around(JalaliDate::new(1405, 1, 1).unwrap()).is_none());
        assert!(Days::around(JalaliDate::new(1405, 1, 2).unwrap()).is_none());
    }
}
