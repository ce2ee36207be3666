//! The rules of a list page's address: which parameters it keeps (its filters, its sort,
//! its page), how each is read — a bad one refused naming the field and its rule, never
//! guessed — and the links that change one of them while keeping the rest.

use std::collections::{BTreeMap, HashMap};

use taavon_app::{AppError, FieldError};
use taavon_core::digits::{to_ascii_digits, to_persian_digits};

use super::export::ExportFormat;
use crate::auth::url_escape;

/// The page sizes a reader may choose.
pub const PAGE_SIZES: [i64; 3] = [20, 50, 100];

/// The page size of a list opened without one.
pub const PAGE_SIZE_DEFAULT: i64 = 20;

/// The parameters every list understands besides its filters.
const TABLE_KEYS: [&str; 5] = ["sort", "page", "size", "after", "before"];

/// A list page's address: its path and the parameters it keeps (its filters and the
/// table's own), each non-empty and trimmed. Anything else in the request is dropped, so
/// no link of the page echoes a parameter the page does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    path: &'static str,
    params: BTreeMap<&'static str, String>,
}

impl ListQuery {
    /// The query of `path` from the request's parameters, keeping `filters` and the
    /// table's own (`sort`, `page`, `size`, and the cursors `after` and `before`).
    pub fn new(
        path: &'static str,
        raw: &HashMap<String, String>,
        filters: &[&'static str],
    ) -> Self {
        let params = filters
            .iter()
            .chain(TABLE_KEYS.iter())
            .filter_map(|key| {
                let value = raw.get(*key)?.trim();
                (!value.is_empty()).then(|| (*key, value.to_owned()))
            })
            .collect();
        Self { path, params }
    }

    /// A kept parameter's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    /// The value as an owned text, for a filter the app parses.
    pub fn owned(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_owned)
    }

    /// The link to this list with `changes` made (`None` drops a parameter), the others
    /// kept, in a fixed order so that one list state has one address.
    pub fn href(&self, changes: &[(&'static str, Option<String>)]) -> String {
        let mut params = self.params.clone();
        for (key, value) in changes {
            match value {
                Some(value) => params.insert(key, value.clone()),
                None => params.remove(key),
            };
        }
        if params.is_empty() {
            return self.path.to_owned();
        }
        let query: Vec<String> = params
            .iter()
            .map(|(key, value)| format!("{key}={}", url_escape(value)))
            .collect();
        format!("{}?{}", self.path, query.join("&"))
    }

    /// The link to the list's first page in another order: the page and cursors go, the
    /// filters and page size stay.
    pub fn sorted_href(&self, sort: String) -> String {
        self.href(&[
            ("sort", Some(sort)),
            ("page", None),
            ("after", None),
            ("before", None),
        ])
    }

    /// The link to the list's first page at another page size.
    pub fn sized_href(&self, size: i64) -> String {
        self.href(&[
            ("size", Some(size.to_string())),
            ("page", None),
            ("after", None),
            ("before", None),
        ])
    }

    /// The link to this list's file in `format` (`csv`, `xlsx`): every row of the list
    /// as filtered and sorted, so no page and no cursor.
    pub fn export_href(&self, format: &str) -> String {
        self.href(&[
            ("format", Some(format.to_owned())),
            ("page", None),
            ("after", None),
            ("before", None),
        ])
    }

    /// The filters and the table's settings a filter form keeps as hidden fields: the
    /// sort and page size (a new filter starts at the first page).
    pub fn kept_by_filter_form(&self) -> Vec<(&'static str, String)> {
        ["sort", "size"]
            .into_iter()
            .filter_map(|key| Some((key, self.get(key)?.to_owned())))
            .collect()
    }
}

/// A list's order as a reader asked for it: a column key of the list's whitelist
/// (`amount`) and the direction (`-amount` is descending).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sorting<C> {
    pub key: &'static str,
    pub column: C,
    pub descending: bool,
}

impl<C: Copy> Sorting<C> {
    /// The order as the store takes it.
    pub fn store_order(&self) -> taavon_app::rows::Sort<C> {
        taavon_app::rows::Sort {
            column: self.column,
            descending: self.descending,
        }
    }

