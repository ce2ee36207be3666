//! A WHERE clause built from optional filters: placeholders are generated and every
//! value is bound, never spliced into the query text.

/// A core enum's code as an SQL literal, for the statuses and classes a statement names
/// in its text (a fixed set, so the statement stays one prepared text): the code is
/// always the enum's own, never a value from outside.
pub(crate) fn code_literal(code: &'static str) -> String {
    format!("'{code}'")
}

/// A value bound to a generated placeholder.
pub(crate) enum Value {
    Text(String),
    /// Text or NULL.
    OptionalText(Option<String>),
    Int(i64),
    /// A number or NULL.
    OptionalInt(Option<i64>),
    Bool(bool),
}

/// Conditions joined by AND, with their bound values in placeholder order.
#[derive(Default)]
pub(crate) struct Conditions {
    conditions: Vec<String>,
    pub(crate) values: Vec<Value>,
}

impl Conditions {
    /// Binds a value and returns its placeholder (`$N`).
    pub(crate) fn bind(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// Adds a condition written with placeholders from `bind`.
    pub(crate) fn push(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    /// `column = value` when a value is given.
    pub(crate) fn equals(&mut self, column: &str, value: Option<&String>) {
        if let Some(value) = value {
            let p = self.bind(Value::Text(value.clone()));
            self.push(format!("{column} = {p}"));
        }
    }

    /// Confines a list of applications or loans to a principal's scope; `bank_column`
    /// names where the list keeps the bank (`referred_bank`, `bank`). `false` when the
    /// scope sees nothing at all.
    pub(crate) fn in_scope(
        &mut self,
        scope: &taavon_core::access::ApplicationScope,
        bank_column: &str,
    ) -> bool {
        use taavon_core::access::ApplicationScope;
        match scope {
            ApplicationScope::All => {}
            ApplicationScope::None => return false,
            ApplicationScope::Cooperative(id) => {
                let p = self.bind(Value::Int(*id));
                self.push(format!("cooperative_id = {p}"));
            }
            ApplicationScope::Provinces(provinces) => {
                self.one_of("province", provinces.iter().map(|p| p.as_str()));
            }
            ApplicationScope::Bank { bank, provinces } => {
                self.equals(bank_column, Some(&bank.to_string()));
                if !provinces.is_empty() {
                    self.one_of("province", provinces.iter().map(|p| p.as_str()));
                }
            }
        }
        true
    }

    /// Confines a list of applicants (cooperatives found by a member, or clients) to those
    /// whose applications `scope` lists, so whose people it reads: `id_column` and
    /// `province_column` name the list's columns, `applicant_column` the column of
    /// `applications` naming such an applicant (`cooperative_id` or `client_id`).
    pub(crate) fn in_applicant_scope(
        &mut self,
        scope: &taavon_core::access::ApplicationScope,
        id_column: &str,
        province_column: &str,
        applicant_column: ApplicantColumn,
    ) {
        use taavon_core::access::ApplicationScope;
        match scope {
            ApplicationScope::All => {}
            ApplicationScope::None => self.push("1 = 0".into()),
            ApplicationScope::Provinces(provinces) => {
                self.one_of(province_column, provinces.iter().map(|p| p.as_str()));
            }
            ApplicationScope::Cooperative(id) => match applicant_column {
                ApplicantColumn::Cooperative => {
                    let p = self.bind(Value::Int(*id));
                    self.push(format!("{id_column} = {p}"));
                }
                ApplicantColumn::Client => self.push("1 = 0".into()),
            },
            ApplicationScope::Bank { bank, provinces } => {
                if !provinces.is_empty() {
                    self.one_of(province_column, provinces.iter().map(|p| p.as_str()));
                }
                let column = applicant_column.column();
                let referred = self.bind(Value::Text(bank.to_string()));
                let lending = self.bind(Value::Text(bank.to_string()));
                self.push(format!(
                    "{id_column} IN (SELECT a.{column} FROM applications a \
                     WHERE a.referred_bank = {referred} AND a.{column} IS NOT NULL \
                     UNION SELECT a.{column} FROM loans l JOIN applications a \
                     ON a.id = l.application_id WHERE l.bank = {lending} AND a.{column} IS NOT NULL)"
                ));
            }
        }
    }

    /// `column IN (values…)`.
    pub(crate) fn one_of<'a>(&mut self, column: &str, values: impl IntoIterator<Item = &'a str>) {
        let placeholders: Vec<String> = values
            .into_iter()
            .map(|v| self.bind(Value::Text(v.to_owned())))
            .collect();
        if placeholders.is_empty() {
            self.push("1 = 0".into());
        } else {
            self.push(format!("{column} IN ({})", placeholders.join(", ")));
        }
    }

    /// `column IN (ids…)`; nothing matches an empty list.
    pub(crate) fn one_of_ids(&mut self, column: &str, ids: &[i64]) {
        let placeholders: Vec<String> = ids.iter().map(|id| self.bind(Value::Int(*id))).collect();
        if placeholders.is_empty() {
            self.push("1 = 0".into());
        } else {
            self.push(format!("{column} IN ({})", placeholders.join(", ")));
        }
    }

    /// `WHERE …`, or nothing when there are no conditions.
    pub(crate) fn where_sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// The WHERE clause with `condition` (bound to nothing) added to these: for a
    /// statement of several selects sharing these conditions' values.
    pub(crate) fn where_sql_and(&self, condition: &str) -> String {
        let all: Vec<&str> = self
            .conditions
            .iter()
            .map(String::as_str)
            .chain([condition])
            .collect();
        format!("WHERE {}", all.join(" AND "))
    }
}

/// Which kind of applicant a list holds, by the column of `applications` that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ApplicantColumn {
    Cooperative,
    Client,
}

impl ApplicantColumn {
    pub(crate) fn column(self) -> &'static str {
        match self {
            ApplicantColumn::Cooperative => "cooperative_id",
            ApplicantColumn::Client => "client_id",
        }
    }
}

/// Binds the conditions' values to a query, in order.
macro_rules! bind_values {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                $crate::filter::Value::Text(text) => query.bind(text.clone()),
                $crate::filter::Value::OptionalText(text) => query.bind(text.clone()),
                $crate::filter::Value::Int(number) => query.bind(*number),
                $crate::filter::Value::OptionalInt(number) => query.bind(*number),
                $crate::filter::Value::Bool(flag) => query.bind(*flag),
            };
        }
        query
    }};
}
pub(crate) use bind_values;
