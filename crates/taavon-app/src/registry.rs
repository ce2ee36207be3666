//! The registry's use cases: cooperatives, members, the share register, individual
//! clients and formations, each checked by the access policy and audited.

use taavon_core::access::{
    self, Action, ApplicantSubject, CooperativeField, CooperativeRef, Principal, Resource,
};
use taavon_core::calendar::parse_date_any;
use taavon_core::ids::{LegalId, MobileNumber, NationalCode};
use taavon_core::limits::TextKind;
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::shares::{Register, ShareEntry};
use taavon_core::registry::{
    CooperativeKind, CooperativeStatus, FormationRules, Gender, Identity, ShareEntryKind,
};
use taavon_core::text::{normalize, search_key};
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    Cooperative, CooperativeFilter, NewCooperative, NewMembership, NewPerson, Person, Reader,
    ShareEntryRow, Store, StoreError, Versioned, WriteTx,
};

use crate::bounds::{BoundedText, Lengths};
pub use crate::idempotency::Idempotency;
use crate::idempotency::{Begun, begin, finish_idempotent, winner};
use crate::{AppError, FieldError};

/// The largest page a list returns.
pub const PAGE_SIZE_MAX: i64 = 500;

/// A page of cooperatives and the size of the whole (scoped, filtered) list.
#[derive(Clone, Debug)]
pub struct CooperativePage {
    pub cooperatives: Vec<Cooperative>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// A cooperative as a person describes it (API body, form, import row).
#[derive(Clone, Debug, Default)]
pub struct CooperativeInput {
    pub name: String,
    pub kind: String,
    pub sector: String,
    pub county: String,
    pub legal_id: Option<String>,
    pub registration_number: Option<String>,
    pub registered_on: Option<String>,
    pub founded_on: Option<String>,
    pub women_led: bool,
    /// Defaults to `active` for a cooperative registered directly.
    pub status: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// A change to a cooperative: only the fields given change; `version` is the one the
/// caller last read. A change of a regulatory field needs `reason`, kept in the audit.
#[derive(Clone, Debug, Default)]
pub struct CooperativePatch {
    pub version: i64,
    pub reason: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub sector: Option<String>,
    pub county: Option<String>,
    pub legal_id: Option<String>,
    pub registration_number: Option<String>,
    pub registered_on: Option<String>,
    pub founded_on: Option<String>,
    pub women_led: Option<bool>,
    pub status: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

/// A person joining a cooperative (or applying as a founder or client).
#[derive(Clone, Debug, Default)]
pub struct PersonInput {
    pub national_code: String,
    pub first_name: String,
    pub last_name: String,
    pub gender: String,
    pub birth_year: Option<i64>,
    pub mobile: Option<String>,
}

/// The kinds of entry in the share register.
pub const SHARE_ENTRY_KINDS: [&str; 4] = ["subscription", "payment", "transfer", "withdrawal"];

/// An entry for the share register; members are named by national code.
#[derive(Clone, Debug, Default)]
pub struct ShareInput {
    pub kind: String,
    pub national_code: String,
    /// The receiving member of a transfer.
    pub to_national_code: Option<String>,
    pub amount_rial: i64,
    pub entered_on: Option<String>,
}

impl BoundedText for CooperativeInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .text("name", &self.name, TextKind::Name)
            .text("type", &self.kind, TextKind::Code)
            .text("sector", &self.sector, TextKind::Code)
            .text("county", &self.county, TextKind::Code)
            .optional("legal_id", self.legal_id.as_deref(), TextKind::Identifier)
            .optional(
                "registration_number",
                self.registration_number.as_deref(),
                TextKind::Reference,
            )
            .optional(
                "registered_on",
                self.registered_on.as_deref(),
                TextKind::Date,
            )
            .optional("founded_on", self.founded_on.as_deref(), TextKind::Date)
            .optional("status", self.status.as_deref(), TextKind::Code)
            .optional("address", self.address.as_deref(), TextKind::Address)
            .optional("phone", self.phone.as_deref(), TextKind::Identifier);
    }
}

impl BoundedText for PersonInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .text("national_code", &self.national_code, TextKind::Identifier)
            .text("first_name", &self.first_name, TextKind::Name)
            .text("last_name", &self.last_name, TextKind::Name)
            .text("gender", &self.gender, TextKind::Code)
            .optional("mobile", self.mobile.as_deref(), TextKind::Identifier);
    }
}

impl BoundedText for ShareInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .text("kind", &self.kind, TextKind::Code)
            .text("national_code", &self.national_code, TextKind::Identifier)
            .optional(
                "to_national_code",
                self.to_national_code.as_deref(),
                TextKind::Identifier,
            )
            .optional("entered_on", self.entered_on.as_deref(), TextKind::Date);
    }
}

