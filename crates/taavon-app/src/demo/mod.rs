//! The demo data set, drawn from the two source articles: Ilam's women's clothing
//! production cooperative and its 15 000 000 000 rial facility, Ilam's handicraft
//! artisans and welfare clients, Lorestan/Dorud cooperatives in the province's strong
//! sectors, a few cooperatives elsewhere, the programs, an SSO insured-worker list with
//! the hires two Lorestan loans report, one demo user per role, and a festival of top
//! cooperators in progress with its judges (`awards`).
//!
//! Demo users exist only when the server runs with `--demo`; all have the password `demo`.
//! Each role that works under four eyes has two users (`ilam` and `ilam2`, `bank` and
//! `bank2`), so a second approval can be given in the demo.

use taavon_core::access::{JudgePanel, Role, RoleKind};
use taavon_core::ids::{LegalId, NationalCode};
use taavon_core::reference::{AgencyCode, BankCode, ProvinceCode};
use taavon_core::registry::{ClientKind, CooperativeKind, CooperativeStatus, Gender};
use taavon_core::text::{normalize, search_key};
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, NewClient, NewCooperative, NewMembership, NewPerson, Store, WriteTx};

use crate::AppError;

mod awards;
mod jobs;
mod loans;
pub mod programs;
mod services;
mod support;
use crate::users::{Caller, PasswordRule, UserInput, add_user};

/// The password of every demo user.
pub const DEMO_PASSWORD: &str = "demo";

/// What the demo loader did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded { cooperatives: usize, users: usize },
    AlreadyPresent,
}

struct DemoCooperative {
    name: &'static str,
    county: &'static str,
    kind: CooperativeKind,
    sector: &'static str,
    women_led: bool,
    founded_on: &'static str,
    members: usize,
}

const COOPERATIVES: &[DemoCooperative] = &[
    DemoCooperative {
        name: "تعاونی تولیدی پوشاک بانوان ایلام",
        county: "1601",
        kind: CooperativeKind::Production,
        sector: "textiles",
        women_led: true,
        founded_on: "2024-05-12",
        members: 12,
    },
    DemoCooperative {
        name: "تعاونی صنایع دستی گلیم‌بافان ایوان",
        county: "1607",
        kind: CooperativeKind::Production,
        sector: "handicrafts",
        women_led: true,
        founded_on: "2021-10-03",
        members: 9,
    },
    DemoCooperative {
        name: "تعاونی گردشگری دره‌های دورود",
        county: "1505",
        kind: CooperativeKind::Service,
        sector: "tourism",
        women_led: false,
        founded_on: "2023-04-17",
        members: 8,
    },
    DemoCooperative {
        name: "تعاونی صنایع دستی بانوان دورود",
        county: "1505",
        kind: CooperativeKind::Production,
        sector: "handicrafts",
        women_led: true,
        founded_on: "2022-08-21",
        members: 11,
    },
    DemoCooperative {
        name: "تعاونی کشاورزی دشت سیلاخور",
        county: "1505",
        kind: CooperativeKind::Production,
        sector: "agriculture",
        women_led: false,
        founded_on: "2019-02-10",
        members: 15,
    },
    DemoCooperative {
        name: "تعاونی پرورش ماهی سردابی دورود",
        county: "1505",
        kind: CooperativeKind::Production,
        sector: "fisheries",
        women_led: false,
        founded_on: "2020-06-01",
        members: 7,
    },
    DemoCooperative {
        name: "تعاونی گیاهان دارویی زاگرس",
        county: "1505",
        kind: CooperativeKind::Production,
        sector: "pharmaceuticals",
        women_led: true,
        founded_on: "2024-01-15",
        members: 7,
    },
    DemoCooperative {
        name: "تعاونی فناوری جوانان خرم‌آباد",
        county: "1503",
        kind: CooperativeKind::Service,
        sector: "startups",
        women_led: false,
        founded_on: "2025-02-01",
        members: 7,
    },
    DemoCooperative {
        name: "تعاونی مصرف کارکنان تبریز",
        county: "0303",
        kind: CooperativeKind::Consumer,
        sector: "trade",
        women_led: false,
        founded_on: "2015-09-09",
        members: 10,
    },
    DemoCooperative {
        name: "تعاونی مسکن مهر زاهدان",
        county: "1105",
        kind: CooperativeKind::Housing,
        sector: "housing",
        women_led: false,
        founded_on: "2012-03-03",
        members: 14,
    },
    DemoCooperative {
        name: "تعاونی صیادی چابهار",
        county: "1102",
        kind: CooperativeKind::Production,
        sector: "fisheries",
        women_led: false,
        founded_on: "2018-11-20",
        members: 9,
    },
    DemoCooperative {
        name: "تعاونی خدمات فنی اصفهان",
        county: "1002",
        kind: CooperativeKind::Service,
        sector: "services",
        women_led: false,
        founded_on: "2016-07-07",
        members: 8,
    },
];

