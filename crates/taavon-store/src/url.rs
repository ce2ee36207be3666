//! The database URL: its scheme chooses the engine.

use crate::StoreError;

/// A parsed database URL.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH` (or `sqlite:PATH`): an embedded database file.
    Sqlite { path: String },
    /// `postgres://…` or `postgresql://…`.
    Postgres { url: String },
}

impl DatabaseUrl {
    /// With zero configuration the database is SQLite under `./data`.
    pub const DEFAULT: &'static str = "sqlite://data/taavon.db";

    pub fn parse(url: &str) -> Result<Self, StoreError> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = path.split('?').next().unwrap_or(path);
            if path.is_empty() {
                return Err(StoreError::UnknownScheme {
                    scheme: "sqlite without a path".into(),
                });
            }
            return Ok(Self::Sqlite { path: path.into() });
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres { url: url.into() });
        }
        let scheme = url.split(':').next().unwrap_or(url).to_owned();
        Err(StoreError::UnknownScheme { scheme })
    }
}

/// Passwords in a PostgreSQL URL never reach a log.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite { path } => write!(f, "sqlite://{path}"),
            Self::Postgres { url } => write!(f, "{}", redact(url)),
        }
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = url.get(scheme_end + 3..at).unwrap_or_default();
            match credentials.split_once(':') {
                Some((user, _)) => format!(
                    "{}{user}:***{}",
                    url.get(..scheme_end + 3).unwrap_or_default(),
                    url.get(at..).unwrap_or_default()
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_chooses_the_engine_and_unknown_ones_are_refused() {
        // Establishes the URL contract of `taavon serve --db`.
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/taavon.db").unwrap(),
            DatabaseUrl::Sqlite {
                path: "data/taavon.db".into()
            }
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db?mode=rwc").unwrap(),
            DatabaseUrl::Sqlite {
                path: "/tmp/x.db".into()
            }
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://postgres@127.0.0.1/test").unwrap(),
            DatabaseUrl::Postgres { .. }
        ));
        assert!(matches!(
            DatabaseUrl::parse("mysql://root@localhost/x"),
            Err(StoreError::UnknownScheme { scheme }) if scheme == "mysql"
        ));
    }

    #[test]
    fn a_postgres_password_is_redacted_in_debug_output() {
        // Establishes that secrets in the URL never reach logs.
        let url = DatabaseUrl::parse("postgres://taavon:s3cret@db:5432/taavon").unwrap();
        assert_eq!(format!("{url:?}"), "postgres://taavon:***@db:5432/taavon");
    }
}