/// A cooperative's register: its entries and each member's position.
#[derive(Clone, Debug)]
pub struct ShareRegister {
    pub entries: Vec<ShareEntryRow>,
    /// (person id, subscribed, paid).
    pub balances: Vec<(i64, i64, i64)>,
    pub subscribed: i64,
    pub paid: i64,
}

/// Lists the cooperatives the principal may see that match `filter`.
pub async fn list_cooperatives(
    store: &Store,
    principal: &Principal,
    filter: &CooperativeFilter,
    limit: i64,
    offset: i64,
) -> Result<CooperativePage, AppError> {
    let (limit, offset) = crate::bounds::page(limit, offset, PAGE_SIZE_MAX)?;
    let scope = access::cooperative_scope(principal);
    let people = access::application_scope(principal);
    let mut read = store.read().await?;
    let (cooperatives, total) = read
        .cooperatives(&scope, &people, filter, limit, offset)
        .await?;
    read.finish().await?;
    Ok(CooperativePage {
        cooperatives,
        total,
        limit,
        offset,
    })
}

/// A search of the registry as typed (an API query): every field optional.
#[derive(Clone, Debug, Default)]
pub struct CooperativeSearch {
    /// A name, a legal ID, a registration number or a member's national code.
    pub q: Option<String>,
    pub province: Option<String>,
    pub county: Option<String>,
    pub sector: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub women_led: Option<bool>,
}

impl BoundedText for CooperativeSearch {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .optional("q", self.q.as_deref(), TextKind::Search)
            .optional("province", self.province.as_deref(), TextKind::Code)
            .optional("county", self.county.as_deref(), TextKind::Code)
            .optional("sector", self.sector.as_deref(), TextKind::Code)
            .optional("type", self.kind.as_deref(), TextKind::Code)
            .optional("status", self.status.as_deref(), TextKind::Code);
    }
}

impl CooperativeSearch {
    /// The store's filter for this search, or every term that cannot be one.
    pub fn filter(&self) -> Result<CooperativeFilter, AppError> {
        crate::bounds::check(self)?;
        let mut errors = Vec::new();
        let mut filter = filter_for_query(self.q.as_deref().unwrap_or(""));
        filter.province = self
            .province
            .as_deref()
            .and_then(|code| province_filter(&mut errors, "province", code));
        filter.county = self.county.clone();
        filter.sector = self.sector.clone();
        let kinds: Vec<&str> = CooperativeKind::ALL.iter().map(|k| k.code()).collect();
        filter.kind = crate::bounds::one_of(&mut errors, "type", self.kind.as_deref(), &kinds);
        let statuses: Vec<&str> = CooperativeStatus::ALL.iter().map(|s| s.code()).collect();
        filter.status =
            crate::bounds::one_of(&mut errors, "status", self.status.as_deref(), &statuses);
        filter.women_led = self.women_led;
        crate::bounds::valid(errors, filter)
    }
}

/// A province code to filter by (`IR-16`, `ir-16` or `16`), normalised; a wrong one is
/// recorded (rule `province_code`).
pub fn province_filter(errors: &mut Vec<FieldError>, field: &str, code: &str) -> Option<String> {
    match ProvinceCode::parse(code) {
        Ok(province) => Some(province.as_str().to_owned()),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                "province_code",
                "کد استان معتبر نیست (نمونه: IR-16).",
                "Not a province code (e.g. IR-16).",
            ));
            None
        }
    }
}

/// Turns what people type in a search box into a filter: a legal ID, a national code,
/// a registration number or a name.
pub fn filter_for_query(query: &str) -> CooperativeFilter {
    let query = query.trim();
    let mut filter = CooperativeFilter::default();
    if query.is_empty() {
        return filter;
    }
    if let Ok(legal_id) = LegalId::parse(query) {
        filter.legal_id = Some(legal_id.as_str().to_owned());
    } else if let Ok(code) = NationalCode::parse(query) {
        filter.member_national_code = Some(code.as_str().to_owned());
    } else if query
        .chars()
        .any(|c| c.is_ascii_digit() || ('۰'..='۹').contains(&c))
        && query.contains('-')
    {
        filter.registration_number = Some(taavon_core::digits::to_ascii_digits(query));
    } else {
        filter.name_key = Some(search_key(query));
    }
    filter
}

/// One cooperative, if the principal may read it. A cooperative outside the principal's
/// scope is reported as not found.
pub async fn get_cooperative(
    store: &Store,
    principal: &Principal,
    id: i64,
) -> Result<Cooperative, AppError> {
    let mut read = store.read().await?;
    let cooperative = read.cooperative(id).await?.ok_or(AppError::NotFound)?;
    may(principal, Action::Read, &cooperative)?;
    read.finish().await?;
    Ok(cooperative)
}

