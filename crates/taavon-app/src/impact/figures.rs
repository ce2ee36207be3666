//! The impact figures (issue 14): planned, reported and verified jobs and what they cost,
//! per group and Jalali period, over the loans the reader's scope holds (a provincial
//! officer its province, a bank its loans, a representative its cooperative). One
//! grouped read from the store; the periods and shares come from the core.

use taavon_core::access::{Principal, application_scope};
use taavon_core::calendar::IsoDate;
use taavon_core::impact::figures::aggregate;
use taavon_core::reference::ProvinceCode;
use taavon_store::{FigureFilter, Store};

use crate::fields::optional_day;
use crate::{AppError, FieldError};
use taavon_core::limits::TextKind;

pub use taavon_core::impact::figures::{FigureRow, Grouping, Jobs, Period, PeriodKey};

/// The figures asked for, as typed (the API's query, the page's selects).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FiguresQuery {
    /// province (the default), county, sector, program or bank.
    pub by: Option<String>,
    /// month, season or year (the default).
    pub period: Option<String>,
    /// First disbursed on or after / on or before (either calendar).
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The figures: one row per period and group, and their totals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Figures {
    pub grouping: Grouping,
    pub period: Period,
    pub rows: Vec<FigureRow>,
    pub totals: Jobs,
}

/// Whose jobs a registry page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobsOf {
    Cooperative(i64),
    Province(ProvinceCode),
}

/// A query read into its parts, or every field that is wrong, named.
struct Asked {
    grouping: Grouping,
    period: Period,
    from: Option<IsoDate>,
    to: Option<IsoDate>,
}

impl FiguresQuery {
    fn read(&self) -> Result<Asked, AppError> {
        crate::bounds::check_texts(&[
            ("by", self.by.as_deref(), TextKind::Code),
            ("period", self.period.as_deref(), TextKind::Code),
            ("from", self.from.as_deref(), TextKind::Date),
            ("to", self.to.as_deref(), TextKind::Date),
        ])?;
        let mut errors = Vec::new();
        let given = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let grouping = match given(&self.by) {
            None => Some(Grouping::Province),
            Some(code) => Grouping::parse(&code).or_else(|| {
                errors.push(FieldError::new(
                    "by",
                    "one_of",
                    "گروه‌بندی یکی از استان، شهرستان، بخش، برنامه یا بانک است.",
                    "by is one of province, county, sector, program, bank.",
                ));
                None
            }),
        };
        let period = match given(&self.period) {
            None => Some(Period::Year),
            Some(code) => Period::parse(&code).or_else(|| {
                errors.push(FieldError::new(
                    "period",
                    "one_of",
                    "دوره یکی از ماه، فصل یا سال است.",
                    "period is one of month, season, year.",
                ));
                None
            }),
        };
        let (from, to) = (
            optional_day(&mut errors, "from", self.from.as_deref()),
            optional_day(&mut errors, "to", self.to.as_deref()),
        );
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.push(FieldError::new(
                "to",
                "before_from",
                "«تا تاریخ» پیش از «از تاریخ» است.",
                "The end date is before the start date.",
            ));
        }
        match (grouping, period) {
            (Some(grouping), Some(period)) if errors.is_empty() => Ok(Asked {
                grouping,
                period,
                from,
                to,
            }),
            _ => Err(AppError::Invalid(errors)),
        }
    }
}

/// The figures of the loans in the principal's scope.
pub async fn figures(
    store: &Store,
    principal: &Principal,
    query: &FiguresQuery,
) -> Result<Figures, AppError> {
    let asked = query.read()?;
    let cells = read_cells(
        store,
        principal,
        &FigureFilter {
            grouping: asked.grouping,
            from: asked.from,
            to: asked.to,
            province: None,
            cooperative_id: None,
        },
    )
    .await?;
    Ok(Figures {
        grouping: asked.grouping,
        period: asked.period,
        rows: aggregate(&cells, asked.period),
        totals: Jobs::total(&cells),
    })
}

/// A cooperative's or a province's jobs, all periods together, within the principal's
/// scope (the cooperative page and the province page).
pub async fn jobs_of(store: &Store, principal: &Principal, of: &JobsOf) -> Result<Jobs, AppError> {
    let (province, cooperative_id) = match of {
        JobsOf::Cooperative(id) => (None, Some(*id)),
        JobsOf::Province(code) => (Some(code.clone()), None),
    };
    let cells = read_cells(
        store,
        principal,
        &FigureFilter {
            grouping: Grouping::Province,
            from: None,
            to: None,
            province,
            cooperative_id,
        },
    )
    .await?;
    Ok(Jobs::total(&cells))
}

async fn read_cells(
    store: &Store,
    principal: &Principal,
    filter: &FigureFilter,
) -> Result<Vec<taavon_core::impact::figures::FigureCell>, AppError> {
    let mut read = store.read().await?;
    let cells = read
        .impact_figures(&application_scope(principal), filter)
        .await?;
    read.finish().await?;
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(by: &str, period: &str, from: &str, to: &str) -> FiguresQuery {
        let some = |t: &str| Some(t.to_owned());
        FiguresQuery {
            by: some(by),
            period: some(period),
            from: some(from),
            to: some(to),
        }
    }

    #[test]
    fn a_query_reads_its_defaults_and_either_calendar() {
        let asked = FiguresQuery::default().read().unwrap();
        assert_eq!(
            (asked.grouping, asked.period),
            (Grouping::Province, Period::Year)
        );
        let asked = query("bank", "season", "۱۴۰۳/۰۷/۰۱", "2025-03-20")
            .read()
            .unwrap();
        assert_eq!(asked.grouping, Grouping::Bank);
        assert_eq!(asked.from.unwrap().to_string(), "2024-09-22");
        assert_eq!(asked.to.unwrap().to_string(), "2025-03-20");
    }

    #[test]
    fn every_wrong_field_is_named() {
        let Err(AppError::Invalid(errors)) = query("city", "week", "1403/13/01", "").read() else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["by", "period", "from"]);
        let Err(AppError::Invalid(errors)) = query("", "", "2025-01-02", "2025-01-01").read()
        else {
            panic!("expected field errors");
        };
        assert_eq!(errors[0].field, "to");
    }
}
