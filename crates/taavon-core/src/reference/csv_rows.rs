//! Reading CSV text row by row with errors that name the row, the column and the rule.

/// One cell that broke one rule. Rows count from 1 = the header, as spreadsheets show them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}, column {column}: {rule}")]
pub struct RowError {
    pub row: u64,
    pub column: String,
    pub rule: String,
}

/// A data row with its spreadsheet row number.
pub(crate) struct Row {
    pub number: u64,
    pub record: csv::StringRecord,
}

impl Row {
    pub fn field(&self, index: usize, column: &str) -> Result<&str, RowError> {
        self.record
            .get(index)
            .map(str::trim)
            .ok_or_else(|| self.error(index, column, "missing"))
    }

    pub fn error(&self, _index: usize, column: &str, rule: &str) -> RowError {
        RowError {
            row: self.number,
            column: column.to_owned(),
            rule: rule.to_owned(),
        }
    }
}

/// The data rows of a CSV text with a header; a UTF-8 byte-order mark is ignored.
pub(crate) fn records(text: &str) -> Result<Vec<Row>, RowError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let number = u64::try_from(index).unwrap_or(u64::MAX).saturating_add(2);
        let record = record.map_err(|_| RowError {
            row: number,
            column: String::new(),
            rule: "csv_syntax".into(),
        })?;
        rows.push(Row { number, record });
    }
    Ok(rows)
}

pub(crate) fn required_number(row: &Row, index: usize, column: &str) -> Result<u64, RowError> {
    optional_number(row, index, column)?.ok_or_else(|| row.error(index, column, "required"))
}

pub(crate) fn optional_number(
    row: &Row,
    index: usize,
    column: &str,
) -> Result<Option<u64>, RowError> {
    let text = row.field(index, column)?;
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| row.error(index, column, "not_a_number"))
}
