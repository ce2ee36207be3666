//! Applications for facilities and the log of their moves. A move is a compare-and-set
//! on the version, so of concurrent conflicting moves exactly one changes the row. The
//! log starts with the drafting itself (`create`), so it names everyone who took part.

use sqlx::Row;
use taavon_core::access::ApplicationScope;
use taavon_core::applications::{ApplicationState, EventAction};
use taavon_core::programs::{ApplicantKind, Financing};
use taavon_core::reference::{BankCode, BranchCode};

use crate::StoreError;
use crate::audit::{Actor, AuditEntry};
use crate::error::db;
use crate::filter::{Conditions, Value, bind_values, code_literal};
use crate::insert::{insert_rows, only_id};
use crate::sort::{ApplicationColumn, Sort};
use crate::sums::{exact_sum_at, exact_sum_sql};
use crate::tx::{Reader, WriteTx};

/// An application as drafted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApplication {
    pub province: String,
    pub county: String,
    pub program: String,
    pub applicant_kind: ApplicantKind,
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    pub sector: String,
    pub amount_rial: i64,
    pub jobs: i64,
    pub women_jobs: i64,
    pub purpose: String,
    pub financing: Financing,
    pub women_led: bool,
    pub status: ApplicationState,
}

/// A stored application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub fields: NewApplication,
    /// The county's tier and the score at the last decision that computed them.
    pub tier: Option<i64>,
    pub score_x100: Option<i64>,
    pub referred_bank: Option<BankCode>,
    pub referred_branch: Option<BranchCode>,
    /// Likely duplicates as JSON (flagged, never merged).
    pub duplicate_flags: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: Option<String>,
}

/// A move to record, with what it rested on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationMove {
    pub action: EventAction,
    pub to_state: ApplicationState,
    pub reason: Option<String>,
    pub actor_user_id: Option<i64>,
    pub tier: Option<i64>,
    pub score_x100: Option<i64>,
    pub referred_bank: Option<BankCode>,
    pub referred_branch: Option<BranchCode>,
    pub duplicate_flags: Option<String>,
    /// JSON snapshot of what the decision rested on.
    pub snapshot: Option<String>,
}

/// One recorded move.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationEvent {
    pub id: i64,
    pub application_id: i64,
    pub action: EventAction,
    pub from_state: ApplicationState,
    pub to_state: ApplicationState,
    /// The user who made the move; `None` for the system's own (the eligibility check).
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub reason: Option<String>,
    pub snapshot: Option<String>,
    pub at: String,
}

/// Who applied for an application, as a queue names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicantName {
    pub application_id: i64,
    /// The cooperative that applied; `None` for an individual client.
    pub cooperative_id: Option<i64>,
    /// The cooperative's or the client's province.
    pub province: String,
    /// The cooperative's name, or the client's first and last names.
    pub name: String,
}

/// Application ids per statement naming their applicants: well under both engines'
/// limits on bound parameters.
const NAMES_PER_STATEMENT: usize = 500;

/// What an application list may narrow by; `None` means any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplicationFilter {
    pub program: Option<String>,
    pub province: Option<String>,
    pub status: Option<String>,
    pub cooperative_id: Option<i64>,
    /// The list's order (the newest first unless asked otherwise).
    pub sort: Sort<ApplicationColumn>,
}

const APPLICATION_COLUMNS: &str = "id, province, county, program, applicant_kind, \
     cooperative_id, client_id, sector, amount_rial, jobs, women_jobs, purpose, financing, \
     women_led, status, tier, score_x100, referred_bank, referred_branch, \
     duplicate_flags, version, created_at, updated_at";

