//! The demo's jobs: SSO workshop codes for two Lorestan borrowers, one insured-worker list
//! uploaded by the SSO's officer through the real import, and the hires each borrower
//! reports, chosen so that every verification status appears and Lorestan has fraud
//! signals to review. The Ilam loans and the other Lorestan loan are left without
//! hires, so a reader also sees loans whose jobs are planned only.

use std::io::Write as _;

use taavon_core::access::{Principal, Role};
use taavon_core::calendar::{JalaliDate, JalaliMonth};
use taavon_core::ids::NationalCode;
use taavon_core::reference::ProvinceCode;
use taavon_core::timestamp::Timestamp;
use taavon_store::Store;

use crate::AppError;
use crate::auth::principal_of;
use crate::impact::{
    Borrower, ListFile, ReportMode, VerificationRules, import_insured_list, report_hires,
    set_borrower_workshop,
};

/// The loans (by their place in `loans::LOANS`) that report hires, with their borrowers'
/// workshop codes: Dorud's tourism cooperative and its fish farm.
const REPORTING: [(usize, &str); 2] = [(2, "3150500021"), (4, "3150500045")];

/// How one demo hire appears on the list, relative to its loan's disbursement month.
#[derive(Clone, Copy)]
enum Record {
    /// Insured 30 days in each of the three months after the disbursement: a new job.
    NewJob,
    /// Insured the month before the disbursement: an existing worker (a fraud signal).
    Before,
    /// On no list at all.
    Absent,
    /// Insured one month only.
    OneMonth,
}

/// The hires: (loan index into `REPORTING`, person serial, woman, record). Person 7 is
/// reported by both loans; the earlier loan has the job and the later one's claim is a
/// fraud signal.
const HIRES: &[(usize, u32, bool, Record)] = &[
    (0, 1, true, Record::NewJob),
    (0, 2, false, Record::NewJob),
    (0, 3, false, Record::Before),
    (0, 4, true, Record::Absent),
    (0, 7, true, Record::NewJob),
    (1, 5, false, Record::NewJob),
    (1, 6, true, Record::OneMonth),
    (1, 7, true, Record::NewJob),
];

/// Reports the demo's jobs on `lent`, the demo's loans in order with their borrowing
/// cooperatives.
pub(super) async fn report(
    store: &Store,
    lent: &[(i64, i64)],
    now: Timestamp,
) -> Result<(), AppError> {
    let rules = VerificationRules::default();
    let (admin, sso, representative) = principals(store).await?;
    let mut reporting = Vec::new();
    for (loan_index, workshop) in REPORTING {
        let missing = || AppError::Internal(format!("demo loan {loan_index}"));
        let (loan_id, cooperative) = *lent.get(loan_index).ok_or_else(missing)?;
        set_borrower_workshop(
            store,
            &admin,
            Borrower::Cooperative(cooperative),
            Some(workshop),
            &rules,
            None,
            now,
        )
        .await?;
        let mut read = store.read().await?;
        let disbursed = read
            .first_disbursement(loan_id)
            .await?
            .ok_or_else(missing)?;
        read.finish().await?;
        reporting.push((
            loan_id,
            cooperative,
            workshop,
            JalaliMonth::of(JalaliDate::from(disbursed)),
        ));
    }
    upload_list(store, &sso, &reporting, &rules, now).await?;
    for (index, (loan_id, cooperative, _, _)) in reporting.iter().enumerate() {
        let people: Vec<String> = HIRES
            .iter()
            .filter(|hire| hire.0 == index)
            .map(|hire| person(hire.1).map(|code| code.as_str().to_owned()))
            .collect::<Result<_, _>>()?;
        // The demo has one representative user; here it speaks for each reporting
        // cooperative, as that cooperative's own representative would.
        let borrower = Principal {
            role: Role::CooperativeRepresentative {
                cooperative_id: *cooperative,
                province: lorestan()?,
            },
            ..representative.clone()
        };
        report_hires(
            store,
            &borrower,
            *loan_id,
            &people,
            ReportMode::Add,
            &rules,
            None,
            now,
        )
        .await?;
    }
    Ok(())
}

async fn principals(store: &Store) -> Result<(Principal, Principal, Principal), AppError> {
    let mut read = store.read().await?;
    let mut found = Vec::new();
    for name in ["admin", "sso", "coop"] {
        let user = read
            .user_by_username(name)
            .await?
            .ok_or_else(|| AppError::Internal(format!("demo user {name} is missing")))?;
        found.push(principal_of(&user));
    }
    read.finish().await?;
    match <[Principal; 3]>::try_from(found) {
        Ok([admin, sso, coop]) => Ok((admin, sso, coop)),
        Err(_) => Err(AppError::Internal("demo users".into())),
    }
}

/// The list as the SSO would send it, Persian headers, through the real import.
async fn upload_list(
    store: &Store,
    sso: &Principal,
    reporting: &[(i64, i64, &str, JalaliMonth)],
    rules: &VerificationRules,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut text = String::from("کد کارگاه,کد ملی,جنسیت,ماه,روز\n");
    for &(index, serial, woman, record) in HIRES {
        let Some((_, _, workshop, disbursed)) = reporting.get(index) else {
            return Err(AppError::Internal("demo hire".into()));
        };
        let months: &[i32] = match record {
            Record::NewJob => &[1, 2, 3],
            Record::Before => &[-1, 1, 2, 3],
            Record::Absent => &[],
            Record::OneMonth => &[1],
        };
        let code = person(serial)?;
        let gender = if woman { "F" } else { "M" };
        for offset in months {
            let month = disbursed.add_months(*offset);
            text.push_str(&format!(
                "{workshop},{},{gender},{month},30\n",
                code.as_str()
            ));
        }
    }
    // One file per seeding: several demos load at once in one process (the tests).
    static SEEDINGS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seeding = SEEDINGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "taavon-demo-list-{}-{seeding}.csv",
        std::process::id()
    ));
    let written = std::fs::File::create(&path).and_then(|mut file| file.write_all(text.as_bytes()));
    let imported = match written {
        Ok(()) => {
            let file = ListFile {
                path: &path,
                name: "demo-sso-list.csv",
            };
            import_insured_list(store, sso, file, rules, now, &mut |_| {}).await
        }
        Err(error) => Err(AppError::Internal(format!("demo list: {error}"))),
    };
    // The list's rows are in the database now; the file was only the way in.
    let _ = std::fs::remove_file(&path);
    let report = imported?;
    if report.upload_id.is_none() {
        return Err(AppError::Internal(format!(
            "demo list refused: {:?}",
            report.errors
        )));
    }
    Ok(())
}

fn person(serial: u32) -> Result<NationalCode, AppError> {
    NationalCode::with_check_digit(&format!("{:09}", 5_150_000 + serial * 11))
        .ok_or_else(|| AppError::Internal("demo national code".into()))
}

fn lorestan() -> Result<ProvinceCode, AppError> {
    ProvinceCode::parse("IR-15").map_err(|_| AppError::Internal("demo province".into()))
}
