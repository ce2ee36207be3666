//! Cooperatives: the registry's list and search, one cooperative, registering one and
//! changing its fields (each field as the access policy's field × role table allows),
//! and the validation of a cooperative's fields against the reference data.

use taavon_core::access::{
    self, Action, ApplicantSubject, CooperativeField, CooperativeRef, Principal, Resource,
};
use taavon_core::ids::{LegalId, NationalCode};
use taavon_core::limits::TextKind;
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::{CooperativeKind, CooperativeStatus};
use taavon_core::text::{normalize, search_key};
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    Cooperative, CooperativeFilter, NewCooperative, Reader, Store, StoreError, Versioned, WriteTx,
};

use crate::bounds::{BoundedText, Lengths, PAGE_SIZE_MAX};
use crate::fields::{optional_date, province_filter, required_text};
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent, winner};
use crate::{AppError, FieldError};

/// A page of cooperatives and the size of the whole (scoped, filtered) list.
#[derive(Clone, Debug)]
pub struct CooperativePage {
    pub cooperatives: Vec<Cooperative>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// The cursor of the next page (the filter's `after_cooperative`); `None` on the last.
    pub next_after: Option<i64>,
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

/// Lists the cooperatives the principal may see that match `filter`, after the filter's
/// cursor when it names one.
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
    // A cursor names a cooperative whose place in the order the page continues from: it
    // must be one the principal may read, or its position would tell of one outside the scope.
    if let Some(after) = filter.after_cooperative {
        let readable = match read.cooperative(after).await? {
            Some(cooperative) => may(principal, Action::Read, &cooperative).is_ok(),
            None => false,
        };
        if !readable {
            return Err(crate::bounds::bad_cursor());
        }
    }
    // One more than a page, to know whether a next page exists.
    let (mut cooperatives, total) = read
        .cooperatives(&scope, &people, filter, limit + 1, offset)
        .await?;
    read.finish().await?;
    let more = cooperatives.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    cooperatives.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(CooperativePage {
        next_after: cooperatives.last().filter(|_| more).map(|c| c.id),
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

fn allow(decision: access::Decision) -> Result<(), AppError> {
    AppError::from_decision(decision)
}

/// Whether the principal reads the people of the cooperative (its members and share
/// register): 404 when it cannot see the cooperative, 403 when it sees the cooperative but
/// not who its members are.
pub(crate) async fn may_read_people(
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

pub(crate) fn may(
    principal: &Principal,
    action: Action,
    cooperative: &Cooperative,
) -> Result<(), AppError> {
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
