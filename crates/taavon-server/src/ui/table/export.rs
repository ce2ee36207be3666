//! A list as a file: the CSV (with a byte-order mark, so spreadsheets read Persian) or
//! XLSX (a right-to-left sheet) the app's `table` writes, sent as a download named after
//! the list and the day.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use taavon_app::table::{Format, Table};

/// The content type of each format.
pub fn content_type(format: Format) -> &'static str {
    match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
}

/// The response of `rows` (the header first) as a file named `{file_stem}-{day}.{ext}`;
/// `sheet` names an XLSX sheet (Excel allows 31 characters, so it is cut there).
pub fn file(format: Format, file_stem: &str, sheet: &str, rows: Vec<Vec<String>>) -> Response {
    let table = Table { rows };
    let sheet: String = sheet
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(31)
        .collect();
    let (bytes, extension) = match format {
        Format::Csv => (table.to_csv(), "csv"),
        Format::Xlsx => (
            table.to_xlsx(if sheet.is_empty() { "list" } else { &sheet }),
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
    let day = taavon_app::clock::now().to_string();
    let day = day.get(..10).unwrap_or("export");
    let disposition = format!("attachment; filename=\"{file_stem}-{day}.{extension}\"");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(format)),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
