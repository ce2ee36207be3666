//! Applications for facilities: drafting, the workflow's transitions (each checked by
//! the access policy, compare-and-set on the version, idempotent by key), and the
//! snapshot a decision rests on.
//!
//! Scope comes before validation: a record the request names (the application, the
//! applicant) is first checked against what the caller may see, and one outside it is
//! answered exactly like a missing one, before any field is judged; otherwise the
//! answers would tell which records exist in other provinces. The four-eyes rule reads
//! who took part from the application's recorded events (`Participants`).

use std::collections::{HashMap, HashSet};

use taavon_core::access::{
    self, Action, ApplicantSubject, ApplicationScope, ApplicationSubject, Decision, LoanAction,
    LoanSubject, Principal, Resource, application_scope, decide_loan, decide_revision,
    decide_transition, permitted_moves,
};
use taavon_core::applications::{
    ApplicationState, EventAction, Participants, RecordedMove, TransitionAction, TransitionContext,
    TransitionError, after_eligibility, next_state,
};
use taavon_core::calendar::IsoDate;
use taavon_core::events::EventType;
use taavon_core::limits::TextKind;
use taavon_core::programs::eligibility::{self, ApplicationFacts, ProgramWindow};
use taavon_core::programs::scoring::{self, Score, ScoreInputs};
use taavon_core::programs::{ApplicantKind, Financing, ProgramRules};
use taavon_core::reference::{AgencyCode, BankCode, ProvinceCode, Tier};
use taavon_core::registry::Gender;
use taavon_core::timestamp::Timestamp;
use taavon_store::{
    ApplicantName, Application, ApplicationEvent, ApplicationFilter, ApplicationMove,
    ApplicationTotals, NewApplication, Program, Reader, Store, WriteTx,
};

use crate::bounds::{BoundedText, Lengths};
use crate::duplicate_flags::{self, DuplicateRule};
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent, winner};
use crate::programs::parse_rules;
use crate::{AppError, FieldError};

/// Settings of the four-eyes rules (from the server's configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkflowSettings {
    /// Approvals of applications of more than this need a second officer.
    pub second_approval_above_rial: i64,
    /// A bank action that changes what a borrower owes (a rescheduling, a reversal) of
    /// more than this waits for a second officer of the same bank.
    pub bank_second_approval_above_rial: i64,
}

impl Default for WorkflowSettings {
    fn default() -> Self {
        Self {
            second_approval_above_rial: 10_000_000_000,
            bank_second_approval_above_rial: 1_000_000_000,
        }
    }
}

/// An application as its applicant (or an officer for them) describes it.
#[derive(Clone, Debug, Default)]
pub struct ApplicationInput {
    pub program: String,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    pub amount_rial: i64,
    pub jobs: i64,
    pub women_jobs: i64,
    pub purpose: String,
    /// `development` (default) or `working_capital`.
    pub financing: Option<String>,
    /// Default: the applicant's county (and its province).
    pub county: Option<String>,
    /// Default: the applicant's sector.
    pub sector: Option<String>,
}

/// One step of the workflow.
#[derive(Clone, Debug, Default)]
pub struct TransitionInput {
    pub action: String,
    pub reason: Option<String>,
    /// For `refer`: the bank (its code); default the program's bank.
    pub bank: Option<String>,
}

impl BoundedText for ApplicationInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .text("program", &self.program, TextKind::Code)
            .text("purpose", &self.purpose, TextKind::FreeText)
            .optional("financing", self.financing.as_deref(), TextKind::Code)
            .optional("county", self.county.as_deref(), TextKind::Code)
            .optional("sector", self.sector.as_deref(), TextKind::Code);
    }
}

impl BoundedText for TransitionInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .text("action", &self.action, TextKind::Code)
            .optional("reason", self.reason.as_deref(), TextKind::Reason)
            .optional("bank", self.bank.as_deref(), TextKind::Code);
    }
}

/// A search of the applications as typed (an API query): every field optional.
#[derive(Clone, Debug, Default)]
pub struct ApplicationSearch {
    pub program: Option<String>,
    pub province: Option<String>,
    pub status: Option<String>,
    pub cooperative_id: Option<i64>,
}

