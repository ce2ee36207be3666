//! The one label table of the UI: every code a record holds — provinces, counties,
//! sectors, banks and branches, agencies, cooperative types and statuses, contract types,
//! loan classes, application moves, event types, audit entities and actions — named in the reader's
//! language. A page never shows a code; a code this table does not know is shown as
//! itself only inside `dir="ltr"` (the acceptance test looks for any that leak).

use std::collections::HashMap;
use std::sync::LazyLock;

use taavon_app::Store;
use taavon_app::reference::{self, NameTables};
use taavon_app::{AppError, DuplicateRule};
use taavon_core::access::{self, CooperativeScope, EntryRoute, Principal};
use taavon_core::applications::{ApplicationState, state_name_en, state_name_fa};
use taavon_core::awards::EntryStatus;
use taavon_core::awards::festival::{RoundAction, RoundKind, RoundState};
use taavon_core::awards::publication::ScoreBand;
use taavon_core::events::EventType;
use taavon_core::loans::product::ContractType;
use taavon_core::loans::schedule::{GraceMode, Method};
use taavon_core::programs::ApplicantKind;
use taavon_core::reference::ReferenceData;
use taavon_core::registry::{CooperativeKind, CooperativeStatus, Gender};
use taavon_core::services::{Provider, ServiceKind};

use super::i18n::Lang;

/// Code → (Persian, English) for the reference tables a page shows.
pub struct Names {
    provinces: HashMap<String, (String, String)>,
    counties: HashMap<String, (String, String)>,
    sectors: HashMap<String, (String, String)>,
    programs: HashMap<String, (String, String)>,
}

impl Names {
    /// The names as `reader` may read them (reference data: anyone).
    pub async fn load(store: &Store, reader: &Principal) -> Result<Self, AppError> {
        let mut names = Self::new(reference::name_tables(store, Some(reader)).await?);
        names.programs = taavon_app::programs::list_programs(store, reader)
            .await?
            .into_iter()
            .map(|p| (p.code, (p.name_fa, p.name_en)))
            .collect();
        Ok(names)
    }

    pub fn new(tables: NameTables) -> Self {
        let NameTables {
            provinces,
            counties,
            sectors,
        } = tables;
        Self {
            provinces: provinces
                .into_iter()
                .map(|p| (p.code, (p.name_fa, p.name_en)))
                .collect(),
            counties: counties
                .into_iter()
                .map(|c| (c.code, (c.name_fa, c.name_en)))
                .collect(),
            sectors: sectors
                .into_iter()
                .map(|s| (s.code, (s.name_fa, s.name_en)))
                .collect(),
            programs: HashMap::new(),
        }
    }

    pub fn province(&self, lang: Lang, code: &str) -> String {
        pick(lang, self.provinces.get(code), code)
    }

    pub fn county(&self, lang: Lang, code: &str) -> String {
        pick(lang, self.counties.get(code), code)
    }

    pub fn sector(&self, lang: Lang, code: &str) -> String {
        pick(lang, self.sectors.get(code), code)
    }

    /// A program by its code (`note18` → its name).
    pub fn program(&self, lang: Lang, code: &str) -> String {
        pick(lang, self.programs.get(code), code)
    }
}

fn pick(lang: Lang, names: Option<&(String, String)>, code: &str) -> String {
    names.map_or_else(|| code.to_owned(), |(fa, en)| lang.pick(fa, en).to_owned())
}

/// A kind of service delivered.
pub fn service_kind(lang: Lang, kind: ServiceKind) -> String {
    let (fa, en) = match kind {
        ServiceKind::TrainingCourse => ("دوره آموزشی", "Training course"),
        ServiceKind::HousingUnit => ("واحد مسکونی", "Housing unit"),
        ServiceKind::InsuranceEnrolment => ("ثبت‌نام بیمه", "Insurance enrolment"),
        ServiceKind::PensionPayment => ("پرداخت مستمری", "Pension payment"),
        ServiceKind::WelfarePayment => ("کمک معیشتی", "Welfare payment"),
        ServiceKind::TechnicalAssistance => ("کمک فنی", "Technical assistance"),
        ServiceKind::BankFacility => ("تسهیلات بانکی", "Bank facility"),
    };
    lang.pick(fa, en).to_owned()
}

