//! End of day: closes the open business date over every loan in set-based batches, then
//! snapshots the portfolio, moves the change in provisions through the ledger and opens
//! the next date. Each batch is one transaction recorded in `eod_runs`, so a run that
//! crashed resumes at the first unfinished batch; a date already closed is left as it is.
//! A batch writes only the loans whose numbers change; the date closed for all the others
//! is recorded once, as the next date opens (`taavon_store::eod` says what a loan's last
//! closed date is).

use taavon_core::calendar::IsoDate;
use taavon_core::loans::classification::ClassificationRules;
use taavon_core::loans::eod::{EodPlan, EodStep};
use taavon_core::support::SupportRules;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, Store};

use crate::AppError;
use crate::funds;
use crate::loans::business_date;

/// How end of day runs (from the configuration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EodSettings {
    pub plan: EodPlan,
    pub rules: ClassificationRules,
    /// Loans per batch (one transaction each).
    pub batch_size: i64,
    /// When an open support request is escalated.
    pub support: SupportRules,
}

impl Default for EodSettings {
    fn default() -> Self {
        Self {
            plan: EodPlan::default(),
            rules: ClassificationRules::default(),
            batch_size: 20_000,
            support: SupportRules::default(),
        }
    }
}

/// What one closed date did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayReport {
    pub business_on: String,
    pub batches: i64,
    /// Batches a crashed earlier run had already closed.
    pub batches_resumed: i64,
    pub loans_closed: i64,
    /// The loans whose numbers changed, the only ones end of day wrote.
    pub loans_written: i64,
    pub branches: i64,
    /// Escalation levels support requests reached as the next date opened.
    pub escalations: u64,
}

/// Closes every business date from the open one through `through`, day by day. A date
/// before the open one is already closed: nothing changes and the list is empty.
pub async fn run_through(
    store: &Store,
    through: IsoDate,
    settings: &EodSettings,
    now: impl Fn() -> Timestamp,
) -> Result<Vec<DayReport>, AppError> {
    let mut reports = Vec::new();
    let mut day = business_date(store, now()).await?;
    while day <= through {
        reports.extend(close_at(store, day, settings, now()).await?);
        day = day.add_days(1);
    }
    Ok(reports)
}

/// Closes everything up to and including `day` in one pass and opens the next date;
/// `None` when `day` is already closed. Closing a later date than the open one jumps:
/// every loan's charges and class come out as after closing each date in turn (they
/// are functions of the date), but only `day` gets a portfolio snapshot.
pub async fn close_at(
    store: &Store,
    day: IsoDate,
    settings: &EodSettings,
    now: Timestamp,
) -> Result<Option<DayReport>, AppError> {
    if day < business_date(store, now).await? {
        return Ok(None);
    }
    let business_on = day.to_string();
    let epoch_day = day.days_since_unix_epoch();
    let actor = || Actor::system("eod");
    let mut read = store.read().await?;
    let done = read.eod_batches_done(&business_on).await?;
    let max_id = read.max_loan_id().await?;
    read.finish().await?;
    let size = settings.batch_size.max(1);
    let mut report = DayReport {
        business_on: business_on.clone(),
        ..DayReport::default()
    };
    let mut batch = 0;
    while batch * size < max_id {
        report.batches += 1;
        if done.contains(&batch) {
            report.batches_resumed += 1;
        } else {
            let mut write = store.write(actor(), now).await?;
            let range = (batch, batch * size + 1, (batch + 1) * size);
            let outcome = write
                .eod_batch(
                    &settings.plan,
                    &settings.rules,
                    &business_on,
                    epoch_day,
                    range,
                )
                .await?;
            crate::events::emit_class_changes(&mut write, &outcome.class_changes).await?;
            let closed = outcome.closed;
            // A batch with no open loan left writes nothing and has nothing to commit.
            if closed > 0 {
                write.commit().await?;
            }
            report.loans_closed += closed;
            report.loans_written += outcome.written;
        }
        batch += 1;
    }
    // The once-per-date steps and the move to the next date commit together.
    let mut write = store.write(actor(), now).await?;
    for step in settings.plan.steps().iter().filter(|s| !s.per_batch()) {
        match step {
            EodStep::Portfolio => {
                report.branches = write
                    .snapshot_portfolio((&business_on, epoch_day), &settings.rules)
                    .await?;
            }
            EodStep::ProvisionLedger => {
                funds::postings::book_provisions(&mut write, &business_on).await?
            }
            EodStep::Overdue | EodStep::LateCharges | EodStep::Classify => {}
        }
    }
    // From this commit on, a loan end of day did not write reads as closed at `day`.
    let next = day.add_days(1);
    write
        .close_business_date(epoch_day, &next.to_string())
        .await?;
    write.commit().await?;
    // Requests still unanswered past their deadline are escalated as of the new date;
    // each level is recorded once, so a rerun or a second app server adds nothing.
    report.escalations =
        crate::support::escalate_overdue(store, &settings.support, next, now).await?;
    Ok(Some(report))
}
