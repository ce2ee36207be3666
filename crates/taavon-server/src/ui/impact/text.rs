//! The impact pages' words, in both languages (beside the pages, like the table's).

use taavon_app::impact::figures::{Grouping, Period};

use super::super::i18n::Lang;

pub struct ImpactText {
    pub title: &'static str,
    pub group_by: &'static str,
    pub period: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub show: &'static str,
    pub loans: &'static str,
    pub disbursed: &'static str,
    pub planned: &'static str,
    pub planned_long: &'static str,
    pub reported: &'static str,
    pub reported_long: &'static str,
    pub verified: &'static str,
    pub verified_long: &'static str,
    pub verified_women: &'static str,
    pub women_share: &'static str,
    pub underprivileged: &'static str,
    pub underprivileged_long: &'static str,
    pub cost_per_job: &'static str,
    pub verification_rate: &'static str,
    pub verification_rate_long: &'static str,
    pub jobs_heading: &'static str,
    pub jobs_note: &'static str,
    pub hires_heading: &'static str,
    pub no_hires: &'static str,
    pub national_code: &'static str,
    pub verdict: &'static str,
    pub codes_masked: &'static str,
    /// Units in headers.
    pub loan_unit: &'static str,
    pub job_unit: &'static str,
    groupings: [&'static str; 5],
    periods: [&'static str; 3],
}

impl ImpactText {
    pub fn of(lang: Lang) -> &'static Self {
        match lang {
            Lang::Fa => &FA,
            Lang::En => &EN,
        }
    }

    pub fn grouping(&self, grouping: Grouping) -> &'static str {
        let at = Grouping::ALL
            .iter()
            .position(|g| *g == grouping)
            .unwrap_or(0);
        self.groupings.get(at).copied().unwrap_or("")
    }

    pub fn period_name(&self, period: Period) -> &'static str {
        let at = Period::ALL.iter().position(|p| *p == period).unwrap_or(0);
        self.periods.get(at).copied().unwrap_or("")
    }
}

// In `Grouping::ALL` and `Period::ALL` order.
static FA: ImpactText = ImpactText {
    title: "آمار اشتغال",
    group_by: "گروه‌بندی",
    period: "دوره",
    from: "پرداخت از تاریخ",
    to: "پرداخت تا تاریخ",
    show: "نمایش",
    loans: "تسهیلات پرداخت‌شده",
    disbursed: "مبلغ پرداخت‌شده",
    planned: "اشتغال پیش‌بینی‌شده",
    planned_long: "شغل‌هایی که در درخواست تسهیلات وعده داده شده است",
    reported: "اشتغال گزارش‌شده",
    reported_long: "افرادی که وام‌گیرنده به کار گرفتن آن‌ها را گزارش کرده است",
    verified: "اشتغال تأییدشده",
    verified_long: "گزارش‌هایی که فهرست بیمه‌شدگان تأمین اجتماعی تأیید می‌کند",
    verified_women: "اشتغال تأییدشده زنان",
    women_share: "سهم زنان از اشتغال تأییدشده",
    underprivileged: "اشتغال تأییدشده در مناطق کم‌برخوردار",
    underprivileged_long: "شهرستان‌های سطح یک و دو محرومیت",
    cost_per_job: "هزینه هر شغل تأییدشده",
    verification_rate: "نرخ تأیید",
    verification_rate_long: "اشتغال تأییدشده به اشتغال گزارش‌شده",
    jobs_heading: "اشتغال",
    jobs_note: "پیش‌بینی‌شده: وعدهٔ درخواست؛ گزارش‌شده: اعلام وام‌گیرنده؛ تأییدشده: تأییدشده با فهرست بیمه‌شدگان.",
    hires_heading: "افراد گزارش‌شده و وضعیت تأیید",
    no_hires: "هنوز کسی برای این تسهیلات گزارش نشده است.",
    national_code: "کد ملی",
    verdict: "وضعیت تأیید",
    codes_masked: "کدهای ملی برای نقش شما تنها با چهار رقم آخر نشان داده می‌شود.",
    loan_unit: "فقره",
    job_unit: "نفر",
    groupings: ["استان", "شهرستان", "بخش اقتصادی", "برنامه", "بانک"],
    periods: ["ماه", "فصل", "سال"],
};

static EN: ImpactText = ImpactText {
    title: "Jobs and impact",
    group_by: "Group by",
    period: "Period",
    from: "Disbursed from",
    to: "Disbursed to",
    show: "Show",
    loans: "Loans disbursed",
    disbursed: "Amount disbursed",
    planned: "Planned jobs",
    planned_long: "Jobs the loan applications promised",
    reported: "Reported hires",
    reported_long: "People the borrowers reported hiring",
    verified: "Verified jobs",
    verified_long: "Reported hires the Social Security insured-worker lists confirm",
    verified_women: "Women's verified jobs",
    women_share: "Women's share of verified jobs",
    underprivileged: "Verified jobs in underprivileged counties",
    underprivileged_long: "Counties of deprivation tiers 1 and 2",
    cost_per_job: "Cost per verified job",
    verification_rate: "Verification rate",
    verification_rate_long: "Verified jobs per reported hire",
    jobs_heading: "Jobs",
    jobs_note: "Planned: promised on the application; reported: declared by the borrower; verified: confirmed by the insured-worker lists.",
    hires_heading: "Reported hires and their verification",
    no_hires: "No one has been reported for this loan yet.",
    national_code: "National code",
    verdict: "Verification",
    codes_masked: "National codes are shown to your role by their last four digits only.",
    loan_unit: "loans",
    job_unit: "people",
    groupings: ["Province", "County", "Sector", "Program", "Bank"],
    periods: ["Month", "Season", "Year"],
};