/// A cooperative's type.
pub fn kind(lang: Lang, kind: CooperativeKind) -> String {
    let (fa, en) = match kind {
        CooperativeKind::Production => ("تولیدی", "Production"),
        CooperativeKind::Service => ("خدماتی", "Service"),
        CooperativeKind::Distribution => ("توزیعی", "Distribution"),
        CooperativeKind::Consumer => ("مصرف", "Consumer"),
        CooperativeKind::Housing => ("مسکن", "Housing"),
        CooperativeKind::Multipurpose => ("چندمنظوره", "Multipurpose"),
    };
    lang.pick(fa, en).to_owned()
}

/// An application's state by name.
pub fn application_state(lang: Lang, state: ApplicationState) -> String {
    lang.pick(state_name_fa(state), state_name_en(state))
        .to_owned()
}

/// A cooperative's status by name.
pub fn cooperative_status(lang: Lang, status: CooperativeStatus) -> String {
    let (fa, en) = match status {
        CooperativeStatus::Forming => ("در حال تشکیل", "Forming"),
        CooperativeStatus::Registered => ("ثبت‌شده", "Registered"),
        CooperativeStatus::Active => ("فعال", "Active"),
        CooperativeStatus::Suspended => ("تعلیق‌شده", "Suspended"),
        CooperativeStatus::Dissolved => ("منحل‌شده", "Dissolved"),
    };
    lang.pick(fa, en).to_owned()
}

/// A cooperative's, a formation's or an application's status, by its code (the codes
/// the filters offer, which mix them).
pub fn status(lang: Lang, code: &str) -> String {
    if let Some(state) = ApplicationState::parse(code) {
        return application_state(lang, state);
    }
    CooperativeStatus::parse(code).map_or_else(
        || code.to_owned(),
        |status| cooperative_status(lang, status),
    )
}

/// A person's gender.
pub fn gender(lang: Lang, gender: Gender) -> String {
    let (fa, en) = match gender {
        Gender::Female => ("زن", "Female"),
        Gender::Male => ("مرد", "Male"),
    };
    lang.pick(fa, en).to_owned()
}

/// One likely duplicate, as its flag names it: the rule, and the record it points to
/// when the reader may read it (the app leaves only `outside_scope` otherwise).
pub fn duplicate_flag(lang: Lang, flag: &serde_json::Value) -> String {
    let (fa, en) = match DuplicateRule::of_flag(flag) {
        Some(DuplicateRule::SameApplicantAndProgram) => (
            "درخواست دیگر همین متقاضی در همین برنامه",
            "Another application of this applicant under this program",
        ),
        Some(DuplicateRule::SameLegalId) => (
            "تعاونی دیگری با همین شناسه ملی",
            "Another cooperative with this legal ID",
        ),
        Some(DuplicateRule::FounderOnFormingCooperative) => (
            "بنیان‌گذار تعاونی دیگری در حال تشکیل",
            "A founder of another cooperative being formed",
        ),
        None => ("مورد تکراری احتمالی", "A likely duplicate"),
    };
    let record = ["application_id", "cooperative_id"]
        .into_iter()
        .find_map(|key| flag[key].as_i64());
    match record {
        Some(id) => format!(
            "{} ({} {})",
            lang.pick(fa, en),
            lang.pick("شماره", "no."),
            lang.digits(&id.to_string())
        ),
        None => format!(
            "{} — {}",
            lang.pick(fa, en),
            lang.pick("خارج از حوزه دسترسی شما", "outside your scope")
        ),
    }
}

