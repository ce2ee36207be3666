//! The festival of top cooperators (issue 16; migration 0021): festivals with their
//! categories, criteria and rounds; entries with their snapshot and reasons; panels,
//! assignments, marks per criterion, submissions, a closed round's results and the
//! winners' certificates. A round's move is a compare-and-set on its state, so of two
//! concurrent moves one wins; an assignment found in conflict is closed with its reason,
//! never deleted, so the audit trail and the table tell the same story.

use sqlx::Row;
use taavon_core::access::EntryRoute;
use taavon_core::awards::EntryStatus;
use taavon_core::awards::festival::{RoundKind, RoundState};
use taavon_core::awards::publication::ScoreBand;
use taavon_core::reference::ProvinceCode;

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::error::{Decoded, db};
use crate::tx::{Reader, WriteTx};

/// A criterion of a category, with its weight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardCriterion {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub weight: i64,
}

/// A category of a festival with its quotas and criteria.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardCategory {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub provincial_quota: i64,
    pub national_quota: i64,
    pub criteria: Vec<AwardCriterion>,
}

/// A festival's settings as the ministry creates it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAwardFestival {
    pub year: i32,
    /// ISO days, both ends included.
    pub entry_opens: String,
    pub entry_closes: String,
    pub judging_opens: String,
    pub judging_closes: String,
    pub judges_per_entry: i64,
    pub load_max: i64,
    pub registry_fresh_months: i64,
    pub registered_months_min: i64,
    pub categories: Vec<AwardCategory>,
}

/// A stored festival with the state of its two rounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardFestival {
    pub id: i64,
    pub fields: NewAwardFestival,
    pub provincial: RoundState,
    pub national: RoundState,
}

/// Why an entry may not take part, as shown beside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardEntryReason {
    pub code: String,
    pub message_fa: String,
    pub message_en: String,
}

/// An entry as it comes in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAwardEntry {
    pub festival_id: i64,
    pub province: ProvinceCode,
    pub category: String,
    pub cooperative_id: i64,
    pub route: EntryRoute,
    pub entered_by_user_id: i64,
    pub eligible: bool,
    /// The data it is judged on, as JSON (built by the app).
    pub snapshot: String,
    pub reasons: Vec<AwardEntryReason>,
}

/// A stored entry with its cooperative's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardEntry {
    pub id: i64,
    pub fields: NewAwardEntry,
    pub entered_by: String,
    pub entered_at: String,
    /// Admitted to the national round.
    pub national: bool,
    pub cooperative_name: String,
}

/// A judge on a festival's panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardPanelJudge {
    pub user_id: i64,
    /// The province's panel, or `None` for the national one.
    pub province: Option<ProvinceCode>,
    pub national_code: String,
    pub display_name: String,
}

/// A judge on an entry in a round (current, or removed for a conflict).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardAssignment {
    pub id: i64,
    pub entry_id: i64,
    pub round: RoundKind,
    pub judge_user_id: i64,
    pub province: ProvinceCode,
    /// Why the judge was taken off, if they were.
    pub conflict: Option<String>,
}

/// One mark a judge gave one criterion of an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardCriterionMark {
    pub entry_id: i64,
    pub judge_user_id: i64,
    pub criterion: String,
    pub mark: i64,
}

/// One entry's result in a closed round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardResult {
    pub entry_id: i64,
    pub round: RoundKind,
    pub province: ProvinceCode,
    pub judges: i64,
    pub status: EntryStatus,
    pub rank: Option<i64>,
    pub winner: bool,
    pub band: Option<ScoreBand>,
}

/// A winner's certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwardCertificate {
    pub entry_id: i64,
    pub round: RoundKind,
    pub province: ProvinceCode,
    /// The verification code as printed (`7K2QD-M9XAT`).
    pub code: String,
    /// ISO day.
    pub issued_on: String,
}

/// What an entry's snapshot is taken from: a cooperative's registry, loans, shares and
/// services as of one day and a year before it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AwardFacts {
    pub status: String,
    /// ISO days: registration (or, unregistered, creation) and the last registry update.
    pub registered_on: String,
    pub updated_on: String,
    pub loan_classes: Vec<String>,
    /// Hires the impact follow-up checked (`None` when none was reported yet).
    pub verified_jobs: Option<(i64, i64)>,
    pub planned_jobs: i64,
    pub members: i64,
    pub members_year_ago: i64,
    pub share_capital_rial: i64,
    pub share_capital_year_ago_rial: i64,
    pub installments_due: i64,
    pub installments_paid: i64,
    pub services_received: i64,
}

/// The most entries one festival list returns.
pub const AWARD_ENTRIES_MAX: i64 = 5000;

const ENTRY_SELECT: &str = "SELECT e.id, e.festival_id, e.province, e.category, \
     e.cooperative_id, e.route, e.entered_by_user_id, e.entered_by, e.entered_at, e.eligible, \
     e.national, e.snapshot, c.name AS cooperative_name \
     FROM award_entries e JOIN cooperatives c ON c.id = e.cooperative_id";

fn province_of(code: &str) -> Option<ProvinceCode> {
    ProvinceCode::parse(code).ok()
}

