//! A list's order: one column of the list's own whitelist (an enum per list, so no text
//! from a request ever reaches `ORDER BY`) and a direction, with the row id after it so
//! that every order is total and a page never repeats or skips a row.

use crate::arrears::DAYS_OVERDUE_AS_READ;

/// The columns a list may be ordered by.
pub trait SortColumn: Copy {
    /// The column as the list's statement names it (a constant of the enum).
    fn sql(self) -> &'static str;

    /// Whether the column may be NULL: NULLs then come last in either direction, the same
    /// on both engines (SQLite puts them first, PostgreSQL last, by default).
    fn nullable(self) -> bool {
        false
    }
}

/// A column and a direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort<C> {
    pub column: C,
    pub descending: bool,
}

impl<C: SortColumn> Sort<C> {
    /// `ORDER BY …` with the row's `id` as the tie-breaker, in the same direction so that
    /// a keyset cursor can compare `(column, id)` as one value.
    pub(crate) fn order_by(self) -> String {
        let direction = if self.descending { "DESC" } else { "ASC" };
        let column = self.column.sql();
        let nulls_last = if self.column.nullable() {
            format!("{column} IS NULL, ")
        } else {
            String::new()
        };
        if column == "id" {
            return format!("ORDER BY id {direction}");
        }
        format!("ORDER BY {nulls_last}{column} {direction}, id {direction}")
    }

    /// The keyset condition of the rows after the row `placeholder` names (its id) in
    /// this order, over `table`: `(column, id)` compared as one row value, which SQLite
    /// and PostgreSQL both support. Only for columns that are never NULL.
    pub(crate) fn after(self, table: &str, placeholder: &str) -> String {
        let column = self.column.sql();
        let comparison = if self.descending { "<" } else { ">" };
        format!(
            "({column}, id) {comparison} (SELECT {column}, id FROM {table} WHERE id = {placeholder})"
        )
    }
}

/// The columns a cooperative list may be ordered by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CooperativeColumn {
    /// The folded name, so that «ي» and «ی» sort together.
    #[default]
    Name,
    Province,
    County,
    Kind,
    Sector,
    Status,
}

impl SortColumn for CooperativeColumn {
    fn sql(self) -> &'static str {
        match self {
            CooperativeColumn::Name => "name_key",
            CooperativeColumn::Province => "province",
            CooperativeColumn::County => "county",
            CooperativeColumn::Kind => "kind",
            CooperativeColumn::Sector => "sector",
            CooperativeColumn::Status => "status",
        }
    }
}

/// The columns an application list may be ordered by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ApplicationColumn {
    /// The number: the order of arrival.
    #[default]
    Id,
    Program,
    Province,
    Amount,
    Jobs,
    WomenJobs,
    Score,
    Status,
}

impl SortColumn for ApplicationColumn {
    fn sql(self) -> &'static str {
        match self {
            ApplicationColumn::Id => "id",
            ApplicationColumn::Program => "program",
            ApplicationColumn::Province => "province",
            ApplicationColumn::Amount => "amount_rial",
            ApplicationColumn::Jobs => "jobs",
            ApplicationColumn::WomenJobs => "women_jobs",
            ApplicationColumn::Score => "score_x100",
            ApplicationColumn::Status => "status",
        }
    }

    fn nullable(self) -> bool {
        self == ApplicationColumn::Score
    }
}

/// The columns a loan list may be ordered by (none of them NULL, so every one pages by
/// keyset).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoanColumn {
    ContractNo,
    Province,
    Branch,
    Principal,
    Outstanding,
    Overdue,
    /// The arrears list's order: the most overdue first.
    #[default]
    DaysOverdue,
    Class,
}

impl SortColumn for LoanColumn {
    fn sql(self) -> &'static str {
        match self {
            LoanColumn::ContractNo => "contract_no",
            LoanColumn::Province => "province",
            LoanColumn::Branch => "branch",
            LoanColumn::Principal => "principal_rial",
            LoanColumn::Outstanding => "outstanding_principal_rial",
            LoanColumn::Overdue => "due_unpaid_rial",
            // As the loans read: as of each loan's last closed date (`arrears.rs`).
            LoanColumn::DaysOverdue => DAYS_OVERDUE_AS_READ.as_str(),
            LoanColumn::Class => "class",
        }
    }
}

impl Default for Sort<CooperativeColumn> {
    fn default() -> Self {
        Self {
            column: CooperativeColumn::Name,
            descending: false,
        }
    }
}

impl Default for Sort<ApplicationColumn> {
    /// The newest first.
    fn default() -> Self {
        Self {
            column: ApplicationColumn::Id,
            descending: true,
        }
    }
}

impl Default for Sort<LoanColumn> {
    /// The most overdue first.
    fn default() -> Self {
        Self {
            column: LoanColumn::DaysOverdue,
            descending: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_ends_with_the_id_in_the_same_direction_and_puts_nulls_last() {
        // Establishes that every order is total (ties broken by id) and that a NULL
        // score sorts last on both engines.
        let newest = Sort::<ApplicationColumn>::default();
        assert_eq!(newest.order_by(), "ORDER BY id DESC");
        let by_score = Sort {
            column: ApplicationColumn::Score,
            descending: false,
        };
        assert_eq!(
            by_score.order_by(),
            "ORDER BY score_x100 IS NULL, score_x100 ASC, id ASC"
        );
    }

    #[test]
    fn a_keyset_cursor_compares_column_and_id_as_one_value() {
        // Establishes the loan list's cursor: the rows after a loan in its own order.
        let overdue_first = Sort::<LoanColumn>::default();
        let days = LoanColumn::DaysOverdue.sql();
        assert_eq!(
            overdue_first.after("loans", "$3"),
            format!("({days}, id) < (SELECT {days}, id FROM loans WHERE id = $3)")
        );
    }
}