/// The names compiled into the build for the codes no one edits at runtime (provinces,
/// banks, branches, agencies): the same for every reader, and wanted where no store is
/// at hand (the role badge of every page).
static BUNDLED: LazyLock<HashMap<String, (String, String)>> = LazyLock::new(|| {
    let Ok(data) = ReferenceData::bundled() else {
        return HashMap::new();
    };
    let provinces = data
        .provinces
        .into_iter()
        .map(|p| (p.code.as_str().to_owned(), (p.name_fa, p.name_en)));
    let banks = data
        .banks
        .into_iter()
        .map(|b| (format!("bank:{}", b.code), (b.name_fa, b.name_en)));
    let branches = data
        .branches
        .into_iter()
        .map(|b| (format!("branch:{}", b.code), (b.name_fa, b.name_en)));
    let agencies = data
        .agencies
        .into_iter()
        .map(|a| (format!("agency:{}", a.code), (a.name_fa, a.name_en)));
    provinces
        .chain(banks)
        .chain(branches)
        .chain(agencies)
        .collect()
});

fn bundled(lang: Lang, key: &str, code: &str) -> String {
    pick(lang, BUNDLED.get(key), code)
}

/// A province by its ISO code (`IR-16` → «ایلام»).
pub fn province_name(lang: Lang, code: &str) -> String {
    bundled(lang, code, code)
}

/// A bank by its Sheba bank code (`022` → «بانک توسعه تعاون»).
pub fn bank(lang: Lang, code: &str) -> String {
    bundled(lang, &format!("bank:{code}"), code)
}

/// A branch by its code (`022-16`).
pub fn branch(lang: Lang, code: &str) -> String {
    bundled(lang, &format!("branch:{code}"), code)
}

/// An agency by its code (`sso` → «سازمان تأمین اجتماعی»).
pub fn agency(lang: Lang, code: &str) -> String {
    bundled(lang, &format!("agency:{code}"), code)
}

/// Who delivered a service: an agency or a bank, by name.
pub fn provider(lang: Lang, provider: &Provider) -> String {
    match provider {
        Provider::Agency(code) => agency(lang, code),
        Provider::Bank(code) => bank(lang, code),
    }
}

/// A loan's contract type (`murabaha` → «مرابحه»).
pub fn contract_type(lang: Lang, kind: ContractType) -> String {
    lang.pick(kind.name_fa(), kind.name_en()).to_owned()
}

/// An event type other systems are told of (`loan.repaid` → «بازپرداخت تسهیلات»).
pub fn event_type(lang: Lang, kind: EventType) -> &'static str {
    let fa = match kind {
        EventType::ApplicationSubmitted => "ثبت درخواست تسهیلات",
        EventType::ApplicationApproved => "تأیید درخواست",
        EventType::ApplicationRejected => "رد درخواست",
        EventType::ApplicationReferred => "ارجاع درخواست به بانک",
        EventType::ApplicationBankApproved => "تأیید درخواست در بانک",
        EventType::LoanContracted => "انعقاد قرارداد تسهیلات",
        EventType::LoanDisbursed => "پرداخت مرحله‌ای از تسهیلات",
        EventType::LoanRepaid => "بازپرداخت تسهیلات",
        EventType::LoanReversed => "برگشت تراکنش تسهیلات",
        EventType::LoanSettled => "تسویه پیش از موعد تسهیلات",
        EventType::LoanRescheduled => "استمهال تسهیلات",
        EventType::LoanClassChanged => "تغییر طبقه تسهیلات در پایان روز",
        EventType::FundDeposited => "واریز به صندوق",
        EventType::SupportRequestRouted => "ثبت و ارجاع درخواست حمایت",
        EventType::SupportRequestAnswered => "پاسخ به درخواست حمایت",
        EventType::JobVerified => "تأیید اشتغال با فهرست بیمه",
        EventType::AwardPublished => "انتشار نتایج جشنواره",
    };
    lang.pick(fa, kind.description_en())
}

