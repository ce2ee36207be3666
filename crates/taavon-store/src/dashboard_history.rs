//! The history `taavon bench dashboard` gives the applications and loans it wrote
//! straight into place (`insert_applications_bulk`, `insert_running_loans_bulk`): the
//! moves, disbursements and repayments the real paths would have recorded, spread over
//! calendar days, and the dashboards' kept figures summed afresh from them as the
//! migrations' backfills do. Besides the contracted applications, a share is copied back
//! into each earlier state it could wait in, so a role's task inbox has a backlog.
//!
//! Set based and deterministic: each application's step takes a number of days drawn
//! from a seeded hash of its id, never from a random source, so a seed always gives the
//! same history. The calendar arithmetic is a day table the transaction fills (the two
//! engines share no function adding days to a date).

use sqlx::Row;
use taavon_core::applications::ApplicationState;
use taavon_core::calendar::IsoDate;
use taavon_core::loans::TransactionKind;
use taavon_core::timestamp::Timestamp;

use crate::StoreError;
use crate::applications::{APPLICATION_INSERT_COLUMNS, code_list};
use crate::dashboard_figures::backfill_sql;
use crate::dashboard_rollups::backfill_rollups_sql;
use crate::dashboard_steps::{backfill_province_step_days_sql, rebuild_step_days_sql};
use crate::dashboard_tables::KEPT_TABLES;
use crate::error::db;
use crate::filter::code_literal;
use crate::support_figures::day_number_sql;
use crate::tx::WriteTx;

/// One move of the path every synthesized application follows from its draft, as far
/// as its state: the action, the states it leaves and reaches, and the least and the
/// spread of the calendar days it takes after the move before.
struct PathMove {
    action: &'static str,
    from: ApplicationState,
    to: ApplicationState,
    days_least: i64,
    days_spread: i64,
}

/// The path, in order: found eligible within about a week and a half, approved within
/// five weeks, referred within two, approved by the bank within three and contracted
/// within a week and a half after that.
const PATH: [PathMove; 6] = {
    use ApplicationState as S;
    [
        // The submission opens the path: no days before it.
        step("submit", S::Draft, S::Submitted, 0, 1),
        step("eligibility", S::Submitted, S::UnderReview, 1, 10),
        step("approve", S::UnderReview, S::Approved, 5, 31),
        step("refer", S::Approved, S::Referred, 1, 14),
        step("bank_approve", S::Referred, S::BankApproved, 3, 21),
        step("contract", S::BankApproved, S::Contracted, 1, 10),
    ]
};

const fn step(
    action: &'static str,
    from: ApplicationState,
    to: ApplicationState,
    days_least: i64,
    days_spread: i64,
) -> PathMove {
    PathMove {
        action,
        from,
        to,
        days_least,
        days_spread,
    }
}

/// The first disbursement comes 0–14 days after the contract (never after `today`).
const DISBURSEMENT_DAYS: (i64, i64) = (0, 15);

/// The states an application waits in, each with the move of `PATH` that reached it
/// (awaiting a second approval is reached by the first approval) and its weight out of
/// `WAITING_WEIGHTS` among the waiting applications.
const WAITING: [(ApplicationState, usize, u64); 6] = {
    use ApplicationState as S;
    [
        (S::Submitted, 0, 3),
        (S::UnderReview, 1, 5),
        (S::AwaitingSecondApproval, 2, 1),
        (S::Approved, 2, 3),
        (S::Referred, 3, 5),
        (S::BankApproved, 4, 3),
    ]
};
const WAITING_WEIGHTS: u64 = {
    let mut weights = 0;
    let mut rest: &[(ApplicationState, usize, u64)] = &WAITING;
    while let [(_, _, weight), after @ ..] = rest {
        weights += *weight;
        rest = after;
    }
    weights
};

/// The states the synthesized history leaves applications waiting in (each some role's
/// inbox's).
pub fn synthesized_waiting_states() -> Vec<ApplicationState> {
    WAITING.iter().map(|(state, _, _)| *state).collect()
}

/// One contracted application in `WAITING_SHARE` is copied into a waiting state.
const WAITING_SHARE: u64 = 4;

/// The waiting applications' last move was up to this many days before `today`.
const WAITING_DAYS: i64 = 45;

/// What the hash is drawn for (each its own salt).
#[derive(Clone, Copy)]
enum Draw {
    /// The days of `PATH`'s move at this index.
    Move(usize),
    Disbursement,
    /// Whether a contracted application is copied into a waiting state.
    Waiting,
    /// Which waiting state.
    WaitingState,
    /// How long ago it moved there.
    WaitingDays,
}

