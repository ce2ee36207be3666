//! A table file read as a stream of rows: a CSV (with or without a byte-order mark) or an
//! XLSX workbook's first sheet, one row of text cells at a time, so an import of millions
//! of rows holds one batch in memory. The imports that read a file twice — a pass that
//! checks every row, then a pass that writes — open it twice (the insured-worker lists,
//! services delivered).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{DataRef, DataType, Reader as _, Xlsx};
use sha2::{Digest, Sha256};

use crate::AppError;
use crate::import::RowError;
use crate::table::Format;

/// A file's rows after its header.
pub(crate) struct Sheet {
    source: Source,
    /// The row number (1 = the header) of the row read last.
    row: usize,
}

enum Source {
    Csv(csv::Reader<BufReader<File>>, csv::StringRecord),
    /// An XLSX sheet's rows. calamine's cell reader borrows its workbook, so the rows
    /// are read ahead into a bounded queue by a reader that owns both.
    Xlsx(XlsxRows),
}

impl Sheet {
    /// Opens the file and reads its header row (empty for an empty file).
    pub(crate) fn open(path: &Path, format: Format) -> Result<(Self, Vec<String>), AppError> {
        let (source, header) = match format {
            Format::Csv => {
                let file = File::open(path).map_err(io_error)?;
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(BufReader::new(file));
                let mut record = csv::StringRecord::new();
                let header: Vec<String> = if reader.read_record(&mut record).map_err(csv_error)? {
                    record.iter().map(str::to_owned).collect()
                } else {
                    Vec::new()
                };
                (Source::Csv(reader, record), header)
            }
            Format::Xlsx => {
                let mut rows = XlsxRows::open(path)?;
                let header = rows.next_row()?.unwrap_or_default();
                (Source::Xlsx(rows), header)
            }
        };
        Ok((Self { source, row: 1 }, header))
    }

    /// The next row that is not blank, with its number (1 = the header); none at the end.
    pub(crate) fn next_row(&mut self) -> Result<Option<(usize, Vec<String>)>, AppError> {
        loop {
            let cells: Vec<String> = match &mut self.source {
                Source::Csv(reader, record) => {
                    if !reader.read_record(record).map_err(csv_error)? {
                        return Ok(None);
                    }
                    record.iter().map(str::to_owned).collect()
                }
                Source::Xlsx(rows) => match rows.next_row()? {
                    Some(cells) => cells,
                    None => return Ok(None),
                },
            };
            self.row += 1;
            if !cells.iter().all(|c| c.trim().is_empty()) {
                return Ok(Some((self.row, cells)));
            }
        }
    }

    /// Stops reading (an XLSX reader thread is let go at its next row).
    pub(crate) fn stop(&mut self) {
        if let Source::Xlsx(rows) = &mut self.source {
            rows.done = true;
        }
    }
}

/// Where each of `columns` (an English key, then the Persian and other headers accepted
/// for it) sits in `header`, matched without case, spaces or a byte-order mark; a column
/// whose key is in `optional` may be absent. Every required column missing is named.
pub(crate) fn header_positions(
    header: &[String],
    columns: &[(&str, &[&str])],
    optional: &[&str],
) -> Result<Vec<Option<usize>>, Vec<RowError>> {
    let normalised: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let mut positions = Vec::with_capacity(columns.len());
    let mut errors = Vec::new();
    for (key, persian) in columns {
        let found = normalised
            .iter()
            .position(|h| h == key || persian.iter().any(|p| h == p));
        if found.is_none() && !optional.contains(key) {
            errors.push(RowError {
                row: 1,
                column: (*key).to_owned(),
                rule: "missing_column".into(),
                message_fa: format!(
                    "ستون «{}» در سطر عنوان نیست.",
                    persian.first().unwrap_or(key)
                ),
                message_en: format!("The header has no column {key}."),
            });
        }
        positions.push(found);
    }
    if errors.is_empty() {
        Ok(positions)
    } else {
        Err(errors)
    }
}