/// A festival's round (`provincial` → «استانی»).
pub fn award_round(lang: Lang, kind: RoundKind) -> &'static str {
    match kind {
        RoundKind::Provincial => lang.pick("استانی", "Provincial"),
        RoundKind::National => lang.pick("ملی", "National"),
    }
}

/// Where a festival's round stands (`judging` → «در حال داوری»).
pub fn award_round_state(lang: Lang, state: RoundState) -> &'static str {
    match state {
        RoundState::OpenForEntries => lang.pick("ثبت‌نام", "Open for entries"),
        RoundState::Judging => lang.pick("در حال داوری", "Judging"),
        RoundState::Closed => lang.pick("بسته (نتایج منتشر نشده)", "Closed, not yet published"),
        RoundState::Published => lang.pick("نتایج منتشر شده", "Results published"),
    }
}

/// A move of a festival's round, as its button says it.
pub fn award_round_action(lang: Lang, action: RoundAction) -> &'static str {
    match action {
        RoundAction::StartJudging => lang.pick("آغاز داوری", "Start judging"),
        RoundAction::Close => lang.pick("بستن داوری و رتبه‌بندی", "Close judging and rank"),
        RoundAction::Publish => lang.pick(
            "انتشار نتایج و صدور گواهی‌ها",
            "Publish the results and issue certificates",
        ),
    }
}

/// A published score's band (`very_good` → «بسیار خوب»).
pub fn award_band(lang: Lang, band: ScoreBand) -> &'static str {
    lang.pick(band.name_fa(), band.name_en())
}

/// An entry's standing in a closed round.
pub fn award_entry_status(lang: Lang, status: EntryStatus, winner: bool) -> &'static str {
    match (status, winner) {
        (EntryStatus::Ranked, true) => lang.pick("برگزیده", "Winner"),
        (EntryStatus::Ranked, false) => lang.pick("رتبه‌بندی‌شده", "Ranked"),
        (EntryStatus::Incomplete, _) => lang.pick("داوری ناتمام", "Judging incomplete"),
    }
}

/// How an entry came in (`nominated` → «معرفی اداره کل»).
pub fn award_entry_route(lang: Lang, route: EntryRoute) -> &'static str {
    match route {
        EntryRoute::Entered => lang.pick("ثبت‌نام تعاونی", "Entered by the cooperative"),
        EntryRoute::Nominated => lang.pick("معرفی اداره کل", "Nominated by an officer"),
    }
}

/// A judge's panel (`IR-16` → «هیئت داوران استان ایلام»).
pub fn judge_panel(lang: Lang, panel: Option<&str>) -> String {
    match panel {
        Some(province) => format!(
            "{} {}",
            lang.pick("هیئت داوران استان", "Provincial panel,"),
            province_name(lang, province)
        ),
        None => lang.pick("هیئت داوران ملی", "National panel").to_owned(),
    }
}

