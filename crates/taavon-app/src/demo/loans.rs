//! The demo's money: agencies' deposits and program funds in the ledger, and five loans
//! contracted 800 days ago through the real workflow, then lived month by month (end of
//! day, then the repayments each borrower makes) up to today, so the portfolio holds a
//! loan in every Central Bank of Iran class and a settled one.

use std::collections::BTreeMap;

use taavon_core::access::Principal;
use taavon_core::calendar::IsoDate;
use taavon_core::loans::LoanStatus;
use taavon_core::timestamp::Timestamp;
use taavon_store::Store;

use crate::AppError;
use crate::applications::{
    ApplicationInput, TransitionInput, WorkflowSettings, create_application, transition,
};
use crate::auth::principal_of;
use crate::eod::{self, EodSettings};
use crate::funds::postings::{self, FundingFrom};
use crate::loans::{self, ContractInput, RepaymentInput};

/// How a demo borrower behaves: pays each installment until this many days before
/// today (`None`: always), or pays the whole loan off after this many months.
#[derive(Clone, Copy)]
enum Borrower {
    PaysUntil(Option<i64>),
    SettlesAfterMonths(i64),
}

/// One demo loan: who borrows, under which program, for what, and how they pay.
struct DemoLoan {
    cooperative: usize,
    /// Files, submits and refers the application.
    officer: &'static str,
    /// Approves it (four eyes: never the officer who filed it).
    approver: &'static str,
    program: &'static str,
    amount: i64,
    jobs: i64,
    women_jobs: i64,
    purpose: &'static str,
    borrower: Borrower,
}

const LOANS: &[DemoLoan] = &[
    DemoLoan {
        cooperative: 0,
        officer: "ilam",
        approver: "ilam2",
        program: "bank-line",
        amount: 4_000_000_000,
        jobs: 12,
        women_jobs: 10,
        purpose: "خرید چرخ خیاطی صنعتی",
        borrower: Borrower::PaysUntil(None),
    },
    DemoLoan {
        cooperative: 1,
        officer: "ilam",
        approver: "ilam2",
        program: "women",
        amount: 3_000_000_000,
        jobs: 10,
        women_jobs: 9,
        purpose: "سرمایه کارگاه گلیم‌بافی",
        borrower: Borrower::PaysUntil(Some(120)),
    },
    DemoLoan {
        cooperative: 2,
        officer: "lorestan",
        approver: "admin",
        program: "bank-line",
        amount: 5_000_000_000,
        jobs: 9,
        women_jobs: 3,
        purpose: "تجهیز اقامتگاه بوم‌گردی",
        borrower: Borrower::PaysUntil(Some(330)),
    },
    DemoLoan {
        cooperative: 4,
        officer: "lorestan",
        approver: "admin",
        program: "bank-line",
        amount: 6_000_000_000,
        jobs: 14,
        women_jobs: 2,
        purpose: "خرید تراکتور و ادوات",
        borrower: Borrower::PaysUntil(Some(100_000)),
    },
    DemoLoan {
        cooperative: 5,
        officer: "lorestan",
        approver: "admin",
        program: "bank-line",
        amount: 2_000_000_000,
        jobs: 6,
        women_jobs: 1,
        purpose: "هواده و پمپ استخرها",
        borrower: Borrower::SettlesAfterMonths(7),
    },
];

/// How long ago the demo's loans were contracted.
const HISTORY_DAYS: i64 = 800;

