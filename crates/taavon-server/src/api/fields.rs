//! The schemas of the API's input fields, so the OpenAPI document says every rule the
//! server checks: each kind of text with its maximum length (`taavon_core::limits`), the
//! codes with their lists (from the core's enums and the bundled reference data), the
//! identifiers and dates with their patterns.
//!
//! These types only describe: a DTO field stays a `String` and names its schema with
//! `#[schema(value_type = fields::Name)]`; the server enforces each rule in the app's
//! use cases, never here (and every write's lengths once more against this document, in
//! `declared_lengths`, so that a field a use case forgot is still held to its limit). A pattern here is the canonical spelling the server always
//! accepts; the server also reads what people type (Persian digits, spaces between digit
//! groups, a lost leading zero), which the descriptions say. The identifiers also carry a
//! `format` (`ir-national-code` …) naming the check digit no pattern can express, so a
//! test generator can make valid ones.
//!
//! A field whose blank value means "not given" (an optional date, a default choice) is
//! `…OrBlank`: its value or only spaces.

use std::borrow::Cow;

use taavon_core::access::RoleKind;
use taavon_core::allocation::Params;
use taavon_core::applications::{ApplicationState, TransitionAction};
use taavon_core::awards::festival::{RoundAction, RoundKind};
use taavon_core::impact::figures::{Grouping, Period};
use taavon_core::limits::{IDEMPOTENCY_KEY_CHARS_MAX, TextKind};
use taavon_core::loans::LoanStatus;
use taavon_core::loans::classification::LoanClass;
use taavon_core::loans::receipt::PaymentChannel;
use taavon_core::loans::schedule::{GraceMode, Method};
use taavon_core::programs::{Financing, FundingSource};
use taavon_core::reference::ReferenceData;
use taavon_core::registry::{
    ClientKind as Client, CooperativeKind, CooperativeStatus, FormationDecision as Decision,
    Gender, ShareEntryKind as ShareEntry,
};
use taavon_core::services::ServiceKind;
use taavon_core::support::{RequestKind, RequestStatus, UnitKind};
use utoipa::openapi::schema::{
    AnyOfBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// A string schema of at most `kind`'s length.
fn text(kind: TextKind, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(kind.max_chars()))
        .description(Some(description))
}

/// One of `codes` (at most a code's length).
fn one_of<'a>(codes: impl IntoIterator<Item = &'a str>, description: &str) -> ObjectBuilder {
    text(TextKind::Code, description).enum_values(Some(codes.into_iter().collect::<Vec<_>>()))
}

/// A string matching `pattern` (its canonical spelling), with a `format` if one names
/// a rule no pattern can say.
fn spelled(
    kind: TextKind,
    pattern: &str,
    format: Option<&str>,
    description: &str,
) -> ObjectBuilder {
    text(kind, description)
        .pattern(Some(pattern))
        .format(format.map(|f| SchemaFormat::Custom(f.to_owned())))
}

/// `schema`, or only spaces (which mean "not given").
fn or_blank(schema: ObjectBuilder, kind: TextKind) -> RefOr<Schema> {
    AnyOfBuilder::new()
        .item(schema)
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^ *$"))
                .max_length(Some(kind.max_chars()))
                .description(Some("Blank: not given.")),
        )
        .into()
}

/// The codes of one kind of bundled reference data; none (so no list is declared) if
/// the bundle could not be read, which the reference tests catch.
fn reference_codes(codes: impl Fn(&ReferenceData) -> Vec<String>) -> Option<Vec<String>> {
    ReferenceData::bundled().ok().map(|data| codes(&data))
}

fn reference_code(
    codes: impl Fn(&ReferenceData) -> Vec<String>,
    description: &str,
) -> ObjectBuilder {
    let schema = text(TextKind::Code, description);
    match reference_codes(codes) {
        Some(codes) => schema.enum_values(Some(codes)),
        None => schema,
    }
}

fn national_code() -> ObjectBuilder {
    spelled(
        TextKind::Identifier,
        &format!("^{}{{8,10}}$", any_digit()),
        Some("ir-national-code"),
        "A national code: ten digits whose last is the check digit. Persian and Arabic digits, \
         spaces or hyphens between groups, and leading zeros a spreadsheet dropped (8 or 9 \
         digits) are accepted too.",
    )
}

