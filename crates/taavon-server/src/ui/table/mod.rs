//! The one table of every list page (`templates/table.html`): a caption, column headers
//! with their scope, units and sort links (`aria-sort` on the sorted one), numeric
//! columns aligned with their headers in tabular digits, an optional totals row, a pager
//! by page number or by cursor with the page-size choice, and the export and print
//! buttons. The rules of its address (filters, sort, page) are `query`; the files are
//! `export`. A page builds its rows once, in the reader's language for the page or in
//! Persian for a file, so the file holds exactly the page's columns.

pub mod export;
pub mod query;
mod text;

use export::ExportFormat;

use super::format;
use super::i18n::Lang;
pub use query::{ListQuery, Sorting};
pub use text::TableText;

/// A list's column, as its page declares it once: the header, whether it holds numbers
/// (aligned with its header), its unit (stated in the header) and, if the list may be
/// ordered by it, its key in the address and its column in the list's whitelist.
pub struct ColumnSpec<C> {
    pub label: &'static str,
    /// What an abbreviated header stands for (`PAR30`), shown as its title.
    pub hint: Option<&'static str>,
    pub numeric: bool,
    pub unit: Option<&'static str>,
    pub sort: Option<(&'static str, C)>,
}

impl<C> ColumnSpec<C> {
    /// A column of words.
    pub const fn text(label: &'static str) -> Self {
        Self {
            label,
            hint: None,
            numeric: false,
            unit: None,
            sort: None,
        }
    }

    /// A column of numbers.
    pub const fn number(label: &'static str) -> Self {
        Self {
            label,
            hint: None,
            numeric: true,
            unit: None,
            sort: None,
        }
    }

    /// A column of amounts in `unit` (rials, as money is kept).
    pub const fn amount(label: &'static str, unit: &'static str) -> Self {
        Self {
            label,
            hint: None,
            numeric: true,
            unit: Some(unit),
            sort: None,
        }
    }

    /// The same column, its abbreviated header explained by `hint`.
    pub fn explained(self, hint: &'static str) -> Self {
        Self {
            hint: Some(hint),
            ..self
        }
    }

    /// The same column, sortable under `key`.
    pub fn sorted_by(self, key: &'static str, column: C) -> Self {
        Self {
            sort: Some((key, column)),
            ..self
        }
    }
}

/// The whitelist of a list's sortable columns, from its column specs.
pub fn sortable<C: Copy>(specs: &[ColumnSpec<C>]) -> Vec<(&'static str, C)> {
    specs.iter().filter_map(|spec| spec.sort).collect()
}

/// The order of a short list as it keeps it (by code, by date): no column is marked
/// sorted. Its columns are numbered from 0 (`sorted_by("population", 1)`).
pub const LISTED: Sorting<usize> = Sorting {
    key: "",
    column: usize::MAX,
    descending: false,
};

/// A column header as shown.
pub struct Column {
    pub label: String,
    pub hint: Option<String>,
    pub unit: Option<String>,
    pub numeric: bool,
    pub sort: Option<SortHeader>,
}

/// A sortable header's link: the list in this column's order (or the other way round
/// when it is already the order), and `aria-sort` on the column the list is sorted by.
pub struct SortHeader {
    pub href: String,
    pub aria_sort: Option<&'static str>,
    pub mark: &'static str,
}

/// One cell. `text` is what the page shows (in the reader's digits), `value` what a file
/// holds (plain digits for numbers, so a spreadsheet can add them up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub value: String,
    pub href: Option<String>,
    pub numeric: bool,
    /// Record data in Persian (a name as registered): marked `lang="fa"` in the English UI.
    pub persian: bool,
    /// A code or identifier read left to right (a Sheba number, an unknown code).
    pub ltr: bool,
}