/// The current members of a cooperative, if the principal reads its people (a bank only
/// those of its borrowers).
pub async fn members(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
) -> Result<Vec<Person>, AppError> {
    let mut read = store.read().await?;
    may_read_people(&mut read, principal, cooperative_id).await?;
    let members = read.members_of(cooperative_id).await?;
    read.finish().await?;
    Ok(members)
}

/// Registers a cooperative directly (an officer entering an existing one).
pub async fn create_cooperative(
    store: &Store,
    principal: &Principal,
    input: &CooperativeInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Cooperative, AppError> {
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return read_cooperative(store, id).await,
        Begun::Fresh(write) => write,
    };
    let fields = validate_cooperative(&mut write, input).await?;
    let province = province_code(&fields.province)?;
    allow(access::decide(
        Some(principal),
        Action::Create,
        Resource::Cooperative {
            id: None,
            province: &province,
        },
    ))?;
    let id = match write.insert_cooperative(&fields).await {
        Ok(id) => id,
        // A concurrent request with the same key may have inserted the same legal ID.
        Err(StoreError::Duplicate { .. }) if idempotency.is_some() => {
            drop(write);
            return match winner(store, principal, idempotency).await? {
                Some(id) => read_cooperative(store, id).await,
                None => Err(duplicate_legal_id(StoreError::Duplicate {
                    constraint: "legal_id".into(),
                })),
            };
        }
        Err(error) => return Err(duplicate_legal_id(error)),
    };
    let id = finish_idempotent(write, principal, idempotency, id).await?;
    read_cooperative(store, id).await
}

/// Changes the given fields of a cooperative if `patch.version` is still current. Each
/// field that changes must be one the principal may change (the access policy's field ×
/// role table), and a regulatory change needs a reason.
pub async fn update_cooperative(
    store: &Store,
    principal: &Principal,
    id: i64,
    patch: &CooperativePatch,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Cooperative, AppError> {
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return read_cooperative(store, id).await,
        Begun::Fresh(write) => write,
    };
    let current = write.cooperative(id).await?.ok_or(AppError::NotFound)?;
    may(principal, Action::Update, &current)?;
    let f = &current.fields;
    let merged = CooperativeInput {
        name: patch.name.clone().unwrap_or_else(|| f.name.clone()),
        kind: patch
            .kind
            .clone()
            .unwrap_or_else(|| f.kind.code().to_owned()),
        sector: patch.sector.clone().unwrap_or_else(|| f.sector.clone()),
        county: patch.county.clone().unwrap_or_else(|| f.county.clone()),
        legal_id: patch.legal_id.clone().or_else(|| f.legal_id.clone()),
        registration_number: patch
            .registration_number
            .clone()
            .or_else(|| f.registration_number.clone()),
        registered_on: patch
            .registered_on
            .clone()
            .or_else(|| f.registered_on.clone()),
        founded_on: patch.founded_on.clone().or_else(|| f.founded_on.clone()),
        women_led: patch.women_led.unwrap_or(f.women_led),
        status: Some(
            patch
                .status
                .clone()
                .unwrap_or_else(|| f.status.code().to_owned()),
        ),
        address: patch.address.clone().or_else(|| f.address.clone()),
        phone: patch.phone.clone().or_else(|| f.phone.clone()),
    };
    let mut fields = validate_cooperative(&mut write, &merged).await?;
    let changed = changed_fields(f, &fields);
    let province = province_code(&f.province)?;
    for field in &changed {
        allow(access::decide_cooperative_field(
            Some(principal),
            *field,
            CooperativeRef {
                id,
                province: &province,
            },
        ))?;
    }
    let reason = patch
        .reason
        .as_deref()
        .map(normalize)
        .filter(|r| !r.is_empty());
    if reason.is_none() && changed.iter().any(|field| field.is_regulatory()) {
        return Err(AppError::invalid(
            "reason",
            "required",
            "تغییر داده‌های ثبتی تعاونی بدون ذکر دلیل ممکن نیست.",
            "A change of a cooperative's registration data needs a reason.",
        ));
    }
    let (from, to) = (f.status, fields.status);
    if !from.may_become(to) {
        return Err(AppError::invalid(
            "status",
            "transition",
            "این تغییر وضعیت مجاز نیست.",
            &format!("A cooperative cannot go from {from} to {to}."),
        ));
    }
    // Moving to another province needs the right to create there too.
    if fields.province != f.province {
        let province = province_code(&fields.province)?;
        allow(access::decide(
            Some(principal),
            Action::Create,
            Resource::Cooperative {
                id: None,
                province: &province,
            },
        ))?;
    }
    fields.name_key = search_key(&fields.name);
    match write
        .update_cooperative(id, patch.version, &fields, reason.as_deref())
        .await
        .map_err(duplicate_legal_id)?
    {
        Versioned::Updated(cooperative) => {
            finish_idempotent(write, principal, idempotency, cooperative.id).await?;
            Ok(cooperative)
        }
        Versioned::Stale { current_version } => Err(AppError::Conflict(format!(
            "the cooperative changed since version {}; it is now at version {current_version}",
            patch.version
        ))),
        Versioned::Missing => Err(AppError::NotFound),
    }
}

