//! Programs: a ministry admin defines a funding line's rules, calendar and provincial
//! budgets; everyone signed in reads them.

use taavon_core::access::{self, Action, Principal, Resource};
use taavon_core::calendar::parse_date_any;
use taavon_core::limits::TextKind;
use taavon_core::programs::budget::{
    self, BudgetMethod, CountyWeight, DEFAULT_TIER_WEIGHTS_PERMILLE,
};
use taavon_core::programs::{FundingSource, ProgramRules};
use taavon_core::reference::{BankCode, Tier};
use taavon_core::timestamp::Timestamp;
use taavon_store::{Program, ProgramBudget, Store, Versioned, WriteTx};

use crate::bounds::{BoundedText, Lengths};
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::{AppError, FieldError};

/// A program as an admin describes it.
#[derive(Clone, Debug)]
pub struct ProgramInput {
    pub code: String,
    pub funding_source: String,
    pub name_fa: String,
    pub name_en: String,
    /// Jalali or ISO.
    pub opens_on: String,
    pub closes_on: String,
    pub rules: serde_json::Value,
    pub tier_classification_id: Option<i64>,
    pub bank: Option<String>,
}

impl BoundedText for ProgramInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .text("code", &self.code, TextKind::Code)
            .text("funding_source", &self.funding_source, TextKind::Code)
            .text("name_fa", &self.name_fa, TextKind::Name)
            .text("name_en", &self.name_en, TextKind::Name)
            .text("opens_on", &self.opens_on, TextKind::Date)
            .text("closes_on", &self.closes_on, TextKind::Date)
            .optional("bank", self.bank.as_deref(), TextKind::Code);
    }
}

impl BoundedText for BudgetInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        if let BudgetInput::Manual(amounts) = self {
            for (index, (province, _)) in amounts.iter().enumerate() {
                lengths.text(
                    &format!("budgets[{index}].province"),
                    province,
                    TextKind::Code,
                );
            }
        }
    }
}

/// How a program's money is shared among provinces.
#[derive(Clone, Debug)]
pub enum BudgetInput {
    /// `total` shared by population × county tier weight (thousandths per tier 1..4).
    Formula {
        total_rial: i64,
        tier_weights_permille: Option<[u32; 4]>,
    },
    /// Amounts per province, set by hand; provinces not named get nothing.
    Manual(Vec<(String, i64)>),
}

/// A program with its parsed rules, budgets, and what is already committed.
#[derive(Clone, Debug)]
pub struct ProgramDetail {
    pub program: Program,
    pub rules: ProgramRules,
    pub budgets: Vec<ProgramBudget>,
    /// (province, amount approved or further on).
    pub committed: Vec<(String, i128)>,
}

/// Reads a stored rule document; the store only ever holds documents that passed
/// `validate`, so a failure here is corruption.
pub fn parse_rules(program: &Program) -> Result<ProgramRules, AppError> {
    serde_json::from_str(&program.rules).map_err(|error| {
        AppError::Internal(format!(
            "program {} has unreadable rules: {error}",
            program.code
        ))
    })
}

pub async fn list_programs(store: &Store, principal: &Principal) -> Result<Vec<Program>, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Read,
        Resource::Program,
    ))?;
    let mut read = store.read().await?;
    let programs = read.programs().await?;
    read.finish().await?;
    Ok(programs)
}

pub async fn program_detail(
    store: &Store,
    principal: &Principal,
    code: &str,
) -> Result<ProgramDetail, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Read,
        Resource::Program,
    ))?;
    let mut read = store.read().await?;
    let program = read.program(code).await?.ok_or(AppError::NotFound)?;
    let budgets = read.program_budgets(code).await?;
    let committed = read.committed_by_province(code).await?;
    read.finish().await?;
    Ok(ProgramDetail {
        rules: parse_rules(&program)?,
        program,
        budgets,
        committed,
    })
}

pub async fn create_program(
    store: &Store,
    principal: &Principal,
    input: &ProgramInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Program, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Create,
        Resource::Program,
    ))?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        // Programs are known by their code, which the same request carries again.
        Begun::Replay(_) => return read_program(store, &input.code).await,
        Begun::Fresh(write) => write,
    };
    let program = validate(&mut write, input, 1).await?;
    if write.program(&program.code).await?.is_some() {
        return Err(AppError::invalid(
            "code",
            "taken",
            "برنامه‌ای با این کد هست.",
            "A program with this code exists.",
        ));
    }
    write.insert_program(&program).await?;
    finish_idempotent(write, principal, idempotency, 0).await?;
    Ok(program)
}

async fn read_program(store: &Store, code: &str) -> Result<Program, AppError> {
    let mut read = store.read().await?;
    let program = read.program(code).await?.ok_or(AppError::NotFound)?;
    read.finish().await?;
    Ok(program)
}