impl Draw {
    fn salt(self, seed: u64) -> u64 {
        let draw = match self {
            Self::Move(index) => index as u64,
            Self::Disbursement => 10,
            Self::Waiting => 11,
            Self::WaitingState => 12,
            Self::WaitingDays => 13,
        };
        // Salts apart by more than any id, and small enough that the hash's product
        // stays below 3 × 10^18 (an i64 on both engines) for ids up to a billion.
        (seed % 1_000) * 1_000_003 + draw * 10_000_019
    }
}

/// A hash of the integer `id` for `draw`, from 0 to 65 535: Knuth's multiplicative hash
/// of the salted id, its upper 16 of 32 bits.
fn hash_sql(id: &str, draw: Draw, seed: u64) -> String {
    format!(
        "((({id} + {}) * 2654435761) % 4294967296 / 65536)",
        draw.salt(seed)
    )
}

/// A number from `least` to `least + spread - 1` drawn for `id`.
fn drawn_sql(id: &str, draw: Draw, (least, spread): (i64, i64), seed: u64) -> String {
    format!("({least} + {} % {spread})", hash_sql(id, draw, seed))
}

/// The days from the draft's submission to `PATH`'s move at `index` for the application
/// `id` (0 for the submission itself).
fn days_to_sql(index: usize, id: &str, seed: u64) -> String {
    let days: Vec<String> = PATH
        .iter()
        .enumerate()
        .take(index + 1)
        .skip(1)
        .map(|(i, m)| drawn_sql(id, Draw::Move(i), (m.days_least, m.days_spread), seed))
        .collect();
    if days.is_empty() {
        "0".to_owned()
    } else {
        format!("({})", days.join(" + "))
    }
}

/// The index in `PATH` of the move that reached the state of the application `a`.
fn last_move_sql() -> String {
    let path = PATH.iter().enumerate().map(|(index, m)| (m.to, index));
    let waiting = WAITING
        .iter()
        .filter(|(state, _, _)| !PATH.iter().any(|m| m.to == *state))
        .map(|(state, index, _)| (*state, *index));
    let whens: Vec<String> = path
        .chain(waiting)
        .map(|(state, index)| format!("WHEN {} THEN {index}", code_literal(state.code())))
        .collect();
    format!("CASE a.status {} END", whens.join(" "))
}

/// The waiting state drawn for the application `id` (copied from it).
fn waiting_state_sql(id: &str, seed: u64) -> String {
    let drawn = format!(
        "{} % {WAITING_WEIGHTS}",
        hash_sql(id, Draw::WaitingState, seed)
    );
    let mut below = 0;
    let whens: Vec<String> = WAITING
        .iter()
        .map(|(state, _, weight)| {
            below += weight;
            format!("WHEN {drawn} < {below} THEN {}", code_literal(state.code()))
        })
        .collect();
    format!("CASE {} END", whens.join(" "))
}

impl crate::Store {
    /// Gives the applications and loans a benchmark wrote straight into place (those
    /// that never moved, whatever their drafting recorded; contracted applications with their loans) the history the real
    /// paths would have recorded, with `seed` drawing the days each step took; copies a
    /// share of them into each state an application waits in, as moved there up to
    /// `WAITING_DAYS` before `today` (the business date); and sums the dashboards'
    /// figures afresh from every record, as the migrations' backfills do. For `taavon
    /// bench dashboard` (and its spec) only: set based, in one transaction.
    pub async fn synthesize_dashboard_history(
        &self,
        now: Timestamp,
        today: IsoDate,
        seed: u64,
    ) -> Result<(), StoreError> {
        let mut write = self.write(crate::Actor::system("bench"), now).await?;
        // Every day a move or disbursement can fall on: from the earliest move before
        // the first contract or the oldest wait to the last contract or today.
        let (first, last) = write.contract_span().await?;
        let day = |day: Option<String>| day.and_then(|day| IsoDate::parse(&day).ok());
        let first = day(first)
            .unwrap_or(today)
            .min(today.add_days(-WAITING_DAYS));
        let last = day(last).unwrap_or(today).max(today);
        let total = PATH
            .iter()
            .map(|m| m.days_least + m.days_spread)
            .sum::<i64>();
        write
            .fill_bench_days(first.add_days(-total), last.add_days(1))
            .await?;
        let last_application = write
            .ids("SELECT COALESCE(MAX(id), 0) FROM applications")
            .await?
            .into_iter()
            .next()
            .unwrap_or(0);
        for sql in history_sql(now, today, seed, last_application) {
            write.execute(&sql).await?;
        }
        let kept = KEPT_TABLES.map(|table| format!("DELETE FROM {table}"));
        let backfills = kept
            .into_iter()
            .chain([backfill_sql()])
            .chain(backfill_rollups_sql())
            .chain(rebuild_step_days_sql())
            .chain([backfill_province_step_days_sql()])
            .chain(crate::loan_figure_parts::rebuild_sql())
            .chain(["DROP TABLE bench_pending", "DROP TABLE bench_days"].map(str::to_owned));
        for sql in backfills {
            write.execute(&sql).await?;
        }
        write.audit(crate::AuditEntry::created(
            "bench.dashboard_history",
            "dashboard_figures",
            0,
            None,
            serde_json::json!({ "seed": seed, "today": today.to_string() }),
        ));
        write.commit().await?;
        // Every application was rewritten (its moves, the waiting copies' states), and
        // the events, transactions and kept figures are new: the dashboards are measured
        // as a deployment would read them once autovacuum has been by.
        let rewritten = [
            "applications",
            "application_events",
            "loans",
            "loan_transactions",
            "loan_figure_parts",
            "loan_county_figures",
        ];
        let tables: Vec<&str> = rewritten.into_iter().chain(KEPT_TABLES).collect();
        self.vacuum_after_bulk_load(&tables).await
    }
}

