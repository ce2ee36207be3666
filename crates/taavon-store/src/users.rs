//! Users, their roles and scopes, API tokens, and the audit records of logins.

use sqlx::Row;
use taavon_core::access::{JudgePanel, Role, RoleKind};
use taavon_core::reference::{AgencyCode, BankCode, ProvinceCode};
use taavon_core::timestamp::Timestamp;

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::error::{corrupt, db};
use crate::tx::{Reader, WriteTx};

/// A user account to create. The password arrives already hashed (argon2id).
#[derive(Clone, Debug)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
}

/// How and from where a login came, as its audit record keeps it.
#[derive(Clone, Copy, Debug)]
pub struct LoginContext<'a> {
    /// `api` or `ui`.
    pub via: &'static str,
    /// The client's address as the server determined it.
    pub source: &'a str,
}

/// A stored user account.
#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub active: bool,
    pub created_at: String,
}

const USER_COLUMNS: &str = "id, username, display_name, password_hash, role, province, bank, \
                            agency, cooperative_id, festival_year, active, created_at";

struct UserRow {
    id: i64,
    username: String,
    display_name: String,
    password_hash: String,
    role: String,
    province: Option<String>,
    bank: Option<String>,
    agency: Option<String>,
    cooperative_id: Option<i64>,
    festival_year: Option<i64>,
    active: bool,
    created_at: String,
}

macro_rules! user_row {
    ($row:expr) => {
        (|| -> Result<UserRow, sqlx::Error> {
            Ok(UserRow {
                id: $row.try_get("id")?,
                username: $row.try_get("username")?,
                display_name: $row.try_get("display_name")?,
                password_hash: $row.try_get("password_hash")?,
                role: $row.try_get("role")?,
                province: $row.try_get("province")?,
                bank: $row.try_get("bank")?,
                agency: $row.try_get("agency")?,
                cooperative_id: $row.try_get("cooperative_id")?,
                festival_year: $row.try_get("festival_year")?,
                active: $row.try_get("active")?,
                created_at: $row.try_get("created_at")?,
            })
        })()
        .map_err(db("decoding a user"))
    };
}

impl Reader {
    pub async fn user_by_username(&mut self, username: &str) -> Result<Option<User>, StoreError> {
        let row = on!(&mut self.conn, |c| {
            let query = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
            sqlx::query(sqlx::AssertSqlSafe(query))
                .bind(username)
                .fetch_optional(c)
                .await
                .map_err(db("finding a user"))?
                .map(|row| user_row!(row))
                .transpose()?
        });
        match row {
            Some(row) => Ok(Some(self.user_from_row(row).await?)),
            None => Ok(None),
        }
    }

    pub async fn user_by_id(&mut self, id: i64) -> Result<Option<User>, StoreError> {
        let row = on!(&mut self.conn, |c| {
            let query = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
            sqlx::query(sqlx::AssertSqlSafe(query))
                .bind(id)
                .fetch_optional(c)
                .await
                .map_err(db("finding a user"))?
                .map(|row| user_row!(row))
                .transpose()?
        });
        match row {
            Some(row) => Ok(Some(self.user_from_row(row).await?)),
            None => Ok(None),
        }
    }

    /// Every user, by user name (a few thousand at national size).
    pub async fn users(&mut self) -> Result<Vec<User>, StoreError> {
        let rows = on!(&mut self.conn, |c| {
            let query = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username LIMIT 10000");
            sqlx::query(sqlx::AssertSqlSafe(query))
                .fetch_all(c)
                .await
                .map_err(db("listing users"))?
                .iter()
                .map(|row| user_row!(row))
                .collect::<Result<Vec<_>, _>>()?
        });
        let mut users = Vec::with_capacity(rows.len());
        for row in rows {
            users.push(self.user_from_row(row).await?);
        }
        Ok(users)
    }

