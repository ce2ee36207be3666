//! A list as a file: the CSV (with a byte-order mark, so spreadsheets read Persian) or
//! XLSX (a right-to-left sheet) the app's `table` writes, or a printable PDF report
//! (taavon-pdf: Persian shaped, right to left, Vazirmatn), sent as a download named after
//! the list and the day.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use taavon_app::table::{Format, Table};
use taavon_pdf::report::{Column, Report, report};

use crate::ui::format::local_time;
use crate::ui::i18n::Lang;

/// What a list's export link asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// A data file (CSV or XLSX) with plain figures a spreadsheet can add up.
    Data(Format),
    /// A printable report with the figures as the page shows them.
    Pdf,
}

/// The content type of each format.
pub fn content_type(format: Format) -> &'static str {
    match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
}

/// A list as a PDF report: its caption as the title, when it was made, the columns'
/// headers and each row's cells as shown (Persian digits).
pub fn pdf(file_stem: &str, caption: &str, columns: Vec<Column>, rows: &[Vec<String>]) -> Response {
    let lang = Lang::Fa;
    let now = taavon_app::clock::now();
    let subtitle = format!("تهیه‌شده در {}", local_time(lang, now));
    let footer = |page: usize, pages: usize| {
        format!(
            "صفحهٔ {} از {} · {caption}",
            lang.digits(&page.to_string()),
            lang.digits(&pages.to_string())
        )
    };
    let bytes = report(&Report {
        title: caption,
        subtitle: &subtitle,
        columns: &columns,
        rows,
        page_footer: &footer,
    });
    attachment(bytes, "application/pdf", file_stem, "pdf")
}

/// Bytes as a download named `{file_stem}-{day}.{extension}`.
fn attachment(
    bytes: Vec<u8>,
    content_type: &'static str,
    file_stem: &str,
    extension: &str,
) -> Response {
    let day = taavon_app::clock::now().to_string();
    let day = day.get(..10).unwrap_or("export");
    let disposition = format!("attachment; filename=\"{file_stem}-{day}.{extension}\"");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The response of `rows` (the header first) as a file named `{file_stem}-{day}.{ext}`;
/// `sheet` names an XLSX sheet (Excel allows 31 characters, so it is cut there), whose
/// cells `numeric` marks (by row and column) hold their whole numbers as number cells.
pub fn file(
    format: Format,
    file_stem: &str,
    sheet: &str,
    rows: Vec<Vec<String>>,
    numeric: &[Vec<bool>],
) -> Response {
    let table = Table { rows };
    let sheet: String = sheet
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    let (bytes, extension) = match format {
        Format::Csv => (table.to_csv(), "csv"),
        Format::Xlsx => (
            table.to_xlsx_typed(if sheet.is_empty() { "list" } else { &sheet }, numeric),
            "xlsx",
        ),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "export failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    attachment(bytes, content_type(format), file_stem, extension)
}