impl Cell {
    /// Words in the reader's language.
    pub fn text(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            value: text.clone(),
            text,
            href: None,
            numeric: false,
            persian: false,
            ltr: false,
        }
    }

    /// Persian record data (a cooperative's or a person's name).
    pub fn persian(text: impl Into<String>) -> Self {
        Self {
            persian: true,
            ..Self::text(text)
        }
    }

    /// A code or identifier, shown left to right.
    pub fn ltr(text: impl Into<String>) -> Self {
        Self {
            ltr: true,
            ..Self::text(text)
        }
    }

    /// A whole number (an amount, a count) with separators in the reader's digits.
    pub fn number(lang: Lang, value: i64) -> Self {
        Self {
            value: value.to_string(),
            numeric: true,
            ..Self::text(lang.number(value))
        }
    }

    /// A sum over many rows (exact past `i64`).
    pub fn sum(lang: Lang, value: i128) -> Self {
        Self {
            value: value.to_string(),
            numeric: true,
            ..Self::text(lang.sum(value))
        }
    }

    /// A record's number, without separators.
    pub fn id(lang: Lang, id: i64) -> Self {
        Self {
            value: id.to_string(),
            numeric: true,
            ..Self::text(lang.id(id))
        }
    }

    /// An ISO date in Jalali (and so in the file too).
    pub fn date(lang: Lang, iso: &str) -> Self {
        Self::text(format::date(lang, iso))
    }

    /// A share in basis points as a percentage with two decimals: shown in the reader's
    /// digits, filed as a plain decimal; empty when there is no share to give.
    pub fn percent(lang: Lang, basis_points: Option<i64>) -> Self {
        let Some(bp) = basis_points else {
            return Self::empty();
        };
        let figure = format!("{}.{:02}", bp / 100, bp % 100);
        Self {
            value: figure.clone(),
            ..Self::text(lang.percent(&figure)).numeric()
        }
    }

    /// An empty cell.
    pub fn empty() -> Self {
        Self::text("")
    }

    /// The same cell as a link.
    pub fn link(self, href: impl Into<String>) -> Self {
        Self {
            href: Some(href.into()),
            ..self
        }
    }

    /// The same cell aligned as a number (a figure already formatted, e.g. a percentage).
    pub fn numeric(self) -> Self {
        Self {
            numeric: true,
            ..self
        }
    }
}

/// A row: its cells in the columns' order, and a class a page may style it by (a
/// loan's class).
pub struct Row {
    pub cells: Vec<Cell>,
    pub class: String,
}

impl Row {
    pub fn new(cells: Vec<Cell>) -> Self {
        Self {
            cells,
            class: String::new(),
        }
    }

    pub fn with_class(self, class: impl Into<String>) -> Self {
        Self {
            class: class.into(),
            ..self
        }
    }
}

/// A link of the pager: a page, a page size, or a gap (`href` none, not current).
pub struct PageLink {
    pub label: String,
    pub href: Option<String>,
    pub current: bool,
}

/// Where a list is and where it can go: a summary, page links (by number), previous and
/// next, and the page sizes.
pub struct Pager {
    pub summary: String,
    pub pages: Vec<PageLink>,
    pub first: Option<String>,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub sizes: Vec<PageLink>,
}

impl Pager {
    /// The pager of a list read by page number.
    pub fn numbered(lang: Lang, query: &ListQuery, page: i64, size: i64, total: i64) -> Self {
        let t = TableText::of(lang);
        let count = query::page_count(total, size);
        let href = |page: i64| query.href(&[("page", (page > 1).then(|| page.to_string()))]);
        Self {
            summary: t.page_summary(lang, page, count, total),
            pages: query::page_window(page, count)
                .into_iter()
                .map(|shown| match shown {
                    Some(number) => PageLink {
                        label: lang.number(number),
                        href: Some(href(number)),
                        current: number == page,
                    },
                    None => PageLink {
                        label: "…".into(),
                        href: None,
                        current: false,
                    },
                })
                .collect(),
            first: None,
            previous: (page > 1).then(|| href(page - 1)),
            next: (page < count).then(|| href(page + 1)),
            sizes: sizes(lang, query, size),
        }
    }