macro_rules! application_row {
    ($row:expr) => {
        (|| -> Result<Application, StoreError> {
            let row = crate::error::Decoded::new($row, "applications", "decoding an application")?;
            Ok(Application {
                id: row.get("id")?,
                fields: NewApplication {
                    province: row.get("province")?,
                    county: row.get("county")?,
                    program: row.get("program")?,
                    applicant_kind: row.code("applicant_kind", ApplicantKind::parse)?,
                    cooperative_id: row.get("cooperative_id")?,
                    client_id: row.get("client_id")?,
                    sector: row.get("sector")?,
                    amount_rial: row.get("amount_rial")?,
                    jobs: row.get("jobs")?,
                    women_jobs: row.get("women_jobs")?,
                    purpose: row.get("purpose")?,
                    financing: row.code("financing", Financing::parse)?,
                    women_led: row.get("women_led")?,
                    status: row.code("status", ApplicationState::parse)?,
                },
                tier: row.get("tier")?,
                score_x100: row.get("score_x100")?,
                referred_bank: row.optional_code("referred_bank", |c| BankCode::parse(c).ok())?,
                referred_branch: row
                    .optional_code("referred_branch", |c| BranchCode::parse(c).ok())?,
                duplicate_flags: row.get("duplicate_flags")?,
                version: row.get("version")?,
                created_at: row.get("created_at")?,
                updated_at: row.get("updated_at")?,
            })
        })()
    };
}

