//! A table file read as a stream of rows: a CSV (with or without a byte-order mark) or an
//! XLSX workbook's first sheet, one row of text cells at a time, so an import of millions
//! of rows holds one batch in memory. The imports that read a file twice — a pass that
//! checks every row, then a pass that writes — would open it twice; the insured-worker
//! lists and services delivered read it once, a CSV's SHA-256 taken on the way
//! (`Sheet::open_hashed`), its cells borrowed rather than copied (`Sheet::next_cells`).

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
    Csv(csv::Reader<Hashing<File>>, csv::StringRecord),
    /// An XLSX sheet's rows. calamine's cell reader borrows its workbook, so the rows
    /// are read ahead into a bounded queue by a reader that owns both.
    Xlsx(XlsxRows),
}

impl Sheet {
    /// Opens the file and reads its header row (empty for an empty file).
    pub(crate) fn open(path: &Path, format: Format) -> Result<(Self, Vec<String>), AppError> {
        Self::open_with(path, format, false)
    }

    /// `open`, with a CSV's SHA-256 taken as its bytes are read (`sha256` answers it
    /// once the last row is read); an XLSX file is hashed apart (its archive is read
    /// out of order).
    pub(crate) fn open_hashed(
        path: &Path,
        format: Format,
    ) -> Result<(Self, Vec<String>), AppError> {
        Self::open_with(path, format, true)
    }

    fn open_with(
        path: &Path,
        format: Format,
        hashed: bool,
    ) -> Result<(Self, Vec<String>), AppError> {
        let (source, header) = match format {
            Format::Csv => {
                let file = File::open(path).map_err(io_error)?;
                // The CSV reader buffers on its own; a larger buffer than its 8 KiB
                // default halves its refills on a file of a gigabyte.
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .buffer_capacity(1 << 16)
                    .from_reader(Hashing {
                        inner: file,
                        hasher: hashed.then(Sha256::new),
                    });
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
                rows.sha256 = if hashed { Some(sha256_of(path)?) } else { None };
                let header = rows.next_row()?.unwrap_or_default();
                (Source::Xlsx(rows), header)
            }
        };
        Ok((Self { source, row: 1 }, header))
    }

    /// The next row that is not blank, with its number (1 = the header), its cells
    /// borrowed until the next call; none at the end.
    pub(crate) fn next_cells(&mut self) -> Result<Option<(usize, Cells<'_>)>, AppError> {
        loop {
            let more = match &mut self.source {
                Source::Csv(reader, record) => reader.read_record(record).map_err(csv_error)?,
                Source::Xlsx(rows) => match rows.next_row()? {
                    Some(cells) => {
                        rows.current = cells;
                        true
                    }
                    None => false,
                },
            };
            if !more {
                return Ok(None);
            }
            self.row += 1;
            if !self.cells().is_blank() {
                return Ok(Some((self.row, self.cells())));
            }
        }
    }

    fn cells(&self) -> Cells<'_> {
        match &self.source {
            Source::Csv(_, record) => Cells::Csv(record),
            Source::Xlsx(rows) => Cells::Owned(&rows.current),
        }
    }

    /// The SHA-256 (lower-case hex) of a file opened with `open_hashed`, once its last
    /// row has been read; none before, or when it was opened with `open`.
    pub(crate) fn sha256(&mut self) -> Option<String> {
        match &mut self.source {
            Source::Csv(reader, _) => reader
                .get_mut()
                .hasher
                .take()
                .map(|hasher| hex(&hasher.finalize())),
            Source::Xlsx(rows) => rows.sha256.take(),
        }
    }

    /// Stops reading (an XLSX reader thread is let go at its next row).
    pub(crate) fn stop(&mut self) {
        if let Source::Xlsx(rows) = &mut self.source {
            rows.done = true;
        }
    }
}

/// A row's cells, borrowed from the reader.
pub(crate) enum Cells<'a> {
    Csv(&'a csv::StringRecord),
    Owned(&'a [String]),
}

impl Cells<'_> {
    /// The cell at `at`, empty past the row's end.
    pub(crate) fn get(&self, at: usize) -> &str {
        match self {
            Cells::Csv(record) => record.get(at).unwrap_or(""),
            Cells::Owned(cells) => cells.get(at).map_or("", String::as_str),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Cells::Csv(record) => record.len(),
            Cells::Owned(cells) => cells.len(),
        }
    }

    fn is_blank(&self) -> bool {
        (0..self.len()).all(|at| self.get(at).trim().is_empty())
    }
}

/// A reader that adds what it reads to a SHA-256, when it has one.
struct Hashing<R> {
    inner: R,
    hasher: Option<Sha256>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(buffer.get(..read).unwrap_or(&[]));
        }
        Ok(read)
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

fn sha256_of(path: &Path) -> Result<String, AppError> {
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
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    /// The row `Sheet::next_cells` lends.
    current: Vec<String>,
    /// The file's SHA-256, taken apart when it was opened hashed.
    sha256: Option<String>,
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
            current: Vec::new(),
            sha256: None,
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
