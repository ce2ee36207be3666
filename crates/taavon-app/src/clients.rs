//! Individual clients: handicraft artisans (with their artisan credential) and welfare
//! clients referred by Behzisti, who apply for facilities in their own right.

use taavon_core::access::{self, Action, ApplicantSubject, Principal, Resource};
use taavon_core::limits::TextKind;
use taavon_core::reference::{AgencyCode, ProvinceCode};
use taavon_core::registry::ClientKind;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Client, NewClient, Store, StoreError};

use crate::bounds::{BoundedText, Lengths};
use crate::cooperatives::KnownCodes;
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::persons::{PersonInput, upsert_person, validate_person};
use crate::{AppError, FieldError};

/// An individual client as a person describes them.
#[derive(Clone, Debug, Default)]
pub struct ClientInput {
    pub person: PersonInput,
    /// `artisan` or `welfare`.
    pub kind: String,
    pub county: String,
    pub sector: Option<String>,
    /// The artisan's credential (کارت صنعتگری).
    pub credential: Option<String>,
    /// The referring agency, e.g. `behzisti`.
    pub referred_by: Option<String>,
}

impl BoundedText for ClientInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .nested("", &self.person)
            .text("kind", &self.kind, TextKind::Code)
            .text("county", &self.county, TextKind::Code)
            .optional("sector", self.sector.as_deref(), TextKind::Code)
            .optional(
                "credential",
                self.credential.as_deref(),
                TextKind::Reference,
            )
            .optional("referred_by", self.referred_by.as_deref(), TextKind::Code);
    }
}

/// Records an individual client in the county's province.
pub async fn create_client(
    store: &Store,
    principal: &Principal,
    input: &ClientInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Client, AppError> {
    crate::bounds::check(input)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return read_client(store, id).await,
        Begun::Fresh(write) => write,
    };
    let known = KnownCodes::load(&mut write).await?;
    let mut errors = Vec::new();
    let county = taavon_core::digits::to_ascii_digits(input.county.trim());
    let province = known.province_of(&county).map(str::to_owned);
    if province.is_none() {
        errors.push(FieldError::new(
            "county",
            "unknown",
            "شهرستان شناخته نیست.",
            "Unknown county code.",
        ));
    }
    let kind = ClientKind::parse(&input.kind);
    if kind.is_none() {
        errors.push(FieldError::new(
            "kind",
            "unknown",
            "نوع متقاضی باید صنعتگر یا مددجو باشد.",
            "kind must be artisan or welfare.",
        ));
    }
    if kind == Some(ClientKind::Artisan)
        && input
            .credential
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
    {
        errors.push(FieldError::new(
            "credential",
            "required",
            "صنعتگر صنایع دستی باید کارت صنعتگری داشته باشد.",
            "An artisan needs their artisan credential.",
        ));
    }
    let person = validate_person(&mut errors, &input.person, province.as_deref());
    let (Some(province), Some(kind), Some(person)) =
        (province.filter(|_| errors.is_empty()), kind, person)
    else {
        return Err(AppError::Invalid(errors));
    };
    let code = ProvinceCode::parse(&province).map_err(|_| AppError::Internal(province.clone()))?;
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Create,
        Resource::Client { province: &code },
    ))?;
    let person_id = upsert_person(&mut write, &person, "national_code").await?;
    let client = NewClient {
        province,
        county,
        person_id,
        kind,
        sector: input.sector.clone().filter(|s| !s.trim().is_empty()),
        credential: input.credential.clone().filter(|c| !c.trim().is_empty()),
        referred_by: match input
            .referred_by
            .as_deref()
            .filter(|r| !r.trim().is_empty())
        {
            // A code no agency could have is as unknown as one the table lacks.
            Some(code) => Some(AgencyCode::parse(code).map_err(|_| unknown_referrer())?),
            None => None,
        },
    };
    let id = match write.insert_client(&client).await {
        Ok(id) => id,
        Err(StoreError::Duplicate { .. }) => {
            return Err(AppError::invalid(
                "national_code",
                "already_client",
                "این شخص پیش‌تر با همین نوع ثبت شده است.",
                "This person is already a client of this kind.",
            ));
        }
        Err(StoreError::MissingReference { .. }) => return Err(unknown_referrer()),
        Err(other) => return Err(other.into()),
    };
    let id = finish_idempotent(write, principal, idempotency, id).await?;
    read_client(store, id).await
}

fn unknown_referrer() -> AppError {
    AppError::invalid(
        "referred_by",
        "unknown",
        "سازمان ارجاع‌دهنده یا بخش شناخته نیست.",
        "Unknown referring agency or sector.",
    )
}

async fn read_client(store: &Store, id: i64) -> Result<Client, AppError> {
    let mut read = store.read().await?;
    let client = read.client(id).await?.ok_or(AppError::NotFound)?;
    read.finish().await?;
    Ok(client)
}

/// One individual client, if the principal reads their personal data (a bank only its
/// borrowers'); otherwise not found.
pub async fn get_client(store: &Store, principal: &Principal, id: i64) -> Result<Client, AppError> {
    let mut read = store.read().await?;
    let client = read.client(id).await?.ok_or(AppError::NotFound)?;
    let province = ProvinceCode::parse(&client.fields.province)
        .map_err(|_| AppError::Internal(client.fields.province.clone()))?;
    let lenders = read.lenders_of_client(id).await?;
    read.finish().await?;
    AppError::from_decision(access::decide_personal_data(
        Some(principal),
        &ApplicantSubject {
            province: &province,
            cooperative_id: None,
            lenders: &lenders,
        },
    ))?;
    Ok(client)
}

/// Clients the principal may see: those whose applications it may list (a province's
/// officers their province, a bank its borrowers, ministry admins and auditors all).
pub async fn list_clients(
    store: &Store,
    principal: &Principal,
    limit: i64,
) -> Result<Vec<Client>, AppError> {
    let mut read = store.read().await?;
    let clients = read
        .clients(&access::application_scope(principal), limit)
        .await?;
    read.finish().await?;
    Ok(clients)
}
