//! Names for the codes stored in records: provinces, counties, sectors, cooperative types
//! and statuses, in the reader's language.

use std::collections::HashMap;

use taavon_app::AppError;
use taavon_app::Store;
use taavon_app::reference::{self, NameTables};
use taavon_core::access::Principal;
use taavon_core::applications::{ApplicationState, state_name_en, state_name_fa};
use taavon_core::registry::{CooperativeKind, CooperativeStatus, Gender};

use super::i18n::Lang;

/// Code → (Persian, English) for the reference tables a page shows.
pub struct Names {
    provinces: HashMap<String, (String, String)>,
    counties: HashMap<String, (String, String)>,
    sectors: HashMap<String, (String, String)>,
}

impl Names {
    /// The names as `reader` may read them (reference data: anyone).
    pub async fn load(store: &Store, reader: &Principal) -> Result<Self, AppError> {
        Ok(Self::new(
            reference::name_tables(store, Some(reader)).await?,
        ))
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
}

fn pick(lang: Lang, names: Option<&(String, String)>, code: &str) -> String {
    names.map_or_else(|| code.to_owned(), |(fa, en)| lang.pick(fa, en).to_owned())
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
    let (fa, en) = match flag["rule"].as_str().unwrap_or_default() {
        "same_applicant_and_program" => (
            "درخواست دیگر همین متقاضی در همین برنامه",
            "Another application of this applicant under this program",
        ),
        "same_legal_id" => (
            "تعاونی دیگری با همین شناسه ملی",
            "Another cooperative with this legal ID",
        ),
        "founder_on_forming_cooperative" => (
            "بنیان‌گذار تعاونی دیگری در حال تشکیل",
            "A founder of another cooperative being formed",
        ),
        _ => ("مورد تکراری احتمالی", "A likely duplicate"),
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
