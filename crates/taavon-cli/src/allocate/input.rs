//! Reads the allocation files of the shared oracle format (`applications.csv`:
//! `id,province,amount,jobs,women_jobs,women_led,tier` and optionally `sector`;
//! `budgets.csv`: `province,budget`; `sector_caps.csv`: `sector,cap_bp`), columns in any
//! order, and names the file, row and column of anything wrong.
//!
//! The files are plain comma-separated numbers and ids without quoting, read by hand:
//! a million rows parse in a fraction of the time a general CSV reader takes.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, anyhow, bail};
use taavon_core::allocation::{Application, Problem, ProblemError, ProvinceBudget, Share};

/// A header's columns by name, and the rows below it with their 1-based line numbers.
struct Table<'t> {
    file: &'t Path,
    columns: Vec<&'t str>,
    rows: Vec<(usize, Vec<&'t str>)>,
}

impl<'t> Table<'t> {
    fn parse(file: &'t Path, text: &'t str) -> anyhow::Result<Table<'t>> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(n, l)| (n + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines
            .next()
            .ok_or_else(|| anyhow!("{}: the file is empty", file.display()))?;
        let columns: Vec<&str> = header.split(',').map(str::trim).collect();
        let mut rows = Vec::new();
        for (line, text) in lines {
            let fields: Vec<&str> = text.split(',').map(str::trim).collect();
            if fields.len() != columns.len() {
                bail!(
                    "{}: row {line}: {} fields where the header has {}",
                    file.display(),
                    fields.len(),
                    columns.len()
                );
            }
            rows.push((line, fields));
        }
        Ok(Table {
            file,
            columns,
            rows,
        })
    }

    fn column(&self, name: &str) -> anyhow::Result<usize> {
        self.optional_column(name)
            .ok_or_else(|| anyhow!("{}: missing column `{name}`", self.file.display()))
    }

    fn optional_column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| *c == name)
    }

    /// An error about field `column` of the row on line `line`.
    fn wrong(&self, line: usize, column: usize, problem: &str) -> anyhow::Error {
        anyhow!(
            "{}: row {line}, column `{}`: {problem}",
            self.file.display(),
            self.columns.get(column).copied().unwrap_or("?")
        )
    }

    /// Field `column` of a row as a `T`, or an error naming file, row and column.
    fn value<T: std::str::FromStr>(
        &self,
        (line, fields): &(usize, Vec<&str>),
        column: usize,
        what: &str,
    ) -> anyhow::Result<T> {
        let text = fields.get(column).copied().unwrap_or("");
        text.parse()
            .map_err(|_| self.wrong(*line, column, &format!("`{text}` is not {what}")))
    }
}

/// The applications with their ids, as read.
pub struct Input {
    pub ids: Vec<String>,
    pub problem: Problem,
    /// Sector names by code (`Application::sector`); empty without a `sector` column.
    pub sectors: Vec<String>,
    /// The caps of `--sector-caps`, by sector code.
    pub sector_caps: BTreeMap<u32, Share>,
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The applications, budgets and, with `sector_caps`, the caps by sector.
pub fn read_problem(
    applications: &Path,
    budgets: &Path,
    sector_caps: Option<&Path>,
) -> anyhow::Result<Input> {
    let app_text = read(applications)?;
    let table = Table::parse(applications, &app_text)?;
    let [id, province, amount, jobs, women_jobs, women_led, tier] = [
        "id",
        "province",
        "amount",
        "jobs",
        "women_jobs",
        "women_led",
        "tier",
    ]
    .map(|name| table.column(name));
    let (id, province, amount, jobs, women_jobs, women_led, tier) = (
        id?,
        province?,
        amount?,
        jobs?,
        women_jobs?,
        women_led?,
        tier?,
    );
    let sector = table.optional_column("sector");
    if sector_caps.is_some() && sector.is_none() {
        bail!(
            "{}: missing column `sector` (--sector-caps caps sectors)",
            applications.display()
        );
    }
    let mut sectors = SectorNames::default();
    let mut ids = Vec::with_capacity(table.rows.len());
    let mut apps = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let sector_code = match sector {
            None => 0,
            Some(column) => {
                let name = row.1.get(column).copied().unwrap_or("");
                if name.is_empty() {
                    return Err(table.wrong(row.0, column, "a sector is required"));
                }
                sectors
                    .code(name)
                    .ok_or_else(|| table.wrong(row.0, column, "too many sectors"))?
            }
        };
        ids.push(row.1.get(id).copied().unwrap_or("").to_owned());
        let women_led_flag: u8 = table.value(row, women_led, "0 or 1")?;
        if women_led_flag > 1 {
            return Err(table.wrong(
                row.0,
                women_led,
                &format!("`{women_led_flag}` is not 0 or 1"),
            ));
        }
        apps.push(Application {
            province: table.value(row, province, "a province code (a whole number)")?,
            amount: table.value(row, amount, "a whole number of rials")?,
            jobs: table.value(row, jobs, "a whole number of jobs")?,
            women_jobs: table.value(row, women_jobs, "a whole number of jobs")?,
            women_led: women_led_flag == 1,
            tier: table.value(row, tier, "a tier (1 to 4)")?,
            sector: sector_code,
        });
    }
    let app_rows: Vec<usize> = table.rows.iter().map(|r| r.0).collect();

