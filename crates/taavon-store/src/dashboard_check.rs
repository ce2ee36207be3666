//! The check every store spec ends with (and the server's dashboard tests): each of the
//! dashboards' kept tables — the days' figures, the months', the running commitments and
//! the funnel's step days — against the same figures recomputed from the records. Apart
//! from the modules keeping them, as it reads all of them.

use taavon_core::access::ApplicationScope;
use taavon_core::calendar::IsoDate;

use crate::StoreError;
use crate::dashboard_rollups::committed_only;
use crate::dashboard_sums::{DashboardFilter, DashboardGrouping};
use crate::tx::Reader;

impl Reader {
    /// Where the kept figures differ from the records' sums, described (empty when they
    /// agree): the days', the months' (whole and cut at a day) and what is committed at
    /// the first day recorded and at the end; and the funnel's step days
    /// (`dashboard_steps`). Every store spec ends with it.
    pub async fn check_dashboard_figures(&mut self) -> Result<Vec<String>, StoreError> {
        let scope = ApplicationScope::All;
        let filter = |grouping, from, to| DashboardFilter { grouping, from, to };
        let days = self
            .dashboard_figures_from_records(&scope, &filter(DashboardGrouping::Day, None, None))
            .await?;
        let first = days.first().and_then(|cell| IsoDate::parse(&cell.day).ok());
        let mut filters = vec![
            filter(DashboardGrouping::Day, None, None),
            filter(DashboardGrouping::Month, None, None),
            filter(DashboardGrouping::Area, None, None),
        ];
        if let Some(first) = first {
            filters.extend([
                filter(DashboardGrouping::Area, Some(first), Some(first)),
                filter(DashboardGrouping::Area, Some(first.add_days(1)), None),
                filter(DashboardGrouping::Month, None, Some(first)),
            ]);
        }
        let mut differences = Vec::new();
        for filter in filters {
            let kept = self.dashboard_figures(&scope, &filter).await?;
            let records = self.dashboard_figures_from_records(&scope, &filter).await?;
            if kept != records {
                differences.push(format!("{filter:?}: kept {kept:?}, records {records:?}"));
            }
        }
        let last = days.last().and_then(|cell| IsoDate::parse(&cell.day).ok());
        for at in first.into_iter().chain(last) {
            let kept = self.dashboard_committed(&scope, at).await?;
            let records = committed_only(
                self.dashboard_figures_from_records(
                    &scope,
                    &filter(DashboardGrouping::Area, None, Some(at)),
                )
                .await?,
            );
            if kept != records {
                differences.push(format!(
                    "committed at {at}: kept {kept:?}, records {records:?}"
                ));
            }
        }
        differences.extend(self.check_dashboard_step_days().await?);
        Ok(differences)
    }
}