/// The fields whose validated values differ (a field sent back unchanged is no change).
fn changed_fields(before: &NewCooperative, after: &NewCooperative) -> Vec<CooperativeField> {
    use CooperativeField as F;
    CooperativeField::ALL
        .into_iter()
        .filter(|field| match field {
            F::Name => before.name != after.name,
            F::Address => before.address != after.address,
            F::Phone => before.phone != after.phone,
            F::Kind => before.kind != after.kind,
            F::Sector => before.sector != after.sector,
            // The province follows the county.
            F::County => before.county != after.county,
            F::LegalId => before.legal_id != after.legal_id,
            F::RegistrationNumber => before.registration_number != after.registration_number,
            F::RegisteredOn => before.registered_on != after.registered_on,
            F::FoundedOn => before.founded_on != after.founded_on,
            F::WomenLed => before.women_led != after.women_led,
            F::Status => before.status != after.status,
        })
        .collect()
}

/// Adds a member (creating the person if their national code is new).
pub async fn add_member(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
    input: &PersonInput,
    joined_on: Option<&str>,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Person, AppError> {
    crate::bounds::check_texts(&[("joined_on", joined_on, TextKind::Date)])?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return person_by_id(store, cooperative_id, id).await,
        Begun::Fresh(write) => write,
    };
    let cooperative = write
        .cooperative(cooperative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    may(principal, Action::Update, &cooperative)?;
    let mut errors = Vec::new();
    let joined_on =
        optional_date(&mut errors, "joined_on", joined_on).unwrap_or_else(|| today_iso(now));
    let person = validate_person(&mut errors, input, Some(&cooperative.fields.province));
    let Some(person) = person.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let person_id = upsert_person(&mut write, &person, "national_code").await?;
    if write.is_member(cooperative_id, person_id).await? {
        return Err(AppError::invalid(
            "national_code",
            "already_member",
            "این شخص هم‌اکنون عضو این تعاونی است.",
            "This person is already a member of this cooperative.",
        ));
    }
    write
        .insert_membership(&NewMembership {
            province: cooperative.fields.province.clone(),
            cooperative_id,
            person_id,
            board_role: None,
            joined_on,
        })
        .await?;
    let person_id = finish_idempotent(write, principal, idempotency, person_id).await?;
    person_by_id(store, cooperative_id, person_id).await
}

/// The register of a cooperative with each member's position.
pub async fn share_register(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
) -> Result<ShareRegister, AppError> {
    let mut read = store.read().await?;
    may_read_people(&mut read, principal, cooperative_id).await?;
    let entries = read.share_entries(cooperative_id).await?;
    read.finish().await?;
    register_of(entries)
}

/// Appends an entry to the share register after checking it against every rule.
pub async fn add_share_entry(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
    input: &ShareInput,
    rules: &FormationRules,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<ShareRegister, AppError> {
    crate::bounds::check(input)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(_) => return share_register(store, principal, cooperative_id).await,
        Begun::Fresh(write) => write,
    };
    let cooperative = write
        .cooperative(cooperative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    may(principal, Action::Update, &cooperative)?;
    let mut errors = Vec::new();
    let entered_on = optional_date(&mut errors, "entered_on", input.entered_on.as_deref())
        .unwrap_or_else(|| today_iso(now));
    let member = member_by_code(
        &mut write,
        &mut errors,
        cooperative_id,
        "national_code",
        &input.national_code,
    )
    .await?;
    let kind = ShareEntryKind::parse(&input.kind);
    let counterpart = match (kind, &input.to_national_code) {
        (Some(ShareEntryKind::Transfer), Some(code)) => {
            member_by_code(
                &mut write,
                &mut errors,
                cooperative_id,
                "to_national_code",
                code,
            )
            .await?
        }
        (Some(ShareEntryKind::Transfer), None) => {
            errors.push(FieldError::new(
                "to_national_code",
                "required",
                "کد ملی گیرنده لازم است.",
                "A transfer needs the receiving member.",
            ));
            None
        }
        _ => None,
    };
    errors.extend(FieldError::above_maximum("amount_rial", input.amount_rial));
    let entry = match (kind, member) {
        (Some(kind), Some(member)) => ShareEntry::of(kind, member, counterpart, input.amount_rial),
        (Some(_), None) => None,
        (None, _) => {
            errors.push(FieldError::new(
                "kind",
                "unknown",
                "نوع ثبت سهام باید پذیره‌نویسی، پرداخت، انتقال یا برداشت باشد.",
                "kind must be subscription, payment, transfer or withdrawal.",
            ));
            None
        }
    };
    let Some(entry) = entry.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let existing = write.share_entries(cooperative_id).await?;
    let mut register = register_model(&existing)?;
    register.apply(&entry, rules).map_err(|error| {
        AppError::invalid(
            "amount_rial",
            error.rule(),
            &error.message_fa(),
            &error.to_string(),
        )
    })?;
    let (person_id, counterpart_id) = match entry {
        ShareEntry::Transfer { from, to, .. } => (from, Some(to)),
        ShareEntry::Subscription { member, .. }
        | ShareEntry::Payment { member, .. }
        | ShareEntry::Withdrawal { member, .. } => (member, None),
    };
    let row = ShareEntryRow {
        id: 0,
        cooperative_id,
        kind: entry.kind(),
        person_id,
        counterpart_id,
        amount_rial: input.amount_rial,
        entered_on,
    };
    let id = write
        .insert_share_entry(&cooperative.fields.province, &row)
        .await?;
    finish_idempotent(write, principal, idempotency, id).await?;
    share_register(store, principal, cooperative_id).await
}

fn register_model(entries: &[ShareEntryRow]) -> Result<Register, AppError> {
    let model: Vec<ShareEntry> = entries.iter().filter_map(entry_of).collect();
    // Stored entries were checked when written; the cap is re-checked only for new ones.
    let lenient = FormationRules {
        member_cap_permille: 1000,
        ..FormationRules::default()
    };
    Register::from_entries(&model, &lenient).map_err(|error| {
        AppError::Internal(format!("stored share register breaks a rule: {error}"))
    })
}

fn entry_of(row: &ShareEntryRow) -> Option<ShareEntry> {
    ShareEntry::of(row.kind, row.person_id, row.counterpart_id, row.amount_rial)
}

fn register_of(entries: Vec<ShareEntryRow>) -> Result<ShareRegister, AppError> {
    let register = register_model(&entries)?;
    Ok(ShareRegister {
        balances: register
            .members
            .iter()
            .map(|(member, capital)| (*member, capital.subscribed, capital.paid))
            .collect(),
        subscribed: register.subscribed(),
        paid: register.paid(),
        entries,
    })
}

// ---- helpers shared by the registry use cases ---------------------------------------

fn allow(decision: access::Decision) -> Result<(), AppError> {
    AppError::from_decision(decision)
}

/// Whether the principal reads the people of the cooperative (its members and share
/// register): 404 when it cannot see the cooperative, 403 when it sees the cooperative but
/// not who its members are.
async fn may_read_people(
    read: &mut Reader,
    principal: &Principal,
    cooperative_id: i64,
) -> Result<(), AppError> {
    let cooperative = read
        .cooperative(cooperative_id)
        .await?
        .ok_or(AppError::NotFound)?;
    may(principal, Action::Read, &cooperative)?;
    let province = province_code(&cooperative.fields.province)?;
    let lenders = read.lenders_of_cooperative(cooperative_id).await?;
    allow(access::decide_personal_data(
        Some(principal),
        &ApplicantSubject {
            province: &province,
            cooperative_id: Some(cooperative_id),
            lenders: &lenders,
        },
    ))
}

fn may(principal: &Principal, action: Action, cooperative: &Cooperative) -> Result<(), AppError> {
    let province = province_code(&cooperative.fields.province)?;
    allow(access::decide(
        Some(principal),
        action,
        Resource::Cooperative {
            id: Some(cooperative.id),
            province: &province,
        },
    ))
}

fn province_code(code: &str) -> Result<ProvinceCode, AppError> {
    ProvinceCode::parse(code).map_err(|_| AppError::Internal(format!("bad stored province {code}")))
}

async fn read_cooperative(store: &Store, id: i64) -> Result<Cooperative, AppError> {
    let mut read = store.read().await?;
    let cooperative = read.cooperative(id).await?.ok_or(AppError::NotFound)?;
    read.finish().await?;
    Ok(cooperative)
}

async fn person_by_id(
    store: &Store,
    cooperative_id: i64,
    person_id: i64,
) -> Result<Person, AppError> {
    let mut read = store.read().await?;
    let members = read.members_of(cooperative_id).await?;
    read.finish().await?;
    members
        .into_iter()
        .find(|p| p.id == person_id)
        .ok_or(AppError::NotFound)
}

fn duplicate_legal_id(error: StoreError) -> AppError {
    match error {
        StoreError::Duplicate { .. } => AppError::invalid(
            "legal_id",
            "taken",
            "تعاونی دیگری با این شناسه ملی ثبت شده است.",
            "Another cooperative has this legal ID.",
        ),
        other => other.into(),
    }
}

fn today_iso(now: Timestamp) -> String {
    taavon_core::calendar::IsoDate::tehran_today(now.unix_seconds()).to_string()
}

pub(crate) fn optional_date(
    errors: &mut Vec<FieldError>,
    field: &str,
    text: Option<&str>,
) -> Option<String> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match parse_date_any(text) {
        Ok(date) => Some(date.to_string()),
        Err(error) => {
            errors.push(FieldError::new(
                field,
                error.rule(),
                &error.message_fa(),
                &error.to_string(),
            ));
            None
        }
    }
}

/// A date that must be given: an empty one is `required`, not silently absent.
fn required_date(errors: &mut Vec<FieldError>, field: &str, text: &str) -> Option<String> {
    if text.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            "تاریخ لازم است.",
            &format!("{field} is required."),
        ));
        return None;
    }
    optional_date(errors, field, Some(text))
}

