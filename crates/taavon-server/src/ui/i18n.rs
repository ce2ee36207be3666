//! The UI's words in Persian (the default) and English (the second locale).

use axum::http::header::COOKIE;
use axum::http::request::Parts;

/// The two UI locales.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Fa,
    En,
}

/// The cookie that remembers a visitor's language; it is not a session.
pub const LANG_COOKIE: &str = "taavon_lang";

impl Lang {
    /// The language a request asks for: the `taavon_lang` cookie, else Persian.
    pub fn of(parts: &Parts) -> Self {
        let wants_english = parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|cookies| cookies.split(';'))
            .any(|cookie| cookie.trim() == format!("{LANG_COOKIE}=en"));
        if wants_english { Lang::En } else { Lang::Fa }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fa => "fa",
            Lang::En => "en",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Lang::Fa => "rtl",
            Lang::En => "ltr",
        }
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::Fa => &FA,
            Lang::En => &EN,
        }
    }

    /// Digits as this locale writes them.
    pub fn digits(self, text: &str) -> String {
        match self {
            Lang::Fa => taavon_core::digits::to_persian_digits(text),
            Lang::En => text.to_owned(),
        }
    }

    /// A whole number with thousands separators in this locale's digits.
    pub fn number(self, value: i64) -> String {
        taavon_core::money::format_number(value, self.locale())
    }

    pub fn locale(self) -> taavon_core::locale::Locale {
        match self {
            Lang::Fa => taavon_core::locale::Locale::Fa,
            Lang::En => taavon_core::locale::Locale::En,
        }
    }

    /// Picks the Persian or English form of a name.
    pub fn pick<'a>(self, fa: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fa => fa,
            Lang::En => en,
        }
    }
}

/// Every UI string, once per locale.
pub struct Text {
    pub search: &'static str,
    pub search_hint: &'static str,
    pub any: &'static str,
    pub new_cooperative: &'static str,
    pub save: &'static str,
    pub share_register: &'static str,
    pub subscribed: &'static str,
    pub paid: &'static str,
    pub entry_kind: &'static str,
    pub date: &'static str,
    pub formations_title: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub reason: &'static str,
    pub duplicate_flags: &'static str,
    pub form_has_errors: &'static str,
    pub county_code: &'static str,
    pub nav_formations: &'static str,
    pub app_name: &'static str,
    pub app_tagline: &'static str,
    pub nav_home: &'static str,
    pub nav_provinces: &'static str,
    pub nav_cooperatives: &'static str,
    pub nav_audit: &'static str,
    pub nav_api: &'static str,
    pub login: &'static str,
    pub logout: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_title: &'static str,
    pub login_failed: &'static str,
    pub login_throttled: &'static str,
    pub other_language: &'static str,
    pub provinces_title: &'static str,
    pub province: &'static str,
    pub county: &'static str,
    pub counties: &'static str,
    pub population_1395: &'static str,
    pub underprivileged_counties: &'static str,
    pub tier: &'static str,
    pub tier_note: &'static str,
    pub map_label: &'static str,
    pub map_legend: &'static str,
    pub osm_credit: &'static str,
    pub cooperatives_title: &'static str,
    pub name: &'static str,
    pub kind: &'static str,
    pub sector: &'static str,
    pub status: &'static str,
    pub women_led: &'static str,
    pub legal_id: &'static str,
    pub registration_number: &'static str,
    pub founded_on: &'static str,
    pub members: &'static str,
    pub gender: &'static str,
    pub national_code: &'static str,
    pub applications: &'static str,
    pub program: &'static str,
    pub amount_rial: &'static str,
    pub jobs: &'static str,
    pub women_jobs: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub none_in_scope: &'static str,
    pub total: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub audit_title: &'static str,
    pub audit_intact: &'static str,
    pub audit_broken: &'static str,
    pub at: &'static str,
    pub actor: &'static str,
    pub action: &'static str,
    pub entity: &'static str,
    pub welcome: &'static str,
    pub your_role: &'static str,
    pub your_scope: &'static str,
    pub nation: &'static str,
    pub cooperatives_in_scope: &'static str,
    pub not_found: &'static str,
    pub forbidden: &'static str,
    pub error: &'static str,
}

