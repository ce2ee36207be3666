//! The festival of top cooperators (issue 16): the ministry's festival with its
//! categories, quotas and windows (`festivals`); entries and nominations with their
//! eligibility and snapshot (`entries`, `snapshot`); panels, automatic assignment,
//! marks and submissions (`judging`); the rounds' moves, results, publication and the
//! winners' certificates (`rounds`). The rules are `taavon_core::awards`, who may do
//! what `taavon_core::access::{award_scope, decide_award_entry, keeps_festivals}`.

mod entries;
mod festivals;
mod judging;
mod overview;
mod rounds;
mod snapshot;

use taavon_core::awards::criteria::Criterion;
use taavon_core::awards::festival::{Category, Festival, RoundKind, RoundState, Window};
use taavon_core::awards::prescore::PrescoreRules;
use taavon_core::awards::publication::BandRules;
use taavon_core::calendar::{IsoDate, JalaliDate};
use taavon_store::Reader;

use crate::AppError;

pub use entries::{EntryInput, EntryView, JudgeSide, eligibility, enter, entry_view, list_entries};
pub use festivals::{CategoryInput, CriterionInput, FestivalInput, create_festival, festival};
pub use judging::{JudgeEntry, MarksInput, appoint_judge, my_entries, score, submit};
pub use overview::{
    EntryLine, JudgingProgress, PanelView, festival_entries, festivals, panel, public_results,
    round_results,
};
pub use rounds::{CertificateCheck, PublicResult, RoundMove, check_certificate, move_round};
pub use taavon_core::awards::visibility::OthersMarks;
// What the use cases return, for the server and the CLI (they never name the store).
pub use taavon_store::{
    AwardCategory, AwardCertificate, AwardCriterion, AwardEntry, AwardEntryReason, AwardFestival,
    AwardPanelJudge, AwardResult,
};

/// How festivals run (from the configuration).
#[derive(Clone, Debug, Default)]
pub struct AwardSettings {
    /// The key of the certificates' verification codes (HMAC-SHA256).
    pub certificate_secret: Vec<u8>,
    pub prescore: PrescoreRules,
    pub bands: BandRules,
}

/// The core's festival of a stored one (its rules were checked when it was created).
fn core_festival(stored: &AwardFestival) -> Result<Festival, AppError> {
    let day = |iso: &str| {
        IsoDate::parse(iso)
            .map(JalaliDate::from)
            .map_err(|_| AppError::Internal(format!("festival {} has day {iso:?}", stored.id)))
    };
    let fields = &stored.fields;
    let window = |opens: &str, closes: &str| -> Result<Window, AppError> {
        Window::new(day(opens)?, day(closes)?).map_err(|e| AppError::Internal(e.to_string()))
    };
    let categories = fields
        .categories
        .iter()
        .map(|category| Category {
            code: category.code.clone(),
            name_fa: category.name_fa.clone(),
            name_en: category.name_en.clone(),
            provincial_quota: usize::try_from(category.provincial_quota).unwrap_or(0),
            national_quota: usize::try_from(category.national_quota).unwrap_or(0),
            criteria: core_criteria(&category.criteria),
        })
        .collect();
    Festival::new(
        fields.year,
        categories,
        window(&fields.entry_opens, &fields.entry_closes)?,
        window(&fields.judging_opens, &fields.judging_closes)?,
    )
    .map_err(|e| AppError::Internal(e.to_string()))
}

/// The festival of `year`, or not found.
async fn festival_of(reader: &mut Reader, year: i32) -> Result<AwardFestival, AppError> {
    reader.award_festival(year).await?.ok_or(AppError::NotFound)
}

/// The round an entry is judged in now: the national one once it started and the entry
/// was admitted to it, else the provincial one.
fn round_of(festival: &AwardFestival, entry: &AwardEntry) -> (RoundKind, RoundState) {
    if entry.national && festival.national != RoundState::OpenForEntries {
        (RoundKind::National, festival.national)
    } else {
        (RoundKind::Provincial, festival.provincial)
    }
}

/// The state of a festival's round.
fn state_of(festival: &AwardFestival, kind: RoundKind) -> RoundState {
    match kind {
        RoundKind::Provincial => festival.provincial,
        RoundKind::National => festival.national,
    }
}

/// The core's criteria of a stored category.
fn core_criteria(criteria: &[AwardCriterion]) -> Vec<Criterion> {
    criteria
        .iter()
        .map(|criterion| Criterion {
            code: criterion.code.clone(),
            name_fa: criterion.name_fa.clone(),
            name_en: criterion.name_en.clone(),
            weight: u32::try_from(criterion.weight).unwrap_or(0),
        })
        .collect()
}