const FIRST_NAMES_FEMALE: &[&str] = &[
    "زهرا",
    "فاطمه",
    "مریم",
    "سمیه",
    "لیلا",
    "نرگس",
    "پروین",
    "شیرین",
    "کبری",
    "منیژه",
    "الهام",
    "سارا",
];
const FIRST_NAMES_MALE: &[&str] = &[
    "علی",
    "حسین",
    "محمد",
    "رضا",
    "مهدی",
    "امیر",
    "جواد",
    "سعید",
    "کریم",
    "بهروز",
];
const LAST_NAMES: &[&str] = &[
    "کرمی",
    "مرادی",
    "رحیمی",
    "احمدی",
    "بیرانوند",
    "سپهوند",
    "میرزایی",
    "حسینی",
    "کاظمی",
    "نظری",
    "ملکی",
    "زارعی",
];

/// Loads the demo data set into a database that holds reference data but no demo yet.
pub async fn load(store: &Store, now: Timestamp) -> Result<DemoOutcome, AppError> {
    crate::reference::ensure_loaded(store, now).await?;
    let mut read = store.read().await?;
    let present = read.user_by_username("admin").await?.is_some();
    read.finish().await?;
    if present {
        return Ok(DemoOutcome::AlreadyPresent);
    }
    let mut write = store.write(Actor::system("demo"), now).await?;
    programs::insert(&mut write).await?;
    let mut person_serial = 0u32;
    let mut cooperative_ids = Vec::new();
    for (index, demo) in COOPERATIVES.iter().enumerate() {
        let province = province_of(demo.county)?;
        let legal_id = LegalId::with_check_digit(&format!("14{:08}", 100 + index))
            .ok_or_else(|| AppError::Internal("demo legal id".into()))?;
        let id = write
            .insert_cooperative(&NewCooperative {
                province: province.clone(),
                county: demo.county.into(),
                name: normalize(demo.name),
                name_key: search_key(demo.name),
                kind: demo.kind,
                sector: demo.sector.into(),
                legal_id: Some(legal_id.as_str().into()),
                registration_number: Some(format!(
                    "{}-{}",
                    province.trim_start_matches("IR-"),
                    1400 + index
                )),
                registered_on: Some(demo.founded_on.into()),
                founded_on: Some(demo.founded_on.into()),
                women_led: demo.women_led,
                status: CooperativeStatus::Active,
                address: None,
                phone: None,
            })
            .await?;
        cooperative_ids.push(id);
        for member in 0..demo.members {
            person_serial += 1;
            let female = demo.women_led || member % 3 == 0;
            let person = add_person(&mut write, &province, person_serial, female).await?;
            write
                .insert_membership(&NewMembership {
                    province: province.clone(),
                    cooperative_id: id,
                    person_id: person,
                    board_role: match member {
                        0 => Some("chair".into()),
                        1 | 2 => Some("board".into()),
                        _ => None,
                    },
                    joined_on: demo.founded_on.into(),
                })
                .await?;
        }
    }
    let ilam_clothing = cooperative_ids
        .first()
        .copied()
        .ok_or_else(|| AppError::Internal("demo".into()))?;
    let behzisti = AgencyCode::parse("behzisti").map_err(|e| AppError::Internal(e.to_string()))?;
    for (county, kind, sector, credential) in [
        (
            "1601",
            ClientKind::Artisan,
            Some("handicrafts"),
            Some("کارت صنعتگری ۱۶-۰۰۱"),
        ),
        (
            "1607",
            ClientKind::Artisan,
            Some("handicrafts"),
            Some("کارت صنعتگری ۱۶-۰۰۲"),
        ),
        (
            "1602",
            ClientKind::Artisan,
            Some("handicrafts"),
            Some("کارت صنعتگری ۱۶-۰۰۳"),
        ),
        ("1601", ClientKind::Welfare, Some("housing"), None),
        ("1603", ClientKind::Welfare, Some("housing"), None),
    ] {
        person_serial += 1;
        let person = add_person(&mut write, "IR-16", person_serial, true).await?;
        write
            .insert_client(&NewClient {
                province: "IR-16".into(),
                county: county.into(),
                person_id: person,
                kind,
                sector: sector.map(Into::into),
                credential: credential.map(Into::into),
                referred_by: (kind == ClientKind::Welfare).then_some(behzisti.clone()),
            })
            .await?;
    }
    write.commit().await?;
    let users = demo_users(ilam_clothing)?;
    for (username, display_name, role) in &users {
        add_user(
            store,
            Caller::Operator("demo"),
            &user_input(username, display_name, role),
            PasswordRule::Demo,
            None,
            now,
        )
        .await?;
    }
    programs::apply_and_decide(store, &cooperative_ids, now).await?;
    let lent = loans::lend(store, &cooperative_ids, now).await?;
    jobs::report(store, &lent, now).await?;
    support::file(store, ilam_clothing, now).await?;
    services::record(store, now).await?;
    awards::hold(store, &cooperative_ids, now).await?;
    tracing::warn!(
        users = users.len(),
        "demo data loaded: demo users exist with the password `demo`; never use --demo in production"
    );
    Ok(DemoOutcome::Loaded {
        cooperatives: COOPERATIVES.len(),
        users: users.len(),
    })
}

