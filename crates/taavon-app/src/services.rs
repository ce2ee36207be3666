//! Services delivered (issue 15): an agency records what it delivered, one at a time or
//! from its own system's file (CSV or XLSX; Persian or English headers; any digits),
//! and the gap list and county figures are read from the figures the store keeps beside
//! the records in the same transaction (never a scan of the records).
//!
//! A file is read once, streaming, inside one write transaction: each row is checked —
//! its cells, the county, that the caller may record in the county's province — and
//! written with its batch (the county figures added to per batch); a file with any bad
//! row is rolled back whole, storing nothing, and each bad cell is named (row and
//! column, Persian and English). A row whose reference the agency already sent is left as it is, so
//! sending a file again changes nothing. Bank facilities are not imported: they enter
//! in the disbursement's own transaction (`loans::transactions::disburse`).

use std::collections::HashMap;
use std::path::Path;

use taavon_core::access::{
    Principal, application_scope, decide_service_figures, decide_service_import,
    decide_service_record,
};
use taavon_core::calendar::{IsoDate, parse_date_any};
use taavon_core::digits::to_ascii_digits;
use taavon_core::ids::{LegalId, NationalCode};
use taavon_core::limits::TextKind;
use taavon_core::money::AMOUNT_MAX_RIAL;
use taavon_core::reference::{AgencyKind, CountyCode, ProvinceCode, Tier};
use taavon_core::services::{
    CountyServices, PEOPLE_PER_SERVICE_MAX, Provider, ServiceError, ServiceKind, check_service,
    gap_list,
};
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    LoanCountyFigure, NewService, NewServiceImport, Recipient, SERVICE_BATCH_MAX, Store,
    SupportCountyFigure, WriteTx,
};

use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent, winner};
use crate::import::RowError;
use crate::sheet::{Cells, Sheet, file_error, header_positions};
use crate::table::Format;
use crate::users::Caller;
use crate::{AppError, FieldError};

// What the use cases return, for the server and the CLI (they never name the store).
pub use taavon_core::services::{Gap, ProviderKind, Shortfall};
pub use taavon_store::{ServiceFigure, ServiceImport};

/// Bad cells kept for the report; past this only their number grows.
pub const ROW_ERRORS_MAX: usize = 10_000;

/// The columns of a services file: the English key, then the headers accepted for it.
pub const SERVICE_COLUMNS: [(&str, &[&str]); 8] = [
    ("reference", &["شماره مرجع", "مرجع", "شناسه مرجع"]),
    ("kind", &["نوع خدمت", "نوع"]),
    ("county", &["کد شهرستان", "شهرستان"]),
    ("national_code", &["کد ملی"]),
    ("cooperative_legal_id", &["شناسه ملی تعاونی"]),
    ("people", &["تعداد نفرات", "شرکت‌کنندگان", "participants"]),
    ("amount_rial", &["مبلغ (ریال)", "مبلغ"]),
    ("delivered_on", &["تاریخ ارائه", "تاریخ"]),
];

/// The columns a file may leave out: a file names persons or cooperatives (or both,
/// row by row); people default to one; not every service has an amount.
const OPTIONAL_COLUMNS: [&str; 4] = [
    "national_code",
    "cooperative_legal_id",
    "people",
    "amount_rial",
];

/// The words a file may use for a kind besides its code.
const KIND_WORDS: [(ServiceKind, &[&str]); 6] = [
    (ServiceKind::TrainingCourse, &["دوره آموزشی", "آموزش"]),
    (ServiceKind::HousingUnit, &["واحد مسکونی", "مسکن"]),
    (
        ServiceKind::InsuranceEnrolment,
        &["بیمه", "ثبت نام بیمه", "ثبت‌نام بیمه"],
    ),
    (ServiceKind::PensionPayment, &["مستمری", "پرداخت مستمری"]),
    (
        ServiceKind::WelfarePayment,
        &["کمک معیشتی", "پرداخت حمایتی"],
    ),
    (ServiceKind::TechnicalAssistance, &["کمک فنی", "مشاوره فنی"]),
];