fn required_text(errors: &mut Vec<FieldError>, field: &str, text: &str, fa: &str) -> String {
    let text = normalize(text.trim());
    if text.is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            &format!("{fa} لازم است."),
            &format!("{field} is required."),
        ));
    }
    text
}

/// The reference codes a record may name, loaded once per request or import.
pub struct KnownCodes {
    /// County code → its province.
    counties: std::collections::HashMap<String, String>,
    sectors: std::collections::HashSet<String>,
}

impl KnownCodes {
    pub async fn load(reader: &mut taavon_store::Reader) -> Result<Self, AppError> {
        let counties = reader.counties(None).await?;
        let sectors = reader.sectors().await?;
        Ok(Self {
            counties: counties.into_iter().map(|c| (c.code, c.province)).collect(),
            sectors: sectors.into_iter().map(|s| s.code).collect(),
        })
    }

    pub fn province_of(&self, county: &str) -> Option<&str> {
        self.counties.get(county).map(String::as_str)
    }
}

async fn validate_cooperative(
    write: &mut WriteTx,
    input: &CooperativeInput,
) -> Result<NewCooperative, AppError> {
    let known = KnownCodes::load(write).await?;
    validate_cooperative_fields(&known, input).map_err(AppError::Invalid)
}

/// Checks a cooperative's fields against the rules and the reference data; every
/// broken rule is reported, each naming its field.
pub fn validate_cooperative_fields(
    known: &KnownCodes,
    input: &CooperativeInput,
) -> Result<NewCooperative, Vec<FieldError>> {
    let mut lengths = Lengths::default();
    input.check_lengths(&mut lengths);
    let mut errors = lengths.into_errors();
    if !errors.is_empty() {
        return Err(errors);
    }
    let name = required_text(&mut errors, "name", &input.name, "نام تعاونی");
    let kind = CooperativeKind::parse(&input.kind);
    if kind.is_none() {
        errors.push(FieldError::new(
            "type",
            "unknown",
            "نوع تعاونی شناخته نیست.",
            "type must be production, service, distribution, consumer, housing or multipurpose.",
        ));
    }
    let status = input
        .status
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map_or(Some(CooperativeStatus::Active), CooperativeStatus::parse);
    if status.is_none() {
        errors.push(FieldError::new(
            "status",
            "unknown",
            "وضعیت شناخته نیست.",
            "status must be forming, registered, active, suspended or dissolved.",
        ));
    }
    if !known.sectors.contains(input.sector.trim()) {
        errors.push(FieldError::new(
            "sector",
            "unknown",
            "بخش شناخته نیست.",
            "Unknown sector code (see /api/v1/sectors).",
        ));
    }
    let county_code = taavon_core::digits::to_ascii_digits(input.county.trim());
    let province = known.province_of(&county_code).map(str::to_owned);
    if province.is_none() {
        errors.push(FieldError::new(
            "county",
            "unknown",
            "شهرستان شناخته نیست.",
            "Unknown county code (see /api/v1/counties).",
        ));
    }
    let legal_id = match input
        .legal_id
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(text) => match LegalId::parse(text) {
            Ok(id) => Some(id.as_str().to_owned()),
            Err(error) => {
                errors.push(FieldError::new(
                    "legal_id",
                    error.rule(),
                    &format!("شناسه ملی: {}", error.message_fa()),
                    &format!("legal_id: {error}"),
                ));
                None
            }
        },
        None => None,
    };
    let founded_on = optional_date(&mut errors, "founded_on", input.founded_on.as_deref());
    let registered_on = optional_date(&mut errors, "registered_on", input.registered_on.as_deref());
    let phone = input
        .phone
        .as_deref()
        .map(taavon_core::digits::to_ascii_digits)
        .filter(|p| !p.trim().is_empty());
    if let Some(phone) = &phone
        && !phone
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+')
    {
        errors.push(FieldError::new(
            "phone",
            "format",
            "شماره تلفن فقط رقم دارد.",
            "A phone number has only digits.",
        ));
    }
    let (Some(province), Some(kind), Some(status)) =
        (province.filter(|_| errors.is_empty()), kind, status)
    else {
        return Err(errors);
    };
    Ok(NewCooperative {
        province,
        county: county_code,
        name_key: search_key(&name),
        name,
        kind,
        sector: input.sector.trim().to_owned(),
        legal_id,
        registration_number: input
            .registration_number
            .as_deref()
            .map(taavon_core::digits::to_ascii_digits)
            .filter(|r| !r.trim().is_empty()),
        registered_on,
        founded_on,
        women_led: input.women_led,
        status,
        address: input
            .address
            .as_deref()
            .map(normalize)
            .filter(|a| !a.is_empty()),
        phone,
    })
}