/// Replaces a program's definition if `version` is still current (409 otherwise).
pub async fn update_program(
    store: &Store,
    principal: &Principal,
    input: &ProgramInput,
    version: i64,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Program, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Update,
        Resource::Program,
    ))?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => return read_program(store, &input.code).await,
        Begun::Fresh(write) => write,
    };
    let program = validate(&mut write, input, version).await?;
    match write.update_program(version, &program).await? {
        Versioned::Updated(after) => {
            finish_idempotent(write, principal, idempotency, 0).await?;
            Ok(after)
        }
        Versioned::Stale { current_version } => Err(AppError::Conflict(format!(
            "the program changed since version {version}; it is now at {current_version}"
        ))),
        Versioned::Missing => Err(AppError::NotFound),
    }
}

/// Sets a program's provincial budgets, by formula or by hand.
pub async fn set_budgets(
    store: &Store,
    principal: &Principal,
    code: &str,
    input: &BudgetInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Vec<ProgramBudget>, AppError> {
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Update,
        Resource::Program,
    ))?;
    crate::bounds::check(input)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => {
            let mut read = store.read().await?;
            let budgets = read.program_budgets(code).await?;
            read.finish().await?;
            return Ok(budgets);
        }
        Begun::Fresh(write) => write,
    };
    if write.program(code).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let provinces = write.provinces().await?;
    let budgets = match input {
        BudgetInput::Formula {
            total_rial,
            tier_weights_permille,
        } => {
            AppError::check_amount("total_rial", *total_rial)?;
            if *total_rial <= 0 {
                return Err(AppError::invalid(
                    "total_rial",
                    "positive",
                    "بودجه کل باید مثبت باشد.",
                    "The total budget must be positive.",
                ));
            }
            formula_budgets(&mut write, *total_rial, *tier_weights_permille).await?
        }
        BudgetInput::Manual(amounts) => {
            let mut errors = Vec::new();
            let mut budgets = Vec::new();
            for (index, (province, amount)) in amounts.iter().enumerate() {
                if !provinces.iter().any(|p| &p.code == province) {
                    errors.push(FieldError::new(
                        format!("budgets[{index}].province"),
                        "unknown",
                        "استان شناخته نیست.",
                        "Unknown province code.",
                    ));
                } else if budgets
                    .iter()
                    .any(|b: &ProgramBudget| &b.province == province)
                {
                    errors.push(FieldError::new(
                        format!("budgets[{index}].province"),
                        "duplicate",
                        "این استان دوبار آمده است.",
                        "The province appears twice.",
                    ));
                }
                let field = format!("budgets[{index}].amount_rial");
                if let Some(error) = FieldError::above_maximum(field, *amount) {
                    errors.push(error);
                } else if *amount < 0 {
                    errors.push(FieldError::new(
                        format!("budgets[{index}].amount_rial"),
                        "non_negative",
                        "بودجه نمی‌تواند منفی باشد.",
                        "A budget cannot be negative.",
                    ));
                }
                budgets.push(ProgramBudget {
                    province: province.clone(),
                    amount_rial: *amount,
                    method: BudgetMethod::Manual,
                });
            }
            if !errors.is_empty() {
                return Err(AppError::Invalid(errors));
            }
            budgets
        }
    };
    write.set_program_budgets(code, &budgets).await?;
    finish_idempotent(write, principal, idempotency, 0).await?;
    Ok(budgets)
}

/// The national `total` shared among provinces by population × county tier weight.
pub(crate) async fn formula_budgets(
    write: &mut WriteTx,
    total_rial: i64,
    tier_weights_permille: Option<[u32; 4]>,
) -> Result<Vec<ProgramBudget>, AppError> {
    let provinces = write.provinces().await?;
    let counties = write.counties(None).await?;
    let weights: Vec<CountyWeight> = counties
        .iter()
        .filter_map(|c| {
            Some(CountyWeight {
                province: &c.province,
                population: u64::try_from(c.population_1395?).ok()?,
                tier: Tier::new(c.tier?).ok()?,
            })
        })
        .collect();
    let codes: Vec<&str> = provinces.iter().map(|p| p.code.as_str()).collect();
    Ok(budget::by_formula(
        total_rial,
        &codes,
        &weights,
        tier_weights_permille.unwrap_or(DEFAULT_TIER_WEIGHTS_PERMILLE),
    )
    .into_iter()
    .map(|(province, amount_rial)| ProgramBudget {
        province: province.to_owned(),
        amount_rial,
        method: BudgetMethod::Formula,
    })
    .collect())
}

