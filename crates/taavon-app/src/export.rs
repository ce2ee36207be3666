//! Exports of the registry: Persian headers, Jalali dates, in CSV (with a byte-order
//! mark) or XLSX; the same columns the import reads, so an export imports back unchanged.

use taavon_core::access::{self, ApplicationScope, CooperativeScope};
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_store::{CooperativeFilter, Store};

use crate::AppError;
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
    let mut offset = 0;
    loop {
        let mut read = store.read().await?;
        let (page, total) = read
            .cooperatives(&scope, &people, filter, PAGE, offset)
            .await?;
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
        offset += PAGE;
        if page.is_empty() || offset >= total {
            break;
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