/// Checks a person's fields; `None` (with errors recorded) when they are wrong.
pub fn validate_person(
    errors: &mut Vec<FieldError>,
    input: &PersonInput,
    province: Option<&str>,
) -> Option<NewPerson> {
    let mut lengths = Lengths::default();
    input.check_lengths(&mut lengths);
    let too_long = lengths.into_errors();
    if !too_long.is_empty() {
        errors.extend(too_long);
        return None;
    }
    let national_code = match NationalCode::parse(&input.national_code) {
        Ok(code) => Some(code),
        Err(error) => {
            errors.push(FieldError::new(
                "national_code",
                error.rule(),
                &format!("کد ملی: {}", error.message_fa()),
                &format!("national_code: {error}"),
            ));
            None
        }
    };
    let first_name = required_text(errors, "first_name", &input.first_name, "نام");
    let last_name = required_text(errors, "last_name", &input.last_name, "نام خانوادگی");
    let gender = Gender::parse_loose(&input.gender);
    if gender.is_none() {
        errors.push(FieldError::new(
            "gender",
            "unknown",
            "جنسیت باید زن یا مرد باشد.",
            "gender must be female or male.",
        ));
    }
    if let Some(year) = input.birth_year
        && !(1900..=2030).contains(&year)
        && !(1280..=1410).contains(&year)
    {
        errors.push(FieldError::new(
            "birth_year",
            "range",
            "سال تولد پذیرفتنی نیست.",
            "birth_year must be a Gregorian (1900–2030) or Jalali (1280–1410) year.",
        ));
    }
    // A Jalali birth year is stored as the Gregorian year it mostly falls in.
    let birth_year = input.birth_year.map(|y| if y < 1500 { y + 621 } else { y });
    let mobile = match input
        .mobile
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(text) => match MobileNumber::parse(text) {
            Ok(mobile) => Some(mobile.as_str().to_owned()),
            Err(error) => {
                errors.push(FieldError::new(
                    "mobile",
                    error.rule(),
                    &format!("شماره همراه: {}", error.message_fa()),
                    &format!("mobile: {error}"),
                ));
                None
            }
        },
        None => None,
    };
    // Without a province (its county was refused) the person's own errors are reported
    // but no person is made: a person always belongs to a province.
    Some(NewPerson {
        province: province?.to_owned(),
        national_code: national_code?.as_str().to_owned(),
        first_name,
        last_name,
        gender: gender?,
        birth_year,
        mobile,
    })
}

