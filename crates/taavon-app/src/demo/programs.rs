//! The demo's six programs (one per funding source) with budgets by formula, and
//! applications taken through the real workflow by the demo users, so every state of
//! the review queues and the bank's queue has something in it.

use std::collections::BTreeMap;

use taavon_core::access::{ApplicationScope, Principal};
use taavon_core::programs::scoring::ScoringWeights;
use taavon_core::programs::{
    EligibilityRules, FundingSource, PricingRules, ProgramRules, QuotaRules,
};
use taavon_core::reference::{BankCode, ProvinceCode};
use taavon_core::registry::ClientKind;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Program, Store, WriteTx};

use crate::AppError;
use crate::applications::{
    ApplicationInput, TransitionInput, WorkflowSettings, create_application, transition,
};
use crate::auth::principal_of;
use crate::programs::formula_budgets;

/// (code, funding source, Persian name, English name, total budget in rials).
const PROGRAMS: &[(&str, FundingSource, &str, &str, i64)] = &[
    (
        "note18",
        FundingSource::Note18,
        "تبصره ۱۸ قانون بودجه",
        "Budget Law Note 18",
        5_000_000_000_000,
    ),
    (
        "article56",
        FundingSource::Article56,
        "ماده ۵۶ قانون بودجه",
        "Budget Law Article 56",
        2_000_000_000_000,
    ),
    (
        "trips",
        FundingSource::Trips,
        "مصوبات سفرهای استانی",
        "Presidential provincial-trip approvals",
        1_000_000_000_000,
    ),
    (
        "bank-line",
        FundingSource::BankOwn,
        "خط اعتباری بانک توسعه تعاون",
        "Cooperative Development Bank line",
        3_000_000_000_000,
    ),
    (
        "pooled",
        FundingSource::PooledAgency,
        "منابع تجمیعی دستگاه‌های وزارت",
        "Pooled agency resources",
        1_500_000_000_000,
    ),
    (
        "women",
        FundingSource::WomenEmployment,
        "اشتغال زنان",
        "Women's employment line",
        800_000_000_000,
    ),
];

fn rules(code: &str) -> ProgramRules {
    let kinds = |list: &[&str]| list.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
    let (applicant_kinds, tiers, min, max, per_job, min_jobs) = match code {
        "article56" => (
            kinds(&["cooperative"]),
            vec![],
            1_000_000_000,
            30_000_000_000,
            Some(2_500_000_000),
            3,
        ),
        "trips" => (
            kinds(&["cooperative"]),
            vec![1, 2],
            1_000_000_000,
            20_000_000_000,
            None,
            2,
        ),
        "bank-line" => (
            kinds(&["cooperative"]),
            vec![],
            500_000_000,
            20_000_000_000,
            None,
            1,
        ),
        "pooled" => (
            kinds(&["cooperative", "welfare"]),
            vec![],
            200_000_000,
            10_000_000_000,
            None,
            1,
        ),
        "women" => (
            kinds(&["cooperative", "artisan", "welfare"]),
            vec![],
            100_000_000,
            5_000_000_000,
            Some(1_000_000_000),
            1,
        ),
        _ => (
            kinds(&["cooperative", "artisan", "welfare"]),
            vec![],
            500_000_000,
            50_000_000_000,
            Some(2_000_000_000),
            2,
        ),
    };
    let (rates, term, grace, contract) = match code {
        "article56" => ([1200, 1400, 1600, 1800], 48, 6, "installment_sale"),
        "trips" => ([800, 1000, 1200, 1400], 60, 12, "civil_partnership"),
        "bank-line" => ([1800, 1800, 1800, 1800], 36, 3, "murabaha"),
        "pooled" => ([1000, 1200, 1400, 1600], 48, 6, "civil_partnership"),
        "women" => ([400, 600, 800, 1000], 36, 6, "qard_al_hasan"),
        _ => ([1000, 1200, 1500, 1800], 60, 12, "civil_partnership"),
    };
    ProgramRules {
        eligibility: EligibilityRules {
            applicant_kinds,
            sectors: vec![],
            tiers,
            min_amount_rial: min,
            max_amount_rial: max,
            max_amount_per_job_rial: per_job,
            min_jobs,
        },
        pricing: PricingRules {
            profit_rate_bp_by_tier: rates,
            term_months: term,
            grace_months: grace,
            contract_type: contract.into(),
            reschedule_months_max: None,
            reschedule_rate_bp_min: None,
        },
        quotas: QuotaRules {
            women_led_share_bp: if code == "women" { 7000 } else { 3000 },
            deprived_share_bp: 4500,
            sector_caps_bp: BTreeMap::new(),
        },
        scoring: ScoringWeights::default(),
        sector_priorities: BTreeMap::from([
            ("IR-16".to_owned(), kinds(&["textiles", "handicrafts"])),
            (
                "IR-15".to_owned(),
                kinds(&[
                    "tourism",
                    "handicrafts",
                    "agriculture",
                    "fisheries",
                    "pharmaceuticals",
                ]),
            ),
        ]),
    }
}