/// An error of the whole file (row 0, no column).
pub(crate) fn file_error(rule: &str, message_fa: &str, message_en: &str) -> RowError {
    RowError {
        row: 0,
        column: String::new(),
        rule: rule.into(),
        message_fa: message_fa.into(),
        message_en: message_en.into(),
    }
}

pub(crate) fn sha256_of(path: &Path) -> Result<String, AppError> {
    let mut file = BufReader::new(File::open(path).map_err(io_error)?);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let read = file.read(&mut buffer).map_err(io_error)?;
        if read == 0 {
            break;
        }
        hasher.update(buffer.get(..read).unwrap_or(&[]));
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

pub(crate) fn io_error(error: std::io::Error) -> AppError {
    AppError::Internal(format!("reading the file: {error}"))
}

fn csv_error(error: csv::Error) -> AppError {
    AppError::invalid(
        "file",
        "csv",
        "فایل CSV خوانا نیست.",
        &format!("The CSV file cannot be read: {error}"),
    )
}

/// An XLSX workbook's first sheet, read row by row through calamine's streaming cell
/// reader. That reader borrows its workbook, so a thread owns both and hands rows over
/// a bounded channel (memory stays bounded, and the async caller is not held up).
struct XlsxRows {
    receiver: std::sync::mpsc::Receiver<Result<Vec<String>, String>>,
    done: bool,
}

impl XlsxRows {
    fn open(path: &Path) -> Result<Self, AppError> {
        let path = path.to_owned();
        let (sender, receiver) = std::sync::mpsc::sync_channel(1024);
        std::thread::spawn(move || {
            let outcome = (|| -> Result<(), String> {
                let mut workbook: Xlsx<_> = calamine::open_workbook(&path)
                    .map_err(|e: calamine::XlsxError| e.to_string())?;
                let sheet = workbook
                    .sheet_names()
                    .first()
                    .cloned()
                    .ok_or_else(|| "the workbook has no sheet".to_owned())?;
                let mut cells = workbook
                    .worksheet_cells_reader(&sheet)
                    .map_err(|e| e.to_string())?;
                let mut current: Option<(u32, Vec<String>)> = None;
                while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
                    let (row, column) = cell.get_position();
                    if current.as_ref().is_some_and(|(r, _)| *r != row)
                        && let Some((_, done)) = current.take()
                        && sender.send(Ok(done)).is_err()
                    {
                        return Ok(());
                    }
                    let (_, values) = current.get_or_insert_with(|| (row, Vec::new()));
                    let column = usize::try_from(column).unwrap_or(usize::MAX);
                    if column < 64 {
                        if values.len() <= column {
                            values.resize(column + 1, String::new());
                        }
                        if let Some(slot) = values.get_mut(column) {
                            *slot = text_of(cell.get_value());
                        }
                    }
                }
                if let Some((_, done)) = current {
                    let _ = sender.send(Ok(done));
                }
                Ok(())
            })();
            if let Err(error) = outcome {
                let _ = sender.send(Err(error));
            }
        });
        Ok(Self {
            receiver,
            done: false,
        })
    }

    fn next_row(&mut self) -> Result<Option<Vec<String>>, AppError> {
        if self.done {
            return Ok(None);
        }
        match self.receiver.recv() {
            Ok(Ok(row)) => Ok(Some(row)),
            Ok(Err(error)) => Err(AppError::invalid(
                "file",
                "xlsx",
                "فایل اکسل خوانا نیست.",
                &format!("The XLSX file cannot be read: {error}"),
            )),
            Err(_) => {
                self.done = true;
                Ok(None)
            }
        }
    }
}

/// A cell as text; whole numbers without a decimal point (spreadsheets store codes as
/// numbers).
fn text_of(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Int(number) => number.to_string(),
        DataRef::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            format!("{number:.0}")
        }
        other => other.as_string().unwrap_or_default(),
    }
}