impl BoundedText for ApplicationSearch {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .optional("program", self.program.as_deref(), TextKind::Code)
            .optional("province", self.province.as_deref(), TextKind::Code)
            .optional("status", self.status.as_deref(), TextKind::Code);
    }
}

impl ApplicationSearch {
    /// The store's filter for this search, or every term that cannot be one.
    pub fn filter(&self) -> Result<ApplicationFilter, AppError> {
        crate::bounds::check(self)?;
        let mut errors = Vec::new();
        let states: Vec<&str> = ApplicationState::ALL.iter().map(|s| s.code()).collect();
        let filter = ApplicationFilter {
            program: self.program.clone(),
            province: self
                .province
                .as_deref()
                .and_then(|code| crate::fields::province_filter(&mut errors, "province", code)),
            status: crate::bounds::one_of(&mut errors, "status", self.status.as_deref(), &states),
            cooperative_id: self.cooperative_id,
            ..ApplicationFilter::default()
        };
        crate::bounds::valid(errors, filter)
    }
}

/// A step taken: the application after it, and the event that records it.
#[derive(Clone, Debug)]
pub struct TransitionOutcome {
    pub application: Application,
    pub event_id: i64,
}

/// An application with its history and program.
#[derive(Clone, Debug)]
pub struct ApplicationDetail {
    pub application: Application,
    pub events: Vec<ApplicationEvent>,
    pub program: Program,
    /// The score as it would be computed now, with each factor's part.
    pub score: Option<Score>,
    /// The steps the caller may take now (pages offer exactly these).
    pub moves: Vec<TransitionAction>,
    /// Whether the caller may write the contract (the bank, once it approved).
    pub may_contract: bool,
    /// Whether the caller may change what it asks now (`revise_application`).
    pub may_revise: bool,
}

/// A page of applications.
#[derive(Clone, Debug)]
pub struct ApplicationPage {
    pub applications: Vec<Application>,
    pub total: i64,
}

fn subject<'a>(
    application: &'a Application,
    province: &'a ProvinceCode,
    participants: Participants,
) -> ApplicationSubject<'a> {
    ApplicationSubject {
        province,
        cooperative_id: application.fields.cooperative_id,
        referred_bank: application.referred_bank.as_ref(),
        participants,
    }
}

/// Who took part in an application, from its recorded events.
fn participants_of(events: &[ApplicationEvent]) -> Participants {
    Participants::from_moves(events.iter().map(|e| RecordedMove {
        action: e.action,
        to_state: e.to_state,
        actor_user_id: e.actor_user_id,
    }))
}

/// The application `id` if the principal may see it; one outside their scope is
/// answered like a missing one.
async fn visible_application(
    reader: &mut Reader,
    principal: &Principal,
    id: i64,
) -> Result<(Application, ProvinceCode), AppError> {
    let application = reader.application(id).await?.ok_or(AppError::NotFound)?;
    let province = province_of(&application)?;
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Read,
        Resource::Application(subject(&application, &province, Participants::default())),
    ))?;
    Ok((application, province))
}

fn province_of(application: &Application) -> Result<ProvinceCode, AppError> {
    ProvinceCode::parse(&application.fields.province).map_err(|_| {
        AppError::Internal(format!("application {} has a bad province", application.id))
    })
}

pub async fn list_applications(
    store: &Store,
    principal: &Principal,
    filter: &ApplicationFilter,
    limit: i64,
    offset: i64,
) -> Result<ApplicationPage, AppError> {
    let (limit, offset) = crate::bounds::page(limit, offset, crate::bounds::PAGE_SIZE_MAX)?;
    let scope = application_scope(principal);
    let mut read = store.read().await?;
    let (mut applications, total) = read.applications(&scope, filter, limit, offset).await?;
    redact_duplicate_flags(&mut read, &scope, &mut applications).await?;
    read.finish().await?;
    Ok(ApplicationPage {
        applications,
        total,
    })
}

