//! The one label table of the UI: every code a record holds — provinces, counties,
//! sectors, banks and branches, agencies, cooperative types and statuses, contract types,
//! loan classes, application moves, audit entities and actions — named in the reader's
//! language. A page never shows a code; a code this table does not know is shown as
//! itself only inside `dir="ltr"` (the acceptance test looks for any that leak).

use std::collections::HashMap;
use std::sync::LazyLock;

use taavon_app::AppError;
use taavon_app::Store;
use taavon_app::reference::{self, NameTables};
use taavon_core::access::Principal;
use taavon_core::applications::{ApplicationState, state_name_en, state_name_fa};
use taavon_core::reference::ReferenceData;

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
pub fn kind(lang: Lang, code: &str) -> String {
    let (fa, en) = match code {
        "production" => ("تولیدی", "Production"),
        "service" => ("خدماتی", "Service"),
        "distribution" => ("توزیعی", "Distribution"),
        "consumer" => ("مصرف", "Consumer"),
        "housing" => ("مسکن", "Housing"),
        "multipurpose" => ("چندمنظوره", "Multipurpose"),
        other => (other, other),
    };
    lang.pick(fa, en).to_owned()
}

/// A cooperative's or an application's status.
pub fn status(lang: Lang, code: &str) -> String {
    if let Some(state) = ApplicationState::parse(code) {
        return lang
            .pick(state_name_fa(state), state_name_en(state))
            .to_owned();
    }
    let (fa, en) = match code {
        "forming" => ("در حال تشکیل", "Forming"),
        "registered" => ("ثبت‌شده", "Registered"),
        "active" => ("فعال", "Active"),
        "suspended" => ("تعلیق‌شده", "Suspended"),
        "dissolved" => ("منحل‌شده", "Dissolved"),
        other => (other, other),
    };
    lang.pick(fa, en).to_owned()
}

/// A person's gender.
pub fn gender(lang: Lang, code: &str) -> String {
    let (fa, en) = match code {
        "female" => ("زن", "Female"),
        "male" => ("مرد", "Male"),
        other => (other, other),
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
    provinces.chain(banks).chain(branches).chain(agencies).collect()
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