/// Every audit action an officer may meet: code, Persian, English.
pub const AUDIT_ACTIONS: [(&str, &str, &str); 60] = [
    (
        "allocation.round",
        "ثبت دور تخصیص",
        "Allocation round recorded",
    ),
    (
        "application.bulk_create",
        "ورود گروهی درخواست‌ها",
        "Applications imported",
    ),
    (
        "application.create",
        "ثبت درخواست تسهیلات",
        "Application drafted",
    ),
    (
        "application.transition",
        "تغییر وضعیت درخواست",
        "Application moved",
    ),
    (
        "award_assignment.assign",
        "گماردن داوران پرونده جشنواره",
        "Judges assigned to an entry",
    ),
    (
        "award_assignment.remove",
        "برکناری داور به سبب تعارض منافع",
        "Judge taken off for a conflict",
    ),
    (
        "award_certificate.issue",
        "صدور گواهی تعاونگر برتر",
        "Certificate issued",
    ),
    (
        "award_entry.admit_national",
        "پذیرش برگزیدگان استانی در دور ملی",
        "Provincial winners admitted nationally",
    ),
    (
        "award_entry.create",
        "ثبت پرونده جشنواره",
        "Festival entry recorded",
    ),
    (
        "award_festival.create",
        "تعریف جشنواره تعاونگران برتر",
        "Festival set up",
    ),
    (
        "award_judge.appoint",
        "انتصاب داور جشنواره",
        "Judge appointed",
    ),
    ("award_marks.put", "نمره‌دهی داور", "Marks kept"),
    (
        "award_marks.submit",
        "فرستادن نهایی نمره‌ها",
        "Marks submitted",
    ),
    (
        "award_results.record",
        "ثبت رتبه‌بندی دور جشنواره",
        "Round results recorded",
    ),
    (
        "award_round.move",
        "تغییر وضعیت دور جشنواره",
        "Festival round moved",
    ),
    ("business_date.set", "تعیین تاریخ کاری", "Business date set"),
    ("client.create", "ثبت مددجو", "Client registered"),
    (
        "cooperative.bulk_create",
        "ورود گروهی تعاونی‌ها",
        "Cooperatives imported",
    ),
    ("cooperative.create", "ثبت تعاونی", "Cooperative registered"),
    ("cooperative.update", "ویرایش تعاونی", "Cooperative edited"),
    (
        "eod.batch",
        "بستن روز (دسته‌ای از تسهیلات)",
        "End of day (a batch of loans)",
    ),
    (
        "eod.portfolio",
        "بستن روز (خلاصه سبد)",
        "End of day (portfolio)",
    ),
    (
        "formation.decide",
        "تصمیم درباره تشکیل",
        "Formation decided",
    ),
    (
        "formation.submit",
        "درخواست تشکیل تعاونی",
        "Formation submitted",
    ),
    ("holiday.create", "ثبت تعطیلی", "Holiday added"),
    ("ledger.transfers", "انتقال‌های دفتر کل", "Ledger transfers"),
    ("ledger.accounts", "حساب‌های دفتر کل", "Ledger accounts"),
    ("loan.bulk_create", "ورود گروهی تسهیلات", "Loans imported"),
    ("loan.contract", "انعقاد قرارداد تسهیلات", "Loan contracted"),
    ("loan.reschedule", "استمهال تسهیلات", "Loan rescheduled"),
    ("loan.transaction", "تراکنش تسهیلات", "Loan transaction"),
    ("loan.update", "به‌روزرسانی تسهیلات", "Loan updated"),
    (
        "loan_proposal.create",
        "پیشنهاد اقدام بانکی",
        "Bank action proposed",
    ),
    (
        "loan_proposal.execute",
        "اجرای پیشنهاد بانکی",
        "Bank action executed",
    ),
    (
        "loan_proposal.reject",
        "رد پیشنهاد بانکی",
        "Bank action rejected",
    ),
    (
        "membership.bulk_create",
        "ورود گروهی اعضا",
        "Members imported",
    ),
    ("membership.create", "ثبت عضو", "Member added"),
    ("person.bulk_create", "ورود گروهی اشخاص", "People imported"),
    ("person.create", "ثبت شخص", "Person registered"),
    (
        "program.budgets",
        "تعیین بودجه برنامه",
        "Program budgets set",
    ),
    ("program.create", "ایجاد برنامه", "Program created"),
    ("program.update", "ویرایش برنامه", "Program edited"),
    (
        "reference.load",
        "بارگذاری اطلاعات پایه",
        "Reference data loaded",
    ),
    ("share.entry", "ثبت سهم", "Share entry"),
    ("service.record", "ثبت خدمت ارائه‌شده", "Services recorded"),
    (
        "service_import.create",
        "بارگذاری فایل خدمات",
        "Services file imported",
    ),
    (
        "support_request.file",
        "ثبت درخواست حمایت",
        "Support request filed",
    ),
    (
        "support_request.assign",
        "واگذاری درخواست حمایت",
        "Support request assigned",
    ),
    (
        "support_request.move",
        "تغییر وضعیت درخواست حمایت",
        "Support request moved",
    ),
    (
        "support_request.message",
        "پیام درخواست حمایت",
        "Support request message",
    ),
    (
        "support_request.rate",
        "امتیاز به درخواست حمایت",
        "Support request rated",
    ),
    (
        "support_request.attach",
        "پیوست درخواست حمایت",
        "Support request attachment",
    ),
    (
        "support_request.escalate",
        "ارجاع درخواست حمایت به سطح بالاتر",
        "Support request escalated",
    ),
    (
        "support_routing.set",
        "تعیین مسیر درخواست‌های حمایت",
        "Support routing set",
    ),
    (
        "support_topic.put",
        "تعریف موضوع درخواست حمایت",
        "Support topic kept",
    ),
    (
        "tiers.import",
        "ورود سطح‌بندی شهرستان‌ها",
        "County tiers imported",
    ),
    ("user.create", "ایجاد کاربر", "User created"),
    ("user.login", "ورود به سامانه", "Logged in"),
    ("user.login_failed", "ورود ناموفق", "Failed login"),
    ("user.logout", "خروج از سامانه", "Logged out"),
];