    /// The `sort` parameter of this order.
    pub fn param(&self) -> String {
        if self.descending {
            format!("-{}", self.key)
        } else {
            self.key.to_owned()
        }
    }
}

/// Reads `sort` against the list's whitelist (`columns`: key and column); none given is
/// `default`, an unknown column is refused (rule `unknown`).
pub fn parse_sort<C: Copy>(
    text: Option<&str>,
    columns: &[(&'static str, C)],
    default: Sorting<C>,
) -> Result<Sorting<C>, FieldError> {
    let Some(text) = text else {
        return Ok(default);
    };
    let (name, descending) = match text.strip_prefix('-') {
        Some(name) => (name, true),
        None => (text, false),
    };
    columns
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(key, column)| Sorting {
            key,
            column: *column,
            descending,
        })
        .ok_or_else(|| {
            FieldError::new(
                "sort",
                "unknown",
                "این فهرست بر پایه این ستون مرتب نمی‌شود.",
                "This list cannot be sorted by that column.",
            )
        })
}

/// Reads `page` (from 1, in any digits); none given is the first.
pub fn parse_page(text: Option<&str>) -> Result<i64, FieldError> {
    let Some(text) = text else { return Ok(1) };
    to_ascii_digits(text)
        .parse::<i64>()
        .ok()
        .filter(|page| (1..=1_000_000).contains(page))
        .ok_or_else(|| {
            FieldError::new(
                "page",
                "range",
                "شماره صفحه باید عددی مثبت باشد.",
                "The page number must be a positive whole number.",
            )
        })
}

/// Reads `size`: one of `PAGE_SIZES`; none given is `PAGE_SIZE_DEFAULT`.
pub fn parse_size(text: Option<&str>) -> Result<i64, FieldError> {
    let Some(text) = text else {
        return Ok(PAGE_SIZE_DEFAULT);
    };
    to_ascii_digits(text)
        .parse::<i64>()
        .ok()
        .filter(|size| PAGE_SIZES.contains(size))
        .ok_or_else(|| {
            FieldError::new(
                "size",
                "one_of",
                &to_persian_digits("اندازه صفحه باید ۲۰، ۵۰ یا ۱۰۰ ردیف باشد."),
                "The page size must be 20, 50 or 100 rows.",
            )
        })
}

/// Reads a cursor (`after`, `before`): the number of the record a page continues from.
pub fn parse_cursor(field: &str, text: Option<&str>) -> Result<Option<i64>, FieldError> {
    let Some(text) = text else { return Ok(None) };
    to_ascii_digits(text)
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(Some)
        .ok_or_else(|| {
            FieldError::new(
                field,
                "cursor",
                "نشانی این صفحه از فهرست درست نیست؛ از صفحه نخست آغاز کنید.",
                "This page's address is not valid; start from the first page.",
            )
        })
}

/// The file format a list is asked in (`format=csv|xlsx`); none is the page itself.
pub fn parse_format(raw: &HashMap<String, String>) -> Result<Option<ExportFormat>, FieldError> {
    use taavon_app::table::Format;
    match raw.get("format").map(|f| f.trim()) {
        None | Some("") => Ok(None),
        Some("csv") => Ok(Some(ExportFormat::Data(Format::Csv))),
        Some("xlsx") => Ok(Some(ExportFormat::Data(Format::Xlsx))),
        Some("pdf") => Ok(Some(ExportFormat::Pdf)),
        Some(_) => Err(FieldError::new(
            "format",
            "one_of",
            "خروجی فقط CSV، XLSX یا PDF است.",
            "The export format is csv, xlsx or pdf.",
        )),
    }
}

/// A value read, or its error kept with the others.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|error| errors.push(error)).ok()
}

/// The rows before a page (`page` from 1) of `size` rows.
pub fn offset(page: i64, size: i64) -> i64 {
    (page - 1).saturating_mul(size)
}

/// How many pages `total` rows fill (at least one, so an empty list has its page).
pub fn page_count(total: i64, size: i64) -> i64 {
    if total <= 0 || size <= 0 {
        1
    } else {
        (total + size - 1) / size
    }
}

/// The page numbers a pager shows around `current` of `count`: the first, the last and
/// two on each side of the current; `None` stands for the pages left out between.
pub fn page_window(current: i64, count: i64) -> Vec<Option<i64>> {
    let mut shown = Vec::new();
    let mut last = 0;
    for page in 1..=count {
        let near = (page - current).abs() <= 2;
        if page == 1 || page == count || near {
            if page > last + 1 {
                shown.push(None);
            }
            shown.push(Some(page));
            last = page;
        }
    }
    shown
}

/// A list page's request, read: its address, its order, its page (by number and by
/// cursor: a list uses the one it pages by), its page size and, for a file, its format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRequest<C> {
    pub query: ListQuery,
    pub sorting: Sorting<C>,
    pub page: i64,
    pub size: i64,
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub format: Option<ExportFormat>,
}