/// The person with this national code, created if new (one person per national code).
/// A national code recorded under another identity is refused with `field`, naming
/// nothing of what is recorded; the submitted identity never replaces it.
pub async fn upsert_person(
    write: &mut WriteTx,
    person: &NewPerson,
    field: &str,
) -> Result<i64, AppError> {
    match write.person_by_national_code(&person.national_code).await? {
        Some(existing) if same_identity(&existing.fields, person) => Ok(existing.id),
        Some(_) => Err(AppError::Invalid(vec![identity_mismatch(field)])),
        None => Ok(write.insert_person(person).await?),
    }
}

/// The positions in `persons` whose identity differs from the one recorded for their
/// national code, or (for a code not yet recorded) from its first occurrence in `persons`.
pub(crate) async fn identity_conflicts(
    read: &mut Reader,
    persons: &[&NewPerson],
) -> Result<Vec<usize>, AppError> {
    let codes: Vec<String> = persons.iter().map(|p| p.national_code.clone()).collect();
    let mut known: std::collections::HashMap<String, NewPerson> = read
        .persons_by_national_codes(&codes)
        .await?
        .into_iter()
        .map(|p| (p.fields.national_code.clone(), p.fields))
        .collect();
    let mut conflicts = Vec::new();
    for (index, person) in persons.iter().enumerate() {
        match known.get(&person.national_code) {
            Some(recorded) if !same_identity(recorded, person) => conflicts.push(index),
            Some(_) => {}
            None => {
                known.insert(person.national_code.clone(), (*person).clone());
            }
        }
    }
    Ok(conflicts)
}