    /// The user a bearer token belongs to, if the token is known, unrevoked and unexpired.
    pub async fn user_by_token_hash(
        &mut self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        let user_id: Option<i64> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL \
             AND expires_at > $2"
        )
        .bind(token_hash)
        .bind(now.to_string())
        .fetch_optional(c)
        .await
        .map_err(db("finding a token"))?
        .map(|row| row.try_get(0))
        .transpose()
        .map_err(db("decoding a token"))?);
        match user_id {
            Some(id) => self.user_by_id(id).await,
            None => Ok(None),
        }
    }

    async fn user_from_row(&mut self, row: UserRow) -> Result<User, StoreError> {
        let id = row.id;
        fn coded<T, E>(
            id: i64,
            code: Option<&str>,
            column: &str,
            parse: impl FnOnce(&str) -> Result<T, E>,
        ) -> Result<T, StoreError> {
            let code = code.ok_or_else(|| corrupt(format!("user {id} has no {column}")))?;
            parse(code).map_err(|_| corrupt(format!("user {id} has {column} {code:?}")))
        }
        let province = |code: Option<&str>| coded(id, code, "province", ProvinceCode::parse);
        let kind = RoleKind::parse(&row.role)
            .ok_or_else(|| corrupt(format!("user {} has role {:?}", row.id, row.role)))?;
        let role = match kind {
            RoleKind::MinistryAdmin => Role::MinistryAdmin,
            RoleKind::Auditor => Role::Auditor,
            RoleKind::ProvincialOfficer => Role::ProvincialOfficer {
                province: province(row.province.as_deref())?,
            },
            RoleKind::CooperativeRepresentative => Role::CooperativeRepresentative {
                cooperative_id: row
                    .cooperative_id
                    .ok_or_else(|| corrupt(format!("user {} has no cooperative", row.id)))?,
                province: province(row.province.as_deref())?,
            },
            // A judge of one festival, on its province's panel or (no province) the
            // national one.
            RoleKind::Judge => Role::Judge {
                festival_year: row
                    .festival_year
                    .and_then(|year| i32::try_from(year).ok())
                    .ok_or_else(|| corrupt(format!("user {} has no festival year", row.id)))?,
                panel: match row.province.as_deref() {
                    Some(code) => JudgePanel::Provincial(province(Some(code))?),
                    None => JudgePanel::National,
                },
            },
            // Bank and agency officers work in the provinces listed (none: head office).
            RoleKind::BankOfficer | RoleKind::AgencyOfficer => {
                let codes: Vec<String> = on!(&mut self.conn, |c| sqlx::query(
                    "SELECT province FROM user_provinces WHERE user_id = $1 ORDER BY province"
                )
                .bind(row.id)
                .fetch_all(c)
                .await
                .map_err(db("reading a user's provinces"))?
                .iter()
                .map(|r| r.try_get::<String, _>(0))
                .collect::<Result<_, _>>()
                .map_err(db("reading a user's provinces"))?);
                let provinces = codes
                    .iter()
                    .map(|code| province(Some(code)))
                    .collect::<Result<_, _>>()?;
                if kind == RoleKind::AgencyOfficer {
                    Role::AgencyOfficer {
                        agency: coded(id, row.agency.as_deref(), "agency", AgencyCode::parse)?,
                        provinces,
                    }
                } else {
                    Role::BankOfficer {
                        bank: coded(id, row.bank.as_deref(), "bank", BankCode::parse)?,
                        provinces,
                    }
                }
            }
        };
        Ok(User {
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            password_hash: row.password_hash,
            role,
            active: row.active,
            created_at: row.created_at,
        })
    }
}