/// Inserts the programs and their budgets.
pub async fn insert(write: &mut WriteTx) -> Result<(), AppError> {
    for (code, source, name_fa, name_en, total) in PROGRAMS {
        let rules = serde_json::to_string(&rules(code))
            .map_err(|error| AppError::Internal(error.to_string()))?;
        write
            .insert_program(&Program {
                code: (*code).into(),
                funding_source: *source,
                name_fa: (*name_fa).into(),
                name_en: (*name_en).into(),
                // Iranian years 1403 to 1406 (the demo's loans start in 1403).
                opens_on: "2024-03-20".into(),
                closes_on: "2028-03-19".into(),
                rules,
                tier_classification_id: None,
                bank: Some(BankCode::tosee_taavon()),
                version: 1,
            })
            .await?;
        let budgets = formula_budgets(write, *total, None).await?;
        write.set_program_budgets(code, &budgets).await?;
    }
    Ok(())
}

/// (cooperative index, program, amount, jobs, women's jobs, purpose, who files it,
/// the steps after submission as (user, action, reason)). Under four eyes whoever files
/// or submits never approves: Ilam's second officer or the ministry does.
type DemoApplication = (
    usize,
    &'static str,
    i64,
    i64,
    i64,
    &'static str,
    &'static str,
    &'static [Step],
);