fn status_of(code: &str) -> Option<EntryStatus> {
    match code {
        "ranked" => Some(EntryStatus::Ranked),
        "incomplete" => Some(EntryStatus::Incomplete),
        _ => None,
    }
}

macro_rules! entry_row {
    ($row:expr) => {
        (|| -> Result<AwardEntry, StoreError> {
            let row = Decoded::new($row, "award_entries", "decoding an award entry")?;
            Ok(AwardEntry {
                id: row.get("id")?,
                fields: NewAwardEntry {
                    festival_id: row.get("festival_id")?,
                    province: row.code("province", province_of)?,
                    category: row.get("category")?,
                    cooperative_id: row.get("cooperative_id")?,
                    route: row.code("route", EntryRoute::parse)?,
                    entered_by_user_id: row.get("entered_by_user_id")?,
                    eligible: row.get("eligible")?,
                    snapshot: row.get("snapshot")?,
                    reasons: Vec::new(),
                },
                entered_by: row.get("entered_by")?,
                entered_at: row.get("entered_at")?,
                national: row.get("national")?,
                cooperative_name: row.get("cooperative_name")?,
            })
        })()
    };
}

macro_rules! assignment_row {
    ($row:expr) => {
        (|| -> Result<AwardAssignment, StoreError> {
            let row = Decoded::new($row, "award_assignments", "decoding an assignment")?;
            Ok(AwardAssignment {
                id: row.get("id")?,
                entry_id: row.get("entry_id")?,
                round: row.code("round_kind", RoundKind::parse)?,
                judge_user_id: row.get("judge_user_id")?,
                province: row.code("province", province_of)?,
                conflict: row.get("conflict")?,
            })
        })()
    };
}

macro_rules! mark_row {
    ($row:expr) => {
        // Plain columns only, and no `id`: read as they are.
        (|| -> Result<AwardCriterionMark, sqlx::Error> {
            Ok(AwardCriterionMark {
                entry_id: $row.try_get("entry_id")?,
                judge_user_id: $row.try_get("judge_user_id")?,
                criterion: $row.try_get("criterion")?,
                mark: $row.try_get("mark")?,
            })
        })()
        .map_err(db("decoding a mark"))
    };
}

macro_rules! result_row {
    ($row:expr) => {
        (|| -> Result<AwardResult, StoreError> {
            let entry_id: i64 = $row.try_get("entry_id").map_err(db("decoding a result"))?;
            let row = Decoded::keyed($row, "award_results", "decoding a result", entry_id);
            Ok(AwardResult {
                entry_id,
                round: row.code("round_kind", RoundKind::parse)?,
                province: row.code("province", province_of)?,
                judges: row.get("judges")?,
                status: row.code("status", status_of)?,
                rank: row.get("rank")?,
                winner: row.get("winner")?,
                band: row.optional_code("band", ScoreBand::parse)?,
            })
        })()
    };
}

macro_rules! certificate_row {
    ($row:expr) => {
        (|| -> Result<AwardCertificate, StoreError> {
            let entry_id: i64 = $row
                .try_get("entry_id")
                .map_err(db("decoding a certificate"))?;
            let row = Decoded::keyed(
                $row,
                "award_certificates",
                "decoding a certificate",
                entry_id,
            );
            Ok(AwardCertificate {
                entry_id,
                round: row.code("round_kind", RoundKind::parse)?,
                province: row.code("province", province_of)?,
                code: row.get("code")?,
                issued_on: row.get("issued_on")?,
            })
        })()
    };
}