    let budget_text = read(budgets)?;
    let btable = Table::parse(budgets, &budget_text)?;
    let (bprovince, budget) = (btable.column("province")?, btable.column("budget")?);
    let mut province_budgets = Vec::with_capacity(btable.rows.len());
    for row in &btable.rows {
        province_budgets.push(ProvinceBudget {
            province: btable.value(row, bprovince, "a province code (a whole number)")?,
            budget: btable.value(row, budget, "a whole number of rials")?,
        });
    }
    let budget_rows: Vec<usize> = btable.rows.iter().map(|r| r.0).collect();

    let problem = Problem::new(apps, &province_budgets).map_err(|e| match e {
        ProblemError::Application {
            index,
            field,
            problem,
        } => anyhow!(
            "{}: row {}, column `{field}`: {problem}",
            applications.display(),
            app_rows.get(index).copied().unwrap_or(0)
        ),
        ProblemError::Budget {
            index,
            field,
            problem,
            ..
        } => anyhow!(
            "{}: row {}, column `{field}`: {problem}",
            budgets.display(),
            budget_rows.get(index).copied().unwrap_or(0)
        ),
        other @ ProblemError::Parameter { .. } => anyhow!(other),
    })?;
    let sector_caps = match sector_caps {
        Some(path) => read_caps(path, &sectors)?,
        None => BTreeMap::new(),
    };
    Ok(Input {
        ids,
        problem,
        sectors: sectors.names,
        sector_caps,
    })
}

/// Sector names as codes, numbered in order of first appearance.
#[derive(Default)]
struct SectorNames<'t> {
    names: Vec<String>,
    codes: HashMap<&'t str, u32>,
}

impl<'t> SectorNames<'t> {
    /// The code of `name`, numbering it if new (none past u32's range).
    fn code(&mut self, name: &'t str) -> Option<u32> {
        if let Some(&code) = self.codes.get(name) {
            return Some(code);
        }
        let code = u32::try_from(self.names.len()).ok()?;
        self.codes.insert(name, code);
        self.names.push(name.to_owned());
        Some(code)
    }
}

/// `sector,cap_bp`: each sector once, a sector some application belongs to (a name
/// nobody applies under is most likely misspelt), a cap from 0 to 10 000 basis points.
fn read_caps(path: &Path, sectors: &SectorNames<'_>) -> anyhow::Result<BTreeMap<u32, Share>> {
    let text = read(path)?;
    let table = Table::parse(path, &text)?;
    let (sector, cap) = (table.column("sector")?, table.column("cap_bp")?);
    let mut caps = BTreeMap::new();
    for row in &table.rows {
        let name = row.1.get(sector).copied().unwrap_or("");
        let &code = sectors.codes.get(name).ok_or_else(|| {
            table.wrong(
                row.0,
                sector,
                &format!("`{name}` is not the sector of any application"),
            )
        })?;
        let what = "a whole number of basis points from 0 to 10000";
        let basis_points: u32 = table.value(row, cap, what)?;
        let share = Share::from_basis_points(basis_points)
            .ok_or_else(|| table.wrong(row.0, cap, &format!("`{basis_points}` is not {what}")))?;
        if caps.insert(code, share).is_some() {
            return Err(table.wrong(row.0, sector, &format!("`{name}` is capped twice")));
        }
    }
    Ok(caps)
}