fn legal_id() -> ObjectBuilder {
    spelled(
        TextKind::Identifier,
        &format!("^{}{{11}}$", any_digit()),
        Some("ir-legal-id"),
        "A legal entity's national ID: eleven digits whose last is the check digit (in any \
         digits, spaces or hyphens between groups accepted).",
    )
}

fn mobile() -> ObjectBuilder {
    spelled(
        TextKind::Identifier,
        &format!("^(\\+98|0098|98|0)?9{}{{9}}$", any_digit()),
        None,
        "An Iranian mobile number: 09XXXXXXXXX, also +989…, 00989…, 989… or 9… (in any \
         digits, spaces or hyphens between groups accepted).",
    )
}

/// The digits from `low` to `high` (ASCII codes) in every script people type them in.
fn digits(low: char, high: char) -> String {
    let shift = |c: char, zero: u32| char::from_u32(c as u32 - '0' as u32 + zero).unwrap_or(c);
    format!(
        "[{low}-{high}{}-{}{}-{}]",
        shift(low, 0x06F0),
        shift(high, 0x06F0),
        shift(low, 0x0660),
        shift(high, 0x0660)
    )
}

/// A digit as people type it: ASCII, Persian or Arabic-Indic.
fn any_digit() -> String {
    digits('0', '9')
}

fn date() -> ObjectBuilder {
    let (any, nonzero) = (any_digit(), digits('1', '9'));
    let (zero, one, three) = (digits('0', '0'), digits('1', '1'), digits('3', '3'));
    let year = format!("{nonzero}{any}{{3}}");
    let month = format!("({zero}?{nonzero}|{one}{})", digits('0', '2'));
    let day = format!(
        "({zero}?{nonzero}|{}{any}|{three}{})",
        digits('1', '2'),
        digits('0', '1')
    );
    spelled(
        TextKind::Date,
        &format!("^{year}[-/.]{month}[-/.]{day}$"),
        Some("date-jalali-or-iso"),
        "A date, Jalali (1403/02/23) or Gregorian ISO (2024-05-12): a year before 1700 is \
         Jalali. '-', '/' or '.' between the parts, in any digits.",
    )
}

fn sector() -> ObjectBuilder {
    reference_code(
        |data| data.sectors.iter().map(|s| s.code.clone()).collect(),
        "A sector's code (see /api/v1/sectors).",
    )
}

fn agency() -> ObjectBuilder {
    reference_code(
        |data| data.agencies.iter().map(|a| a.code.clone()).collect(),
        "An agency's code (see /api/v1/agencies).",
    )
}

fn cooperative_status() -> ObjectBuilder {
    one_of(
        CooperativeStatus::ALL.iter().map(|s| s.code()),
        "A cooperative's status (`active` when blank for a new one).",
    )
}

/// Declares the field schemas: each a component named after its type, built by its
/// expression, and `schemas()` listing them all.
macro_rules! fields {
    ($($(#[doc = $doc:literal])* $name:ident => $schema:expr;)*) => {
        $(
            $(#[doc = $doc])*
            pub enum $name {}

            impl PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    $schema.into()
                }
            }

            impl ToSchema for $name {
                fn name() -> Cow<'static, str> {
                    Cow::Borrowed(stringify!($name))
                }
            }
        )*

        /// Every field schema, by component name.
        fn schemas() -> Vec<(Cow<'static, str>, RefOr<Schema>)> {
            vec![$((<$name as ToSchema>::name(), <$name as PartialSchema>::schema())),*]
        }
    };
}