impl Reader {
    /// The festival of a Jalali year, with its categories, criteria and rounds.
    pub async fn award_festival(&mut self, year: i32) -> Result<Option<AwardFestival>, StoreError> {
        let row = on!(&mut self.conn, |c| sqlx::query(
            "SELECT id, year, entry_opens, entry_closes, judging_opens, judging_closes, \
             judges_per_entry, load_max, registry_fresh_months, registered_months_min \
             FROM award_festivals WHERE year = $1"
        )
        .bind(i64::from(year))
        .fetch_optional(c)
        .await
        .map_err(db("reading a festival"))?
        .map(|row| {
            Ok::<_, sqlx::Error>((
                row.try_get::<i64, _>("id")?,
                NewAwardFestival {
                    year,
                    entry_opens: row.try_get("entry_opens")?,
                    entry_closes: row.try_get("entry_closes")?,
                    judging_opens: row.try_get("judging_opens")?,
                    judging_closes: row.try_get("judging_closes")?,
                    judges_per_entry: row.try_get("judges_per_entry")?,
                    load_max: row.try_get("load_max")?,
                    registry_fresh_months: row.try_get("registry_fresh_months")?,
                    registered_months_min: row.try_get("registered_months_min")?,
                    categories: Vec::new(),
                },
            ))
        })
        .transpose()
        .map_err(db("decoding a festival"))?);
        let Some((id, mut fields)) = row else {
            return Ok(None);
        };
        let categories = on!(&mut self.conn, |c| sqlx::query(
            "SELECT code, name_fa, name_en, provincial_quota, national_quota \
             FROM award_categories WHERE festival_id = $1 ORDER BY position"
        )
        .bind(id)
        .fetch_all(c)
        .await
        .map_err(db("reading a festival's categories"))?
        .iter()
        .map(|row| {
            Ok(AwardCategory {
                code: row.try_get("code")?,
                name_fa: row.try_get("name_fa")?,
                name_en: row.try_get("name_en")?,
                provincial_quota: row.try_get("provincial_quota")?,
                national_quota: row.try_get("national_quota")?,
                criteria: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db("decoding a festival's categories"))?);
        let criteria: Vec<(String, AwardCriterion)> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT category, code, name_fa, name_en, weight FROM award_criteria \
             WHERE festival_id = $1 ORDER BY category, position"
        )
        .bind(id)
        .fetch_all(c)
        .await
        .map_err(db("reading a festival's criteria"))?
        .iter()
        .map(|row| {
            Ok((
                row.try_get("category")?,
                AwardCriterion {
                    code: row.try_get("code")?,
                    name_fa: row.try_get("name_fa")?,
                    name_en: row.try_get("name_en")?,
                    weight: row.try_get("weight")?,
                },
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()
        .map_err(db("decoding a festival's criteria"))?);
        fields.categories = categories
            .into_iter()
            .map(|mut category| {
                category.criteria = criteria
                    .iter()
                    .filter(|(code, _)| *code == category.code)
                    .map(|(_, criterion)| criterion.clone())
                    .collect();
                category
            })
            .collect();
        let rounds: Vec<(RoundKind, RoundState)> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT kind, state FROM award_rounds WHERE festival_id = $1"
        )
        .bind(id)
        .fetch_all(c)
        .await
        .map_err(db("reading a festival's rounds"))?
        .iter()
        .map(|row| {
            let decoded = Decoded::keyed(row, "award_rounds", "decoding a round", id);
            Ok((
                decoded.code("kind", RoundKind::parse)?,
                decoded.code("state", RoundState::parse)?,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>())?;
        let state = |kind: RoundKind| {
            rounds
                .iter()
                .find(|(k, _)| *k == kind)
                .map(|(_, state)| *state)
                .ok_or_else(|| crate::error::corrupt(format!("festival {id} has no {kind} round")))
        };
        Ok(Some(AwardFestival {
            id,
            provincial: state(RoundKind::Provincial)?,
            national: state(RoundKind::National)?,
            fields,
        }))
    }

    /// The year of the festival with this id.
    pub async fn award_festival_year(&mut self, id: i64) -> Result<Option<i32>, StoreError> {
        let year: Option<i64> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT year FROM award_festivals WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(c)
        .await
        .map_err(db("reading a festival's year"))?
        .map(|row| row.try_get(0))
        .transpose()
        .map_err(db("reading a festival's year"))?);
        Ok(year.and_then(|year| i32::try_from(year).ok()))
    }

    /// The years of every festival, newest first.
    pub async fn award_festival_years(&mut self) -> Result<Vec<i32>, StoreError> {
        let years: Vec<i64> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT year FROM award_festivals ORDER BY year DESC LIMIT 100"
        )
        .fetch_all(c)
        .await
        .map_err(db("listing festivals"))?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(db("listing festivals"))?);
        Ok(years
            .into_iter()
            .filter_map(|year| i32::try_from(year).ok())
            .collect())
    }

    /// One entry with its reasons.
    pub async fn award_entry(&mut self, id: i64) -> Result<Option<AwardEntry>, StoreError> {
        let sql = format!("{ENTRY_SELECT} WHERE e.id = $1");
        let entry = on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await
            .map_err(db("reading an award entry"))?
            .map(|row| entry_row!(&row))
            .transpose())?;
        let Some(mut entry) = entry else {
            return Ok(None);
        };
        entry.fields.reasons = on!(&mut self.conn, |c| sqlx::query(
            "SELECT code, message_fa, message_en FROM award_entry_reasons \
             WHERE entry_id = $1 ORDER BY position"
        )
        .bind(id)
        .fetch_all(c)
        .await
        .map_err(db("reading an entry's reasons"))?
        .iter()
        .map(|row| {
            Ok(AwardEntryReason {
                code: row.try_get("code")?,
                message_fa: row.try_get("message_fa")?,
                message_en: row.try_get("message_en")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding an entry's reasons"))?);
        Ok(Some(entry))
    }

    /// A festival's entries, by id, at most `AWARD_ENTRIES_MAX`: all of them, or one
    /// province's, or one cooperative's (their reasons are read with `award_entry`).
    pub async fn award_entries(
        &mut self,
        festival_id: i64,
        province: Option<&ProvinceCode>,
        cooperative_id: Option<i64>,
    ) -> Result<Vec<AwardEntry>, StoreError> {
        let sql = format!(
            "{ENTRY_SELECT} WHERE e.festival_id = $1 AND ($2 = '' OR e.province = $2) \
             AND ($3 = 0 OR e.cooperative_id = $3) ORDER BY e.id LIMIT {AWARD_ENTRIES_MAX}"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(festival_id)
            .bind(province.map_or("", ProvinceCode::as_str).to_owned())
            .bind(cooperative_id.unwrap_or(0))
            .fetch_all(c)
            .await
            .map_err(db("listing award entries"))?
            .iter()
            .map(|row| entry_row!(row))
            .collect())
    }

    /// A festival's judges with their names, by user id.
    pub async fn award_panel(
        &mut self,
        festival_id: i64,
    ) -> Result<Vec<AwardPanelJudge>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT j.user_id, j.province, j.national_code, u.display_name \
             FROM award_panel_judges j JOIN users u ON u.id = j.user_id \
             WHERE j.festival_id = $1 ORDER BY j.user_id"
        )
        .bind(festival_id)
        .fetch_all(c)
        .await
        .map_err(db("reading a festival's panels"))?
        .iter()
        .map(|row| {
            let user_id: i64 = row.try_get("user_id").map_err(db("decoding a judge"))?;
            let decoded = Decoded::keyed(row, "award_panel_judges", "decoding a judge", user_id);
            Ok(AwardPanelJudge {
                user_id,
                province: decoded.optional_code("province", province_of)?,
                national_code: decoded.get("national_code")?,
                display_name: decoded.get("display_name")?,
            })
        })
        .collect())
    }

    /// A festival's assignments in a round, removed ones included, by id.
    pub async fn award_assignments(
        &mut self,
        festival_id: i64,
        round: RoundKind,
    ) -> Result<Vec<AwardAssignment>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT a.id, a.entry_id, a.round_kind, a.judge_user_id, a.province, a.conflict \
             FROM award_assignments a JOIN award_entries e ON e.id = a.entry_id \
             WHERE e.festival_id = $1 AND a.round_kind = $2 ORDER BY a.id"
        )
        .bind(festival_id)
        .bind(round.code())
        .fetch_all(c)
        .await
        .map_err(db("reading assignments"))?
        .iter()
        .map(|row| assignment_row!(row))
        .collect())
    }

    /// The marks per criterion given in a festival's round, by entry, judge and
    /// criterion; `submitted_only` leaves out those of judges who have not submitted.
    pub async fn award_marks(
        &mut self,
        festival_id: i64,
        round: RoundKind,
        submitted_only: bool,
    ) -> Result<Vec<AwardCriterionMark>, StoreError> {
        let submitted = if submitted_only {
            "AND EXISTS (SELECT 1 FROM award_submissions s WHERE s.entry_id = m.entry_id \
             AND s.round_kind = m.round_kind AND s.judge_user_id = m.judge_user_id)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT m.entry_id, m.judge_user_id, m.criterion, m.mark \
             FROM award_criterion_marks m JOIN award_entries e ON e.id = m.entry_id \
             WHERE e.festival_id = $1 AND m.round_kind = $2 {submitted} \
             ORDER BY m.entry_id, m.judge_user_id, m.criterion"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(festival_id)
            .bind(round.code())
            .fetch_all(c)
            .await
            .map_err(db("reading marks"))?
            .iter()
            .map(|row| mark_row!(row))
            .collect::<Result<_, _>>())
    }

    /// The (entry, judge) pairs that submitted in a festival's round.
    pub async fn award_submissions(
        &mut self,
        festival_id: i64,
        round: RoundKind,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT s.entry_id, s.judge_user_id FROM award_submissions s \
             JOIN award_entries e ON e.id = s.entry_id \
             WHERE e.festival_id = $1 AND s.round_kind = $2 ORDER BY s.entry_id, s.judge_user_id"
        )
        .bind(festival_id)
        .bind(round.code())
        .fetch_all(c)
        .await
        .map_err(db("reading submissions"))?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding submissions")))
    }

    /// A festival round's results, by entry.
    pub async fn award_results(
        &mut self,
        festival_id: i64,
        round: RoundKind,
    ) -> Result<Vec<AwardResult>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT r.entry_id, r.round_kind, r.province, r.judges, r.status, r.rank, r.winner, \
             r.band FROM award_results r JOIN award_entries e ON e.id = r.entry_id \
             WHERE e.festival_id = $1 AND r.round_kind = $2 ORDER BY r.entry_id"
        )
        .bind(festival_id)
        .bind(round.code())
        .fetch_all(c)
        .await
        .map_err(db("reading results"))?
        .iter()
        .map(|row| result_row!(row))
        .collect())
    }

    /// The certificate with a verification code, if one was issued.
    pub async fn award_certificate_by_code(
        &mut self,
        code: &str,
    ) -> Result<Option<AwardCertificate>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT entry_id, round_kind, province, code, issued_on FROM award_certificates \
             WHERE code = $1"
        )
        .bind(code)
        .fetch_optional(c)
        .await
        .map_err(db("reading a certificate"))?
        .map(|row| certificate_row!(&row))
        .transpose())
    }

    /// An entry's certificates (one a round it won).
    pub async fn award_certificates(
        &mut self,
        entry_id: i64,
    ) -> Result<Vec<AwardCertificate>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT entry_id, round_kind, province, code, issued_on FROM award_certificates \
             WHERE entry_id = $1 ORDER BY round_kind DESC"
        )
        .bind(entry_id)
        .fetch_all(c)
        .await
        .map_err(db("reading certificates"))?
        .iter()
        .map(|row| certificate_row!(row))
        .collect())
    }

    /// The national codes of a cooperative's current members and of its board (for
    /// judges' conflicts).
    pub async fn cooperative_people_codes(
        &mut self,
        cooperative_id: i64,
    ) -> Result<(Vec<String>, Vec<String>), StoreError> {
        let rows: Vec<(String, Option<String>)> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT p.national_code, m.board_role FROM memberships m \
             JOIN persons p ON p.id = m.person_id \
             WHERE m.cooperative_id = $1 AND m.exited_on IS NULL"
        )
        .bind(cooperative_id)
        .fetch_all(c)
        .await
        .map_err(db("reading a cooperative's people"))?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding a cooperative's people"))?);
        let board = rows
            .iter()
            .filter(|(_, role)| role.as_deref().is_some_and(|r| !r.trim().is_empty()))
            .map(|(code, _)| code.clone())
            .collect();
        Ok((rows.into_iter().map(|(code, _)| code).collect(), board))
    }

    /// What an entry's snapshot is taken from, as of the ISO day `today` and `year_ago`.
    pub async fn award_facts(
        &mut self,
        cooperative_id: i64,
        today: &str,
        year_ago: &str,
    ) -> Result<Option<AwardFacts>, StoreError> {
        let cooperative: Option<(String, Option<String>, String, String)> =
            on!(&mut self.conn, |c| sqlx::query(
                "SELECT status, registered_on, created_at, updated_at FROM cooperatives \
                 WHERE id = $1"
            )
            .bind(cooperative_id)
            .fetch_optional(c)
            .await
            .map_err(db("reading a cooperative's facts"))?
            .map(|row| Ok((
                row.try_get(0)?,
                row.try_get(1)?,
                row.try_get(2)?,
                row.try_get(3)?
            )))
            .transpose()
            .map_err(db("decoding a cooperative's facts"))?);
        let Some((status, registered_on, created_at, updated_at)) = cooperative else {
            return Ok(None);
        };
        let day = |instant: &str| instant.get(..10).unwrap_or(instant).to_owned();
        let mut facts = AwardFacts {
            status,
            registered_on: registered_on.unwrap_or_else(|| day(&created_at)),
            updated_on: day(&updated_at),
            ..AwardFacts::default()
        };
        let counts = |sql: &'static str| sql;
        let members: (i64, i64) = on!(&mut self.conn, |c| {
            sqlx::query(counts(
            "SELECT \
             COUNT(CASE WHEN joined_on <= $2 AND (exited_on IS NULL OR exited_on > $2) THEN 1 END), \
             COUNT(CASE WHEN joined_on <= $3 AND (exited_on IS NULL OR exited_on > $3) THEN 1 END) \
             FROM memberships WHERE cooperative_id = $1"
        ))
        .bind(cooperative_id)
        .bind(today)
        .bind(year_ago)
        .fetch_one(c)
        .await
        .and_then(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .map_err(db("counting members"))?
        });
        (facts.members, facts.members_year_ago) = members;
        // Paid-in capital: payments less withdrawals (a transfer moves shares between
        // members and leaves the cooperative's capital as it is), summed here exactly.
        let shares: Vec<(String, i64, String)> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT kind, amount_rial, entered_on FROM share_entries \
             WHERE cooperative_id = $1 AND kind IN ('payment', 'withdrawal')"
        )
        .bind(cooperative_id)
        .fetch_all(c)
        .await
        .map_err(db("reading share entries"))?
        .iter()
        .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding share entries"))?);
        let capital = |until: &str| -> i64 {
            let sum: i128 = shares
                .iter()
                .filter(|(_, _, on)| on.as_str() <= until)
                .map(|(kind, amount, _)| {
                    if kind == "withdrawal" {
                        -i128::from(*amount)
                    } else {
                        i128::from(*amount)
                    }
                })
                .sum();
            i64::try_from(sum.max(0)).unwrap_or(i64::MAX)
        };
        facts.share_capital_rial = capital(today);
        facts.share_capital_year_ago_rial = capital(year_ago);
        facts.loan_classes = on!(&mut self.conn, |c| sqlx::query(
            "SELECT class FROM loans WHERE cooperative_id = $1 ORDER BY id"
        )
        .bind(cooperative_id)
        .fetch_all(c)
        .await
        .map_err(db("reading loan classes"))?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(db("reading loan classes"))?);
        let planned: Vec<i64> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT a.jobs FROM loans l JOIN applications a ON a.id = l.application_id \
             WHERE l.cooperative_id = $1"
        )
        .bind(cooperative_id)
        .fetch_all(c)
        .await
        .map_err(db("reading planned jobs"))?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()
        .map_err(db("reading planned jobs"))?);
        let jobs: (i64, i64, i64) = on!(&mut self.conn, |c| sqlx::query(
            "SELECT COUNT(*), \
             COUNT(CASE WHEN h.status = 'verified' THEN 1 END), \
             COUNT(CASE WHEN h.status = 'verified' AND h.woman THEN 1 END) \
             FROM loan_hires h JOIN loans l ON l.id = h.loan_id WHERE l.cooperative_id = $1"
        )
        .bind(cooperative_id)
        .fetch_one(c)
        .await
        .and_then(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .map_err(db("reading verified jobs"))?);
        facts.planned_jobs = planned
            .iter()
            .fold(0_i64, |sum, jobs| sum.saturating_add(*jobs));
        facts.verified_jobs = (jobs.0 > 0).then_some((jobs.1, jobs.2));
        // An installment counts as kept when it is paid in full: the kept numbers do not
        // say on which day it was paid.
        let installments: (i64, i64) = on!(&mut self.conn, |c| sqlx::query(
            "SELECT COUNT(*), COUNT(CASE WHEN i.paid_principal_rial + i.paid_profit_rial \
             + i.paid_fee_rial >= i.principal_rial + i.profit_rial + i.fee_rial THEN 1 END) \
             FROM loan_installments i JOIN loans l ON l.id = i.loan_id \
             AND l.schedule_version = i.schedule_version \
             WHERE l.cooperative_id = $1 AND i.due_on <= $2"
        )
        .bind(cooperative_id)
        .bind(today)
        .fetch_one(c)
        .await
        .and_then(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
        .map_err(db("reading installments"))?);
        (facts.installments_due, facts.installments_paid) = installments;
        facts.services_received = on!(&mut self.conn, |c| sqlx::query(
            "SELECT COUNT(*) FROM support_requests WHERE cooperative_id = $1 \
             AND answered_on IS NOT NULL"
        )
        .bind(cooperative_id)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("counting services"))?);
        Ok(Some(facts))
    }
}

