//! Reads the allocation files of the shared oracle format (`applications.csv`:
//! `id,province,amount,jobs,women_jobs,women_led,tier`; `budgets.csv`: `province,budget`),
//! columns in any order, and names the file, row and column of anything wrong.
//!
//! The files are plain comma-separated numbers and ids without quoting, read by hand:
//! a million rows parse in a fraction of the time a general CSV reader takes.

use std::path::Path;

use anyhow::{Context, anyhow, bail};
use taavon_core::allocation::{Application, Problem, ProblemError, ProvinceBudget};

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
        self.columns
            .iter()
            .position(|c| *c == name)
            .ok_or_else(|| anyhow!("{}: missing column `{name}`", self.file.display()))
    }

    /// Field `column` of a row as a `T`, or an error naming file, row and column.
    fn value<T: std::str::FromStr>(
        &self,
        (line, fields): &(usize, Vec<&str>),
        column: usize,
        what: &str,
    ) -> anyhow::Result<T> {
        let text = fields.get(column).copied().unwrap_or("");
        text.parse().map_err(|_| {
            anyhow!(
                "{}: row {line}, column `{}`: `{text}` is not {what}",
                self.file.display(),
                self.columns.get(column).copied().unwrap_or("?")
            )
        })
    }
}

/// The applications with their ids, as read.
pub struct Input {
    pub ids: Vec<String>,
    pub problem: Problem,
}

fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

pub fn read_problem(applications: &Path, budgets: &Path) -> anyhow::Result<Input> {
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
    let mut ids = Vec::with_capacity(table.rows.len());
    let mut apps = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        ids.push(row.1.get(id).copied().unwrap_or("").to_owned());
        let women_led: u8 = table.value(row, women_led, "0 or 1")?;
        if women_led > 1 {
            bail!(
                "{}: row {}, column `women_led`: `{women_led}` is not 0 or 1",
                applications.display(),
                row.0
            );
        }
        apps.push(Application {
            province: table.value(row, province, "a province code (a whole number)")?,
            amount: table.value(row, amount, "a whole number of rials")?,
            jobs: table.value(row, jobs, "a whole number of jobs")?,
            women_jobs: table.value(row, women_jobs, "a whole number of jobs")?,
            women_led: women_led == 1,
            tier: table.value(row, tier, "a tier (1 to 4)")?,
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
    Ok(Input { ids, problem })
}