fields! {
    Name => text(TextKind::Name, "A name (of a person, a cooperative, a program); not blank. \
        Spaces at either end are dropped and Arabic letter forms become Persian.")
        .min_length(Some(1));
    Label => text(TextKind::Name, "A label (a scenario's name).");
    Address => text(TextKind::Address, "A postal address.");
    FreeText => text(TextKind::FreeText, "Free text (a purpose, a statute, a note).");
    Reason => text(TextKind::Reason, "The reason for a decision.");
    Reference => text(TextKind::Reference,
        "A reference (a registration number, a deposit's own reference, a credential).");
    SearchText => text(TextKind::Search, "What one would type in a search box.");
    Username => text(TextKind::Username, "A user name.");
    Password => text(TextKind::Password, "A password.");
    NewUsername => spelled(TextKind::Username, "^[a-z0-9._-]{3,32}$", None,
        "3 to 32 lower-case Latin letters, digits, '.', '-' or '_'.");
    NewPassword => text(TextKind::Password, "At least 10 characters.").min_length(Some(10));
    IdempotencyKey => ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(IDEMPOTENCY_KEY_CHARS_MAX))
        .pattern(Some("^[\t -~]*[!-~][\t -~]*$"))
        .description(Some("A key of your choosing, visible ASCII: a request repeated with the \
            same key returns the first result and changes nothing."));
    NationalCode => national_code();
    NationalCodeOrBlank => or_blank(national_code(), TextKind::Identifier);
    LegalIdOrBlank => or_blank(legal_id(), TextKind::Identifier);
    MobileOrBlank => or_blank(mobile(), TextKind::Identifier);
    Phone => spelled(TextKind::Identifier, &format!("^({}| |\\+|-)*$", any_digit()), None,
        "A phone number: digits, spaces, '+' and '-'.");
    Date => date();
    DateOrBlank => or_blank(date(), TextKind::Date);
    ProvinceCode => reference_code(
        |data| data.provinces.iter().map(|p| p.code.as_str().to_owned()).collect(),
        "A province's ISO 3166-2 code (see /api/v1/provinces); `ir-16` and the bare `16` are \
         read too.",
    );
    WorkshopCode => spelled(TextKind::Identifier, &format!("^{}{{10}}$", any_digit()), None,
        "An SSO workshop code (کد کارگاه): ten digits.");
    CountyCode => spelled(TextKind::Code, &format!("^{}{{4}}$", any_digit()), Some("ir-county-code"),
        "A county's four-digit code (see /api/v1/counties).");
    SectorCode => sector();
    SectorCodeOrBlank => or_blank(sector(), TextKind::Code);
    AgencyCode => agency();
    AgencyCodeOrBlank => or_blank(agency(), TextKind::Code);
    BankCode => reference_code(
        |data| data.banks.iter().map(|b| b.code.clone()).collect(),
        "A bank's Sheba code (see /api/v1/banks).",
    );
    Code => text(TextKind::Code, "A code (of the reference data or a fixed list).");
    ProgramCode => spelled(TextKind::Code, "^[A-Za-z0-9_-]{1,40}$", None,
        "A program's code: 1 to 40 Latin letters, digits, '-' or '_'.");
    CooperativeType => one_of(CooperativeKind::ALL.iter().map(|k| k.code()),
        "The kind of cooperative.");
    CooperativeStatusCode => cooperative_status();
    CooperativeStatusOrBlank => or_blank(cooperative_status(), TextKind::Code);
    GenderCode => one_of(Gender::ALL.iter().map(|g| g.code()),
        "female or male (the Persian زن and مرد and the letters f and m are read too).");
    ClientKind => one_of(Client::ALL.iter().map(|k| k.code()),
        "artisan (with a credential) or welfare.");
    ShareEntryKind => one_of(ShareEntry::ALL.iter().map(|k| k.code()),
        "What the entry records.");
    FormationDecision => one_of(Decision::ALL.iter().map(|d| d.code()),
        "The provincial decision.");
    FundingSourceCode => one_of(FundingSource::ALL.iter().map(|f| f.code()),
        "Where the program's money comes from.");
    FinancingCode => one_of(Financing::ALL.iter().map(|f| f.code()),
        "What the facility finances (development by default).");
    ApplicationStatus => one_of(ApplicationState::ALL.iter().map(|s| s.code()),
        "An application's state.");
    TransitionActionCode => one_of(TransitionAction::ALL.iter().map(|a| a.code()),
        "The step to take.");
    LoanClassCode => one_of(LoanClass::ALL.iter().map(|c| c.code()),
        "A Central Bank of Iran class.");
    LoanStatusCode => one_of(LoanStatus::ALL.iter().map(|s| s.code()),
        "Where a loan is in its life.");
    PaymentChannelOrBlank => or_blank(
        one_of(PaymentChannel::ALL.iter().map(|c| c.code()),
            "How a payment's money came in (blank: not stated)."),
        TextKind::Code,
    );
    GraceModeOrBlank => or_blank(
        one_of(GraceMode::ALL.iter().map(|g| g.code()),
            "What happens to the grace period's profit (paid when blank)."),
        TextKind::Code,
    );
    MethodOrBlank => or_blank(
        one_of(Method::ALL.iter().map(|m| m.code()).chain(["equal-principal"]),
            "How installments are computed (blank: annuity for a contract, the current \
             method for a rescheduling; `equal-principal` is read as `equal_principal`)."),
        TextKind::Code,
    );
    ImpactGrouping => or_blank(one_of(Grouping::ALL.iter().map(|g| g.code()),
        "What the impact figures are grouped by (province by default)."), TextKind::Code);
    ImpactPeriod => or_blank(one_of(Period::ALL.iter().map(|p| p.code()),
        "The Jalali period the impact figures are summed over (year by default)."), TextKind::Code);
    DashboardPeriod => or_blank(one_of(taavon_app::dashboard::PERIODS,
        "The dashboard's Jalali period: a month (the default), a season, a year, or a range \
         of days (from, to)."), TextKind::Code);
    ServiceKindCode => one_of(
        ServiceKind::ALL.iter().filter(|k| **k != ServiceKind::BankFacility).map(|k| k.code()),
        "What an agency delivered (a bank facility enters from its disbursement, never by hand).");
    ServiceKindRecorded => one_of(ServiceKind::ALL.iter().map(|k| k.code()),
        "What was delivered, a bank facility (entered from its disbursement) included.");
    RoleCode => one_of(RoleKind::ALL.iter().map(|r| r.code()), "A role.");
    SupportKindCode => one_of(RequestKind::ALL.iter().map(|k| k.code()),
        "What kind of support a request asks for.");
    SupportStatusCode => one_of(RequestStatus::ALL.iter().map(|s| s.code()),
        "Where a support request stands.");
    SupportStatusCodeOrBlank => or_blank(
        one_of(RequestStatus::ALL.iter().map(|s| s.code()), "Where a support request stands."),
        TextKind::Code,
    );
    AwardRoundCode => one_of(RoundKind::ALL.iter().map(|k| k.code()),
        "A festival's round: provincial or national.");
    AwardRoundAction => one_of(RoundAction::ALL.iter().map(|a| a.code()),
        "A round's move: start judging, close (scores the round) or publish.");
    CertificateCodeText => spelled(TextKind::Code, "^[ -]*(?:[0-9۰-۹A-TV-Za-tv-z][ -]*){10}$", None,
        "A certificate's verification code: ten letters and digits, in two groups of five.");
    SupportUnitKind => one_of(UnitKind::ALL.iter().map(|k| k.code()),
        "Which kind of unit answers: the provincial office, an agency or a bank.");
    Weight => ObjectBuilder::new()
        .schema_type(Type::Number)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
        .minimum(Some(0))
        .maximum(Some(Params::WEIGHT_MAX))
        .description(Some("The value of a job (or a woman's job's bonus) in a policy."));
    Uint32 => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(0))
        .maximum(Some(u32::MAX));
}

/// Registers every field schema as a component (a query parameter names them too, which
/// utoipa does not collect), and gives every `Idempotency-Key` header its schema.
pub struct FieldSchemas;

impl utoipa::Modify for FieldSchemas {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, schema) in schemas() {
            components.schemas.insert(name.into_owned(), schema);
        }
        let key = Ref::from_schema_name(<IdempotencyKey as ToSchema>::name());
        super::problems::for_each_operation(openapi, |_, operation| {
            for parameter in operation.parameters.iter_mut().flatten() {
                if let RefOr::T(parameter) = parameter
                    && parameter.name.eq_ignore_ascii_case("Idempotency-Key")
                {
                    parameter.schema = Some(RefOr::Ref(key.clone()));
                }
            }
        });
    }
}
