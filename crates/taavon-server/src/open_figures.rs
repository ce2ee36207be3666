//! The public transparency figures (`ui::transparency`), kept per area for a few
//! minutes on each app server: a public page is read far more often than the figures
//! change, and the page says as of when they are.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use taavon_app::transparency::{self, OpenFigures};
use taavon_app::{AppError, Store};
use taavon_core::reference::ProvinceCode;
use taavon_core::timestamp::Timestamp;

/// How long computed figures are served before they are read again.
pub const FRESH_FOR: Duration = Duration::from_secs(300);

/// Figures computed once: when (for freshness), as of when (for the page), what.
type Computed = (Instant, Timestamp, Arc<OpenFigures>);

/// The figures last computed per area (`None` the nation).
#[derive(Default)]
pub struct OpenFiguresCache {
    areas: Mutex<HashMap<Option<String>, Computed>>,
}

impl OpenFiguresCache {
    /// The figures of `province` (the nation when `None`) and as of when: from memory
    /// when fresh, else read again. Two readers missing at once both read; the later
    /// write wins, which is as fresh.
    pub async fn figures(
        &self,
        store: &Store,
        province: Option<&ProvinceCode>,
    ) -> Result<(Timestamp, Arc<OpenFigures>), AppError> {
        let key = province.map(|p| p.as_str().to_owned());
        if let Ok(areas) = self.areas.lock()
            && let Some((at, as_of, figures)) = areas.get(&key)
            && at.elapsed() < FRESH_FOR
        {
            return Ok((*as_of, Arc::clone(figures)));
        }
        let figures = Arc::new(match province {
            Some(code) => transparency::province(store, code).await?,
            None => transparency::national(store).await?,
        });
        let as_of = taavon_app::clock::now();
        if let Ok(mut areas) = self.areas.lock() {
            areas.insert(key, (Instant::now(), as_of, Arc::clone(&figures)));
        }
        Ok((as_of, figures))
    }
}
