//! Exports of the registry: Persian headers, Jalali dates, in CSV (with a byte-order
//! mark) or XLSX; the same columns the import reads, so an export imports back unchanged.
//! And the rows of every list's export (the UI's CSV and XLSX buttons): exactly the rows
//! the caller's pages of that list show, read through the same scoped use cases.

use taavon_core::access::{self, ApplicationScope, CooperativeScope, Principal};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_core::digits::to_persian_digits;
use taavon_store::{
    Application, ApplicationFilter, AuditRecord, Cooperative, CooperativeFilter, ListedFormation,
    Loan, LoanFilter, Store,
};

use crate::AppError;
use crate::audit::{AuditSearch, search_audit};
use crate::import::COOPERATIVE_COLUMNS;
use crate::table::{Format, Table};
use crate::users::Caller;

/// Rows read per query while exporting.
const PAGE: i64 = 500;

/// The cooperatives the caller may see, as a file.
pub async fn export_cooperatives(
    store: &Store,
    caller: Caller<'_>,
    filter: &CooperativeFilter,
    format: Format,
) -> Result<Vec<u8>, AppError> {
    let (scope, people) = match caller {
        Caller::User(principal) => (
            access::cooperative_scope(principal),
            access::application_scope(principal),
        ),
        Caller::Operator(_) => (CooperativeScope::All, ApplicationScope::All),
    };
    let mut table = Table {
        rows: vec![
            COOPERATIVE_COLUMNS
                .iter()
                .map(|(_, persian)| (*persian).to_owned())
                .collect(),
        ],
    };
    // Page by cursor from the list's start: each page seeks to its place, where an offset
    // would skip ever more rows on the way through a national registry.
    let mut filter = CooperativeFilter {
        after_cooperative: None,
        ..filter.clone()
    };
    loop {
        let mut read = store.read().await?;
        let (page, _) = read.cooperatives(&scope, &people, &filter, PAGE, 0).await?;
        read.finish().await?;
        for c in &page {
            let f = &c.fields;
            table.rows.push(vec![
                f.name.clone(),
                f.kind.code().to_owned(),
                f.sector.clone(),
                f.county.clone(),
                f.legal_id.clone().unwrap_or_default(),
                jalali(f.founded_on.as_deref()),
                if f.women_led { "بله" } else { "خیر" }.to_owned(),
                f.registration_number.clone().unwrap_or_default(),
                jalali(f.registered_on.as_deref()),
                f.status.code().to_owned(),
                f.address.clone().unwrap_or_default(),
                f.phone.clone().unwrap_or_default(),
            ]);
        }
        match page.last() {
            Some(last) => filter.after_cooperative = Some(last.id),
            None => break,
        }
    }
    match format {
        Format::Csv => table.to_csv(),
        Format::Xlsx => table.to_xlsx("تعاونی‌ها"),
    }
}

fn jalali(iso: Option<&str>) -> String {
    iso.and_then(|d| IsoDate::parse(d).ok())
        .map(|d| JalaliDate::from(d).format_fa())
        .unwrap_or_default()
}

/// The most rows one list's export holds; a larger list is refused with the advice to
/// narrow its filters (a file of millions of rows helps no one and holds the server).
pub const LIST_EXPORT_ROWS_MAX: i64 = 100_000;

/// Every cooperative the principal may see that `filter` matches, in its order: the
/// rows of the list's export, read through the same scoped use case as its pages.
pub async fn cooperatives_to_export(
    store: &Store,
    principal: &Principal,
    filter: &CooperativeFilter,
) -> Result<Vec<Cooperative>, AppError> {
    every_page(|offset| async move {
        let page =
            crate::cooperatives::list_cooperatives(store, principal, filter, PAGE, offset).await?;
        Ok((page.cooperatives, page.total))
    })
    .await
}

/// Every application the principal may see that `filter` matches, in its order.
pub async fn applications_to_export(
    store: &Store,
    principal: &Principal,
    filter: &ApplicationFilter,
) -> Result<Vec<Application>, AppError> {
    every_page(|offset| async move {
        let page =
            crate::applications::list_applications(store, principal, filter, PAGE, offset).await?;
        Ok((page.applications, page.total))
    })
    .await
}

/// Every formation the principal reviews, newest first, each with its cooperative's name.
pub async fn formations_to_export(
    store: &Store,
    principal: &Principal,
) -> Result<Vec<ListedFormation>, AppError> {
    every_page(|offset| async move {
        let page = crate::formations::list_formations(store, principal, PAGE, offset).await?;
        Ok((page.formations, page.total))
    })
    .await
}

/// Every loan the principal may see that `filter` matches, in its order, from the first
/// (the filter's cursor is a page's, not the list's).
pub async fn loans_to_export(
    store: &Store,
    principal: &Principal,
    filter: &LoanFilter,
) -> Result<Vec<Loan>, AppError> {
    let filter = &LoanFilter {
        after_loan: None,
        ..filter.clone()
    };
    every_page(|offset| async move {
        crate::loans::list_loans(store, principal, filter, PAGE, offset).await
    })
    .await
}

/// Every audit record `search` matches, newest first (auditors and ministry admins).
pub async fn audit_to_export(
    store: &Store,
    principal: &Principal,
    search: &AuditSearch,
) -> Result<Vec<AuditRecord>, AppError> {
    let mut records: Vec<AuditRecord> = Vec::new();
    loop {
        let before = records.last().map(|r| r.seq);
        let page = search_audit(store, principal, search, PAGE, before).await?;
        let done = i64::try_from(page.len()).unwrap_or(i64::MAX) < PAGE;
        records.extend(page);
        if i64::try_from(records.len()).unwrap_or(i64::MAX) > LIST_EXPORT_ROWS_MAX {
            return Err(too_many_rows());
        }
        if done {
            return Ok(records);
        }
    }
}

/// Reads a list page by page (`read` takes an offset and answers a page with the whole
/// list's size), refusing before the first row past `LIST_EXPORT_ROWS_MAX`.
async fn every_page<T, F, Fut>(mut read: F) -> Result<Vec<T>, AppError>
where
    F: FnMut(i64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, i64), AppError>>,
{
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let (page, total) = read(offset).await?;
        if total > LIST_EXPORT_ROWS_MAX {
            return Err(too_many_rows());
        }
        let read_all = page.is_empty();
        rows.extend(page);
        offset = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        if read_all || offset >= total {
            return Ok(rows);
        }
    }
}

fn too_many_rows() -> AppError {
    AppError::invalid(
        "export",
        "too_many_rows",
        &to_persian_digits(&format!(
            "خروجی بیش از {LIST_EXPORT_ROWS_MAX} ردیف می‌شود؛ فهرست را با فیلترها محدودتر کنید."
        )),
        &format!(
            "The export would exceed {LIST_EXPORT_ROWS_MAX} rows; narrow the list with its filters."
        ),
    )
}
