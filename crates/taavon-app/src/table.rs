//! Tables in files: reading CSV (with or without a byte-order mark) and XLSX into rows of
//! text, and writing them back with Persian headers.

use std::io::Cursor;

use calamine::{Reader, open_workbook_auto_from_rs};

use crate::AppError;

/// A file's rows as text; `rows[0]` is the header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub rows: Vec<Vec<String>>,
}

/// The formats a table can be read from and written to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// By file name: `.xlsx` (or `.xls`, `.ods`) is a workbook, anything else CSV.
    pub fn of(file_name: &str) -> Self {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".xlsx") || lower.ends_with(".xls") || lower.ends_with(".ods") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

/// At most this many data rows are read from one file (bounded imports).
pub const ROWS_MAX: usize = 2_000_000;

impl Table {
    pub fn read(bytes: Vec<u8>, format: Format) -> Result<Self, AppError> {
        let table = match format {
            Format::Csv => read_csv(&bytes)?,
            Format::Xlsx => read_workbook(bytes)?,
        };
        if table.rows.len() > ROWS_MAX + 1 {
            return Err(AppError::invalid(
                "file",
                "too_many_rows",
                "پرونده بیش از دو میلیون ردیف دارد؛ آن را بخش کنید.",
                "The file has more than 2,000,000 rows; split it.",
            ));
        }
        Ok(table)
    }

    /// The column whose header is one of `names` (English key or Persian header).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        let header = self.rows.first()?;
        header.iter().position(|h| {
            let h = h.trim().trim_start_matches('\u{feff}');
            names.iter().any(|n| h.eq_ignore_ascii_case(n))
        })
    }

    /// Writes the table as CSV with a byte-order mark (so spreadsheets read Persian).
    pub fn to_csv(&self) -> Result<Vec<u8>, AppError> {
        let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        for row in &self.rows {
            writer.write_record(row).map_err(internal)?;
        }
        writer
            .into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Writes the table as an XLSX workbook with a right-to-left sheet.
    pub fn to_xlsx(&self, sheet_name: &str) -> Result<Vec<u8>, AppError> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name).map_err(internal)?;
        sheet.set_right_to_left(true);
        for (r, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(r).map_err(internal)?;
            for (c, value) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(internal)?;
                sheet.write_string(r, c, value).map_err(internal)?;
            }
        }
        workbook.save_to_buffer().map_err(internal)
    }
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::Internal(error.to_string())
}

fn unreadable(format: &str, error: impl std::fmt::Display) -> AppError {
    AppError::invalid(
        "file",
        "unreadable",
        &format!("پرونده {format} خوانا نیست."),
        &format!("The {format} file could not be read: {error}"),
    )
}

fn read_csv(bytes: &[u8]) -> Result<Table, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| unreadable("CSV", e))?;
        rows.push(record.iter().map(str::to_owned).collect());
        if rows.len() > ROWS_MAX + 1 {
            break;
        }
    }
    Ok(Table { rows })
}

fn read_workbook(bytes: Vec<u8>) -> Result<Table, AppError> {
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable("XLSX", e))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("XLSX", "no worksheet"))?
        .map_err(|e| unreadable("XLSX", e))?;
    let rows = range
        .rows()
        .take(ROWS_MAX + 2)
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    // Whole numbers in spreadsheets come as floats; show them without ".0".
                    calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    Ok(Table { rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_survives_csv_and_xlsx_round_trips() {
        // Establishes that what we write, we read back, in both formats, Persian intact.
        let table = Table {
            rows: vec![
                vec!["نام".into(), "شهرستان".into()],
                vec!["تعاونی پوشاک".into(), "1601".into()],
            ],
        };
        assert_eq!(
            Table::read(table.to_csv().unwrap(), Format::Csv).unwrap(),
            table
        );
        assert_eq!(
            Table::read(table.to_xlsx("test").unwrap(), Format::Xlsx).unwrap(),
            table
        );
        assert_eq!(table.column(&["county", "شهرستان"]), Some(1));
    }
}