/// A service as a form or the API sends it: every field as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceInput {
    pub agency: String,
    pub reference: String,
    pub kind: String,
    pub county: String,
    /// The person served, or blank when a cooperative was.
    pub national_code: String,
    /// The cooperative served (its legal ID), or blank when a person was.
    pub cooperative_legal_id: String,
    /// People reached: blank is one.
    pub people: String,
    pub amount_rial: String,
    /// Jalali or ISO, any digits.
    pub delivered_on: String,
}

/// What recording one service did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// False when the agency's reference was already recorded (the record stays as it was).
    pub created: bool,
}

/// A services file as the caller has it.
#[derive(Clone, Copy, Debug)]
pub struct ServiceFile<'a> {
    pub path: &'a Path,
    /// The name the uploader gave it (recorded; also says CSV or XLSX).
    pub name: &'a str,
}

/// What an import did, or why it stored nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceImportReport {
    pub rows: u64,
    pub created: u64,
    pub unchanged: u64,
    /// Bad cells by row (1 = the header) and column; at most `ROW_ERRORS_MAX`.
    pub errors: Vec<RowError>,
    /// Bad cells in all, including those past `ROW_ERRORS_MAX`.
    pub error_count: u64,
    /// The import's record when it was stored.
    pub import_id: Option<i64>,
}

/// One county on the synergy map: its services by provider and kind, and per 1 000; the
/// loans first disbursed there and their verified jobs; its support requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountySynergy {
    pub county: String,
    pub province: String,
    pub name_fa: String,
    pub name_en: String,
    pub tier: Option<Tier>,
    pub population: Option<u64>,
    pub services: u64,
    pub people: u64,
    /// Services per 1 000 population in thousandths; none without a census population.
    pub per_thousand_milli: Option<u64>,
    pub figures: Vec<ServiceFigure>,
    /// The loans the reader may see (all for the ministry, a bank its own, a
    /// representative its cooperative's, none for an agency officer), by the county of
    /// their applications: those disbursed, the rials lent and the jobs verified.
    pub loans: u64,
    pub disbursed_rial: u64,
    pub verified_jobs: u64,
    /// Support requests of the county's cooperatives and clients not closed yet.
    pub open_requests: u64,
    /// Those answered, and the mean calendar days to the first answer in tenths (none
    /// before a first answer).
    pub answered_requests: u64,
    pub mean_days_to_answer_tenths: Option<u64>,
}

/// Records one service an agency delivered.
pub async fn record_service(
    store: &Store,
    principal: &Principal,
    input: &ServiceInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Recorded, AppError> {
    crate::bounds::check_texts(
        &[
            ("agency", Some(&input.agency), TextKind::Code),
            ("reference", Some(&input.reference), TextKind::Reference),
            ("kind", Some(&input.kind), TextKind::Code),
            ("county", Some(&input.county), TextKind::Code),
            (
                "national_code",
                Some(&input.national_code),
                TextKind::Identifier,
            ),
            (
                "cooperative_legal_id",
                Some(&input.cooperative_legal_id),
                TextKind::Identifier,
            ),
            ("people", Some(&input.people), TextKind::Code),
            ("amount_rial", Some(&input.amount_rial), TextKind::Code),
            ("delivered_on", Some(&input.delivered_on), TextKind::Date),
        ]
        .map(|(field, text, kind)| (field, text.map(String::as_str), kind)),
    )?;
    let context = Context::load(store, Caller::User(principal), &input.agency, now).await?;
    let legal_ids = if input.cooperative_legal_id.trim().is_empty() {
        HashMap::new()
    } else {
        cooperatives_by_legal_id(store).await?
    };
    let cells: Vec<String> = [
        &input.reference,
        &input.kind,
        &input.county,
        &input.national_code,
        &input.cooperative_legal_id,
        &input.people,
        &input.amount_rial,
        &input.delivered_on,
    ]
    .into_iter()
    .cloned()
    .collect();
    let positions: Vec<Option<usize>> = (0..cells.len()).map(Some).collect();
    let service = context
        .parse_row(0, &Cells::Owned(&cells), &positions, &legal_ids)
        .map_err(|errors| AppError::Invalid(errors.iter().map(cell_field_error).collect()))?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(created) => {
            return Ok(Recorded {
                created: created > 0,
            });
        }
        Begun::Fresh(write) => write,
    };
    let batch = write
        .insert_services(std::slice::from_ref(&service))
        .await?;
    let created = batch.created > 0;
    finish_idempotent(write, principal, idempotency, i64::from(created)).await?;
    Ok(Recorded { created })
}