/// Checks every field of a program description against the rules and reference data.
async fn validate(
    write: &mut WriteTx,
    input: &ProgramInput,
    version: i64,
) -> Result<Program, AppError> {
    crate::bounds::check(input)?;
    let mut errors = Vec::new();
    let code = input.code.trim();
    if code.is_empty()
        || code.len() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push(FieldError::new(
            "code",
            "format",
            "کد برنامه ۱ تا ۴۰ نویسه لاتین، رقم، - یا _ است.",
            "A program code is 1 to 40 ASCII letters, digits, - or _.",
        ));
    }
    let funding_source = FundingSource::parse(&input.funding_source);
    if funding_source.is_none() {
        errors.push(FieldError::new(
            "funding_source",
            "unknown",
            "منبع تأمین شناخته نیست.",
            "Unknown funding source (note18, article56, trips, bank_own, pooled_agency, women_employment).",
        ));
    }
    for (field, text) in [("name_fa", &input.name_fa), ("name_en", &input.name_en)] {
        if text.trim().is_empty() {
            errors.push(FieldError::new(
                field,
                "required",
                "نام برنامه لازم است.",
                "The program needs a name.",
            ));
        }
    }
    let mut date = |field: &str, text: &str| match parse_date_any(text) {
        Ok(date) => Some(date),
        Err(error) => {
            errors.push(FieldError::new(
                field,
                error.rule(),
                &error.message_fa(),
                &error.to_string(),
            ));
            None
        }
    };
    let opens_on = date("opens_on", &input.opens_on);
    let closes_on = date("closes_on", &input.closes_on);
    if let (Some(opens), Some(closes)) = (opens_on, closes_on)
        && closes < opens
    {
        errors.push(FieldError::new(
            "closes_on",
            "order",
            "تاریخ پایان پیش از تاریخ آغاز است.",
            "The closing date is before the opening date.",
        ));
    }
    let rules: Option<ProgramRules> = match serde_json::from_value(input.rules.clone()) {
        Ok(rules) => Some(rules),
        Err(error) => {
            errors.push(FieldError::new(
                "rules",
                "format",
                "سند قواعد برنامه خوانا نیست.",
                &format!("The rule document does not parse: {error}"),
            ));
            None
        }
    };
    if let Some(rules) = &rules {
        for violation in rules.violations() {
            errors.push(FieldError::new(
                format!("rules.{}", violation.field),
                violation.rule,
                &violation.message_fa,
                &violation.message_en,
            ));
        }
        let sectors = write.sectors().await?;
        let provinces = write.provinces().await?;
        let known_sector = |s: &String| sectors.iter().any(|known| &known.code == s);
        let mut named_sectors: Vec<&String> = rules.eligibility.sectors.iter().collect();
        named_sectors.extend(rules.quotas.sector_caps_bp.keys());
        named_sectors.extend(rules.sector_priorities.values().flatten());
        if let Some(unknown) = named_sectors.into_iter().find(|s| !known_sector(s)) {
            errors.push(FieldError::new(
                "rules",
                "unknown_sector",
                "یکی از بخش‌های نام‌برده شناخته نیست.",
                &format!("Unknown sector {unknown:?}."),
            ));
        }
        if let Some(unknown) = rules
            .sector_priorities
            .keys()
            .find(|p| !provinces.iter().any(|known| &&known.code == p))
        {
            errors.push(FieldError::new(
                "rules.sector_priorities",
                "unknown_province",
                "یکی از استان‌های نام‌برده شناخته نیست.",
                &format!("Unknown province {unknown:?}."),
            ));
        }
    }
    // A stored bank's code has the shape of one, so a known bank parses.
    let mut bank = None;
    if let Some(code) = &input.bank {
        bank = match write.banks().await?.iter().any(|b| &b.code == code) {
            true => BankCode::parse(code).ok(),
            false => None,
        };
    }
    if input.bank.is_some() && bank.is_none() {
        errors.push(FieldError::new(
            "bank",
            "unknown",
            "بانک شناخته نیست.",
            "Unknown bank code.",
        ));
    }
    if let Some(id) = input.tier_classification_id
        && !write
            .tier_classifications()
            .await?
            .iter()
            .any(|c| c.id == id)
    {
        errors.push(FieldError::new(
            "tier_classification_id",
            "unknown",
            "طبقه‌بندی سطح برخورداری شناخته نیست.",
            "Unknown tier classification.",
        ));
    }
    match (
        errors.is_empty(),
        funding_source,
        rules,
        opens_on,
        closes_on,
    ) {
        (true, Some(funding_source), Some(rules), Some(opens_on), Some(closes_on)) => Ok(Program {
            code: code.to_owned(),
            funding_source,
            name_fa: input.name_fa.trim().to_owned(),
            name_en: input.name_en.trim().to_owned(),
            opens_on: opens_on.to_string(),
            closes_on: closes_on.to_string(),
            rules: serde_json::to_string(&rules)
                .map_err(|error| AppError::Internal(error.to_string()))?,
            tier_classification_id: input.tier_classification_id,
            bank,
            version,
        }),
        _ => Err(AppError::Invalid(errors)),
    }
}
