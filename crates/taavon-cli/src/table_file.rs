//! Reading the CSV files of the rule-alone commands (`impact verify`, `indicators`): a
//! header naming the columns in any order, every error naming the file, the row and the
//! column, as the oracle formats and people's spreadsheets need.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow};
use clap::ValueEnum;

/// How a rule-alone command prints its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON document for programs.
    Json,
}

/// A CSV file's rows, with its columns found by name.
pub struct TableFile {
    path: PathBuf,
    columns: HashMap<String, usize>,
    rows: Vec<csv::StringRecord>,
}

/// One row of a `TableFile`, for reading fields by column name.
pub struct Row<'t> {
    file: &'t TableFile,
    /// 1-based, counting the header as row 1, as a spreadsheet shows it.
    number: usize,
    record: &'t csv::StringRecord,
}

impl TableFile {
    /// Reads the whole file (UTF-8, an Excel byte-order mark allowed) and checks that it
    /// has the `required` columns.
    pub fn read(path: &Path, required: &[&str]) -> anyhow::Result<TableFile> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .with_context(|| format!("{}: cannot be read", path.display()))?;
        let columns: HashMap<String, usize> = reader
            .headers()
            .with_context(|| format!("{}: no header row", path.display()))?
            .iter()
            .enumerate()
            .map(|(index, name)| (name.trim_start_matches('\u{feff}').to_owned(), index))
            .collect();
        for name in required {
            if !columns.contains_key(*name) {
                return Err(anyhow!("{}: missing column `{name}`", path.display()));
            }
        }
        let rows = reader
            .records()
            .enumerate()
            .map(|(index, record)| {
                record.with_context(|| format!("{}: row {}", path.display(), index + 2))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(TableFile {
            path: path.to_owned(),
            columns,
            rows,
        })
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().enumerate().map(|(index, record)| Row {
            file: self,
            number: index + 2,
            record,
        })
    }
}

impl Row<'_> {
    /// The text of column `name` (which `read` checked exists).
    pub fn text(&self, name: &str) -> &str {
        self.file
            .columns
            .get(name)
            .and_then(|index| self.record.get(*index))
            .unwrap_or("")
    }

    /// Column `name` parsed by `parse`, or an error naming file, row and column.
    pub fn parse<T, E: std::fmt::Display>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> anyhow::Result<T> {
        let text = self.text(name);
        parse(text).map_err(|error| {
            anyhow!(
                "{}: row {}, column `{name}`: `{text}`: {error}",
                self.file.path.display(),
                self.number
            )
        })
    }

    /// Column `name` as a number (`FromStr`), Persian or Arabic-Indic digits allowed.
    pub fn number<T>(&self, name: &str) -> anyhow::Result<T>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        self.parse(name, |text| {
            taavon_core::digits::to_ascii_digits(text).parse::<T>()
        })
    }
}
