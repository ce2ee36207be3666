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
    /// A text cell a spreadsheet would run as a formula is written inert (`spreadsheet_safe`).
    pub fn to_csv(&self) -> Result<Vec<u8>, AppError> {
        let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        for row in &self.rows {
            writer
                .write_record(row.iter().map(|cell| spreadsheet_safe(cell)))
                .map_err(internal)?;
        }
        writer
            .into_inner()
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Writes the table as an XLSX workbook with a right-to-left sheet. Every cell is a
    /// string cell, which a spreadsheet never evaluates, so nothing is escaped here.
    pub fn to_xlsx(&self, sheet_name: &str) -> Result<Vec<u8>, AppError> {
        self.to_xlsx_typed(sheet_name, &[])
    }

    /// The same workbook with the cells `numeric` marks (by row and column) written as
    /// numbers when they hold a whole number a spreadsheet keeps exactly (within ±2^53),
    /// so it sums and sorts them; every other cell is a string (a code with a leading zero
    /// is never marked).
    pub fn to_xlsx_typed(
        &self,
        sheet_name: &str,
        numeric: &[Vec<bool>],
    ) -> Result<Vec<u8>, AppError> {
        /// The largest whole number an IEEE double holds exactly.
        const EXACT: i64 = 1 << 53;
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name).map_err(internal)?;
        sheet.set_right_to_left(true);
        for (at_row, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(at_row).map_err(internal)?;
            let marked = numeric.get(at_row);
            for (at, value) in row.iter().enumerate() {
                let c = u16::try_from(at).map_err(internal)?;
                let number = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| marked.and_then(|m| m.get(at)) == Some(&true) && n.abs() <= EXACT);
                match number {
                    // Exact: |n| ≤ 2^53 (checked above).
                    #[allow(clippy::cast_precision_loss)]
                    Some(n) => sheet.write_number(r, c, n as f64),
                    None => sheet.write_string(r, c, value),
                }
                .map_err(internal)?;
            }
        }
        workbook.save_to_buffer().map_err(internal)
    }
}

/// The characters that make a spreadsheet read a CSV cell as a formula (OWASP's list).
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell as written: one beginning with a formula trigger gets a leading `'`, so a
/// spreadsheet shows it as text instead of running it (OWASP's CSV injection rule). A
/// plain number (`-5`, `+12.5`) is data, not a formula, and stays a number.
fn spreadsheet_safe(cell: &str) -> String {
    if needs_apostrophe(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// A CSV cell as read: undoes `spreadsheet_safe`, so an export imports back unchanged.
fn unescape_cell(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_apostrophe(rest) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

/// Whether a cell is written with a leading `'`: it would run as a formula, or it already
/// begins with apostrophes before one (so reading strips exactly the one we added).
fn needs_apostrophe(cell: &str) -> bool {
    let text = cell.trim_start_matches('\'');
    text.starts_with(FORMULA_TRIGGERS) && !is_plain_number(text)
}

/// `[+-]digits[.digits]`: a number a spreadsheet reads as a constant.
fn is_plain_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
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
        rows.push(record.iter().map(unescape_cell).collect());
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

    #[test]
    fn a_csv_cell_that_a_spreadsheet_would_run_is_written_as_text_and_read_back_unchanged() {
        // Establishes OWASP's CSV injection rule: a text cell beginning with = + - @ tab
        // or CR gets a leading apostrophe, plain numbers stay numbers, and an import of
        // the export gets the original text back.
        let dangerous = [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+98 912 000 0000",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1:A9)",
            "\t=1+1",
            "\r=1+1",
            "-",
            "+",
            "'=1+1",
        ];
        let safe = ["-5", "+12", "-1.25", "تعاونی", "1-2", "a=b", "'quoted", ""];
        let mut rows = vec![vec!["cell".to_owned()]];
        rows.extend(dangerous.iter().chain(&safe).map(|c| vec![(*c).to_owned()]));
        let table = Table { rows };
        let csv = table.to_csv().unwrap();
        let written = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(&csv[3..])
            .records()
            .map(|r| r.unwrap()[0].to_owned())
            .collect::<Vec<_>>();
        for (cell, out) in dangerous.iter().chain(&safe).zip(&written) {
            let escaped = dangerous.contains(cell);
            assert_eq!(
                out.starts_with('\''),
                escaped || cell.starts_with('\''),
                "{cell:?} → {out:?}"
            );
            if escaped {
                assert_eq!(&out[1..], *cell);
            } else {
                assert_eq!(out, cell);
            }
        }
        assert_eq!(Table::read(csv, Format::Csv).unwrap(), table);
    }

    #[test]
    fn numeric_columns_are_written_as_numbers_below_the_header() {
        // Establishes that the marked cells' whole numbers become number cells (a marked
        // word stays text, and so does every unmarked cell, a code with a leading zero
        // too), and that the table reads back the same.
        let table = Table {
            rows: vec![
                vec!["استان".into(), "مبلغ".into(), "کد".into()],
                vec!["ایلام".into(), "-1250".into(), "0013542419".into()],
                vec!["لرستان".into(), "هیچ".into(), "12".into()],
            ],
        };
        let marks = vec![
            vec![false, false, false],
            vec![false, true, false],
            vec![false, true, true],
        ];
        let bytes = table.to_xlsx_typed("test", &marks).unwrap();
        let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes.clone())).unwrap();
        let range = workbook.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<calamine::Data>> = range.rows().map(<[_]>::to_vec).collect();
        assert_eq!(rows[0][1], calamine::Data::String("مبلغ".into()));
        assert_eq!(rows[1][1], calamine::Data::Float(-1250.0));
        assert_eq!(rows[1][2], calamine::Data::String("0013542419".into()));
        assert_eq!(rows[2][1], calamine::Data::String("هیچ".into()));
        assert_eq!(rows[2][2], calamine::Data::Float(12.0));
        assert_eq!(Table::read(bytes, Format::Xlsx).unwrap(), table);
    }

    #[test]
    fn xlsx_cells_stay_text_as_typed_without_an_apostrophe() {
        // Establishes that the workbook keeps what was typed: its string cells are never
        // formulas, so they need no escaping (and get none).
        let table = Table {
            rows: vec![vec!["=1+1".into(), "-5".into(), "@x".into()]],
        };
        let bytes = table.to_xlsx("test").unwrap();
        let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap();
        let range = workbook.worksheet_range_at(0).unwrap().unwrap();
        let cells: Vec<calamine::Data> = range.rows().next().unwrap().to_vec();
        assert_eq!(
            cells,
            vec![
                calamine::Data::String("=1+1".into()),
                calamine::Data::String("-5".into()),
                calamine::Data::String("@x".into()),
            ]
        );
        let formulas = workbook.worksheet_formula("test").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }
}
