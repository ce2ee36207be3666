//! A WHERE clause built from optional filters: placeholders are generated and every
//! value is bound, never spliced into the query text.

/// A value bound to a generated placeholder.
pub(crate) enum Value {
    Text(String),
    /// Text or NULL.
    OptionalText(Option<String>),
    Int(i64),
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
                self.equals(bank_column, Some(bank));
                if !provinces.is_empty() {
                    self.one_of("province", provinces.iter().map(|p| p.as_str()));
                }
            }
        }
        true
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

    /// `WHERE …`, or nothing when there are no conditions.
    pub(crate) fn where_sql(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
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
                $crate::filter::Value::Bool(flag) => query.bind(*flag),
            };
        }
        query
    }};
}
pub(crate) use bind_values;