/// What every application the principal may see that `filter` matches asks: the
/// list's totals, whatever page it shows.
pub async fn application_totals(
    store: &Store,
    principal: &Principal,
    filter: &ApplicationFilter,
) -> Result<ApplicationTotals, AppError> {
    let mut read = store.read().await?;
    let totals = read
        .application_totals(&application_scope(principal), filter)
        .await?;
    read.finish().await?;
    Ok(totals)
}

/// The applicants' names of `applications`, in their order, read in one statement (not
/// one read per line): `None` where the principal may not read the applicant (a bank sees
/// a cooperative, and a client it lends to).
pub async fn applicant_names(
    store: &Store,
    principal: &Principal,
    applications: &[Application],
) -> Result<Vec<Option<String>>, AppError> {
    let ids: Vec<i64> = applications.iter().map(|a| a.id).collect();
    let mut read = store.read().await?;
    let names = read.applicant_names(&ids).await?;
    read.finish().await?;
    let by_id: HashMap<i64, ApplicantName> =
        names.into_iter().map(|n| (n.application_id, n)).collect();
    applications
        .iter()
        .map(|application| {
            let Some(applicant) = by_id.get(&application.id) else {
                return Ok(None);
            };
            let province = ProvinceCode::parse(&applicant.province).map_err(|_| {
                AppError::Internal(format!(
                    "the applicant of application {} has a bad province",
                    application.id
                ))
            })?;
            let decision = match applicant.cooperative_id {
                Some(id) => access::decide(
                    Some(principal),
                    Action::Read,
                    Resource::Cooperative {
                        id: Some(id),
                        province: &province,
                    },
                ),
                // A client's lenders include the bank this application was referred to,
                // the one a bank officer's queue lists it by.
                None => access::decide_personal_data(
                    Some(principal),
                    &ApplicantSubject {
                        province: &province,
                        cooperative_id: None,
                        lenders: application.referred_bank.as_slice(),
                    },
                ),
            };
            Ok((decision == Decision::Allow).then(|| applicant.name.clone()))
        })
        .collect()
}

/// Names in the applications' duplicate flags only the applications `scope` lists.
async fn redact_duplicate_flags(
    reader: &mut Reader,
    scope: &ApplicationScope,
    applications: &mut [Application],
) -> Result<(), AppError> {
    const ID_KEY: &str = "application_id";
    let named: Vec<i64> = applications
        .iter()
        .flat_map(|a| duplicate_flags::named_ids(&a.duplicate_flags, ID_KEY))
        .collect();
    if named.is_empty() {
        return Ok(());
    }
    let visible: HashSet<i64> = reader
        .visible_application_ids(scope, &named)
        .await?
        .into_iter()
        .collect();
    for application in applications {
        application.duplicate_flags =
            duplicate_flags::redacted(&application.duplicate_flags, ID_KEY, &visible);
    }
    Ok(())
}

pub async fn application_detail(
    store: &Store,
    principal: &Principal,
    id: i64,
    now: Timestamp,
) -> Result<ApplicationDetail, AppError> {
    let mut read = store.read().await?;
    let (mut application, province) = visible_application(&mut read, principal, id).await?;
    redact_duplicate_flags(
        &mut read,
        &application_scope(principal),
        std::slice::from_mut(&mut application),
    )
    .await?;
    let events = read.application_events(id).await?;
    let program = read
        .program(&application.fields.program)
        .await?
        .ok_or_else(|| AppError::Internal("an application's program vanished".into()))?;
    let rules = parse_rules(&program)?;
    let today = IsoDate::tehran_today(now.unix_seconds()).to_string();
    let tier = read
        .county_tier(
            &application.fields.county,
            program.tier_classification_id,
            &today,
        )
        .await?;
    read.finish().await?;
    let score = tier
        .and_then(|t| Tier::new(t).ok())
        .map(|tier| score_of(&rules, &application, tier));
    let state = application.fields.status;
    let participants = participants_of(&events);
    let moves = permitted_moves(
        principal,
        &subject(&application, &province, participants),
        state,
    );
    let may_revise = state.revisable()
        && decide_revision(
            Some(principal),
            &subject(&application, &province, participants),
        ) == Decision::Allow;
    let may_contract = state == ApplicationState::BankApproved
        && application.referred_bank.as_ref().is_some_and(|bank| {
            decide_loan(
                Some(principal),
                LoanAction::Contract,
                &LoanSubject {
                    province: &province,
                    cooperative_id: application.fields.cooperative_id,
                    bank: Some(bank),
                },
            ) == Decision::Allow
        });
    Ok(ApplicationDetail {
        application,
        events,
        program,
        score,
        moves,
        may_contract,
        may_revise,
    })
}