    /// The pager of a list read by cursor (a long list that only grows): the first page,
    /// and the next one continuing after the last row shown (`cursor`: the parameter and
    /// that row's number) when there is more.
    pub fn by_cursor(
        lang: Lang,
        query: &ListQuery,
        size: i64,
        cursor: (&'static str, Option<i64>),
        shown: usize,
        total: Option<i64>,
    ) -> Self {
        let t = TableText::of(lang);
        let (key, next) = cursor;
        let at_start = query.get(key).is_none();
        let shown = i64::try_from(shown).unwrap_or(i64::MAX);
        Self {
            summary: t.cursor_summary(lang, shown, total),
            pages: Vec::new(),
            first: (!at_start).then(|| query.href(&[(key, None)])),
            previous: None,
            next: next.map(|id| query.href(&[(key, Some(id.to_string()))])),
            sizes: sizes(lang, query, size),
        }
    }
}

fn sizes(lang: Lang, query: &ListQuery, size: i64) -> Vec<PageLink> {
    query::PAGE_SIZES
        .iter()
        .map(|choice| PageLink {
            label: lang.number(*choice),
            href: Some(query.sized_href(*choice)),
            current: *choice == size,
        })
        .collect()
}

/// A list's table, ready for `templates/table.html`.
pub struct DataTable {
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    /// The totals row, aligned with the columns; its first cell is the row's header.
    pub totals: Option<Vec<Cell>>,
    pub pager: Option<Pager>,
    pub csv: String,
    pub xlsx: String,
    pub pdf: String,
    pub text: &'static TableText,
}

impl DataTable {
    /// A table of `rows` under `specs`'s headers, sorted as `sorting` says (when the list
    /// sorts at all), with its export links.
    pub fn new<C: Copy + PartialEq>(
        lang: Lang,
        caption: impl Into<String>,
        specs: &[ColumnSpec<C>],
        sorting: Option<&Sorting<C>>,
        query: &ListQuery,
        rows: Vec<Row>,
    ) -> Self {
        Self {
            caption: caption.into(),
            columns: columns(lang, specs, sorting, query),
            rows,
            totals: None,
            pager: None,
            csv: query.export_href("csv"),
            xlsx: query.export_href("xlsx"),
            pdf: query.export_href("pdf"),
            text: TableText::of(lang),
        }
    }

    /// The table of a short list read whole (no pager): its rows in the order asked,
    /// or as the list keeps them (`LISTED`).
    pub fn whole(
        lang: Lang,
        caption: impl Into<String>,
        specs: &[ColumnSpec<usize>],
        request: &query::TableRequest<usize>,
        mut rows: Vec<Row>,
    ) -> Self {
        sort_rows(&mut rows, specs, &request.sorting);
        Self::new(
            lang,
            caption,
            specs,
            Some(&request.sorting),
            &request.query,
            rows,
        )
    }

    pub fn with_pager(self, pager: Pager) -> Self {
        Self {
            pager: Some(pager),
            ..self
        }
    }

    pub fn with_totals(self, totals: Vec<Cell>) -> Self {
        Self {
            totals: Some(totals),
            ..self
        }
    }