/// Lends the demo's loans and answers them in order, each with its borrowing cooperative.
pub(super) async fn lend(
    store: &Store,
    cooperative_ids: &[i64],
    now: Timestamp,
) -> Result<Vec<(i64, i64)>, AppError> {
    let mut users: BTreeMap<&str, Principal> = BTreeMap::new();
    let mut read = store.read().await?;
    for name in ["admin", "ilam", "ilam2", "lorestan", "bank"] {
        if let Some(user) = read.user_by_username(name).await? {
            users.insert(name, principal_of(&user));
        }
    }
    read.finish().await?;
    let user = |name: &str| {
        users
            .get(name)
            .ok_or_else(|| AppError::Internal(format!("demo user {name} is missing")))
    };
    let today = IsoDate::tehran_today(now.unix_seconds());
    let start = today.add_days(-HISTORY_DAYS);
    loans::set_business_date(store, user("admin")?, start, now).await?;
    fund(store, user("admin")?, now).await?;
    let mut lent = Vec::new();
    let mut borrowers = Vec::new();
    for demo in LOANS {
        let officer = &demo.officer;
        let cooperative = cooperative_ids
            .get(demo.cooperative)
            .copied()
            .ok_or_else(|| AppError::Internal("demo cooperative".into()))?;
        let input = ApplicationInput {
            program: demo.program.into(),
            cooperative_id: Some(cooperative),
            amount_rial: demo.amount,
            jobs: demo.jobs,
            women_jobs: demo.women_jobs,
            purpose: demo.purpose.into(),
            ..ApplicationInput::default()
        };
        let application = create_application(store, user(officer)?, &input, None, now).await?;
        for (who, action) in [
            (*officer, "submit"),
            (demo.approver, "approve"),
            (*officer, "refer"),
            ("bank", "bank_approve"),
        ] {
            let step = TransitionInput {
                action: action.into(),
                reason: None,
                bank: None,
            };
            transition(
                store,
                user(who)?,
                application.id,
                &step,
                WorkflowSettings::default(),
                None,
                now,
            )
            .await?;
        }
        let contract = ContractInput {
            application_id: application.id,
            ..ContractInput::default()
        };
        let loan = loans::contract(store, user("bank")?, &contract, None, now).await?;
        loans::disburse(
            store,
            user("bank")?,
            loan,
            &RepaymentInput::default(),
            None,
            now,
        )
        .await?;
        lent.push((loan, demo.borrower));
        borrowers.push((loan, cooperative));
    }
    live(store, user("bank")?, &lent, start, today, now).await?;
    Ok(borrowers)
}

/// The agencies' deposits at the Cooperative Development Bank and the funds of the
/// demo's programs in its two provinces.
async fn fund(store: &Store, admin: &Principal, now: Timestamp) -> Result<(), AppError> {
    for agency in ["sso", "behzisti", "tvto"] {
        postings::deposit(
            store,
            admin,
            agency,
            "022",
            200_000_000_000,
            "demo",
            None,
            now,
        )
        .await?;
    }
    for province in ["IR-16", "IR-15"] {
        for program in ["note18", "article56", "trips", "bank-line", "women"] {
            let source = FundingFrom::Source(program.into());
            postings::fund_program(
                store,
                admin,
                program,
                province,
                &source,
                100_000_000_000,
                "demo",
                None,
                now,
            )
            .await?;
        }
        let pooled = FundingFrom::Agency {
            agency: "sso".into(),
            bank: "022".into(),
        };
        postings::fund_program(
            store,
            admin,
            "pooled",
            province,
            &pooled,
            50_000_000_000,
            "demo",
            None,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Month by month from the contracts to today: end of day up to each monthly due date,
/// then each borrower's payment on it.
async fn live(
    store: &Store,
    bank: &Principal,
    lent: &[(i64, Borrower)],
    start: IsoDate,
    today: IsoDate,
    now: Timestamp,
) -> Result<(), AppError> {
    let settings = EodSettings::default();
    let start_jalali = taavon_core::calendar::JalaliDate::from(start);
    for month in 1.. {
        let due = IsoDate::from(start_jalali.add_months(month));
        if due >= today {
            break;
        }
        eod::close_at(store, due.add_days(-1), &settings, now).await?;
        for (loan, borrower) in lent {
            let view = loans::read_loan(store, bank, *loan).await?;
            let amount = match borrower {
                Borrower::PaysUntil(stop)
                    if stop.is_none_or(|days| due < today.add_days(-days)) =>
                {
                    view.due_now()
                }
                Borrower::SettlesAfterMonths(after) if i64::from(month) == *after => view.payoff(),
                Borrower::SettlesAfterMonths(after) if i64::from(month) < *after => view.due_now(),
                _ => 0,
            };
            if amount > 0 && view.loan.status == LoanStatus::Active {
                // Paid in cash at the branch on the day, as most demo borrowers do.
                let payment = RepaymentInput {
                    amount_rial: Some(amount),
                    channel: Some("branch".into()),
                    ..RepaymentInput::default()
                };
                loans::repay(store, bank, *loan, &payment, None, now).await?;
            }
        }
    }
    eod::close_at(store, today.add_days(-1), &settings, now).await?;
    Ok(())
}