/// The error for a national code recorded under another identity.
pub(crate) fn identity_mismatch(field: &str) -> FieldError {
    FieldError::new(
        field,
        "identity_mismatch",
        "این کد ملی با مشخصات دیگری ثبت شده است؛ نام، نام خانوادگی، جنسیت و سال تولد را با کارت ملی تطبیق دهید.",
        "This national code is recorded with other details; check the first and last name, gender and birth year against the national ID card.",
    )
}

fn identity(person: &NewPerson) -> Option<Identity<'_>> {
    Some(Identity {
        first_name: &person.first_name,
        last_name: &person.last_name,
        gender: person.gender,
        birth_year: person.birth_year,
    })
}

fn same_identity(recorded: &NewPerson, submitted: &NewPerson) -> bool {
    match (identity(recorded), identity(submitted)) {
        (Some(recorded), Some(submitted)) => recorded.matches(&submitted),
        _ => false,
    }
}

async fn member_by_code(
    write: &mut WriteTx,
    errors: &mut Vec<FieldError>,
    cooperative_id: i64,
    field: &str,
    text: &str,
) -> Result<Option<i64>, AppError> {
    let code = match NationalCode::parse(text) {
        Ok(code) => code,
        Err(error) => {
            errors.push(FieldError::new(
                field,
                error.rule(),
                &format!("کد ملی: {}", error.message_fa()),
                &format!("{field}: {error}"),
            ));
            return Ok(None);
        }
    };
    let person = write.person_by_national_code(code.as_str()).await?;
    match person {
        Some(person) if write.is_member(cooperative_id, person.id).await? => Ok(Some(person.id)),
        _ => {
            errors.push(FieldError::new(
                field,
                "not_member",
                "این شخص عضو این تعاونی نیست.",
                "This person is not a member of this cooperative.",
            ));
            Ok(None)
        }
    }
}

/// One member's part of a year's surplus.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurplusPart {
    pub person_id: i64,
    pub share_days: u128,
    pub amount_rial: i64,
}

/// Shares `total_rial` among the members in proportion to their share-days between
/// `from` (inclusive) and `to` (exclusive), in whole rials summing exactly to the total.
pub async fn surplus_distribution(
    store: &Store,
    principal: &Principal,
    cooperative_id: i64,
    from: &str,
    to: &str,
    total_rial: i64,
) -> Result<Vec<SurplusPart>, AppError> {
    crate::bounds::check_texts(&[
        ("from", Some(from), TextKind::Date),
        ("to", Some(to), TextKind::Date),
    ])?;
    let mut errors = Vec::new();
    let start = required_date(&mut errors, "from", from);
    let end = required_date(&mut errors, "to", to);
    if let Some(error) = FieldError::above_maximum("total_rial", total_rial) {
        errors.push(error);
    } else if total_rial < 0 {
        errors.push(FieldError::new(
            "total_rial",
            "amount_positive",
            "مبلغ مازاد نمی‌تواند منفی باشد.",
            "total_rial must not be negative.",
        ));
    }
    let days = |iso: &Option<String>| {
        iso.as_deref()
            .and_then(|d| taavon_core::calendar::IsoDate::parse(d).ok())
            .map(|d| d.days_since_unix_epoch())
    };
    let (Some(start), Some(end)) = (days(&start), days(&end)) else {
        return Err(AppError::Invalid(errors));
    };
    if end <= start {
        errors.push(FieldError::new(
            "to",
            "after_from",
            "پایان دوره باید پس از آغاز آن باشد.",
            "to must be after from.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let register = share_register(store, principal, cooperative_id).await?;
    let changes: Vec<taavon_core::registry::shares::PaidChange> = register
        .entries
        .iter()
        .filter_map(|row| {
            let day = taavon_core::calendar::IsoDate::parse(&row.entered_on)
                .ok()?
                .days_since_unix_epoch();
            Some(entry_of(row)?.paid_changes(day))
        })
        .flatten()
        .collect();
    let weights = taavon_core::registry::shares::share_days(&changes, start, end);
    let parts = taavon_core::registry::shares::distribute_surplus(total_rial, &weights);
    Ok(weights
        .into_iter()
        .zip(parts)
        .map(|((person_id, share_days), (_, amount_rial))| SurplusPart {
            person_id,
            share_days,
            amount_rial,
        })
        .collect())
}
