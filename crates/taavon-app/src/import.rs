//! Bulk import of cooperatives and members from CSV or XLSX: every row is validated and
//! every error reported by row and column, in Persian and English; nothing is stored
//! from a file with errors unless asked to skip invalid rows; importing the same file
//! again changes nothing (cooperatives are matched by legal ID, members by national code).
//! Cooperatives are written in multi-row statements, each batch one audit record that
//! names the ids it created.

use std::collections::{HashMap, HashSet};

use taavon_core::access::{self, Action, Resource};
use taavon_core::ids::LegalId;
use taavon_core::reference::ProvinceCode;
use taavon_core::timestamp::Timestamp;
use taavon_store::{NewCooperative, NewMembership, NewPerson, Store};

use crate::cooperatives::{CooperativeInput, KnownCodes, validate_cooperative_fields};
use crate::fields::optional_date;
use crate::persons::{
    PersonInput, identity_conflicts, identity_mismatch, upsert_person, validate_person,
};
use crate::table::Table;
use crate::users::Caller;
use crate::{AppError, FieldError};

/// Rows written per transaction: large enough to be fast, small enough to keep locks short.
const BATCH_ROWS: usize = 1000;

/// One bad cell: its spreadsheet row (1 = the header) and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub rule: String,
    pub message_fa: String,
    pub message_en: String,
}

/// What an import did, or would have done.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    /// Rows already present (same legal ID / same member): left as they are.
    pub unchanged: usize,
    /// Invalid rows left out because `skip_invalid` was asked for.
    pub skipped: usize,
    pub errors: Vec<RowError>,
    /// False when errors stopped the import and nothing was stored.
    pub stored: bool,
}

/// Columns: the English key first, then the Persian header the export writes.
pub const COOPERATIVE_COLUMNS: [(&str, &str); 12] = [
    ("name", "نام"),
    ("type", "نوع"),
    ("sector", "بخش"),
    ("county", "شهرستان"),
    ("legal_id", "شناسه ملی"),
    ("founded_on", "تاریخ تأسیس"),
    ("women_led", "مدیریت زنان"),
    ("registration_number", "شماره ثبت"),
    ("registered_on", "تاریخ ثبت"),
    ("status", "وضعیت"),
    ("address", "نشانی"),
    ("phone", "تلفن"),
];

pub const MEMBER_COLUMNS: [(&str, &str); 8] = [
    ("cooperative_legal_id", "شناسه ملی تعاونی"),
    ("national_code", "کد ملی"),
    ("first_name", "نام"),
    ("last_name", "نام خانوادگی"),
    ("gender", "جنسیت"),
    ("birth_year", "سال تولد"),
    ("mobile", "تلفن همراه"),
    ("joined_on", "تاریخ عضویت"),
];

/// The cells of one row by column key.
struct Cells<'a> {
    table: &'a Table,
    positions: HashMap<&'static str, usize>,
}

impl<'a> Cells<'a> {
    fn new(
        table: &'a Table,
        columns: &[(&'static str, &'static str)],
        required: &[&str],
    ) -> Result<Self, Vec<RowError>> {
        let mut positions = HashMap::new();
        let mut errors = Vec::new();
        for (key, persian) in columns {
            match table.column(&[key, persian]) {
                Some(position) => {
                    positions.insert(*key, position);
                }
                None if required.contains(key) => errors.push(RowError {
                    row: 1,
                    column: (*key).to_owned(),
                    rule: "missing_column".into(),
                    message_fa: format!("ستون «{persian}» در سطر عنوان نیست."),
                    message_en: format!("The header has no column {key}."),
                }),
                None => {}
            }
        }
        if errors.is_empty() {
            Ok(Self { table, positions })
        } else {
            Err(errors)
        }
    }

    fn get(&self, row: &'a [String], key: &str) -> &'a str {
        self.positions
            .get(key)
            .and_then(|p| row.get(*p))
            .map_or("", |v| v.trim())
    }

    fn optional(&self, row: &'a [String], key: &str) -> Option<String> {
        Some(self.get(row, key).to_owned()).filter(|v| !v.is_empty())
    }

    fn data_rows(&self) -> impl Iterator<Item = (usize, &'a [String])> + 'a {
        self.table
            .rows
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, row)| (i + 1, row.as_slice()))
    }
}

fn row_errors(row: usize, errors: Vec<FieldError>) -> impl Iterator<Item = RowError> {
    errors.into_iter().map(move |e| RowError {
        row,
        column: e.field,
        rule: e.rule,
        message_fa: format!(
            "ردیف {}: {}",
            taavon_core::digits::to_persian_digits(&row.to_string()),
            e.message_fa
        ),
        message_en: format!("row {row}: {}", e.message_en),
    })
}

fn yes(text: &str) -> Result<bool, ()> {
    match text.trim().to_lowercase().as_str() {
        "" | "0" | "no" | "false" | "خیر" | "نه" => Ok(false),
        "1" | "yes" | "true" | "بله" | "آری" => Ok(true),
        _ => Err(()),
    }
}