/// Drafts an application for a cooperative or an individual client.
pub async fn create_application(
    store: &Store,
    principal: &Principal,
    input: &ApplicationInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Application, AppError> {
    crate::bounds::check(input)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return read_application(store, id).await,
        Begun::Fresh(write) => write,
    };
    let applicant = visible_applicant(&mut write, principal, input).await?;
    let province = ProvinceCode::parse(&applicant.province)
        .map_err(|_| AppError::Internal("an applicant has a bad province".into()))?;
    AppError::from_decision(access::decide(
        Some(principal),
        Action::Create,
        Resource::Application(ApplicationSubject {
            province: &province,
            cooperative_id: input.cooperative_id,
            referred_bank: None,
            participants: Participants::default(),
        }),
    ))?;
    let fields = validate(&mut write, input, applicant).await?;
    let id = write.insert_application(&fields).await?;
    let id = finish_idempotent(write, principal, idempotency, id).await?;
    read_application(store, id).await
}

/// Changes what a draft, or an application found ineligible, asks, and makes it a draft
/// again (to be submitted anew): only its applicant's side may (`decide_revision`), and
/// only at the `version` the caller read. The applicant stays; a county or sector not
/// given stays as it was.
pub async fn revise_application(
    store: &Store,
    principal: &Principal,
    id: i64,
    version: i64,
    input: &ApplicationInput,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<Application, AppError> {
    crate::bounds::check(input)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(id) => return read_application(store, id).await,
        Begun::Fresh(write) => write,
    };
    let (application, province) = visible_application(&mut write, principal, id).await?;
    let participants = participants_of(&write.application_events(id).await?);
    AppError::from_decision(decide_revision(
        Some(principal),
        &subject(&application, &province, participants),
    ))?;
    if !application.fields.status.revisable() {
        return Err(AppError::Conflict(format!(
            "an application that is {} is no longer revised",
            application.fields.status
        )));
    }
    if application.version != version {
        return Err(AppError::Conflict(format!(
            "the application changed since version {version}; it is now at {}",
            application.version
        )));
    }
    let f = &application.fields;
    let revised = ApplicationInput {
        cooperative_id: f.cooperative_id,
        client_id: f.client_id,
        county: input.county.clone().or_else(|| Some(f.county.clone())),
        sector: input.sector.clone().or_else(|| Some(f.sector.clone())),
        ..input.clone()
    };
    let applicant = visible_applicant(&mut write, principal, &revised).await?;
    let fields = validate(&mut write, &revised, applicant).await?;
    if write
        .revise_application(&application, &fields)
        .await?
        .is_none()
    {
        return Err(AppError::Conflict(
            "the application changed meanwhile; read it again".into(),
        ));
    }
    let id = finish_idempotent(write, principal, idempotency, id).await?;
    read_application(store, id).await
}