/// Application states as an SQL list of literals, for the fixed sets a statement names.
pub(crate) fn code_list(states: &[ApplicationState]) -> String {
    states
        .iter()
        .map(|state| code_literal(state.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Reader {
    pub async fn application(&mut self, id: i64) -> Result<Option<Application>, StoreError> {
        let sql = format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE id = $1");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await
            .map_err(db("reading an application"))?
            .map(|row| application_row!(&row))
            .transpose())
    }

    /// The applications the person made as an individual client (of any kind), newest
    /// first (the person view).
    pub async fn client_applications_of_person(
        &mut self,
        person_id: i64,
    ) -> Result<Vec<Application>, StoreError> {
        let sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications WHERE client_id IN \
             (SELECT id FROM clients WHERE person_id = $1) ORDER BY id DESC"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(person_id)
            .fetch_all(c)
            .await
            .map_err(db("reading a person's applications"))?
            .iter()
            .map(|row| application_row!(row))
            .collect())
    }

    /// Applications in `scope` matching `filter`, in its order, with the list's size.
    pub async fn applications(
        &mut self,
        scope: &ApplicationScope,
        filter: &ApplicationFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<Application>, i64), StoreError> {
        let Some(filters) = application_conditions(scope, filter) else {
            return Ok((Vec::new(), 0));
        };
        let where_sql = filters.where_sql();
        let count_sql = format!("SELECT COUNT(*) FROM applications {where_sql}");
        let list_sql = format!(
            "SELECT {APPLICATION_COLUMNS} FROM applications {where_sql} \
             {} LIMIT {} OFFSET {}",
            filter.sort.order_by(),
            limit.clamp(1, 100_000),
            offset.max(0)
        );
        self.counted_applications(
            (count_sql, list_sql),
            &filters.values,
            ("counting applications", "listing applications"),
        )
        .await
    }

    /// The applications `sql.1` reads with how many `sql.0` counts, both bound to
    /// `values`; `context` names the two reads in an error.
    async fn counted_applications(
        &mut self,
        sql: (String, String),
        values: &[Value],
        context: (&'static str, &'static str),
    ) -> Result<(Vec<Application>, i64), StoreError> {
        let (count_sql, list_sql) = sql;
        on!(&mut self.conn, |c| {
            let total: i64 = bind_values!(sqlx::query(sqlx::AssertSqlSafe(count_sql)), values)
                .fetch_one(&mut *c)
                .await
                .and_then(|row| row.try_get(0))
                .map_err(db(context.0))?;
            let applications = bind_values!(sqlx::query(sqlx::AssertSqlSafe(list_sql)), values)
                .fetch_all(&mut *c)
                .await
                .map_err(db(context.1))?
                .iter()
                .map(|row| application_row!(row))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((applications, total))
        })
    }

    /// What every application in `scope` that `filter` matches asks, whatever page is
    /// shown (the list's totals row): rials, jobs and women's jobs.
    pub async fn application_totals(
        &mut self,
        scope: &ApplicationScope,
        filter: &ApplicationFilter,
    ) -> Result<ApplicationTotals, StoreError> {
        let Some(filters) = application_conditions(scope, filter) else {
            return Ok(ApplicationTotals::default());
        };
        let sql = format!(
            "SELECT {}, {}, {} FROM applications {}",
            exact_sum_sql("amount_rial"),
            exact_sum_sql("jobs"),
            exact_sum_sql("women_jobs"),
            filters.where_sql()
        );
        on!(&mut self.conn, |c| {
            let row = bind_values!(sqlx::query(sqlx::AssertSqlSafe(sql)), &filters.values)
                .fetch_one(&mut *c)
                .await
                .map_err(db("summing applications"))?;
            let sum = |column| exact_sum_at(&row, column).map_err(db("summing applications"));
            Ok(ApplicationTotals {
                amount_rial: sum(0)?,
                jobs: sum(2)?,
                women_jobs: sum(4)?,
            })
        })
    }

    /// The moves of one application, oldest first (by instant, then as recorded: the
    /// drafting events migration 0012 added for older applications come first).
    pub async fn application_events(
        &mut self,
        application_id: i64,
    ) -> Result<Vec<ApplicationEvent>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT id, application_id, action, from_state, to_state, actor_user_id, actor, \
             reason, snapshot, at FROM application_events WHERE application_id = $1 \
             ORDER BY at, id"
        )
        .bind(application_id)
        .fetch_all(c)
        .await
        .map_err(db("reading application events"))?
        .iter()
        .map(|row| {
            let row = crate::error::Decoded::new(
                row,
                "application_events",
                "decoding application events",
            )?;
            Ok(ApplicationEvent {
                id: row.get("id")?,
                application_id: row.get("application_id")?,
                action: row.code("action", EventAction::parse)?,
                from_state: row.code("from_state", ApplicationState::parse)?,
                to_state: row.code("to_state", ApplicationState::parse)?,
                actor_user_id: row.get("actor_user_id")?,
                actor: row.get("actor")?,
                reason: row.get("reason")?,
                snapshot: row.get("snapshot")?,
                at: row.get("at")?,
            })
        })
        .collect())
    }

    /// Other live applications of the same applicant under the same program (for the
    /// duplicate flag): (id, status).
    pub async fn sibling_applications(
        &mut self,
        application: &Application,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let f = &application.fields;
        use ApplicationState as S;
        let sql = format!(
            "SELECT id, status FROM applications WHERE program = $1 AND id <> $2 \
             AND ((cooperative_id IS NOT NULL AND cooperative_id = $3) \
                  OR (client_id IS NOT NULL AND client_id = $4)) \
             AND status NOT IN ({}) ORDER BY id",
            code_list(&[
                S::Draft,
                S::Ineligible,
                S::Rejected,
                S::BankRejected,
                S::Withdrawn
            ])
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&f.program)
            .bind(application.id)
            .bind(f.cooperative_id)
            .bind(f.client_id)
            .fetch_all(c)
            .await
            .map_err(db("finding sibling applications"))?
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db("decoding sibling applications")))
    }

    /// Which of `ids` a principal's `scope` lists (so that a page names only records the
    /// reader may see, e.g. in duplicate flags).
    pub async fn visible_application_ids(
        &mut self,
        scope: &ApplicationScope,
        ids: &[i64],
    ) -> Result<Vec<i64>, StoreError> {
        let mut filters = Conditions::default();
        if ids.is_empty() || !filters.in_scope(scope, "referred_bank") {
            return Ok(Vec::new());
        }
        filters.one_of_ids("id", ids);
        let sql = format!("SELECT id FROM applications {}", filters.where_sql());
        on!(&mut self.conn, |c| bind_values!(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            &filters.values
        )
        .fetch_all(c)
        .await
        .map_err(db("finding visible applications"))?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding visible applications")))
    }

    /// The applicants of the applications `ids`, in one statement per 500 (a queue's page
    /// at most), never one read per line. Applications without an applicant are left out.
    pub async fn applicant_names(&mut self, ids: &[i64]) -> Result<Vec<ApplicantName>, StoreError> {
        let mut names = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(NAMES_PER_STATEMENT) {
            let mut filters = Conditions::default();
            filters.one_of_ids("a.id", chunk);
            let sql = format!(
                "SELECT a.id, c.id AS cooperative_id, COALESCE(c.province, k.province) AS province, \
                 c.name AS cooperative_name, p.first_name, p.last_name FROM applications a \
                 LEFT JOIN cooperatives c ON c.id = a.cooperative_id \
                 LEFT JOIN clients k ON k.id = a.client_id AND a.cooperative_id IS NULL \
                 LEFT JOIN persons p ON p.id = k.person_id {} \
                 AND (c.id IS NOT NULL OR p.id IS NOT NULL)",
                filters.where_sql()
            );
            let rows = on!(&mut self.conn, |c| bind_values!(
                sqlx::query(sqlx::AssertSqlSafe(sql)),
                &filters.values
            )
            .fetch_all(c)
            .await
            .map_err(db("naming applicants"))?
            .iter()
            .map(|row| {
                let cooperative_name: Option<String> = row.try_get("cooperative_name")?;
                let name = match cooperative_name {
                    Some(name) => name,
                    None => format!(
                        "{} {}",
                        row.try_get::<String, _>("first_name")?,
                        row.try_get::<String, _>("last_name")?
                    ),
                };
                Ok(ApplicantName {
                    application_id: row.try_get("id")?,
                    cooperative_id: row.try_get("cooperative_id")?,
                    province: row.try_get("province")?,
                    name,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(db("decoding applicants' names"))?);
            names.extend(rows);
        }
        Ok(names)
    }

    /// The applications in `scope` waiting in `states`, the longest-waiting first (by
    /// their last move), at most `limit`, with how many wait in all: a dashboard's task
    /// inbox, read by the index on (status, updated_at).
    pub async fn waiting_applications(
        &mut self,
        scope: &ApplicationScope,
        states: &[ApplicationState],
        limit: i64,
    ) -> Result<(Vec<Application>, i64), StoreError> {
        let mut filters = Conditions::default();
        if states.is_empty() || !filters.in_scope(scope, "referred_bank") {
            return Ok((Vec::new(), 0));
        }
        let count_sql = format!(
            "SELECT COUNT(*) FROM applications {}",
            filters.where_sql_and(&format!("status IN ({})", code_list(states)))
        );
        // Each state's oldest, then the oldest of those: a state's applications are one
        // range of an index in waiting order (`applications_bank_inbox`,
        // `applications_waiting`), where an order over several states at once sorts
        // every application waiting in them (50 000 for a national bank).
        let limit = limit.clamp(1, 1_000);
        let oldest = states
            .iter()
            .enumerate()
            .map(|(n, state)| {
                format!(
                    "SELECT * FROM (SELECT {APPLICATION_COLUMNS} FROM applications {} \
                     ORDER BY updated_at, id LIMIT {limit}) AS state_{n}",
                    filters.where_sql_and(&format!("status = {}", code_literal(state.code())))
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let list_sql =
            format!("SELECT * FROM ({oldest}) AS waiting ORDER BY updated_at, id LIMIT {limit}");
        self.counted_applications(
            (count_sql, list_sql),
            &filters.values,
            (
                "counting waiting applications",
                "listing waiting applications",
            ),
        )
        .await
    }

    /// The amount already approved (or further on) per province under a program, exact
    /// however many applications add up to it.
    pub async fn committed_by_province(
        &mut self,
        program: &str,
    ) -> Result<Vec<(String, i128)>, StoreError> {
        use ApplicationState as S;
        let sql = format!(
            "SELECT province, {} FROM applications \
             WHERE program = $1 AND status IN ({}) GROUP BY province ORDER BY province",
            exact_sum_sql("amount_rial"),
            code_list(&[S::Approved, S::Referred, S::BankApproved, S::Contracted])
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(program)
            .fetch_all(c)
            .await
            .map_err(db("summing committed amounts"))?
            .iter()
            .map(|row| Ok((row.try_get(0)?, exact_sum_at(row, 1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db("decoding committed amounts")))
    }
}

/// An application's columns as written, in the order `write_applications` binds them.
pub(crate) const APPLICATION_INSERT_COLUMNS: &str = "province, county, program, applicant_kind, cooperative_id, \
     client_id, sector, amount_rial, jobs, women_jobs, purpose, financing, women_led, status, \
     version, created_at, updated_at";

impl WriteTx {
    /// Writes applications' rows at version 1, many to a statement; returns their ids in
    /// order. The one statement of both the single and the bulk insert; the caller logs
    /// and audits.
    pub(crate) async fn write_applications(
        &mut self,
        applications: &[NewApplication],
        context: &'static str,
    ) -> Result<Vec<i64>, StoreError> {
        let now = self.now.to_string();
        let columns = &[APPLICATION_INSERT_COLUMNS];
        Ok(insert_rows!(
            self,
            "applications",
            columns,
            applications,
            context,
            |query, a| query
                .bind(&a.province)
                .bind(&a.county)
                .bind(&a.program)
                .bind(a.applicant_kind.code())
                .bind(a.cooperative_id)
                .bind(a.client_id)
                .bind(&a.sector)
                .bind(a.amount_rial)
                .bind(a.jobs)
                .bind(a.women_jobs)
                .bind(&a.purpose)
                .bind(a.financing.code())
                .bind(a.women_led)
                .bind(a.status.code())
                .bind(1i64)
                .bind(&now)
                .bind(&now)
        ))
    }

    pub async fn insert_application(
        &mut self,
        application: &NewApplication,
    ) -> Result<i64, StoreError> {
        let ids = self
            .write_applications(std::slice::from_ref(application), "creating an application")
            .await?;
        let id = only_id(&ids, "applications")?;
        let now = self.now.to_string();
        let a = application;
        let actor_user_id = match &self.actor {
            Actor::User { id, .. } => Some(*id),
            Actor::System { .. } => None,
        };
        let actor = self.actor.label();
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO application_events (province, application_id, action, from_state, \
             to_state, actor_user_id, actor, at) VALUES ($1, $2, $7, $3, $3, $4, $5, $6)"
        )
        .bind(&a.province)
        .bind(id)
        .bind(a.status.code())
        .bind(actor_user_id)
        .bind(&actor)
        .bind(&now)
        .bind(EventAction::Draft.code())
        .execute(c)
        .await
        .map_err(db("recording an application's drafting"))
        .map(|_| ())?);
        self.audit(AuditEntry::created(
            "application.create",
            "application",
            id,
            Some(&a.province),
            serde_json::json!({
                "program": a.program, "county": a.county, "applicant_kind": a.applicant_kind.code(),
                "cooperative_id": a.cooperative_id, "client_id": a.client_id,
                "sector": a.sector, "amount_rial": a.amount_rial, "jobs": a.jobs,
                "women_jobs": a.women_jobs, "purpose": a.purpose, "financing": a.financing.code(),
                "women_led": a.women_led, "status": a.status.code(),
            }),
        ));
        Ok(id)
    }

    /// Rewrites what a revisable application asks (its applicant and province stay) if it
    /// is still at its version, back in `draft`, and records the revision as its event;
    /// `None` if it changed meanwhile and nothing was written. The tier, score and flags
    /// of an earlier submission stay until the next submission recomputes them.
    pub async fn revise_application(
        &mut self,
        before: &Application,
        after: &NewApplication,
    ) -> Result<Option<i64>, StoreError> {
        let now = self.now.to_string();
        let a = after;
        let changed = on!(self.conn(), |c| sqlx::query(
            "UPDATE applications SET county = $1, program = $2, sector = $3, \
             amount_rial = $4, jobs = $5, women_jobs = $6, purpose = $7, financing = $8, \
             women_led = $9, status = $10, version = version + 1, updated_at = $11 \
             WHERE id = $12 AND version = $13"
        )
        .bind(&a.county)
        .bind(&a.program)
        .bind(&a.sector)
        .bind(a.amount_rial)
        .bind(a.jobs)
        .bind(a.women_jobs)
        .bind(&a.purpose)
        .bind(a.financing.code())
        .bind(a.women_led)
        .bind(ApplicationState::Draft.code())
        .bind(&now)
        .bind(before.id)
        .bind(before.version)
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("revising an application"))?);
        if changed == 0 {
            return Ok(None);
        }
        let actor_user_id = match &self.actor {
            Actor::User { id, .. } => Some(*id),
            Actor::System { .. } => None,
        };
        let actor = self.actor.label();
        let event_id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO application_events (province, application_id, action, from_state, \
             to_state, actor_user_id, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             RETURNING id"
        )
        .bind(&before.fields.province)
        .bind(before.id)
        .bind(EventAction::Revise.code())
        .bind(before.fields.status.code())
        .bind(ApplicationState::Draft.code())
        .bind(actor_user_id)
        .bind(&actor)
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording an application's revision"))?);
        let asked = |a: &NewApplication, status: ApplicationState, event: Option<i64>| {
            serde_json::json!({
                "program": a.program, "county": a.county, "sector": a.sector,
                "amount_rial": a.amount_rial, "jobs": a.jobs, "women_jobs": a.women_jobs,
                "purpose": a.purpose, "financing": a.financing.code(), "status": status.code(),
                "event_id": event,
            })
        };
        self.audit(AuditEntry {
            action: "application.update",
            entity: "application",
            entity_id: before.id.to_string(),
            province: Some(before.fields.province.clone()),
            before: Some(asked(&before.fields, before.fields.status, None)),
            after: Some(asked(after, ApplicationState::Draft, Some(event_id))),
        });
        Ok(Some(event_id))
    }

    /// Moves an application that is still at `expected_version` and records the move;
    /// `None` if it changed meanwhile (a concurrent move won) and nothing was written.
    pub async fn move_application(
        &mut self,
        before: &Application,
        change: &ApplicationMove,
    ) -> Result<Option<i64>, StoreError> {
        let now = self.now.to_string();
        let m = change;
        let changed = on!(self.conn(), |c| sqlx::query(
            "UPDATE applications SET status = $1, tier = COALESCE($2, tier), \
             score_x100 = COALESCE($3, score_x100), \
             referred_bank = COALESCE($4, referred_bank), \
             referred_branch = COALESCE($5, referred_branch), \
             duplicate_flags = COALESCE($6, duplicate_flags), version = version + 1, \
             updated_at = $7 WHERE id = $8 AND version = $9"
        )
        .bind(m.to_state.code())
        .bind(m.tier)
        .bind(m.score_x100)
        .bind(m.referred_bank.as_ref().map(BankCode::as_str))
        .bind(m.referred_branch.as_ref().map(BranchCode::as_str))
        .bind(m.duplicate_flags.as_deref())
        .bind(&now)
        .bind(before.id)
        .bind(before.version)
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("moving an application"))?);
        if changed == 0 {
            return Ok(None);
        }
        let actor = self.actor.label();
        let event_id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO application_events (province, application_id, action, from_state, \
             to_state, actor_user_id, actor, reason, snapshot, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
        )
        .bind(&before.fields.province)
        .bind(before.id)
        .bind(m.action.code())
        .bind(before.fields.status.code())
        .bind(m.to_state.code())
        .bind(m.actor_user_id)
        .bind(&actor)
        .bind(m.reason.as_deref())
        .bind(m.snapshot.as_deref())
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording an application event"))?);
        self.add_event_to_dashboard(event_id).await?;
        self.audit(AuditEntry {
            action: "application.transition",
            entity: "application",
            entity_id: before.id.to_string(),
            province: Some(before.fields.province.clone()),
            before: Some(serde_json::json!({
                "status": before.fields.status.code(), "version": before.version,
            })),
            after: Some(serde_json::json!({
                "status": m.to_state.code(), "action": m.action.code(), "reason": m.reason,
                "event_id": event_id,
                "referred_bank": m.referred_bank.as_ref().map(BankCode::as_str),
                "score_x100": m.score_x100, "tier": m.tier,
            })),
        });
        Ok(Some(event_id))
    }
}

/// The conditions of an application list: the scope, then the filter; none when the
/// scope sees no application at all.
fn application_conditions(
    scope: &ApplicationScope,
    filter: &ApplicationFilter,
) -> Option<Conditions> {
    let mut filters = Conditions::default();
    if !filters.in_scope(scope, "referred_bank") {
        return None;
    }
    filters.equals("program", filter.program.as_ref());
    filters.equals("province", filter.province.as_ref());
    filters.equals("status", filter.status.as_ref());
    if let Some(id) = filter.cooperative_id {
        let p = filters.bind(Value::Int(id));
        filters.push(format!("cooperative_id = {p}"));
    }
    Some(filters)
}

/// The sums of an application list's columns over all its pages, exact in `i128`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ApplicationTotals {
    pub amount_rial: i128,
    pub jobs: i128,
    pub women_jobs: i128,
}