/// The statements writing the history, in order (the day table filled): the pending
/// applications noted, the waiting copies, the applications' referrals and last moves,
/// their moves in `PATH`'s order (so each move's id follows the one before, as the
/// step days read them), the loans' first disbursements and first repayments.
/// `last_application` is the last id before the waiting copies.
fn history_sql(now: Timestamp, today: IsoDate, seed: u64, last_application: i64) -> Vec<String> {
    use ApplicationState as S;
    let contracted = code_literal(S::Contracted.code());
    let referred = code_list(&[S::Referred, S::BankApproved]);
    let waiting = synthesized_waiting_states();
    let today_number = day_number_sql(&format!("'{today}'"));
    let at = "d.day || 'T08:00:00.000Z'";
    let day_of = |number: &str| format!("JOIN bench_days d ON d.number = {number}");
    let mut statements = vec![
        "CREATE TEMPORARY TABLE bench_pending (application_id BIGINT PRIMARY KEY)".to_owned(),
        "INSERT INTO bench_pending (application_id) SELECT a.id FROM applications a \
         WHERE NOT EXISTS (SELECT 1 FROM application_events e \
         WHERE e.application_id = a.id AND e.from_state <> e.to_state)"
            .to_owned(),
        format!(
            "INSERT INTO applications ({APPLICATION_INSERT_COLUMNS}, referred_bank, \
             referred_branch) SELECT a.province, a.county, a.program, a.applicant_kind, \
             a.cooperative_id, a.client_id, a.sector, a.amount_rial, a.jobs, a.women_jobs, \
             a.purpose, a.financing, a.women_led, {state}, 1, '{now}', '{now}', \
             CASE WHEN {state} IN ({referred}) THEN l.bank END, \
             CASE WHEN {state} IN ({referred}) THEN l.branch END \
             FROM applications a JOIN bench_pending p ON p.application_id = a.id \
             JOIN loans l ON l.application_id = a.id \
             WHERE a.status = {contracted} AND {drawn} % {WAITING_SHARE} = 0 ORDER BY a.id",
            state = waiting_state_sql("a.id", seed),
            drawn = hash_sql("a.id", Draw::Waiting, seed),
        ),
        format!(
            "INSERT INTO bench_pending (application_id) SELECT id FROM applications \
             WHERE id > {last_application}"
        ),
        format!(
            "UPDATE applications SET referred_bank = l.bank, referred_branch = l.branch, \
             updated_at = l.contracted_on || 'T08:00:00.000Z' FROM loans l \
             WHERE l.application_id = applications.id AND applications.status = {contracted} \
             AND applications.id IN (SELECT application_id FROM bench_pending)"
        ),
        format!(
            "UPDATE applications SET updated_at = (SELECT {at} FROM bench_days d \
             WHERE d.number = {today_number} - {ago}) WHERE status IN ({}) \
             AND id IN (SELECT application_id FROM bench_pending)",
            code_list(&waiting),
            ago = drawn_sql(
                "applications.id",
                Draw::WaitingDays,
                (0, WAITING_DAYS),
                seed
            ),
        ),
    ];
    let last = last_move_sql();
    let days_to_last = {
        let whens: Vec<String> = (0..PATH.len())
            .map(|index| format!("WHEN {index} THEN {}", days_to_sql(index, "a.id", seed)))
            .collect();
        format!("CASE {last} {} END", whens.join(" "))
    };
    for (index, m) in PATH.iter().enumerate() {
        let number = format!(
            "{} - {days_to_last} + {}",
            day_number_sql("a.updated_at"),
            days_to_sql(index, "a.id", seed)
        );
        statements.push(format!(
            "INSERT INTO application_events (province, application_id, action, from_state, \
             to_state, actor, at) SELECT a.province, a.id, '{action}', {from}, \
             CASE WHEN {last} = {index} THEN a.status ELSE {to} END, 'bench', {at} \
             FROM applications a JOIN bench_pending p ON p.application_id = a.id {day} \
             WHERE {last} >= {index} ORDER BY a.id",
            action = m.action,
            from = code_literal(m.from.code()),
            to = code_literal(m.to.code()),
            day = day_of(&number),
        ));
    }
    let disbursed = format!(
        "{} + {}",
        day_number_sql("l.contracted_on"),
        drawn_sql(
            "l.application_id",
            Draw::Disbursement,
            DISBURSEMENT_DAYS,
            seed
        )
    );
    statements.extend([
        format!(
            "INSERT INTO loan_transactions (loan_id, province, kind, business_on, \
             amount_rial, principal_rial, created_by, created_at) \
             SELECT l.id, l.province, {}, d.day, l.principal_rial, l.principal_rial, \
             'bench', '{now}' FROM loans l \
             JOIN bench_pending p ON p.application_id = l.application_id {} ORDER BY l.id",
            code_literal(TransactionKind::Disbursement.code()),
            day_of(&format!(
                "CASE WHEN {disbursed} > {today_number} THEN {today_number} \
                 ELSE {disbursed} END"
            )),
        ),
        format!(
            "INSERT INTO loan_transactions (loan_id, province, kind, business_on, \
             amount_rial, principal_rial, profit_rial, created_by, created_at) \
             SELECT i.loan_id, i.province, {}, i.due_on, \
             i.paid_principal_rial + i.paid_profit_rial, i.paid_principal_rial, \
             i.paid_profit_rial, 'bench', '{now}' FROM loan_installments i \
             JOIN loans l ON l.id = i.loan_id \
             JOIN bench_pending p ON p.application_id = l.application_id \
             WHERE i.n = 1 AND i.schedule_version = 1 AND i.paid_principal_rial > 0 \
             ORDER BY i.loan_id",
            code_literal(TransactionKind::Repayment.code())
        ),
    ]);
    statements
}

