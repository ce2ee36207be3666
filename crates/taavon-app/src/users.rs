//! Creating and listing user accounts.

use taavon_core::access::{self, Action, JudgePanel, Principal, Resource, Role, RoleKind};
use taavon_core::limits::{TextKind, USERNAME_CHARS_MAX};
use taavon_core::reference::{AgencyCode, BankCode, ProvinceCode};
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, NewUser, Store, StoreError, User};

use crate::auth::{actor_of, hash_password};
use crate::bounds::{BoundedText, Lengths};
use crate::idempotency::{Begun, Idempotency, begin, finish_idempotent};
use crate::{AppError, FieldError};

/// Who asks for a change: a logged-in user (checked by the policy) or an operator with
/// direct access to the database through the `taavon` command.
#[derive(Clone, Copy, Debug)]
pub enum Caller<'a> {
    User(&'a Principal),
    Operator(&'a str),
}

impl Caller<'_> {
    pub(crate) fn actor(&self) -> Actor {
        match self {
            Caller::User(principal) => actor_of(principal),
            Caller::Operator(name) => Actor::system(name),
        }
    }

    pub(crate) fn may(&self, action: Action, resource: Resource<'_>) -> Result<(), AppError> {
        match self {
            Caller::User(principal) => {
                AppError::from_decision(access::decide(Some(principal), action, resource))
            }
            Caller::Operator(_) => Ok(()),
        }
    }
}

/// How strong a new password must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordRule {
    /// At least `MIN_PASSWORD_CHARS` characters.
    Standard,
    /// Demo accounts use the published password `demo`; only the demo loader may ask.
    Demo,
}

pub const MIN_PASSWORD_CHARS: usize = 10;

/// A user account as a person describes it (CLI flags, API body).
#[derive(Clone, Debug, Default)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// A role code such as `provincial_officer`.
    pub role: String,
    pub province: Option<String>,
    pub provinces: Vec<String>,
    pub bank: Option<String>,
    pub agency: Option<String>,
    pub cooperative_id: Option<i64>,
    /// The festival a judge judges (its Jalali year).
    pub festival_year: Option<i32>,
}

impl BoundedText for UserInput {
    fn check_lengths(&self, lengths: &mut Lengths) {
        lengths
            .text("username", &self.username, TextKind::Username)
            .text("display_name", &self.display_name, TextKind::Name)
            .text("password", &self.password, TextKind::Password)
            .text("role", &self.role, TextKind::Code)
            .optional("province", self.province.as_deref(), TextKind::Code)
            .each("provinces", &self.provinces, TextKind::Code)
            .optional("bank", self.bank.as_deref(), TextKind::Code)
            .optional("agency", self.agency.as_deref(), TextKind::Code);
    }
}