impl<C: Copy> TableRequest<C> {
    /// Reads the request of the list at `path` with its `filters`, sortable by
    /// `columns` (`default` when no order is asked); every bad parameter is named.
    pub fn read(
        path: &'static str,
        raw: &HashMap<String, String>,
        filters: &[&'static str],
        columns: &[(&'static str, C)],
        default: Sorting<C>,
    ) -> Result<Self, AppError> {
        let query = ListQuery::new(path, raw, filters);
        let mut errors = Vec::new();
        let sorting = keep(&mut errors, parse_sort(query.get("sort"), columns, default));
        let page = keep(&mut errors, parse_page(query.get("page")));
        let size = keep(&mut errors, parse_size(query.get("size")));
        let after = keep(&mut errors, parse_cursor("after", query.get("after")));
        let before = keep(&mut errors, parse_cursor("before", query.get("before")));
        let format = keep(&mut errors, parse_format(raw));
        match (sorting, page, size, after, before, format) {
            (Some(sorting), Some(page), Some(size), Some(after), Some(before), Some(format))
                if errors.is_empty() =>
            {
                Ok(Self {
                    query,
                    sorting,
                    page,
                    size,
                    after,
                    before,
                    format,
                })
            }
            _ => Err(AppError::Invalid(errors)),
        }
    }

    /// The language the list is made in: the reader's for the page, Persian for a file
    /// (its headers and names, whatever the reader's language).
    pub fn language(&self, reader: super::super::i18n::Lang) -> super::super::i18n::Lang {
        match self.format {
            Some(_) => super::super::i18n::Lang::Fa,
            None => reader,
        }
    }

    /// The rows before this request's page.
    pub fn offset(&self) -> i64 {
        offset(self.page, self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Column {
        Name,
        Amount,
    }

    const COLUMNS: [(&str, Column); 2] = [("name", Column::Name), ("amount", Column::Amount)];
    const BY_NAME: Sorting<Column> = Sorting {
        key: "name",
        column: Column::Name,
        descending: false,
    };

    #[test]
    fn a_list_keeps_its_filters_and_table_settings_and_drops_the_rest() {
        // Establishes that links keep the filters (escaped, in a fixed order) and never
        // echo a parameter the page does not know, or an empty one.
        let query = ListQuery::new(
            "/loans",
            &raw(&[
                ("class", "past_due"),
                ("branch", " "),
                ("evil", "<script>"),
                ("page", "3"),
                ("q", "پوشاک ایلام"),
            ]),
            &["class", "branch", "q"],
        );
        assert_eq!(query.get("branch"), None);
        assert_eq!(query.get("evil"), None);
        assert_eq!(
            query.href(&[("page", Some("4".into()))]),
            "/loans?class=past_due&page=4&q=%D9%BE%D9%88%D8%B4%D8%A7%DA%A9%20%D8%A7%DB%8C%D9%84%D8%A7%D9%85"
        );
        assert_eq!(ListQuery::new("/loans", &raw(&[]), &[]).href(&[]), "/loans");
    }

    #[test]
    fn a_new_order_or_page_size_starts_again_at_the_first_page() {
        // Establishes that sorting and resizing keep the filters and drop the page and
        // cursors, and that an export holds the whole filtered list (no page).
        let query = ListQuery::new(
            "/audit",
            &raw(&[("action", "user.login"), ("before", "90"), ("page", "2")]),
            &["action"],
        );
        assert_eq!(
            query.sorted_href("-seq".into()),
            "/audit?action=user.login&sort=-seq"
        );
        assert_eq!(query.sized_href(50), "/audit?action=user.login&size=50");
        assert_eq!(
            query.export_href("csv"),
            "/audit?action=user.login&format=csv"
        );
        let sorted = ListQuery::new("/x", &raw(&[("sort", "-amount"), ("size", "50")]), &[]);
        assert_eq!(
            sorted.kept_by_filter_form(),
            vec![("sort", "-amount".to_owned()), ("size", "50".to_owned())]
        );
    }

    #[test]
    fn only_a_whitelisted_column_sorts_and_a_minus_sorts_descending() {
        // Establishes the sort rule: the whitelist, the direction, and the default.
        assert_eq!(parse_sort(None, &COLUMNS, BY_NAME), Ok(BY_NAME));
        let amount = parse_sort(Some("-amount"), &COLUMNS, BY_NAME).unwrap();
        assert_eq!((amount.column, amount.descending), (Column::Amount, true));
        assert_eq!(amount.param(), "-amount");
        let refused = parse_sort(Some("id; DROP TABLE loans"), &COLUMNS, BY_NAME).unwrap_err();
        assert_eq!(
            (refused.field.as_str(), refused.rule.as_str()),
            ("sort", "unknown")
        );
        assert!(parse_sort(Some("-"), &COLUMNS, BY_NAME).is_err());
    }

    #[test]
    fn pages_count_from_one_in_any_digits_and_sizes_are_twenty_fifty_or_a_hundred() {
        // Establishes the paging rules: defaults, Persian digits, and refusals naming
        // the field.
        assert_eq!(parse_page(None), Ok(1));
        assert_eq!(parse_page(Some("۳")), Ok(3));
        for bad in ["0", "-2", "two", "99999999999"] {
            assert_eq!(parse_page(Some(bad)).unwrap_err().field, "page", "{bad}");
        }
        assert_eq!(parse_size(None), Ok(PAGE_SIZE_DEFAULT));
        assert_eq!(parse_size(Some("۱۰۰")), Ok(100));
        assert_eq!(parse_size(Some("500")).unwrap_err().rule, "one_of");
        assert_eq!(parse_cursor("after", Some("۱۷")), Ok(Some(17)));
        assert_eq!(parse_cursor("after", None), Ok(None));
        assert_eq!(
            parse_cursor("before", Some("0")).unwrap_err().field,
            "before"
        );
        assert_eq!(offset(3, 20), 40);
    }

    #[test]
    fn the_pager_shows_the_ends_and_the_neighbours_of_the_current_page() {
        // Establishes the page window: first, last, two either side, gaps between.
        assert_eq!(page_count(0, 20), 1);
        assert_eq!(page_count(41, 20), 3);
        assert_eq!(page_window(1, 1), vec![Some(1)]);
        assert_eq!(
            page_window(6, 20),
            vec![
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(20)
            ]
        );
        assert_eq!(page_window(2, 4), vec![Some(1), Some(2), Some(3), Some(4)]);
    }

    #[test]
    fn a_request_names_every_bad_parameter_at_once() {
        // Establishes that a list's address is refused naming each bad field, never
        // read as something else.
        let bad = raw(&[
            ("sort", "secret"),
            ("page", "x"),
            ("size", "7"),
            ("format", "doc"),
        ]);
        let AppError::Invalid(errors) =
            TableRequest::read("/x", &bad, &[], &COLUMNS, BY_NAME).unwrap_err()
        else {
            panic!("not a field error")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["sort", "page", "size", "format"]);
        let good = raw(&[("sort", "-amount"), ("page", "2"), ("size", "50")]);
        let request = TableRequest::read("/x", &good, &[], &COLUMNS, BY_NAME).unwrap();
        assert_eq!(
            (request.offset(), request.sorting.column),
            (50, Column::Amount)
        );
    }

    #[test]
    fn an_export_is_csv_xlsx_or_pdf_and_nothing_else() {
        // Establishes the format parameter's rule.
        use taavon_app::table::Format;
        assert_eq!(parse_format(&raw(&[])), Ok(None));
        assert_eq!(
            parse_format(&raw(&[("format", "xlsx")])),
            Ok(Some(ExportFormat::Data(Format::Xlsx)))
        );
        assert_eq!(
            parse_format(&raw(&[("format", "pdf")])),
            Ok(Some(ExportFormat::Pdf))
        );
        assert_eq!(
            parse_format(&raw(&[("format", "docx")])).unwrap_err().field,
            "format"
        );
    }
}
