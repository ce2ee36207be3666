//! The table's own words, in both languages (kept beside the component rather than in
//! the page texts, so pages that add tables add nothing here).

use super::super::i18n::Lang;

/// The words of the table, its pager and its buttons.
pub struct TableText {
    pub export_csv: &'static str,
    pub export_xlsx: &'static str,
    /// A printable report (PDF), named in words so the Persian page carries no Latin.
    pub export_pdf: &'static str,
    pub print: &'static str,
    pub first_page: &'static str,
    pub pages: &'static str,
    pub rows_per_page: &'static str,
    pub tools: &'static str,
    pub empty: &'static str,
    /// Shown after a sortable header that is not the order: a hint that it sorts.
    pub sortable_mark: &'static str,
    pub rial: &'static str,
    page_of: (&'static str, &'static str, &'static str),
    shown_of: (&'static str, &'static str),
}

impl TableText {
    pub fn of(lang: Lang) -> &'static Self {
        match lang {
            Lang::Fa => &FA,
            Lang::En => &EN,
        }
    }

    /// «صفحه ۲ از ۳ (۴۵ ردیف)».
    pub fn page_summary(&self, lang: Lang, page: i64, count: i64, total: i64) -> String {
        let (page_word, of, rows) = self.page_of;
        format!(
            "{page_word} {} {of} {} ({} {rows})",
            lang.number(page),
            lang.number(count),
            lang.number(total)
        )
    }

    /// «۲۰ ردیف از ۴۵» (or without the total when the list does not count itself).
    pub fn cursor_summary(&self, lang: Lang, shown: i64, total: Option<i64>) -> String {
        let (rows, of) = self.shown_of;
        match total {
            Some(total) => format!("{} {rows} {of} {}", lang.number(shown), lang.number(total)),
            None => format!("{} {rows}", lang.number(shown)),
        }
    }
}

static FA: TableText = TableText {
    export_csv: "خروجی",
    export_xlsx: "خروجی اکسل",
    export_pdf: "گزارش چاپی",
    print: "چاپ",
    first_page: "صفحه نخست",
    pages: "صفحه‌های فهرست",
    rows_per_page: "اندازه صفحه",
    tools: "خروجی و چاپ",
    empty: "موردی در محدوده دسترسی شما یافت نشد.",
    sortable_mark: "⇅",
    rial: "ریال",
    page_of: ("صفحه", "از", "ردیف"),
    shown_of: ("ردیف", "از"),
};

static EN: TableText = TableText {
    export_csv: "Export",
    export_xlsx: "Export to Excel",
    export_pdf: "Printable report (PDF)",
    print: "Print",
    first_page: "First page",
    pages: "Pages of the list",
    rows_per_page: "Page size",
    tools: "Export and print",
    empty: "Nothing within your access.",
    sortable_mark: "⇅",
    rial: "rials",
    page_of: ("Page", "of", "rows"),
    shown_of: ("rows", "of"),
};