/// Imports an agency's services from a file (the CLI's `taavon import services`).
/// `progress` hears the rows written so far.
pub async fn import_services(
    store: &Store,
    caller: Caller<'_>,
    agency: &str,
    file: ServiceFile<'_>,
    now: Timestamp,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<ServiceImportReport, AppError> {
    let context = Context::load(store, caller, agency, now).await?;
    let mut report = ServiceImportReport::default();
    // The file's SHA-256 is taken as its one pass reads it, not by reading it first.
    let Some(opened) = open_checked(store, file, true, &mut report).await? else {
        return Ok(report);
    };
    let write = store.write(caller.actor(), now).await?;
    if let Some((import_id, write)) =
        stream_file(write, &context, opened, file, None, &mut report, progress).await?
    {
        write.commit().await?;
        report.import_id = Some(import_id);
    }
    Ok(report)
}

/// Imports a file as the API receives it, under an `Idempotency-Key` whose request is
/// the file's SHA-256 (`sha256`, hex, computed by the edge while receiving it): a retry
/// with the same bytes answers the import the first stored. A bad file is refused with
/// every bad cell named (`rows[N].column`, N as in the file, 1 the header).
pub async fn upload_services(
    store: &Store,
    principal: &Principal,
    agency: &str,
    file: ServiceFile<'_>,
    sha256: &str,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<ServiceImport, AppError> {
    let context = Context::load(store, Caller::User(principal), agency, now).await?;
    let idempotency = idempotency.map(|key| Idempotency {
        canonical_body: sha256,
        ..key
    });
    if let Some(import_id) = winner(store, principal, idempotency).await? {
        return stored_import(store, import_id).await;
    }
    let mut report = ServiceImportReport::default();
    let refused = |report: &ServiceImportReport| {
        AppError::Invalid(report.errors.iter().map(cell_field_error).collect())
    };
    let Some(opened) = open_checked(store, file, false, &mut report).await? else {
        return Err(refused(&report));
    };
    let write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(import_id) => return stored_import(store, import_id).await,
        Begun::Fresh(write) => write,
    };
    let stored = stream_file(
        write,
        &context,
        opened,
        file,
        Some(sha256),
        &mut report,
        &mut |_| {},
    )
    .await?;
    let Some((import_id, write)) = stored else {
        return Err(refused(&report));
    };
    finish_idempotent(write, principal, idempotency, import_id).await?;
    stored_import(store, import_id).await
}

/// The newest imports of the caller's agency (all of them for the ministry and auditors).
pub async fn service_imports(
    store: &Store,
    principal: &Principal,
) -> Result<Vec<ServiceImport>, AppError> {
    use taavon_core::access::{ServiceScope, service_scope};
    AppError::from_decision(decide_service_figures(Some(principal)))?;
    let provider = match service_scope(principal) {
        ServiceScope::All => None,
        ServiceScope::Provider { provider, .. } => Some(provider),
        ServiceScope::Provinces(_) | ServiceScope::Cooperative(_) | ServiceScope::None => {
            return Ok(Vec::new());
        }
    };
    let mut read = store.read().await?;
    let imports = read.service_imports(provider.as_ref(), 50).await?;
    read.finish().await?;
    Ok(imports)
}

/// The gap list: underprivileged counties of the nation (or one province) ranked by
/// services per 1 000 population, lowest first, each with the agencies and banks below
/// their national rate there.
pub async fn gaps(
    store: &Store,
    principal: &Principal,
    province: Option<&ProvinceCode>,
) -> Result<Vec<Gap>, AppError> {
    AppError::from_decision(decide_service_figures(Some(principal)))?;
    let (counties, figures, providers) = {
        let mut read = store.read().await?;
        let counties = read.counties(None).await?;
        let figures = read.service_county_figures(None).await?;
        let agencies = read.agencies().await?;
        let banks = read.banks().await?;
        read.finish().await?;
        let providers: Vec<Provider> = agencies
            .into_iter()
            .map(|a| Provider::Agency(a.code.as_str().to_owned()))
            .chain(banks.into_iter().map(|b| Provider::Bank(b.code)))
            .collect();
        (counties, figures, providers)
    };
    let mut by_county: HashMap<&str, Vec<(Provider, u64)>> = HashMap::new();
    for figure in &figures {
        by_county
            .entry(figure.county.as_str())
            .or_default()
            .push((figure.provider.clone(), count(figure.services)));
    }
    let services: Vec<CountyServices> = counties
        .iter()
        .filter_map(|county| {
            let tier = Tier::new(county.tier?).ok()?;
            Some(CountyServices {
                county: county.code.clone(),
                province: county.province.clone(),
                tier,
                population: county.population_1395.and_then(|p| u64::try_from(p).ok()),
                by_provider: by_county.remove(county.code.as_str()).unwrap_or_default(),
            })
        })
        .collect();
    let mut list = gap_list(&services, &providers);
    if let Some(province) = province {
        list.retain(|gap| gap.province == province.as_str());
    }
    Ok(list)
}

/// The synergy figures of every county of a province (or of the nation): services and
/// people by provider and kind and per 1 000 population, loans and verified jobs, and
/// support requests, each from the county figures kept with their records. A few
/// statements whatever the records number, never one per county nor a scan of them.
pub async fn synergy(
    store: &Store,
    principal: &Principal,
    province: Option<&ProvinceCode>,
) -> Result<Vec<CountySynergy>, AppError> {
    read_synergy(store, principal, province, true).await
}

/// The services alone of every county of a province (or of the nation), for the maps
/// and the shares chart, which show nothing else: the loans and support requests are
/// not read and stay zero.
pub async fn service_synergy(
    store: &Store,
    principal: &Principal,
    province: Option<&ProvinceCode>,
) -> Result<Vec<CountySynergy>, AppError> {
    read_synergy(store, principal, province, false).await
}

/// The counties' figures; the loans and support requests only when `whole`.
async fn read_synergy(
    store: &Store,
    principal: &Principal,
    province: Option<&ProvinceCode>,
    whole: bool,
) -> Result<Vec<CountySynergy>, AppError> {
    AppError::from_decision(decide_service_figures(Some(principal)))?;
    let mut read = store.read().await?;
    let province = province.map(ProvinceCode::as_str);
    let counties = read.counties(province).await?;
    let figures = read.service_county_figures(province).await?;
    let (loans, support) = if whole {
        let loans = read
            .loan_county_figures(&application_scope(principal), province)
            .await?;
        (loans, read.support_county_figures(province).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    read.finish().await?;
    let loans: HashMap<&str, &LoanCountyFigure> =
        loans.iter().map(|l| (l.county.as_str(), l)).collect();
    let support: HashMap<&str, &SupportCountyFigure> =
        support.iter().map(|s| (s.county.as_str(), s)).collect();
    let mut by_county: HashMap<String, Vec<ServiceFigure>> = HashMap::new();
    for figure in figures {
        by_county
            .entry(figure.county.clone())
            .or_default()
            .push(figure);
    }
    Ok(counties
        .into_iter()
        .map(|county| {
            let figures = by_county.remove(&county.code).unwrap_or_default();
            let services = figures.iter().map(|f| count(f.services)).sum();
            let people = figures.iter().map(|f| count(f.people)).sum();
            let population = county.population_1395.and_then(|p| u64::try_from(p).ok());
            let jobs = loans
                .get(county.code.as_str())
                .copied()
                .cloned()
                .unwrap_or_default();
            let requests = support
                .get(county.code.as_str())
                .copied()
                .cloned()
                .unwrap_or_default();
            CountySynergy {
                loans: count(jobs.loans),
                disbursed_rial: count(jobs.disbursed_rial),
                verified_jobs: count(jobs.verified_jobs),
                open_requests: count(requests.open),
                answered_requests: count(requests.answered),
                mean_days_to_answer_tenths: (requests.answered > 0)
                    .then(|| count(requests.answer_days.saturating_mul(10) / requests.answered)),
                per_thousand_milli: population
                    .filter(|p| *p > 0)
                    .map(|p| taavon_core::services::per_thousand_milli(services, p)),
                tier: county.tier.and_then(|t| Tier::new(t).ok()),
                county: county.code,
                province: county.province,
                name_fa: county.name_fa,
                name_en: county.name_en,
                population,
                services,
                people,
                figures,
            }
        })
        .collect())
}

/// One county's synergy figures (its page), read with its province's; a code that is
/// not a known county is not found.
pub async fn county_synergy(
    store: &Store,
    principal: &Principal,
    county: &str,
) -> Result<CountySynergy, AppError> {
    let county = CountyCode::parse(county).map_err(|_| AppError::NotFound)?;
    let province = county
        .as_str()
        .get(..2)
        .and_then(|number| ProvinceCode::parse(number).ok())
        .ok_or(AppError::NotFound)?;
    synergy(store, principal, Some(&province))
        .await?
        .into_iter()
        .find(|c| c.county == county.as_str())
        .ok_or(AppError::NotFound)
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// What checking a row needs: the agency, the counties, the caller and today.
struct Context<'a> {
    caller: Caller<'a>,
    provider: Provider,
    agency_kind: AgencyKind,
    /// County code → its province.
    counties: HashMap<String, ProvinceCode>,
    today: IsoDate,
}

impl<'a> Context<'a> {
    /// Reads the agency (an unknown one is refused naming `agency`) and the counties,
    /// and asks the policy whether the caller imports for the agency at all.
    async fn load(
        store: &Store,
        caller: Caller<'a>,
        agency: &str,
        now: Timestamp,
    ) -> Result<Context<'a>, AppError> {
        let agency = agency.trim();
        let provider = Provider::Agency(agency.to_owned());
        if let Caller::User(principal) = caller {
            AppError::from_decision(decide_service_import(Some(principal), &provider))?;
        }
        let mut read = store.read().await?;
        let agencies = read.agencies().await?;
        let counties = read.counties(None).await?;
        read.finish().await?;
        let agency_kind = agencies
            .iter()
            .find(|a| a.code.as_str() == agency)
            .map(|a| a.kind)
            .ok_or_else(|| {
                AppError::invalid(
                    "agency",
                    "unknown",
                    "این سازمان در فهرست سازمان‌ها نیست.",
                    "No such agency.",
                )
            })?;
        let counties = counties
            .into_iter()
            .filter_map(|c| Some((c.code, ProvinceCode::parse(&c.province).ok()?)))
            .collect();
        Ok(Context {
            caller,
            provider,
            agency_kind,
            counties,
            today: IsoDate::tehran_today(now.unix_seconds()),
        })
    }

    /// One row's cells (by `SERVICE_COLUMNS`, through `positions`) as a service, or
    /// every bad cell of it.
    fn parse_row(
        &self,
        row: usize,
        cells: &Cells<'_>,
        positions: &[Option<usize>],
        legal_ids: &HashMap<String, (i64, String)>,
    ) -> Result<NewService, Vec<RowError>> {
        let cell = |column: usize| {
            positions
                .get(column)
                .copied()
                .flatten()
                .map_or("", |at| cells.get(at).trim())
        };
        let mut errors = Vec::new();
        let mut bad = |column: &str, rule: &str, fa: &str, en: &str| {
            errors.push(RowError {
                row,
                column: column.into(),
                rule: rule.into(),
                message_fa: fa.into(),
                message_en: en.into(),
            });
        };
        let reference = cell(0);
        if reference.is_empty() || TextKind::Reference.exceeded_by(reference) {
            bad(
                "reference",
                "reference",
                "شماره مرجع سازمان لازم است (حداکثر ۶۴ نویسه).",
                "The agency's reference is required (at most 64 characters).",
            );
        }
        let kind = kind_of(cell(1));
        if kind.is_none() {
            bad(
                "kind",
                "unknown",
                "نوع خدمت شناخته نیست.",
                "Unknown kind of service.",
            );
        }
        let county_code = county_code(cell(2));
        let province = self.counties.get(&county_code);
        match province {
            None => bad(
                "county",
                "unknown",
                "کد شهرستان شناخته نیست.",
                "Unknown county code.",
            ),
            Some(province) => {
                let allowed = match self.caller {
                    Caller::User(principal) => {
                        decide_service_record(Some(principal), &self.provider, province)
                            == taavon_core::access::Decision::Allow
                    }
                    Caller::Operator(_) => true,
                };
                if !allowed {
                    bad(
                        "county",
                        "out_of_scope",
                        "این شهرستان در استان‌های شما نیست.",
                        "The county is outside your provinces.",
                    );
                }
            }
        }
        let (national_text, legal_text) = (cell(3), cell(4));
        let person = (!national_text.is_empty()).then(|| NationalCode::parse(national_text));
        if matches!(person, Some(Err(_))) {
            bad(
                "national_code",
                "national_code",
                "کد ملی معتبر نیست.",
                "Not a valid national code.",
            );
        }
        let cooperative = (!legal_text.is_empty()).then(|| {
            LegalId::parse(legal_text)
                .ok()
                .and_then(|id| legal_ids.get(id.as_str()).map(|(id, _)| *id))
        });
        if matches!(cooperative, Some(None)) {
            bad(
                "cooperative_legal_id",
                "unknown",
                "تعاونی با این شناسه ملی ثبت نشده است.",
                "No cooperative is registered under this legal ID.",
            );
        }
        let people = match to_ascii_digits(cell(5)).as_str() {
            "" => Some(1),
            text => text.parse::<i64>().ok(),
        };
        let amount = match plain_number(cell(6)).as_str() {
            "" => Some(None),
            text => text
                .parse::<i64>()
                .ok()
                .filter(|a| (0..=AMOUNT_MAX_RIAL).contains(a))
                .map(Some),
        };
        if amount.is_none() {
            bad(
                "amount_rial",
                "amount",
                "مبلغ عددی صحیح به ریال است (حداکثر ۱۰۰ هزار میلیارد).",
                "The amount is a whole number of rials, at most 10^14.",
            );
        }
        let delivered_on = parse_date_any(&to_ascii_digits(cell(7)))
            .ok()
            .filter(|d| *d <= self.today);
        if delivered_on.is_none() {
            bad(
                "delivered_on",
                "date",
                "تاریخ ارائه به شکل ۱۴۰۳/۰۷/۱۵ و نه پس از امروز است.",
                "The delivery date looks like 1403/07/15 and is not after today.",
            );
        }
        let recipient = match (&person, &cooperative) {
            (Some(Ok(code)), None) => Some(Recipient::Person(code.clone())),
            (None, Some(Some(id))) => Some(Recipient::Cooperative(*id)),
            _ => None,
        };
        if let (Some(kind), Some(people)) = (kind, people) {
            let rule = check_service(
                self.agency_kind,
                kind,
                person.is_some(),
                cooperative.is_some(),
                people,
            );
            if let Err(error) = rule {
                let (column, fa) = match error {
                    ServiceError::KindNotDelivered => {
                        ("kind", "این سازمان این نوع خدمت را ارائه نمی‌کند.")
                    }
                    ServiceError::Recipient => (
                        "national_code",
                        "یکی از کد ملی یا شناسه ملی تعاونی را بنویسید، نه هر دو.",
                    ),
                    ServiceError::People | ServiceError::PersonCountsOne => (
                        "people",
                        "تعداد نفرات برای یک شخص ۱ و برای تعاونی از ۱ تا ۱۰٬۰۰۰ است.",
                    ),
                };
                bad(column, "service", fa, &error.to_string());
            }
        } else if people.is_none() {
            bad(
                "people",
                "people",
                "تعداد نفرات عددی از ۱ تا ۱۰٬۰۰۰ است.",
                &format!("People is a number from 1 to {PEOPLE_PER_SERVICE_MAX}."),
            );
        }
        match (kind, province, recipient, people, amount, delivered_on) {
            (
                Some(kind),
                Some(province),
                Some(recipient),
                Some(people),
                Some(amount),
                Some(day),
            ) if errors.is_empty() => Ok(NewService {
                province: province.as_str().to_owned(),
                county: county_code,
                provider: self.provider.clone(),
                reference: reference.to_owned(),
                kind,
                recipient,
                people,
                amount_rial: amount,
                delivered_on: day,
            }),
            _ => Err(errors),
        }
    }
}

/// A kind by its code or one of its Persian words.
fn kind_of(text: &str) -> Option<ServiceKind> {
    // An agency's system writes the code itself: found without folding the text.
    if let Some(kind) = ServiceKind::parse(text).filter(|k| *k != ServiceKind::BankFacility) {
        return Some(kind);
    }
    let folded = taavon_core::text::normalize(text);
    ServiceKind::parse(&folded.to_lowercase())
        .filter(|k| *k != ServiceKind::BankFacility)
        .or_else(|| {
            KIND_WORDS
                .iter()
                .find(|(_, words)| {
                    words
                        .iter()
                        .any(|w| taavon_core::text::normalize(w) == folded)
                })
                .map(|(kind, _)| *kind)
        })
}

/// A county code as typed: any digits, the leading zeros a spreadsheet drops restored.
fn county_code(text: &str) -> String {
    let digits = to_ascii_digits(text);
    match digits.parse::<u16>() {
        Ok(number) if digits.len() <= 4 => format!("{number:04}"),
        _ => digits,
    }
}

/// A number as typed, any digits, its thousands separators dropped.
fn plain_number(text: &str) -> String {
    to_ascii_digits(text)
        .chars()
        .filter(|c| !matches!(c, ',' | '٬' | '،' | ' ' | '\u{202f}'))
        .collect()
}

async fn cooperatives_by_legal_id(
    store: &Store,
) -> Result<HashMap<String, (i64, String)>, AppError> {
    let mut read = store.read().await?;
    let map = read.cooperatives_by_legal_id().await?;
    read.finish().await?;
    Ok(map)
}

/// Where each of `SERVICE_COLUMNS` sits in a file, or what its header lacks.
type Positions = Result<Vec<Option<usize>>, Vec<RowError>>;

/// A file's sheet (its SHA-256 taken on the way when `hashed`) and where each column
/// sits, or the header's errors.
fn open_sheet(file: ServiceFile<'_>, hashed: bool) -> Result<(Sheet, Positions), AppError> {
    let format = Format::of(file.name);
    let (mut sheet, header) = if hashed {
        Sheet::open_hashed(file.path, format)?
    } else {
        Sheet::open(file.path, format)?
    };
    let positions = header_positions(&header, &SERVICE_COLUMNS, &OPTIONAL_COLUMNS);
    if positions.is_err() {
        sheet.stop();
    }
    Ok((sheet, positions))
}

/// A file opened for its one pass: its sheet, where each column sits and the
/// cooperatives by legal ID (read once, when the file has that column).
struct Opened {
    sheet: Sheet,
    positions: Vec<Option<usize>>,
    legal_ids: HashMap<String, (i64, String)>,
}

/// Opens the file (to be hashed as it is read when `hashed`) and reads its header; a
/// header lacking a column is reported (and nothing else read) as `None`.
async fn open_checked(
    store: &Store,
    file: ServiceFile<'_>,
    hashed: bool,
    report: &mut ServiceImportReport,
) -> Result<Option<Opened>, AppError> {
    let (sheet, positions) = open_sheet(file, hashed)?;
    let positions = match positions {
        Ok(positions) => positions,
        Err(errors) => {
            report.error_count = u64::try_from(errors.len()).unwrap_or(u64::MAX);
            report.errors = errors;
            return Ok(None);
        }
    };
    let legal_ids = if positions.get(4).copied().flatten().is_some() {
        cooperatives_by_legal_id(store).await?
    } else {
        HashMap::new()
    };
    Ok(Some(Opened {
        sheet,
        positions,
        legal_ids,
    }))
}

/// The one pass over a file inside `write`: each row parsed and checked, the good ones
/// written in batches (the county figures added to per batch, in the same transaction).
/// From the first bad row on nothing more is written and the rest is only checked, so
/// every bad cell is reported; a file with any is rolled back whole (`None`). Otherwise
/// the import's record is added, with `sha256` or else the one the sheet took while it
/// was read: answers its id and the transaction to finish.
async fn stream_file(
    mut write: WriteTx,
    context: &Context<'_>,
    opened: Opened,
    file: ServiceFile<'_>,
    sha256: Option<&str>,
    report: &mut ServiceImportReport,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Option<(i64, WriteTx)>, AppError> {
    let Opened {
        mut sheet,
        positions,
        legal_ids,
    } = opened;
    let mut batch = Vec::with_capacity(SERVICE_BATCH_MAX);
    let mut written = 0u64;
    loop {
        // The row's cells are borrowed from the reader (no copy per cell) until parsed.
        let parsed = sheet
            .next_cells()?
            .map(|(row, cells)| context.parse_row(row, &cells, &positions, &legal_ids));
        let end = parsed.is_none();
        if let Some(parsed) = parsed {
            report.rows += 1;
            match parsed {
                Ok(service) if report.error_count == 0 => batch.push(service),
                Ok(_) => {}
                Err(errors) => {
                    report.error_count += u64::try_from(errors.len()).unwrap_or(0);
                    let room = ROW_ERRORS_MAX.saturating_sub(report.errors.len());
                    report.errors.extend(errors.into_iter().take(room));
                    batch.clear();
                }
            }
        }
        if batch.len() == SERVICE_BATCH_MAX || (end && !batch.is_empty()) {
            let done = write.insert_services(&batch).await?;
            report.created += done.created;
            report.unchanged += done.unchanged;
            written += u64::try_from(batch.len()).unwrap_or(0);
            progress(written);
            batch.clear();
        }
        if end {
            break;
        }
    }
    if report.rows == 0 && report.error_count == 0 {
        report.errors.push(file_error(
            "empty",
            "فایل هیچ ردیفی ندارد.",
            "The file has no rows.",
        ));
        report.error_count = 1;
    }
    if report.error_count > 0 {
        // Nothing of a bad file is stored, and what it would have done is not reported.
        write.rollback().await?;
        report.created = 0;
        report.unchanged = 0;
        return Ok(None);
    }
    let as_i64 = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let content_sha256 = match sha256 {
        Some(sha256) => sha256.to_owned(),
        None => sheet
            .sha256()
            .ok_or_else(|| AppError::Internal("the file was not hashed as it was read".into()))?,
    };
    let import_id = write
        .record_service_import(&NewServiceImport {
            provider: context.provider.clone(),
            file_name: file.name.to_owned(),
            content_sha256,
            rows: as_i64(report.rows),
            created: as_i64(report.created),
            unchanged: as_i64(report.unchanged),
        })
        .await?;
    Ok(Some((import_id, write)))
}

async fn stored_import(store: &Store, import_id: i64) -> Result<ServiceImport, AppError> {
    let mut read = store.read().await?;
    let import = read.service_import(import_id).await?;
    read.finish().await?;
    import.ok_or_else(|| AppError::Internal(format!("service import {import_id} vanished")))
}

/// A bad cell as a field error: of the request's own field for one record (row 0), of
/// `rows[N].column` for a file.
fn cell_field_error(error: &RowError) -> FieldError {
    let field = match (error.row, error.column.as_str()) {
        (_, "") => "file".to_owned(),
        (0, column) => column.to_owned(),
        (row, column) => format!("rows[{row}].{column}"),
    };
    FieldError::new(field, &error.rule, &error.message_fa, &error.message_en)
}