fn allowed(caller: Caller<'_>, province: &str) -> bool {
    let Ok(province) = ProvinceCode::parse(province) else {
        return false;
    };
    match caller {
        Caller::Operator(_) => true,
        Caller::User(principal) => {
            access::decide(
                Some(principal),
                Action::Create,
                Resource::Cooperative {
                    id: None,
                    province: &province,
                },
            ) == access::Decision::Allow
        }
    }
}

/// Imports cooperatives. `progress(done, total)` is called after each stored batch.
pub async fn import_cooperatives(
    store: &Store,
    caller: Caller<'_>,
    table: &Table,
    skip_invalid: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
    now: Timestamp,
) -> Result<ImportReport, AppError> {
    let cells = match Cells::new(
        table,
        &COOPERATIVE_COLUMNS,
        &["name", "type", "sector", "county", "legal_id"],
    ) {
        Ok(cells) => cells,
        Err(errors) => {
            return Ok(ImportReport {
                errors,
                ..ImportReport::default()
            });
        }
    };
    let mut read = store.read().await?;
    let known = KnownCodes::load(&mut read).await?;
    let existing = read.cooperatives_by_legal_id().await?;
    read.finish().await?;
    let mut report = ImportReport::default();
    let mut valid: Vec<NewCooperative> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row_number, row) in cells.data_rows() {
        report.rows += 1;
        let mut errors = Vec::new();
        let women_led = yes(cells.get(row, "women_led")).unwrap_or_else(|()| {
            errors.push(FieldError::new(
                "women_led",
                "yes_no",
                "مدیریت زنان باید بله یا خیر باشد.",
                "women_led must be yes or no.",
            ));
            false
        });
        if cells.get(row, "legal_id").is_empty() {
            errors.push(FieldError::new(
                "legal_id",
                "required",
                "شناسه ملی لازم است (برای تکرارپذیری ورود).",
                "legal_id is required (it makes re-imports idempotent).",
            ));
        }
        let input = CooperativeInput {
            name: cells.get(row, "name").to_owned(),
            kind: cells.get(row, "type").to_owned(),
            sector: cells.get(row, "sector").to_owned(),
            county: cells.get(row, "county").to_owned(),
            legal_id: cells.optional(row, "legal_id"),
            founded_on: cells.optional(row, "founded_on"),
            women_led,
            registration_number: cells.optional(row, "registration_number"),
            registered_on: cells.optional(row, "registered_on"),
            status: cells.optional(row, "status"),
            address: cells.optional(row, "address"),
            phone: cells.optional(row, "phone"),
        };
        let fields = match validate_cooperative_fields(&known, &input) {
            Ok(fields) if errors.is_empty() => Some(fields),
            Ok(_) => None,
            Err(more) => {
                errors.extend(more);
                None
            }
        };
        if let Some(fields) = &fields {
            if !allowed(caller, &fields.province) {
                errors.push(FieldError::new(
                    "county",
                    "out_of_scope",
                    "این شهرستان در محدوده دسترسی شما نیست.",
                    "This county is outside your scope.",
                ));
            }
            if let Some(legal_id) = &fields.legal_id
                && let Some(first) = seen.insert(legal_id.clone(), row_number)
            {
                errors.push(FieldError::new(
                    "legal_id",
                    "duplicate_in_file",
                    &format!("همان شناسه ملی ردیف {first}"),
                    &format!("same legal_id as row {first}"),
                ));
            }
        }
        match fields.filter(|_| errors.is_empty()) {
            Some(fields) => valid.push(fields),
            None => report.errors.extend(row_errors(row_number, errors)),
        }
    }
    if !report.errors.is_empty() && !skip_invalid {
        return Ok(report);
    }
    report.skipped = report.rows - valid.len();
    let new: Vec<NewCooperative> = valid
        .into_iter()
        .filter(|c| {
            !c.legal_id
                .as_ref()
                .is_some_and(|id| existing.contains_key(id))
        })
        .collect();
    report.unchanged = report.rows - report.skipped - new.len();
    let total = new.len();
    for (index, batch) in new.chunks(BATCH_ROWS).enumerate() {
        // One multi-row statement per hundred rows; the batch is one audited change
        // naming the ids it created.
        let mut write = store.write(caller.actor(), now).await?;
        write.insert_cooperatives_bulk(batch).await?;
        write.commit().await?;
        report.created += batch.len();
        progress((index * BATCH_ROWS + batch.len()).min(total), total);
    }
    report.stored = true;
    Ok(report)
}