pub static FA: Text = Text {
    search: "جست‌وجو",
    search_hint: "نام، شناسه ملی، شماره ثبت یا کد ملی عضو",
    any: "همه",
    new_cooperative: "ثبت تعاونی",
    save: "ذخیره",
    share_register: "دفتر سرمایه",
    subscribed: "سرمایه تعهدی",
    paid: "سرمایه پرداختی",
    entry_kind: "نوع ثبت",
    date: "تاریخ",
    formations_title: "درخواست‌های تشکیل تعاونی",
    approve: "تأیید",
    reject: "رد",
    reason: "دلیل",
    duplicate_flags: "موارد تکراری احتمالی",
    form_has_errors: "برخی فیلدها نادرست است؛ پیام زیر هر فیلد را ببینید.",
    county_code: "کد شهرستان",
    nav_formations: "تشکیل تعاونی",
    app_name: "تعاون",
    app_tagline: "سامانه یکپارچه تعاونی‌ها، تسهیلات و منابع",
    nav_home: "پیشخوان",
    nav_provinces: "استان‌ها",
    nav_cooperatives: "تعاونی‌ها",
    nav_audit: "ردپای تغییرات",
    nav_api: "رابط برنامه‌نویسی",
    login: "ورود",
    logout: "خروج",
    username: "نام کاربری",
    password: "گذرواژه",
    login_title: "ورود به سامانه",
    login_failed: "نام کاربری یا گذرواژه درست نیست.",
    login_throttled: "تلاش‌های ناموفق زیاد بوده است؛ پانزده دقیقه دیگر دوباره بکوشید.",
    other_language: "English",
    provinces_title: "استان‌ها",
    province: "استان",
    county: "شهرستان",
    counties: "شهرستان‌ها",
    population_1395: "جمعیت (سرشماری ۱۳۹۵)",
    underprivileged_counties: "شهرستان‌های کم‌برخوردار",
    tier: "سطح برخورداری",
    tier_note: "سطح ۱ کم‌برخوردارترین و سطح ۴ برخوردارترین است؛ سطح‌های ۱ و ۲ کم‌برخوردار شمرده می‌شوند.",
    map_label: "نقشه استان‌های ایران بر پایه سهم شهرستان‌های کم‌برخوردار",
    map_legend: "رنگ تیره‌تر: سهم بیشتر شهرستان‌های کم‌برخوردار",
    osm_credit: "© OpenStreetMap contributors",
    cooperatives_title: "تعاونی‌ها",
    name: "نام",
    kind: "نوع",
    sector: "بخش",
    status: "وضعیت",
    women_led: "مدیریت زنان",
    legal_id: "شناسه ملی",
    registration_number: "شماره ثبت",
    founded_on: "تاریخ تأسیس",
    members: "اعضا",
    gender: "جنسیت",
    national_code: "کد ملی",
    applications: "درخواست‌های تسهیلات",
    program: "برنامه",
    amount_rial: "مبلغ (ریال)",
    jobs: "اشتغال",
    women_jobs: "اشتغال زنان",
    yes: "بله",
    no: "خیر",
    none_in_scope: "در محدوده دسترسی شما موردی نیست.",
    total: "جمع",
    previous: "قبلی",
    next: "بعدی",
    audit_title: "ردپای تغییرات",
    audit_intact: "زنجیره ردپا سالم است",
    audit_broken: "زنجیره ردپا گسسته است",
    at: "زمان",
    actor: "کاربر",
    action: "کنش",
    entity: "موضوع",
    welcome: "خوش آمدید",
    your_role: "نقش شما",
    your_scope: "محدوده دسترسی",
    nation: "سراسر کشور",
    cooperatives_in_scope: "تعاونی‌های در محدوده شما",
    not_found: "چنین صفحه‌ای نیست، یا در محدوده دسترسی شما نیست.",
    forbidden: "شما اجازه دیدن این صفحه را ندارید.",
    error: "خطایی رخ داد؛ دوباره بکوشید.",
};

pub static EN: Text = Text {
    search: "Search",
    search_hint: "Name, legal ID, registration number or a member's national code",
    any: "Any",
    new_cooperative: "Register a cooperative",
    save: "Save",
    share_register: "Share-capital register",
    subscribed: "Subscribed",
    paid: "Paid in",
    entry_kind: "Entry",
    date: "Date",
    formations_title: "Formation applications",
    approve: "Approve",
    reject: "Reject",
    reason: "Reason",
    duplicate_flags: "Likely duplicates",
    form_has_errors: "Some fields are wrong; see the message under each.",
    county_code: "County code",
    nav_formations: "Formations",
    app_name: "Taavon",
    app_tagline: "Cooperatives, facilities and pooled resources in one system",
    nav_home: "Dashboard",
    nav_provinces: "Provinces",
    nav_cooperatives: "Cooperatives",
    nav_audit: "Audit trail",
    nav_api: "API",
    login: "Log in",
    logout: "Log out",
    username: "User name",
    password: "Password",
    login_title: "Log in",
    login_failed: "Wrong user name or password.",
    login_throttled: "Too many failed attempts; try again in fifteen minutes.",
    other_language: "فارسی",
    provinces_title: "Provinces",
    province: "Province",
    county: "County",
    counties: "Counties",
    population_1395: "Population (1395 census)",
    underprivileged_counties: "Underprivileged counties",
    tier: "Tier",
    tier_note: "Tier 1 is the most underprivileged and tier 4 the least; tiers 1 and 2 count as underprivileged.",
    map_label: "Map of Iran's provinces by share of underprivileged counties",
    map_legend: "Darker: a larger share of underprivileged counties",
    osm_credit: "© OpenStreetMap contributors",
    cooperatives_title: "Cooperatives",
    name: "Name",
    kind: "Type",
    sector: "Sector",
    status: "Status",
    women_led: "Women-led",
    legal_id: "Legal ID",
    registration_number: "Registration no.",
    founded_on: "Founded",
    members: "Members",
    gender: "Gender",
    national_code: "National code",
    applications: "Facility applications",
    program: "Program",
    amount_rial: "Amount (rials)",
    jobs: "Jobs",
    women_jobs: "Women's jobs",
    yes: "Yes",
    no: "No",
    none_in_scope: "Nothing within your scope.",
    total: "Total",
    previous: "Previous",
    next: "Next",
    audit_title: "Audit trail",
    audit_intact: "The audit chain is intact",
    audit_broken: "The audit chain is broken",
    at: "Time",
    actor: "User",
    action: "Action",
    entity: "Subject",
    welcome: "Welcome",
    your_role: "Your role",
    your_scope: "Your scope",
    nation: "Whole country",
    cooperatives_in_scope: "Cooperatives in your scope",
    not_found: "No such page, or it is outside your scope.",
    forbidden: "You may not see this page.",
    error: "Something went wrong; please try again.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_in_each_locales_digits() {
        // Establishes Persian digits with the Arabic thousands separator, and English.
        assert_eq!(Lang::Fa.number(15_000_000_000), "۱۵٬۰۰۰٬۰۰۰٬۰۰۰");
        assert_eq!(Lang::En.number(-1234), "-1,234");
        assert_eq!(Lang::Fa.number(0), "۰");
    }
}