/// Every kind of record the audit trail names: code, Persian, English.
pub const AUDIT_ENTITIES: [(&str, &str, &str); 26] = [
    ("application", "درخواست", "Application"),
    ("award_entry", "پرونده جشنواره", "Festival entry"),
    ("award_festival", "جشنواره تعاونگران برتر", "Festival"),
    ("award_judge", "داور جشنواره", "Festival judge"),
    ("award_round", "دور جشنواره", "Festival round"),
    ("business_date", "تاریخ کاری", "Business date"),
    ("client", "مددجو", "Client"),
    ("cooperative", "تعاونی", "Cooperative"),
    ("formation", "تشکیل", "Formation"),
    ("holiday", "تعطیلی", "Holiday"),
    ("ledger", "دفتر کل", "Ledger"),
    ("loan", "تسهیلات", "Loan"),
    ("loan_proposal", "پیشنهاد بانکی", "Bank proposal"),
    ("membership", "عضویت", "Membership"),
    ("person", "شخص", "Person"),
    ("program", "برنامه", "Program"),
    ("reference", "اطلاعات پایه", "Reference data"),
    ("round", "دور تخصیص", "Allocation round"),
    ("allocation", "دور تخصیص", "Allocation round"),
    ("share", "سهم", "Share"),
    ("support_request", "درخواست حمایت", "Support request"),
    (
        "support_routing_rule",
        "مسیر درخواست حمایت",
        "Support routing rule",
    ),
    ("support_topic", "موضوع درخواست حمایت", "Support topic"),
    ("tiers", "سطح‌بندی", "Tiers"),
    ("user", "کاربر", "User"),
    ("eod", "بستن روز", "End of day"),
];

/// What an audit record says was done (`loan.transaction`), as an officer reads it; an
/// action this table does not know is `None` (the page shows its code marked `ltr`).
pub fn audit_action(lang: Lang, code: &str) -> Option<&'static str> {
    labelled(lang, &AUDIT_ACTIONS, code)
}