/// Imports members of cooperatives named by their legal ID.
pub async fn import_members(
    store: &Store,
    caller: Caller<'_>,
    table: &Table,
    skip_invalid: bool,
    progress: &(dyn Fn(usize, usize) + Sync),
    now: Timestamp,
) -> Result<ImportReport, AppError> {
    let cells = match Cells::new(
        table,
        &MEMBER_COLUMNS,
        &[
            "cooperative_legal_id",
            "national_code",
            "first_name",
            "last_name",
            "gender",
        ],
    ) {
        Ok(cells) => cells,
        Err(errors) => {
            return Ok(ImportReport {
                errors,
                ..ImportReport::default()
            });
        }
    };
    let mut read = store.read().await?;
    let cooperatives = read.cooperatives_by_legal_id().await?;
    read.finish().await?;
    let mut report = ImportReport::default();
    let mut valid: Vec<(usize, i64, NewPerson, Option<String>)> = Vec::new();
    let mut seen: HashSet<(i64, String)> = HashSet::new();
    for (row_number, row) in cells.data_rows() {
        report.rows += 1;
        let mut errors = Vec::new();
        // A cooperative outside the caller's scope is reported exactly like an unknown
        // one, so the report never tells which legal IDs exist in other provinces.
        let cooperative = LegalId::parse(cells.get(row, "cooperative_legal_id"))
            .ok()
            .and_then(|id| cooperatives.get(id.as_str()).cloned())
            .filter(|(_, province)| allowed(caller, province));
        if cooperative.is_none() {
            errors.push(FieldError::new(
                "cooperative_legal_id",
                "unknown_cooperative",
                "تعاونی با این شناسه ملی ثبت نشده است.",
                "No cooperative has this legal ID.",
            ));
        }
        let birth_year = match cells.get(row, "birth_year") {
            "" => None,
            text => match taavon_core::digits::to_ascii_digits(text).parse::<i64>() {
                Ok(year) => Some(year),
                Err(_) => {
                    errors.push(FieldError::new(
                        "birth_year",
                        "number",
                        "سال تولد باید عدد باشد.",
                        "birth_year must be a number.",
                    ));
                    None
                }
            },
        };
        let joined_on = optional_date(
            &mut errors,
            "joined_on",
            cells.optional(row, "joined_on").as_deref(),
        );
        let province = cooperative.as_ref().map(|(_, p)| p.as_str());
        let person = validate_person(
            &mut errors,
            &PersonInput {
                national_code: cells.get(row, "national_code").to_owned(),
                first_name: cells.get(row, "first_name").to_owned(),
                last_name: cells.get(row, "last_name").to_owned(),
                gender: cells.get(row, "gender").to_owned(),
                birth_year,
                mobile: cells.optional(row, "mobile"),
            },
            province,
        );
        if let (Some((id, _)), Some(person)) = (&cooperative, &person)
            && !seen.insert((*id, person.national_code.clone()))
        {
            errors.push(FieldError::new(
                "national_code",
                "duplicate_in_file",
                "این عضو در پرونده تکرار شده است.",
                "This member appears twice in the file.",
            ));
        }
        match (cooperative, person) {
            (Some((id, _)), Some(person)) if errors.is_empty() => {
                valid.push((row_number, id, person, joined_on))
            }
            _ => report.errors.extend(row_errors(row_number, errors)),
        }
    }
    // A national code recorded (or met earlier in the file) under another identity is a
    // bad row, never merged into the person already known.
    let mut read = store.read().await?;
    let persons: Vec<&NewPerson> = valid.iter().map(|(_, _, person, _)| person).collect();
    let conflicts = identity_conflicts(&mut read, &persons).await?;
    read.finish().await?;
    for index in conflicts.into_iter().rev() {
        let (row_number, ..) = valid.remove(index);
        report.errors.extend(row_errors(
            row_number,
            vec![identity_mismatch("national_code")],
        ));
    }
    report.errors.sort_by_key(|error| error.row);
    if !report.errors.is_empty() && !skip_invalid {
        return Ok(report);
    }
    report.skipped = report.rows - valid.len();
    let today = taavon_core::calendar::IsoDate::tehran_today(now.unix_seconds()).to_string();
    let total = valid.len();
    let mut done = 0;
    for batch in valid.chunks(BATCH_ROWS) {
        let mut write = store.write(caller.actor(), now).await?;
        for (_, cooperative_id, person, joined_on) in batch {
            let person_id = upsert_person(&mut write, person, "national_code").await?;
            if write.is_member(*cooperative_id, person_id).await? {
                report.unchanged += 1;
                continue;
            }
            write
                .insert_membership(&NewMembership {
                    province: person.province.clone(),
                    cooperative_id: *cooperative_id,
                    person_id,
                    board_role: None,
                    joined_on: joined_on.clone().unwrap_or_else(|| today.clone()),
                })
                .await?;
            report.created += 1;
        }
        // A batch of only already-present members changes nothing and is not committed.
        if write.has_audit_entries() {
            write.commit().await?;
        } else {
            write.rollback().await?;
        }
        done += batch.len();
        progress(done, total);
    }
    report.stored = true;
    Ok(report)
}