impl WriteTx {
    /// Creates a user; the audit record never contains the password hash.
    pub async fn insert_user(&mut self, user: &NewUser) -> Result<i64, StoreError> {
        let festival_year = match &user.role {
            Role::Judge { festival_year, .. } => Some(i64::from(*festival_year)),
            _ => None,
        };
        let (province, bank, agency, cooperative_id, provinces) = match &user.role {
            Role::MinistryAdmin | Role::Auditor => (None, None, None, None, &[][..]),
            Role::Judge { panel, .. } => match panel {
                JudgePanel::Provincial(province) => {
                    (Some(province.as_str()), None, None, None, &[][..])
                }
                JudgePanel::National => (None, None, None, None, &[][..]),
            },
            Role::ProvincialOfficer { province } => {
                (Some(province.as_str()), None, None, None, &[][..])
            }
            Role::BankOfficer { bank, provinces } => {
                (None, Some(bank.as_str()), None, None, provinces.as_slice())
            }
            Role::AgencyOfficer { agency, provinces } => (
                None,
                None,
                Some(agency.as_str()),
                None,
                provinces.as_slice(),
            ),
            Role::CooperativeRepresentative {
                cooperative_id,
                province,
            } => (
                Some(province.as_str()),
                None,
                None,
                Some(*cooperative_id),
                &[][..],
            ),
        };
        let now = self.now.to_string();
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, role, province, bank, \
             agency, cooperative_id, festival_year, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
        )
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(user.role.kind().code())
        .bind(province)
        .bind(bank)
        .bind(agency)
        .bind(cooperative_id)
        .bind(festival_year)
        .bind(true)
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("creating a user"))?);
        for extra in provinces {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO user_provinces (user_id, province) VALUES ($1, $2)"
            )
            .bind(id)
            .bind(extra.as_str())
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("scoping a user"))?);
        }
        self.audit(AuditEntry::created(
            "user.create",
            "user",
            id,
            province,
            serde_json::json!({
                "username": user.username,
                "display_name": user.display_name,
                "role": user.role.kind().code(),
                "province": province,
                "bank": bank,
                "agency": agency,
                "cooperative_id": cooperative_id,
                "festival_year": festival_year,
                "provinces": provinces.iter().map(ProvinceCode::as_str).collect::<Vec<_>>(),
            }),
        ));
        Ok(id)
    }

    /// Issues a bearer token (only its hash is stored) and records the login.
    pub async fn insert_token(
        &mut self,
        token_hash: &str,
        user: &User,
        expires_at: Timestamp,
        login: LoginContext<'_>,
    ) -> Result<(), StoreError> {
        let now = self.now.to_string();
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)"
        )
        .bind(token_hash)
        .bind(user.id)
        .bind(&now)
        .bind(expires_at.to_string())
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("issuing a token"))?);
        self.audit_login(user, login);
        Ok(())
    }

    /// Records a successful login that needs no token (a UI session).
    pub fn audit_login(&mut self, user: &User, login: LoginContext<'_>) {
        self.audit(AuditEntry {
            action: "user.login",
            entity: "user",
            entity_id: user.id.to_string(),
            province: user.role.home_province().map(|p| p.as_str().to_owned()),
            before: None,
            after: Some(serde_json::json!({ "via": login.via, "source": login.source })),
        });
    }

    /// Revokes a bearer token (logout).
    pub async fn revoke_token(&mut self, token_hash: &str, user: &User) -> Result<(), StoreError> {
        let now = self.now.to_string();
        on!(self.conn(), |c| sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL"
        )
        .bind(&now)
        .bind(token_hash)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("revoking a token"))?);
        self.audit(AuditEntry {
            action: "user.logout",
            entity: "user",
            entity_id: user.id.to_string(),
            province: None,
            before: None,
            after: None,
        });
        Ok(())
    }

    /// Records a failed login in the audit trail. What was submitted is never stored: a
    /// known user is named by id, an unknown user name not at all (it may be a password
    /// typed into the wrong field, or 1.5 MB of filler).
    pub fn audit_login_failure(&mut self, user: Option<&User>, login: LoginContext<'_>) {
        self.audit(AuditEntry {
            action: "user.login_failed",
            entity: "user",
            entity_id: user.map_or_else(|| "unknown".to_owned(), |user| user.id.to_string()),
            province: user
                .and_then(|user| user.role.home_province())
                .map(|p| p.as_str().to_owned()),
            before: None,
            after: Some(serde_json::json!({
                "via": login.via,
                "source": login.source,
                "known_user": user.is_some(),
            })),
        });
    }
}