/// Validates and creates a user; returns its id.
pub async fn add_user(
    store: &Store,
    caller: Caller<'_>,
    input: &UserInput,
    password_rule: PasswordRule,
    idempotency: Option<Idempotency<'_>>,
    now: Timestamp,
) -> Result<i64, AppError> {
    caller.may(Action::Create, Resource::Users)?;
    crate::bounds::check(input)?;
    let mut input = input.clone();
    // A representative's province is their cooperative's.
    if let (None, Some(id)) = (&input.province, input.cooperative_id)
        && RoleKind::parse(input.role.trim()) == Some(RoleKind::CooperativeRepresentative)
    {
        let mut read = store.read().await?;
        input.province = read.cooperative(id).await?.map(|c| c.fields.province);
        read.finish().await?;
    }
    let input = &input;
    let (role, mut errors) = role_from_input(input);
    let username = input.username.trim().to_owned();
    if !(3..=USERNAME_CHARS_MAX).contains(&username.len())
        || !username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        errors.push(FieldError::new(
            "username",
            "format",
            "نام کاربری باید ۳ تا ۳۲ نویسه از حروف کوچک لاتین، رقم، نقطه، خط تیره یا زیرخط باشد.",
            "The user name must be 3 to 32 characters: lower-case Latin letters, digits, '.', '-' or '_'.",
        ));
    }
    if password_rule == PasswordRule::Standard
        && input.password.chars().count() < MIN_PASSWORD_CHARS
    {
        errors.push(FieldError::new(
            "password",
            "too_short",
            "گذرواژه باید دست‌کم ۱۰ نویسه باشد.",
            "The password must have at least 10 characters.",
        ));
    }
    let display_name = taavon_core::text::normalize(input.display_name.trim());
    if display_name.is_empty() {
        errors.push(FieldError::new(
            "display_name",
            "required",
            "نام نمایشی لازم است.",
            "A display name is required.",
        ));
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let new_user = NewUser {
        username,
        display_name,
        password_hash: hash_password(&input.password)?,
        role,
    };
    // An operator at the command line has no user to keep a key under.
    let (mut write, keyed_by) = match caller {
        Caller::User(principal) => match begin(store, principal, idempotency, now).await? {
            Begun::Replay(id) => return Ok(id),
            Begun::Fresh(write) => (write, Some(principal)),
        },
        Caller::Operator(_) => (store.write(caller.actor(), now).await?, None),
    };
    let id = match write.insert_user(&new_user).await {
        Ok(id) => id,
        Err(StoreError::Duplicate { .. }) => {
            return Err(AppError::invalid(
                "username",
                "taken",
                "این نام کاربری پیش‌تر ثبت شده است.",
                "This user name is already taken.",
            ));
        }
        Err(StoreError::MissingReference { .. }) => {
            return Err(AppError::invalid(
                "role",
                "unknown_scope",
                "استان، بانک، سازمان یا تعاونی نام‌برده وجود ندارد.",
                "The named province, bank, agency or cooperative does not exist.",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    match keyed_by {
        Some(principal) => finish_idempotent(write, principal, idempotency, id).await,
        None => {
            write.commit().await?;
            Ok(id)
        }
    }
}

/// Every user account (ministry admins only).
pub async fn list_users(store: &Store, principal: &Principal) -> Result<Vec<User>, AppError> {
    Caller::User(principal).may(Action::Read, Resource::Users)?;
    let mut read = store.read().await?;
    let users = read.users().await?;
    read.finish().await?;
    Ok(users)
}

/// The scope fields given that the role does not take (rule `not_for_role`): a bank for a
/// ministry admin is a mistake to report, not a value to drop.
fn scope_not_for(kind: RoleKind, input: &UserInput) -> Vec<FieldError> {
    let takes: &[&str] = match kind {
        RoleKind::MinistryAdmin | RoleKind::Auditor => &[],
        RoleKind::ProvincialOfficer => &["province"],
        RoleKind::BankOfficer => &["province", "provinces", "bank"],
        RoleKind::AgencyOfficer => &["province", "provinces", "agency"],
        RoleKind::CooperativeRepresentative => &["province", "cooperative_id"],
        // A judge's province is their panel's; none is the national panel.
        RoleKind::Judge => &["province", "festival_year"],
    };
    let given = [
        ("province", input.province.is_some()),
        ("provinces", !input.provinces.is_empty()),
        ("bank", input.bank.is_some()),
        ("agency", input.agency.is_some()),
        ("cooperative_id", input.cooperative_id.is_some()),
        ("festival_year", input.festival_year.is_some()),
    ];
    given
        .into_iter()
        .filter(|(field, is_given)| *is_given && !takes.contains(field))
        .map(|(field, _)| {
            FieldError::new(
                field,
                "not_for_role",
                &format!("نقش «{}» «{field}» ندارد.", kind.name_fa()),
                &format!("The role {} takes no {field}.", kind.code()),
            )
        })
        .collect()
}

fn role_from_input(input: &UserInput) -> (Option<Role>, Vec<FieldError>) {
    let mut errors = RoleKind::parse(input.role.trim())
        .map(|kind| scope_not_for(kind, input))
        .unwrap_or_default();
    let mut province = |field: &str, code: Option<&str>| -> Option<ProvinceCode> {
        match code.map(ProvinceCode::parse) {
            Some(Ok(code)) => Some(code),
            Some(Err(_)) => {
                errors.push(FieldError::new(
                    field,
                    "unknown",
                    "کد استان معتبر نیست (نمونه: IR-16).",
                    "Not a province code (e.g. IR-16).",
                ));
                None
            }
            None => {
                errors.push(FieldError::new(
                    field,
                    "required",
                    "این نقش به استان نیاز دارد.",
                    "This role needs a province.",
                ));
                None
            }
        }
    };
    let kind = RoleKind::parse(input.role.trim());
    let role = match kind {
        Some(RoleKind::MinistryAdmin) => Some(Role::MinistryAdmin),
        Some(RoleKind::Auditor) => Some(Role::Auditor),
        Some(RoleKind::ProvincialOfficer) => province("province", input.province.as_deref())
            .map(|province| Role::ProvincialOfficer { province }),
        Some(kind @ (RoleKind::BankOfficer | RoleKind::AgencyOfficer)) => {
            // Both work in the listed provinces; none listed is the head office.
            let provinces: Option<Vec<ProvinceCode>> = input
                .provinces
                .iter()
                .chain(input.province.iter())
                .map(|code| province("provinces", Some(code)))
                .collect::<Vec<_>>()
                .into_iter()
                .collect();
            let (field, unit) = if kind == RoleKind::BankOfficer {
                ("bank", &input.bank)
            } else {
                ("agency", &input.agency)
            };
            let malformed = |errors: &mut Vec<FieldError>| {
                errors.push(FieldError::new(
                    field,
                    "unknown",
                    "چنین کدی در داده‌های مرجع نیست.",
                    "No such code in the reference data.",
                ));
            };
            match (unit, provinces) {
                (Some(code), Some(provinces)) if kind == RoleKind::BankOfficer => {
                    match BankCode::parse(code) {
                        Ok(bank) => Some(Role::BankOfficer { bank, provinces }),
                        Err(_) => {
                            malformed(&mut errors);
                            None
                        }
                    }
                }
                (Some(code), Some(provinces)) => match AgencyCode::parse(code) {
                    Ok(agency) => Some(Role::AgencyOfficer { agency, provinces }),
                    Err(_) => {
                        malformed(&mut errors);
                        None
                    }
                },
                (Some(_), None) => None,
                (None, _) => {
                    let (fa, en) = if kind == RoleKind::BankOfficer {
                        (
                            "نقش کارشناس بانک به کد بانک نیاز دارد (نمونه: 022).",
                            "A bank officer needs a bank code (e.g. 022).",
                        )
                    } else {
                        (
                            "نقش کارشناس سازمان به کد سازمان نیاز دارد (نمونه: sso).",
                            "An agency officer needs an agency code (e.g. sso).",
                        )
                    };
                    errors.push(FieldError::new(field, "required", fa, en));
                    None
                }
            }
        }
        Some(RoleKind::Judge) => {
            let panel = match input.province.as_deref() {
                Some(code) => province("province", Some(code)).map(JudgePanel::Provincial),
                None => Some(JudgePanel::National),
            };
            match (input.festival_year, panel) {
                (Some(festival_year), Some(panel)) => Some(Role::Judge {
                    festival_year,
                    panel,
                }),
                (None, _) => {
                    errors.push(FieldError::new(
                        "festival_year",
                        "required",
                        "نقش داور به سال جشنواره نیاز دارد (نمونه: ۱۴۰۴).",
                        "A judge needs the festival's year (e.g. 1404).",
                    ));
                    None
                }
                _ => None,
            }
        }
        Some(RoleKind::CooperativeRepresentative) => {
            let province = province("province", input.province.as_deref());
            match (input.cooperative_id, province) {
                (Some(cooperative_id), Some(province)) => Some(Role::CooperativeRepresentative {
                    cooperative_id,
                    province,
                }),
                (None, _) => {
                    errors.push(FieldError::new(
                        "cooperative_id",
                        "required",
                        "نقش نماینده تعاونی به شناسه تعاونی نیاز دارد.",
                        "A cooperative representative needs a cooperative id.",
                    ));
                    None
                }
                _ => None,
            }
        }
        None => {
            errors.push(FieldError::new(
                "role",
                "unknown",
                "نقش ناشناخته است.",
                "Unknown role; use one of ministry_admin, provincial_officer, bank_officer, \
                 agency_officer, cooperative_representative, auditor.",
            ));
            None
        }
    };
    (role, errors)
}