impl WriteTx {
    /// Creates a festival with its categories, criteria and two rounds open for entries.
    pub async fn insert_award_festival(
        &mut self,
        festival: &NewAwardFestival,
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let actor = self.actor.label();
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO award_festivals (year, entry_opens, entry_closes, judging_opens, \
             judging_closes, judges_per_entry, load_max, registry_fresh_months, \
             registered_months_min, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
        )
        .bind(i64::from(festival.year))
        .bind(&festival.entry_opens)
        .bind(&festival.entry_closes)
        .bind(&festival.judging_opens)
        .bind(&festival.judging_closes)
        .bind(festival.judges_per_entry)
        .bind(festival.load_max)
        .bind(festival.registry_fresh_months)
        .bind(festival.registered_months_min)
        .bind(&actor)
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("creating a festival"))?);
        for (position, category) in (0_i64..).zip(&festival.categories) {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO award_categories (festival_id, code, name_fa, name_en, \
                 provincial_quota, national_quota, position) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            )
            .bind(id)
            .bind(&category.code)
            .bind(&category.name_fa)
            .bind(&category.name_en)
            .bind(category.provincial_quota)
            .bind(category.national_quota)
            .bind(position)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("adding a festival's category"))?);
            for (position, criterion) in (0_i64..).zip(&category.criteria) {
                on!(self.conn(), |c| sqlx::query(
                    "INSERT INTO award_criteria (festival_id, category, code, name_fa, name_en, \
                     weight, position) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                )
                .bind(id)
                .bind(&category.code)
                .bind(&criterion.code)
                .bind(&criterion.name_fa)
                .bind(&criterion.name_en)
                .bind(criterion.weight)
                .bind(position)
                .execute(c)
                .await
                .map(|_| ())
                .map_err(db("adding a category's criterion"))?);
            }
        }
        for kind in RoundKind::ALL {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO award_rounds (festival_id, kind, state, moved_by, moved_at) \
                 VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(id)
            .bind(kind.code())
            .bind(RoundState::OpenForEntries.code())
            .bind(&actor)
            .bind(&now)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("opening a festival's round"))?);
        }
        self.audit(AuditEntry::created(
            "award_festival.create",
            "award_festival",
            id,
            None,
            festival_json(festival),
        ));
        Ok(id)
    }

    /// Moves a round from `from` to `to`; `false` when it is no longer in `from` (another
    /// move came first).
    pub async fn move_award_round(
        &mut self,
        festival_id: i64,
        kind: RoundKind,
        from: RoundState,
        to: RoundState,
    ) -> Result<bool, StoreError> {
        let now = self.now.to_string();
        let actor = self.actor.label();
        let moved = on!(self.conn(), |c| sqlx::query(
            "UPDATE award_rounds SET state = $1, moved_by = $2, moved_at = $3 \
             WHERE festival_id = $4 AND kind = $5 AND state = $6"
        )
        .bind(to.code())
        .bind(&actor)
        .bind(&now)
        .bind(festival_id)
        .bind(kind.code())
        .bind(from.code())
        .execute(c)
        .await
        .map(|done| done.rows_affected())
        .map_err(db("moving a round"))?);
        if moved == 1 {
            self.audit(AuditEntry {
                action: "award_round.move",
                entity: "award_round",
                entity_id: format!("{festival_id}/{kind}"),
                province: None,
                before: Some(serde_json::json!({ "state": from.code() })),
                after: Some(serde_json::json!({ "state": to.code() })),
            });
        }
        Ok(moved == 1)
    }

    /// Records an entry with its reasons.
    pub async fn insert_award_entry(&mut self, entry: &NewAwardEntry) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let actor = self.actor.label();
        let id: i64 = on!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO award_entries (festival_id, province, category, cooperative_id, route, \
             entered_by_user_id, entered_by, entered_at, eligible, snapshot) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
        )
        .bind(entry.festival_id)
        .bind(entry.province.as_str())
        .bind(&entry.category)
        .bind(entry.cooperative_id)
        .bind(entry.route.code())
        .bind(entry.entered_by_user_id)
        .bind(&actor)
        .bind(&now)
        .bind(entry.eligible)
        .bind(&entry.snapshot)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording an entry"))?
        });
        for (position, reason) in (0_i64..).zip(&entry.reasons) {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO award_entry_reasons (entry_id, position, province, code, \
                 message_fa, message_en) VALUES ($1, $2, $3, $4, $5, $6)"
            )
            .bind(id)
            .bind(position)
            .bind(entry.province.as_str())
            .bind(&reason.code)
            .bind(&reason.message_fa)
            .bind(&reason.message_en)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("recording an entry's reasons"))?);
        }
        let snapshot: serde_json::Value =
            serde_json::from_str(&entry.snapshot).unwrap_or(serde_json::Value::Null);
        self.audit(AuditEntry::created(
            "award_entry.create",
            "award_entry",
            id,
            Some(entry.province.as_str()),
            serde_json::json!({
                "festival_id": entry.festival_id,
                "category": entry.category,
                "cooperative_id": entry.cooperative_id,
                "route": entry.route.code(),
                "eligible": entry.eligible,
                "reasons": entry.reasons.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(),
                "snapshot": snapshot,
            }),
        ));
        Ok(id)
    }

    /// Puts a judge on a festival's panel (a province's, or with none the national one).
    pub async fn insert_award_judge(
        &mut self,
        festival_id: i64,
        user_id: i64,
        province: Option<&ProvinceCode>,
        national_code: &str,
    ) -> Result<(), StoreError> {
        let now = self.now.to_string();
        let actor = self.actor.label();
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO award_panel_judges (festival_id, user_id, province, national_code, \
             appointed_by, appointed_at) VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(festival_id)
        .bind(user_id)
        .bind(province.map(ProvinceCode::as_str))
        .bind(national_code)
        .bind(&actor)
        .bind(&now)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("appointing a judge"))?);
        self.audit(AuditEntry::created(
            "award_judge.appoint",
            "award_judge",
            format!("{festival_id}/{user_id}"),
            province.map(ProvinceCode::as_str),
            serde_json::json!({ "festival_id": festival_id, "user_id": user_id }),
        ));
        Ok(())
    }

    /// Puts `judges` on an entry in a round.
    pub async fn insert_award_assignments(
        &mut self,
        entry_id: i64,
        round: RoundKind,
        province: &ProvinceCode,
        judges: &[i64],
    ) -> Result<(), StoreError> {
        let now = self.now.to_string();
        for judge in judges {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO award_assignments (entry_id, round_kind, judge_user_id, province, \
                 assigned_at) VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(entry_id)
            .bind(round.code())
            .bind(judge)
            .bind(province.as_str())
            .bind(&now)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("assigning a judge"))?);
        }
        self.audit(AuditEntry::created(
            "award_assignment.assign",
            "award_entry",
            entry_id,
            Some(province.as_str()),
            serde_json::json!({ "round": round.code(), "judges": judges }),
        ));
        Ok(())
    }

    /// Takes a judge found in conflict off an entry, keeping the row with the reason.
    pub async fn remove_award_assignment(
        &mut self,
        entry_id: i64,
        round: RoundKind,
        judge: i64,
        conflict: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now.to_string();
        let removed = on!(self.conn(), |c| sqlx::query(
            "UPDATE award_assignments SET removed_at = $1, conflict = $2 \
             WHERE entry_id = $3 AND round_kind = $4 AND judge_user_id = $5 \
             AND removed_at IS NULL"
        )
        .bind(&now)
        .bind(conflict)
        .bind(entry_id)
        .bind(round.code())
        .bind(judge)
        .execute(c)
        .await
        .map(|done| done.rows_affected())
        .map_err(db("removing a judge"))?);
        if removed > 0 {
            self.audit(AuditEntry {
                action: "award_assignment.remove",
                entity: "award_entry",
                entity_id: entry_id.to_string(),
                province: None,
                before: Some(serde_json::json!({ "round": round.code(), "judge": judge })),
                after: Some(serde_json::json!({ "conflict": conflict })),
            });
        }
        Ok(removed > 0)
    }

    /// Keeps a judge's marks per criterion for an entry (replacing earlier unsubmitted
    /// ones).
    pub async fn put_award_marks(
        &mut self,
        entry_id: i64,
        round: RoundKind,
        judge: i64,
        province: &ProvinceCode,
        marks: &[(String, i64)],
    ) -> Result<(), StoreError> {
        let now = self.now.to_string();
        let before: Vec<AwardCriterionMark> = on!(self.conn(), |c| sqlx::query(
            "SELECT entry_id, judge_user_id, criterion, mark FROM award_criterion_marks \
             WHERE entry_id = $1 AND round_kind = $2 AND judge_user_id = $3 ORDER BY criterion"
        )
        .bind(entry_id)
        .bind(round.code())
        .bind(judge)
        .fetch_all(c)
        .await
        .map_err(db("reading a judge's marks"))?
        .iter()
        .map(|row| mark_row!(row))
        .collect::<Result<_, _>>()?);
        on!(self.conn(), |c| sqlx::query(
            "DELETE FROM award_criterion_marks WHERE entry_id = $1 AND round_kind = $2 \
             AND judge_user_id = $3"
        )
        .bind(entry_id)
        .bind(round.code())
        .bind(judge)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("replacing a judge's marks"))?);
        for (criterion, mark) in marks {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO award_criterion_marks (entry_id, round_kind, judge_user_id, \
                 criterion, province, mark, marked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
            )
            .bind(entry_id)
            .bind(round.code())
            .bind(judge)
            .bind(criterion)
            .bind(province.as_str())
            .bind(mark)
            .bind(&now)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("keeping a judge's marks"))?);
        }
        let as_json = |marks: Vec<(&str, i64)>| {
            serde_json::Value::Object(
                marks
                    .into_iter()
                    .map(|(criterion, mark)| (criterion.to_owned(), mark.into()))
                    .collect(),
            )
        };
        self.audit(AuditEntry {
            action: "award_marks.put",
            entity: "award_entry",
            entity_id: entry_id.to_string(),
            province: Some(province.as_str().to_owned()),
            before: (!before.is_empty()).then(|| {
                as_json(
                    before
                        .iter()
                        .map(|m| (m.criterion.as_str(), m.mark))
                        .collect(),
                )
            }),
            after: Some(serde_json::json!({
                "round": round.code(),
                "judge": judge,
                "marks": as_json(marks.iter().map(|(c, m)| (c.as_str(), *m)).collect()),
            })),
        });
        Ok(())
    }

    /// Records that a judge submitted their marks for an entry; `false` if they already
    /// had.
    pub async fn insert_award_submission(
        &mut self,
        entry_id: i64,
        round: RoundKind,
        judge: i64,
        province: &ProvinceCode,
    ) -> Result<bool, StoreError> {
        let now = self.now.to_string();
        let inserted = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO award_submissions (entry_id, round_kind, judge_user_id, province, \
             submitted_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
        )
        .bind(entry_id)
        .bind(round.code())
        .bind(judge)
        .bind(province.as_str())
        .bind(&now)
        .execute(c)
        .await
        .map(|done| done.rows_affected())
        .map_err(db("recording a submission"))?);
        if inserted == 1 {
            self.audit(AuditEntry::created(
                "award_marks.submit",
                "award_entry",
                entry_id,
                Some(province.as_str()),
                serde_json::json!({ "round": round.code(), "judge": judge }),
            ));
        }
        Ok(inserted == 1)
    }

    /// Records a closed round's results.
    pub async fn insert_award_results(
        &mut self,
        festival_id: i64,
        results: &[AwardResult],
    ) -> Result<(), StoreError> {
        for result in results {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO award_results (entry_id, round_kind, province, judges, status, \
                 rank, winner, band) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )
            .bind(result.entry_id)
            .bind(result.round.code())
            .bind(result.province.as_str())
            .bind(result.judges)
            .bind(result.status.code())
            .bind(result.rank)
            .bind(result.winner)
            .bind(result.band.map(ScoreBand::code))
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("recording a result"))?);
        }
        let round = results.first().map(|r| r.round.code());
        self.audit(AuditEntry::created(
            "award_results.record",
            "award_festival",
            festival_id,
            None,
            serde_json::json!({
                "round": round,
                "results": results.iter().map(|r| serde_json::json!({
                    "entry": r.entry_id,
                    "status": r.status.code(),
                    "rank": r.rank,
                    "winner": r.winner,
                    "band": r.band.map(ScoreBand::code),
                })).collect::<Vec<_>>(),
            }),
        ));
        Ok(())
    }

    /// Admits provincial winners to the national round.
    pub async fn admit_award_entries(
        &mut self,
        festival_id: i64,
        entry_ids: &[i64],
    ) -> Result<(), StoreError> {
        for entry_id in entry_ids {
            on!(self.conn(), |c| sqlx::query(
                "UPDATE award_entries SET national = TRUE WHERE id = $1 AND festival_id = $2"
            )
            .bind(entry_id)
            .bind(festival_id)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("admitting an entry"))?);
        }
        self.audit(AuditEntry::created(
            "award_entry.admit_national",
            "award_festival",
            festival_id,
            None,
            serde_json::json!({ "entries": entry_ids }),
        ));
        Ok(())
    }

    /// Records a winner's certificate.
    pub async fn insert_award_certificate(
        &mut self,
        certificate: &AwardCertificate,
    ) -> Result<(), StoreError> {
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO award_certificates (entry_id, round_kind, province, code, issued_on) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(certificate.entry_id)
        .bind(certificate.round.code())
        .bind(certificate.province.as_str())
        .bind(&certificate.code)
        .bind(&certificate.issued_on)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("issuing a certificate"))?);
        self.audit(AuditEntry::created(
            "award_certificate.issue",
            "award_entry",
            certificate.entry_id,
            Some(certificate.province.as_str()),
            serde_json::json!({ "round": certificate.round.code(), "issued_on": certificate.issued_on }),
        ));
        Ok(())
    }
}

fn festival_json(festival: &NewAwardFestival) -> serde_json::Value {
    serde_json::json!({
        "year": festival.year,
        "entry_window": [festival.entry_opens, festival.entry_closes],
        "judging_window": [festival.judging_opens, festival.judging_closes],
        "judges_per_entry": festival.judges_per_entry,
        "load_max": festival.load_max,
        "registry_fresh_months": festival.registry_fresh_months,
        "registered_months_min": festival.registered_months_min,
        "categories": festival.categories.iter().map(|category| serde_json::json!({
            "code": category.code,
            "provincial_quota": category.provincial_quota,
            "national_quota": category.national_quota,
            "criteria": category.criteria.iter()
                .map(|c| serde_json::json!({ "code": c.code, "weight": c.weight }))
                .collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