/// The record an audit entry is about when its id is a code, not a number: a support
/// routing rule (`training/IR-16`) reads as its kind and province, a support topic as its
/// kind alone (the topics are data, named on the support pages); `None` for the records
/// known by number.
pub fn audit_coded_target(lang: Lang, entity: &str, id: &str) -> Option<String> {
    let label = audit_entity(lang, entity)?;
    match entity {
        "support_routing_rule" => Some(match id.rsplit_once('/') {
            Some((_, province)) => format!(
                "{label}{}{}",
                lang.pick("، ", ", "),
                province_name(lang, province)
            ),
            None => label.to_owned(),
        }),
        "support_topic" => Some(label.to_owned()),
        // A festival's round is `{festival id}/{round}`: the round by its label.
        "award_round" => Some(match id.split_once('/') {
            Some((festival, kind)) => format!(
                "{label} {} ({})",
                RoundKind::parse(kind).map_or("", |k| award_round(lang, k)),
                lang.digits(festival)
            ),
            None => label.to_owned(),
        }),
        // A judge's appointment is `{festival id}/{user id}`, both numbers.
        "award_judge" => Some(format!("{label} {}", lang.digits(id))),
        _ => None,
    }
}

/// The kind of record an audit entry is about (`loan_proposal`); `None` when unknown.
pub fn audit_entity(lang: Lang, code: &str) -> Option<&'static str> {
    labelled(lang, &AUDIT_ENTITIES, code)
}

fn labelled(
    lang: Lang,
    table: &[(&str, &'static str, &'static str)],
    code: &str,
) -> Option<&'static str> {
    table
        .iter()
        .find(|(known, _, _)| *known == code)
        .map(|(_, fa, en)| lang.pick(fa, en))
}

/// Who did it, from an audit actor (`user:1:admin`, `system:demo`): the login name of a
/// user, or the system's part in words.
pub fn audit_actor(lang: Lang, actor: &str) -> (String, bool) {
    let mut parts = actor.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("user"), Some(_), Some(name)) => (name.to_owned(), true),
        (Some("system"), _, _) => (lang.pick("سامانه", "The system").to_owned(), false),
        _ => (actor.to_owned(), true),
    }
}

/// Who may apply to a program (`artisan` → «صنعتگر»).
pub fn applicant_kind(lang: Lang, code: &str) -> String {
    let (fa, en) = match ApplicantKind::parse(code) {
        Some(ApplicantKind::Cooperative) => ("تعاونی", "Cooperative"),
        Some(ApplicantKind::Artisan) => ("صنعتگر", "Artisan"),
        Some(ApplicantKind::Welfare) => ("مددجوی بهزیستی", "Welfare client"),
        None => (code, code),
    };
    lang.pick(fa, en).to_owned()
}

/// What happens to a grace period's profit (`paid`, `capitalized`, `spread`).
pub fn grace_mode(lang: Lang, mode: GraceMode) -> String {
    let (fa, en) = match mode {
        GraceMode::Paid => ("در دوره تنفس پرداخت می‌شود", "Paid during the grace period"),
        GraceMode::Capitalized => ("به اصل افزوده می‌شود", "Added to the principal"),
        GraceMode::Spread => ("در اقساط پخش می‌شود", "Spread over the installments"),
    };
    lang.pick(fa, en).to_owned()
}

/// How installments are computed (`annuity`, `equal_principal`).
pub fn method(lang: Lang, method: Method) -> String {
    let (fa, en) = match method {
        Method::Annuity => ("اقساط مساوی", "Equal installments (annuity)"),
        Method::EqualPrincipal => ("اصل مساوی در هر قسط", "Equal principal"),
    };
    lang.pick(fa, en).to_owned()
}

/// The area a user's scope covers, in words: the nation, its provinces, or its one
/// cooperative.
pub(super) fn scope_text(lang: Lang, principal: &Principal) -> String {
    match access::cooperative_scope(principal) {
        CooperativeScope::All => lang.text().nation.to_owned(),
        CooperativeScope::Provinces(list) => list
            .iter()
            .map(|code| province_name(lang, code.as_str()))
            .collect::<Vec<_>>()
            .join(lang.pick("، ", ", ")),
        CooperativeScope::One(id) => format!(
            "{} {}{}",
            lang.text().nav_cooperatives,
            lang.text().number_sign,
            lang.digits(&id.to_string())
        ),
        CooperativeScope::None => "—".to_owned(),
    }
}