    /// The file of this table in `format`: its headers (with units) and every row's
    /// values, the totals row left out of a data file (a spreadsheet sums for itself).
    pub fn export(&self, format: ExportFormat, file_stem: &str) -> axum::response::Response {
        let header = |c: &Column| match &c.unit {
            Some(unit) => format!("{} ({unit})", c.label),
            None => c.label.clone(),
        };
        match format {
            ExportFormat::Data(format) => {
                let rows = std::iter::once(self.columns.iter().map(header).collect())
                    .chain(
                        self.rows
                            .iter()
                            .map(|row| row.cells.iter().map(|c| c.value.clone()).collect()),
                    )
                    .collect();
                // The cells of numbers (amounts, counts) are number cells in a workbook.
                let numeric: Vec<Vec<bool>> = std::iter::once(Vec::new())
                    .chain(
                        self.rows
                            .iter()
                            .map(|row| row.cells.iter().map(|c| c.numeric).collect()),
                    )
                    .collect();
                export::file(format, file_stem, &self.caption, rows, &numeric)
            }
            // A report is read, not computed on: the cells as the page shows them, and
            // the totals row under them.
            ExportFormat::Pdf => {
                let columns = self
                    .columns
                    .iter()
                    .map(|c| taavon_pdf::report::Column {
                        header: header(c),
                        numeric: c.numeric,
                    })
                    .collect();
                let rows: Vec<Vec<String>> = self
                    .rows
                    .iter()
                    .map(|row| &row.cells)
                    .chain(self.totals.as_ref())
                    .map(|cells| cells.iter().map(|c| c.text.clone()).collect())
                    .collect();
                export::pdf(file_stem, &self.caption, columns, &rows)
            }
        }
    }
}

/// Orders a short list read whole (provinces, programs, the portfolio…) by one of its
/// columns, in the server: numbers by value (a file's plain digits), words by text; rows
/// that tie keep the list's own order.
pub fn sort_rows<C: Copy + PartialEq>(
    rows: &mut [Row],
    specs: &[ColumnSpec<C>],
    sorting: &Sorting<C>,
) {
    let Some(index) = specs.iter().position(|spec| {
        spec.sort
            .is_some_and(|(_, column)| column == sorting.column)
    }) else {
        return;
    };
    let numeric = specs.get(index).is_some_and(|spec| spec.numeric);
    let key = |row: &Row| {
        row.cells
            .get(index)
            .map(|cell| cell.value.clone())
            .unwrap_or_default()
    };
    rows.sort_by(|a, b| {
        let (a, b) = (key(a), key(b));
        let order = match (numeric, a.parse::<f64>(), b.parse::<f64>()) {
            (true, Ok(a), Ok(b)) => a.total_cmp(&b),
            _ => a.cmp(&b),
        };
        if sorting.descending {
            order.reverse()
        } else {
            order
        }
    });
}

/// The headers as shown: each sortable one links to the list in its order, ascending
/// first, or the other way round when the list is already in it.
fn columns<C: Copy + PartialEq>(
    lang: Lang,
    specs: &[ColumnSpec<C>],
    sorting: Option<&Sorting<C>>,
    query: &ListQuery,
) -> Vec<Column> {
    let t = TableText::of(lang);
    specs
        .iter()
        .map(|spec| Column {
            label: spec.label.to_owned(),
            hint: spec.hint.map(str::to_owned),
            unit: spec.unit.map(str::to_owned),
            numeric: spec.numeric,
            sort: spec.sort.map(|(key, column)| {
                let current = sorting.filter(|s| s.column == column);
                let descending_next = current.is_some_and(|s| !s.descending);
                let next = Sorting {
                    key,
                    column,
                    descending: descending_next,
                };
                SortHeader {
                    href: query.sorted_href(next.param()),
                    aria_sort: current.map(|s| {
                        if s.descending {
                            "descending"
                        } else {
                            "ascending"
                        }
                    }),
                    mark: match current {
                        Some(s) if s.descending => "▼",
                        Some(_) => "▲",
                        None => t.sortable_mark,
                    },
                }
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Column {
        Name,
        Amount,
    }

    #[test]
    fn a_sorted_header_says_its_direction_and_links_to_the_other() {
        // Establishes aria-sort on the sorted column only, and that clicking it again
        // reverses the order while another column starts ascending.
        let query = ListQuery::new(
            "/applications",
            &HashMap::from([
                ("sort".into(), "amount".into()),
                ("page".into(), "3".into()),
            ]),
            &[],
        );
        let specs = [
            ColumnSpec::text("نام").sorted_by("name", Column::Name),
            ColumnSpec::amount("مبلغ", "ریال").sorted_by("amount", Column::Amount),
            ColumnSpec::text("وضعیت"),
        ];
        let sorting = Sorting {
            key: "amount",
            column: Column::Amount,
            descending: false,
        };
        let shown = columns(Lang::Fa, &specs, Some(&sorting), &query);
        let name = shown[0].sort.as_ref().unwrap();
        assert_eq!(
            (name.href.as_str(), name.aria_sort),
            ("/applications?sort=name", None)
        );
        let amount = shown[1].sort.as_ref().unwrap();
        assert_eq!(amount.href, "/applications?sort=-amount");
        assert_eq!(amount.aria_sort, Some("ascending"));
        assert!(shown[1].numeric);
        assert_eq!(shown[1].unit.as_deref(), Some("ریال"));
        assert!(shown[2].sort.is_none());
    }

    #[test]
    fn a_short_list_sorts_numbers_by_value_and_words_by_text() {
        // Establishes the in-server order of a list read whole: 9 before 10 (not as
        // text), descending when asked, and an unsortable column leaves the order.
        let specs = [
            ColumnSpec::text("نام").sorted_by("name", Column::Name),
            ColumnSpec::number("مبلغ").sorted_by("amount", Column::Amount),
        ];
        let row = |name: &str, amount: i64| {
            Row::new(vec![Cell::text(name), Cell::number(Lang::Fa, amount)])
        };
        let mut rows = vec![row("ب", 10), row("الف", 9), row("پ", 100)];
        let by = |column, descending| Sorting {
            key: "",
            column,
            descending,
        };
        sort_rows(&mut rows, &specs, &by(Column::Amount, false));
        let amounts: Vec<&str> = rows.iter().map(|r| r.cells[1].value.as_str()).collect();
        assert_eq!(amounts, ["9", "10", "100"]);
        sort_rows(&mut rows, &specs, &by(Column::Name, true));
        let names: Vec<&str> = rows.iter().map(|r| r.cells[0].value.as_str()).collect();
        assert_eq!(names, ["پ", "ب", "الف"]);
    }

    #[test]
    fn a_cell_shows_persian_digits_and_files_plain_ones() {
        // Establishes that a number is shown in the reader's digits with separators and
        // kept in a file as a plain number a spreadsheet can add up.
        let cell = Cell::number(Lang::Fa, 15_000_000_000);
        assert_eq!(cell.text, "۱۵٬۰۰۰٬۰۰۰٬۰۰۰");
        assert_eq!(cell.value, "15000000000");
        assert!(cell.numeric);
        assert_eq!(Cell::id(Lang::Fa, 1234).text, "۱۲۳۴");
    }

    #[test]
    fn the_pager_links_pages_sizes_and_cursors_keeping_the_filters() {
        // Establishes the pager's links: numbered pages around the current one, the page
        // size choice (back to the first page), and by cursor the first and next pages.
        let query = ListQuery::new(
            "/cooperatives",
            &HashMap::from([
                ("province".into(), "IR-16".into()),
                ("page".into(), "2".into()),
            ]),
            &["province"],
        );
        let pager = Pager::numbered(Lang::Fa, &query, 2, 20, 45);
        assert_eq!(
            pager.previous.as_deref(),
            Some("/cooperatives?province=IR-16")
        );
        assert_eq!(
            pager.next.as_deref(),
            Some("/cooperatives?page=3&province=IR-16")
        );
        assert_eq!(pager.pages.len(), 3);
        assert!(pager.pages[1].current);
        assert_eq!(
            pager.sizes[1].href.as_deref(),
            Some("/cooperatives?province=IR-16&size=50")
        );
        let audit = ListQuery::new(
            "/audit",
            &HashMap::from([("before".into(), "90".into())]),
            &[],
        );
        let pager = Pager::by_cursor(Lang::Fa, &audit, 20, ("before", Some(70)), 20, None);
        assert_eq!(pager.first.as_deref(), Some("/audit"));
        assert_eq!(pager.next.as_deref(), Some("/audit?before=70"));
    }
}