/// A step: (demo user, action, reason).
type Step = (&'static str, &'static str, Option<&'static str>);

const APPLICATIONS: &[DemoApplication] = &[
    (
        0,
        "note18",
        15_000_000_000,
        30,
        28,
        "راه‌اندازی کارگاه تولید پوشاک بانوان",
        "coop",
        &[
            ("coop", "submit", None),
            ("ilam", "approve", None),
            ("ilam2", "approve", None),
            ("ilam", "refer", None),
            ("bank", "bank_approve", None),
        ],
    ),
    (
        1,
        "women",
        3_000_000_000,
        12,
        12,
        "خرید دار قالی و مواد اولیه گلیم",
        "ilam",
        &[
            ("ilam", "submit", None),
            ("ilam2", "approve", None),
            ("ilam", "refer", None),
        ],
    ),
    (
        2,
        "trips",
        8_000_000_000,
        15,
        5,
        "اقامتگاه بوم‌گردی در دره‌های دورود",
        "lorestan",
        &[("lorestan", "submit", None)],
    ),
    (
        3,
        "women",
        2_000_000_000,
        10,
        10,
        "کارگاه صنایع دستی بانوان",
        "lorestan",
        &[("lorestan", "submit", None), ("admin", "approve", None)],
    ),
    (
        4,
        "note18",
        12_000_000_000,
        20,
        4,
        "مکانیزاسیون کشت در دشت سیلاخور",
        "lorestan",
        &[("lorestan", "submit", None), ("admin", "approve", None)],
    ),
    (
        5,
        "article56",
        6_000_000_000,
        8,
        1,
        "توسعه استخرهای پرورش ماهی سردابی",
        "lorestan",
        &[
            ("lorestan", "submit", None),
            (
                "lorestan",
                "reject",
                Some("طرح توجیهی فنی و اقتصادی ناقص است."),
            ),
        ],
    ),
    (
        6,
        "bank-line",
        5_000_000_000,
        9,
        3,
        "خط فرآوری گیاهان دارویی",
        "lorestan",
        &[],
    ),
    (
        7,
        "pooled",
        4_000_000_000,
        6,
        2,
        "توسعه نرم‌افزار کشاورزی هوشمند",
        "lorestan",
        &[("lorestan", "submit", None)],
    ),
    (
        8,
        "note18",
        3_000_000_000,
        0,
        0,
        "سرمایه در گردش فروشگاه",
        "admin",
        &[("admin", "submit", None)],
    ),
];

/// Files the demo applications and takes them through the workflow as the demo users.
pub(super) async fn apply_and_decide(
    store: &Store,
    cooperative_ids: &[i64],
    now: Timestamp,
) -> Result<(), AppError> {
    let mut users: BTreeMap<&str, Principal> = BTreeMap::new();
    let mut read = store.read().await?;
    for name in ["admin", "ilam", "ilam2", "lorestan", "bank", "coop"] {
        if let Some(user) = read.user_by_username(name).await? {
            users.insert(name, principal_of(&user));
        }
    }
    let artisan = read
        .clients(
            &ApplicationScope::Provinces(vec![
                ProvinceCode::parse("IR-16")
                    .map_err(|_| AppError::Internal("demo province".into()))?,
            ]),
            50,
        )
        .await?
        .into_iter()
        .find(|c| c.fields.kind == ClientKind::Artisan);
    read.finish().await?;
    let user = |name: &str| {
        users
            .get(name)
            .ok_or_else(|| AppError::Internal(format!("demo user {name} is missing")))
    };
    let settings = WorkflowSettings::default();
    let mut filings: Vec<(ApplicationInput, &str, Vec<Step>)> = Vec::new();
    for (index, program, amount, jobs, women_jobs, purpose, filer, steps) in APPLICATIONS {
        let cooperative = cooperative_ids
            .get(*index)
            .copied()
            .ok_or_else(|| AppError::Internal("demo cooperative".into()))?;
        filings.push((
            ApplicationInput {
                program: (*program).into(),
                cooperative_id: Some(cooperative),
                amount_rial: *amount,
                jobs: *jobs,
                women_jobs: *women_jobs,
                purpose: (*purpose).into(),
                financing: Some(
                    if *jobs == 0 {
                        "working_capital"
                    } else {
                        "development"
                    }
                    .into(),
                ),
                ..ApplicationInput::default()
            },
            filer,
            steps.to_vec(),
        ));
    }
    if let Some(artisan) = artisan {
        filings.push((
            ApplicationInput {
                program: "women".into(),
                client_id: Some(artisan.id),
                amount_rial: 500_000_000,
                jobs: 2,
                women_jobs: 2,
                purpose: "خرید مواد اولیه سوزن‌دوزی".into(),
                ..ApplicationInput::default()
            },
            "ilam",
            vec![("ilam", "submit", None)],
        ));
    }
    for (input, filer, steps) in filings {
        let application = create_application(store, user(filer)?, &input, None, now).await?;
        for (name, action, reason) in steps {
            let step = TransitionInput {
                action: action.into(),
                reason: reason.map(Into::into),
                bank: None,
            };
            transition(
                store,
                user(name)?,
                application.id,
                &step,
                settings,
                None,
                now,
            )
            .await?;
        }
    }
    Ok(())
}