async fn add_person(
    write: &mut WriteTx,
    province: &str,
    serial: u32,
    female: bool,
) -> Result<i64, AppError> {
    let national_code = NationalCode::with_check_digit(&format!("{:09}", 4_200_000 + serial * 7))
        .ok_or_else(|| AppError::Internal("demo national code".into()))?;
    let pick = |names: &[&'static str]| {
        names
            .get(serial as usize % names.len())
            .copied()
            .unwrap_or("")
    };
    let first_name = if female {
        pick(FIRST_NAMES_FEMALE)
    } else {
        pick(FIRST_NAMES_MALE)
    };
    Ok(write
        .insert_person(&NewPerson {
            province: province.into(),
            national_code: national_code.as_str().into(),
            first_name: first_name.into(),
            last_name: LAST_NAMES
                .get((serial as usize / 3) % LAST_NAMES.len())
                .copied()
                .unwrap_or("")
                .into(),
            gender: if female { Gender::Female } else { Gender::Male },
            birth_year: Some(1960 + i64::from(serial % 40)),
            mobile: None,
        })
        .await?)
}

fn province_of(county: &str) -> Result<String, AppError> {
    ProvinceCode::parse(county.get(..2).unwrap_or(""))
        .map(|p| p.as_str().to_owned())
        .map_err(|_| AppError::Internal(format!("demo county {county}")))
}

type DemoUser = (&'static str, &'static str, Role);

fn demo_users(ilam_clothing: i64) -> Result<Vec<DemoUser>, AppError> {
    let province = |code: &str| {
        ProvinceCode::parse(code).map_err(|_| AppError::Internal(format!("demo province {code}")))
    };
    let bank = |code: &str| {
        BankCode::parse(code).map_err(|_| AppError::Internal(format!("demo bank {code}")))
    };
    Ok(vec![
        ("admin", "مدیر وزارتخانه (نمایشی)", Role::MinistryAdmin),
        (
            "ilam",
            "کارشناس اداره کل تعاون ایلام",
            Role::ProvincialOfficer {
                province: province("IR-16")?,
            },
        ),
        (
            "ilam2",
            "کارشناس دوم اداره کل تعاون ایلام",
            Role::ProvincialOfficer {
                province: province("IR-16")?,
            },
        ),
        (
            "lorestan",
            "کارشناس اداره کل تعاون لرستان",
            Role::ProvincialOfficer {
                province: province("IR-15")?,
            },
        ),
        (
            "bank",
            "کارشناس بانک توسعه تعاون",
            Role::BankOfficer {
                bank: bank("022")?,
                provinces: Vec::new(),
            },
        ),
        (
            "bank2",
            "کارشناس دوم بانک توسعه تعاون",
            Role::BankOfficer {
                bank: bank("022")?,
                provinces: Vec::new(),
            },
        ),
        (
            "sso",
            "کارشناس سازمان تأمین اجتماعی",
            Role::AgencyOfficer {
                agency: AgencyCode::sso(),
                provinces: Vec::new(),
            },
        ),
        (
            "coop",
            "نماینده تعاونی پوشاک بانوان ایلام",
            Role::CooperativeRepresentative {
                cooperative_id: ilam_clothing,
                province: province("IR-16")?,
            },
        ),
        ("auditor", "حسابرس (نمایشی)", Role::Auditor),
        // A second bank, so that what one bank may not see of another's is visible.
        (
            "refah",
            "کارشناس بانک رفاه کارگران",
            Role::BankOfficer {
                bank: bank("013")?,
                provinces: Vec::new(),
            },
        ),
    ])
}

fn user_input(username: &str, display_name: &str, role: &Role) -> UserInput {
    let mut input = UserInput {
        username: username.into(),
        display_name: display_name.into(),
        password: DEMO_PASSWORD.into(),
        role: role.kind().code().into(),
        ..UserInput::default()
    };
    match role {
        Role::ProvincialOfficer { province } => input.province = Some(province.as_str().into()),
        Role::BankOfficer { bank, provinces } => {
            input.bank = Some(bank.to_string());
            input.provinces = provinces.iter().map(|p| p.as_str().into()).collect();
        }
        Role::AgencyOfficer { agency, provinces } => {
            input.agency = Some(agency.to_string());
            input.provinces = provinces.iter().map(|p| p.as_str().into()).collect();
        }
        Role::CooperativeRepresentative {
            cooperative_id,
            province,
        } => {
            input.cooperative_id = Some(*cooperative_id);
            input.province = Some(province.as_str().into());
        }
        Role::Judge {
            festival_year,
            panel,
        } => {
            input.festival_year = Some(*festival_year);
            if let JudgePanel::Provincial(province) = panel {
                input.province = Some(province.as_str().into());
            }
        }
        Role::MinistryAdmin | Role::Auditor => {}
    }
    debug_assert!(RoleKind::parse(&input.role).is_some());
    input
}