impl WriteTx {
    /// Fills the temporary `bench_days` with every ISO day from `from` to `to`
    /// (exclusive) and its day number as `day_number_sql` counts it.
    async fn fill_bench_days(&mut self, from: IsoDate, to: IsoDate) -> Result<(), StoreError> {
        self.execute("CREATE TEMPORARY TABLE bench_days (day TEXT PRIMARY KEY, number BIGINT)")
            .await?;
        let days: Vec<String> = (from.days_since_unix_epoch()..to.days_since_unix_epoch())
            .map(|day| format!("('{}')", IsoDate::from_days_since_unix_epoch(day)))
            .collect();
        // Under SQLite's bound on a statement's rows of values.
        for chunk in days.chunks(250) {
            self.execute(&format!(
                "INSERT INTO bench_days (day) VALUES {}",
                chunk.join(", ")
            ))
            .await?;
        }
        self.execute(&format!(
            "UPDATE bench_days SET number = {}",
            day_number_sql("day")
        ))
        .await?;
        self.execute("CREATE UNIQUE INDEX bench_days_number ON bench_days (number)")
            .await
    }

    async fn execute(&mut self, sql: &str) -> Result<(), StoreError> {
        on!(self.conn(), |c| sqlx::query(sqlx::AssertSqlSafe(
            sql.to_owned()
        ))
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("synthesizing the dashboards' history"))?);
        Ok(())
    }

    /// The first and the last contract day of the loans.
    async fn contract_span(&mut self) -> Result<(Option<String>, Option<String>), StoreError> {
        Ok(on!(self.conn(), |c| sqlx::query_as(
            "SELECT MIN(contracted_on), MAX(contracted_on) FROM loans"
        )
        .fetch_one(c)
        .await
        .map_err(db("synthesizing the dashboards' history"))?))
    }

    async fn ids(&mut self, sql: &'static str) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.conn(), |c| sqlx::query(sql)
            .fetch_all(c)
            .await
            .map_err(db("synthesizing the dashboards' history"))?
            .iter()
            .map(|row| row.try_get::<i64, _>(0))
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(db("synthesizing the dashboards' history"))?))
    }
}