/// Takes one step of the workflow.
pub async fn transition(
    store: &Store,
    principal: &Principal,
    id: i64,
    input: &TransitionInput,
    settings: WorkflowSettings,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<TransitionOutcome, AppError> {
    crate::bounds::check(input)?;
    let mut write = match begin(store, principal, idempotency, now).await? {
        Begun::Replay(event_id) => return replay(store, id, event_id).await,
        Begun::Fresh(write) => write,
    };
    let (application, province) = visible_application(&mut write, principal, id).await?;
    let Some(action) = TransitionAction::parse(&input.action) else {
        return Err(AppError::invalid(
            "action",
            "unknown",
            "اقدام شناخته نیست.",
            "Unknown action (submit, approve, reject, refer, bank_approve, bank_reject, withdraw).",
        ));
    };
    // Read after the application: they include every move up to its version, which the
    // compare-and-set below holds to.
    let participants = participants_of(&write.application_events(id).await?);
    AppError::from_decision(decide_transition(
        Some(principal),
        action,
        &subject(&application, &province, participants),
    ))?;
    let state = application.fields.status;
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let context = TransitionContext {
        amount_rial: application.fields.amount_rial,
        second_approval_above_rial: settings.second_approval_above_rial,
        reason,
    };
    let to_state = next_state(state, action, &context).map_err(transition_error)?;
    let program = write
        .program(&application.fields.program)
        .await?
        .ok_or_else(|| AppError::Internal("an application's program vanished".into()))?;
    let rules = parse_rules(&program)?;
    let mut step = ApplicationMove {
        action: EventAction::Transition(action),
        to_state,
        reason: reason.map(str::to_owned),
        actor_user_id: Some(principal.user_id),
        tier: None,
        score_x100: None,
        referred_bank: None,
        referred_branch: None,
        duplicate_flags: None,
        snapshot: None,
    };
    let today = IsoDate::tehran_today(now.unix_seconds());
    match action {
        TransitionAction::Submit => {
            return submit(
                store,
                write,
                principal,
                &application,
                &program,
                &rules,
                step,
                today,
                idempotency,
            )
            .await;
        }
        TransitionAction::Approve | TransitionAction::Reject => {
            let tier = tier_of(&mut write, &application, &program, today).await?;
            let score = score_of(&rules, &application, tier);
            step.tier = Some(i64::from(tier.get()));
            step.score_x100 = Some(score.total_x100);
            step.snapshot =
                Some(snapshot(&mut write, &application, &program, &rules, tier, &score).await?);
        }
        TransitionAction::Refer => {
            // A code of no known shape names no bank, so it has no branch either.
            let bank = match &input.bank {
                Some(code) => BankCode::parse(code).ok(),
                None => Some(program.bank.clone().unwrap_or_else(BankCode::tosee_taavon)),
            };
            let branch = match &bank {
                Some(bank) => write
                    .branches()
                    .await?
                    .into_iter()
                    .find(|b| &b.bank == bank && b.province == application.fields.province),
                None => None,
            };
            let (Some(bank), Some(branch)) = (bank, branch) else {
                return Err(AppError::invalid(
                    "bank",
                    "no_branch",
                    "این بانک در استان شعبه‌ای ندارد.",
                    "This bank has no branch in the application's province.",
                ));
            };
            step.referred_bank = Some(bank);
            step.referred_branch = Some(branch.code);
        }
        TransitionAction::BankApprove
        | TransitionAction::BankReject
        | TransitionAction::Withdraw => {}
    }
    let Some(event_id) = write.move_application(&application, &step).await? else {
        drop(write);
        return concurrent_loss(store, principal, id, idempotency).await;
    };
    if let Some(kind) = EventType::of_application_state(to_state) {
        crate::events::emit_application(&mut write, kind, id).await?;
    }
    finish_transition(store, write, principal, id, event_id, idempotency).await
}

/// Submission: the move to `submitted`, then at once the automatic eligibility check
/// to `under_review` or `ineligible` (with its reasons), both in one transaction.
#[allow(clippy::too_many_arguments)]
async fn submit(
    store: &Store,
    mut write: WriteTx,
    principal: &Principal,
    application: &Application,
    program: &Program,
    rules: &ProgramRules,
    mut step: ApplicationMove,
    today: IsoDate,
    idempotency: Option<Idempotency<'_>>,
) -> Result<TransitionOutcome, AppError> {
    let tier = tier_of(&mut write, application, program, today).await?;
    let score = score_of(rules, application, tier);
    let siblings = write.sibling_applications(application).await?;
    let flags: Vec<serde_json::Value> = siblings
        .iter()
        .map(|(other, status)| {
            serde_json::json!({
                "rule": DuplicateRule::SameApplicantAndProgram.code(), "application_id": other, "status": status,
            })
        })
        .collect();
    step.tier = Some(i64::from(tier.get()));
    step.score_x100 = Some(score.total_x100);
    step.duplicate_flags = Some(serde_json::Value::Array(flags).to_string());
    let Some(_) = write.move_application(application, &step).await? else {
        drop(write);
        return concurrent_loss(store, principal, application.id, idempotency).await;
    };
    let submitted = Application {
        version: application.version + 1,
        fields: NewApplication {
            status: ApplicationState::Submitted,
            ..application.fields.clone()
        },
        ..application.clone()
    };
    let facts = ApplicationFacts {
        applicant_kind: application.fields.applicant_kind,
        sector: application.fields.sector.clone(),
        tier,
        amount_rial: application.fields.amount_rial,
        jobs: application.fields.jobs,
        women_jobs: application.fields.women_jobs,
        submitted_on: today,
    };
    let window = ProgramWindow {
        opens_on: parse_stored_date(&program.opens_on)?,
        closes_on: parse_stored_date(&program.closes_on)?,
    };
    let unmet = eligibility::check(rules, window, &facts);
    let reasons = (!unmet.is_empty()).then(|| {
        unmet
            .iter()
            .map(|u| u.reason_fa.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    });
    let check = ApplicationMove {
        action: EventAction::Eligibility,
        to_state: after_eligibility(unmet.is_empty()),
        reason: reasons,
        actor_user_id: None,
        snapshot: Some(
            serde_json::json!({
                "unmet": unmet.iter().map(|u| serde_json::json!({
                    "code": u.code, "reason_en": u.reason_en, "reason_fa": u.reason_fa,
                })).collect::<Vec<_>>(),
                "tier": tier.get(), "score": score,
            })
            .to_string(),
        ),
        tier: None,
        score_x100: None,
        referred_bank: None,
        referred_branch: None,
        duplicate_flags: None,
    };
    let event_id = write
        .move_application(&submitted, &check)
        .await?
        .ok_or_else(|| {
            AppError::Internal("an application moved inside its own transaction".into())
        })?;
    crate::events::emit_application(&mut write, EventType::ApplicationSubmitted, application.id)
        .await?;
    finish_transition(
        store,
        write,
        principal,
        application.id,
        event_id,
        idempotency,
    )
    .await
}

fn parse_stored_date(text: &str) -> Result<IsoDate, AppError> {
    IsoDate::parse(text).map_err(|_| AppError::Internal(format!("a stored date {text:?} is bad")))
}

async fn finish_transition(
    store: &Store,
    write: WriteTx,
    principal: &Principal,
    id: i64,
    event_id: i64,
    idempotency: Option<Idempotency<'_>>,
) -> Result<TransitionOutcome, AppError> {
    let event_id = finish_idempotent(write, principal, idempotency, event_id).await?;
    replay(store, id, event_id).await
}

/// A concurrent move changed the application first: with the same key that was this
/// request's own first attempt (answer as a replay); otherwise a conflict.
async fn concurrent_loss(
    store: &Store,
    principal: &Principal,
    id: i64,
    idempotency: Option<Idempotency<'_>>,
) -> Result<TransitionOutcome, AppError> {
    match winner(store, principal, idempotency).await? {
        Some(event_id) => replay(store, id, event_id).await,
        None => Err(AppError::Conflict(
            "the application changed meanwhile; read it again".into(),
        )),
    }
}

async fn replay(store: &Store, id: i64, event_id: i64) -> Result<TransitionOutcome, AppError> {
    Ok(TransitionOutcome {
        application: read_application(store, id).await?,
        event_id,
    })
}

fn transition_error(error: TransitionError) -> AppError {
    match &error {
        TransitionError::ReasonRequired(_) => AppError::invalid(
            "reason",
            error.rule(),
            &error.message_fa(),
            &error.to_string(),
        ),
        TransitionError::NotFromState { .. } => AppError::Conflict(error.to_string()),
    }
}

async fn tier_of(
    write: &mut WriteTx,
    application: &Application,
    program: &Program,
    today: IsoDate,
) -> Result<Tier, AppError> {
    let tier = write
        .county_tier(
            &application.fields.county,
            program.tier_classification_id,
            &today.to_string(),
        )
        .await?
        .ok_or_else(|| {
            AppError::Internal(format!("county {} has no tier", application.fields.county))
        })?;
    Tier::new(tier).map_err(|_| AppError::Internal("a stored tier is out of range".into()))
}

fn score_of(rules: &ProgramRules, application: &Application, tier: Tier) -> Score {
    let f = &application.fields;
    scoring::score(
        &rules.scoring,
        &ScoreInputs {
            amount_rial: f.amount_rial,
            jobs: f.jobs,
            women_jobs: f.women_jobs,
            tier,
            sector_has_priority: rules.sector_has_priority(&f.province, &f.sector),
            financing: f.financing,
        },
    )
}

/// What a decision rests on: the applicant as it stands, the county tier, the score
/// with its factors and the program's rules at that moment.
async fn snapshot(
    write: &mut WriteTx,
    application: &Application,
    program: &Program,
    rules: &ProgramRules,
    tier: Tier,
    score: &Score,
) -> Result<String, AppError> {
    let f = &application.fields;
    let applicant = match (f.cooperative_id, f.client_id) {
        (Some(cooperative), _) => write.cooperative(cooperative).await?.map(|c| {
            serde_json::json!({
                "kind": "cooperative", "id": c.id, "name": c.fields.name,
                "legal_id": c.fields.legal_id, "status": c.fields.status.code(),
                "women_led": c.fields.women_led, "county": c.fields.county,
                "sector": c.fields.sector, "version": c.version,
            })
        }),
        (None, Some(client)) => write.client(client).await?.map(|c| {
            serde_json::json!({
                "kind": c.fields.kind.code(), "id": c.id,
                "name": format!("{} {}", c.first_name, c.last_name),
                "gender": c.gender.code(), "credential": c.fields.credential,
                "referred_by": c.fields.referred_by.as_ref().map(AgencyCode::as_str),
                "county": c.fields.county,
            })
        }),
        (None, None) => None,
    };
    Ok(serde_json::json!({
        "applicant": applicant,
        "application": {
            "amount_rial": f.amount_rial, "jobs": f.jobs, "women_jobs": f.women_jobs,
            "county": f.county, "sector": f.sector, "financing": f.financing.code(),
            "women_led": f.women_led, "version": application.version,
        },
        "tier": tier.get(),
        "score": score,
        "program": { "code": program.code, "version": program.version, "rules": rules },
    })
    .to_string())
}

async fn read_application(store: &Store, id: i64) -> Result<Application, AppError> {
    let mut read = store.read().await?;
    let application = read.application(id).await?.ok_or(AppError::NotFound)?;
    read.finish().await?;
    Ok(application)
}

/// The applicant a draft names, as its record says.
struct Applicant {
    kind: ApplicantKind,
    province: String,
    county: String,
    sector: Option<String>,
    women_led: bool,
}

/// The applicant the input names, if the principal may see it: a missing applicant and
/// one outside the caller's scope get the same answer (404), before any field is judged.
async fn visible_applicant(
    write: &mut WriteTx,
    principal: &Principal,
    input: &ApplicationInput,
) -> Result<Applicant, AppError> {
    let applicant = match (input.cooperative_id, input.client_id) {
        (Some(id), None) => write.cooperative(id).await?.map(|c| Applicant {
            kind: ApplicantKind::Cooperative,
            province: c.fields.province,
            county: c.fields.county,
            sector: Some(c.fields.sector),
            women_led: c.fields.women_led,
        }),
        (None, Some(id)) => write.client(id).await?.map(|c| Applicant {
            kind: c.fields.kind.applicant_kind(),
            province: c.fields.province,
            county: c.fields.county,
            sector: c.fields.sector,
            women_led: c.gender == Gender::Female,
        }),
        _ => {
            return Err(AppError::invalid(
                "cooperative_id",
                "one_applicant",
                "متقاضی را با شناسه تعاونی یا شناسه مددجو/صنعتگر (فقط یکی) معرفی کنید.",
                "Name the applicant by exactly one of cooperative_id and client_id.",
            ));
        }
    };
    let applicant = applicant.ok_or(AppError::NotFound)?;
    let province = ProvinceCode::parse(&applicant.province)
        .map_err(|_| AppError::Internal("an applicant has a bad province".into()))?;
    let resource = match input.cooperative_id {
        Some(id) => Resource::Cooperative {
            id: Some(id),
            province: &province,
        },
        None => Resource::Client {
            province: &province,
        },
    };
    // Only the scope: reading the applicant is not the right to draft for it.
    match access::decide(Some(principal), Action::Read, resource) {
        Decision::OutOfScope => Err(AppError::NotFound),
        Decision::Unauthenticated => Err(AppError::Unauthenticated),
        _ => Ok(applicant),
    }
}

/// Checks a draft's fields and fills the defaults from its applicant.
async fn validate(
    write: &mut WriteTx,
    input: &ApplicationInput,
    applicant: Applicant,
) -> Result<NewApplication, AppError> {
    let mut errors = Vec::new();
    if write.program(&input.program).await?.is_none() {
        errors.push(FieldError::new(
            "program",
            "unknown",
            "برنامه شناخته نیست.",
            "Unknown program code.",
        ));
    }
    let Applicant {
        kind,
        province,
        county: applicant_county,
        sector: applicant_sector,
        women_led,
    } = applicant;
    if let Some(error) = FieldError::above_maximum("amount", input.amount_rial) {
        errors.push(error);
    } else if input.amount_rial <= 0 {
        errors.push(FieldError::new(
            "amount",
            "positive",
            "مبلغ باید مثبت باشد.",
            "The amount must be positive.",
        ));
    }
    if input.jobs < 0 {
        errors.push(FieldError::new(
            "jobs",
            "non_negative",
            "تعداد شغل نمی‌تواند منفی باشد.",
            "Jobs cannot be negative.",
        ));
    }
    if input.women_jobs < 0 || input.women_jobs > input.jobs.max(0) {
        errors.push(FieldError::new(
            "women_jobs",
            "range",
            "شغل زنان باید بین صفر و کل شغل‌ها باشد.",
            "Women's jobs must be between 0 and the jobs created.",
        ));
    }
    let purpose = taavon_core::text::normalize(input.purpose.trim());
    // Its length was checked with every other text (bounds::check).
    if purpose.is_empty() {
        errors.push(FieldError::new(
            "purpose",
            "required",
            "هدف طرح را بنویسید.",
            "Describe the purpose.",
        ));
    }
    let financing = input
        .financing
        .as_deref()
        .map_or(Some(Financing::Development), Financing::parse);
    if financing.is_none() {
        errors.push(FieldError::new(
            "financing",
            "unknown",
            "نوع تأمین مالی باید توسعه‌ای یا سرمایه در گردش باشد.",
            "financing is development or working_capital.",
        ));
    }
    let county = input.county.clone().unwrap_or(applicant_county);
    match write.county(&county).await? {
        Some(row) if row.province == province => {}
        Some(_) => errors.push(FieldError::new(
            "county",
            "province",
            "شهرستان طرح باید در استان متقاضی باشد.",
            "The project's county must lie in the applicant's province.",
        )),
        None => errors.push(FieldError::new(
            "county",
            "unknown",
            "شهرستان شناخته نیست.",
            "Unknown county code.",
        )),
    }
    let sector = input
        .sector
        .clone()
        .or(applicant_sector)
        .unwrap_or_default();
    if sector.is_empty() {
        // Neither given nor the applicant's: an individual client may have none.
        errors.push(FieldError::new(
            "sector",
            "required",
            "متقاضی بخش فعالیت ندارد؛ بخش طرح را بنویسید.",
            "The applicant has no sector; name the project's sector.",
        ));
    } else if !write.sectors().await?.iter().any(|s| s.code == sector) {
        errors.push(FieldError::new(
            "sector",
            "unknown",
            "بخش فعالیت شناخته نیست.",
            "Unknown sector code.",
        ));
    }
    let (Some(financing), true) = (financing, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    Ok(NewApplication {
        province,
        county,
        program: input.program.clone(),
        applicant_kind: kind,
        cooperative_id: input.cooperative_id,
        client_id: input.client_id,
        sector,
        amount_rial: input.amount_rial,
        jobs: input.jobs,
        women_jobs: input.women_jobs,
        purpose,
        financing,
        women_led,
        status: ApplicationState::Draft,
    })
}
