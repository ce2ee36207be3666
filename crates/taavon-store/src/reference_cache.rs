//! Reference data kept in memory: provinces, counties with their tiers, sectors, agencies,
//! banks and branches change only when they are loaded or a tier classification is
//! imported, yet every page names its codes through them. A store serves them from one
//! snapshot, dropped when a change to them commits through this store, and checked
//! against the database at most every `REVALIDATE` (one small query), so a change
//! committed by another app server or by `taavon import tiers` shows within that span.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::db;
use crate::tx::{Reader, Store};
use crate::{AgencyRow, BranchRow, CountyRow, NamedRow, ProvinceRow, StoreError};

/// How long a snapshot is served before the database is asked whether it changed.
const REVALIDATE: Duration = Duration::from_secs(2);

/// Every reference list, as the store's reads order them.
#[derive(Debug)]
pub struct ReferenceSnapshot {
    pub provinces: Vec<ProvinceRow>,
    /// Ordered by province, then code.
    pub counties: Vec<CountyRow>,
    pub sectors: Vec<NamedRow>,
    pub agencies: Vec<AgencyRow>,
    pub banks: Vec<NamedRow>,
    /// Ordered by bank, then province.
    pub branches: Vec<BranchRow>,
    /// A digest of everything above (hex), for an `ETag`: equal snapshots, equal tags.
    pub tag: String,
}

/// What says whether the reference data changed: the classifications' count and newest
/// id, and whether the provinces are loaded at all.
type Version = (i64, i64, i64);

struct Held {
    snapshot: Arc<ReferenceSnapshot>,
    version: Version,
    checked_at: Instant,
}

/// A store's snapshot, shared by its clones.
#[derive(Default)]
pub(crate) struct ReferenceCache {
    held: RwLock<Option<Held>>,
    /// Changes on every invalidation, so a refresh that read before one does not keep
    /// what it read.
    generation: std::sync::atomic::AtomicU64,
    /// One refresh at a time; the others serve the snapshot they have meanwhile.
    refresh: tokio::sync::Mutex<()>,
}

impl ReferenceCache {
    /// Forgets the snapshot (a change to reference data committed).
    pub(crate) fn invalidate(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        *self.held.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The snapshot held, and whether it was checked within `REVALIDATE`.
    fn held(&self) -> Option<(Arc<ReferenceSnapshot>, bool)> {
        self.held
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|held| {
                (
                    held.snapshot.clone(),
                    held.checked_at.elapsed() < REVALIDATE,
                )
            })
    }
}

impl Store {
    /// The reference data, from memory (see the module's documentation).
    pub async fn reference(&self) -> Result<Arc<ReferenceSnapshot>, StoreError> {
        let cache = &self.reference;
        let _refreshing = match cache.held() {
            Some((snapshot, true)) => return Ok(snapshot),
            // Stale: whoever gets the refresh checks; the others serve it meanwhile.
            Some((snapshot, false)) => match cache.refresh.try_lock() {
                Ok(guard) => guard,
                Err(_) => return Ok(snapshot),
            },
            None => cache.refresh.lock().await,
        };
        if let Some((snapshot, true)) = cache.held() {
            return Ok(snapshot);
        }
        let generation = cache.generation.load(std::sync::atomic::Ordering::SeqCst);
        let mut read = self.read().await?;
        let version = read.reference_version().await?;
        let unchanged = cache
            .held
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|held| held.version == version)
            .map(|held| held.snapshot.clone());
        let snapshot = match unchanged {
            Some(snapshot) => snapshot,
            None => Arc::new(read.reference_snapshot().await?),
        };
        read.finish().await?;
        let mut held = cache.held.write().unwrap_or_else(PoisonError::into_inner);
        if cache.generation.load(std::sync::atomic::Ordering::SeqCst) == generation {
            *held = Some(Held {
                snapshot: snapshot.clone(),
                version,
                checked_at: Instant::now(),
            });
        }
        Ok(snapshot)
    }
}

impl Reader {
    async fn reference_version(&mut self) -> Result<Version, StoreError> {
        let version: Version = on!(&mut self.conn, |c| sqlx::query(
            "SELECT (SELECT COUNT(*) FROM tier_classifications), \
             (SELECT COALESCE(MAX(id), 0) FROM tier_classifications), \
             (SELECT COUNT(*) FROM provinces)"
        )
        .fetch_one(c)
        .await
        .and_then(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
        .map_err(db("checking the reference data's version"))?);
        Ok(version)
    }

    async fn reference_snapshot(&mut self) -> Result<ReferenceSnapshot, StoreError> {
        let provinces = self.provinces().await?;
        let counties = self.counties(None).await?;
        let sectors = self.sectors().await?;
        let agencies = self.agencies().await?;
        let banks = self.banks().await?;
        let branches = self.branches().await?;
        let digest = Sha256::digest(
            format!("{provinces:?}{counties:?}{sectors:?}{agencies:?}{banks:?}{branches:?}")
                .as_bytes(),
        );
        Ok(ReferenceSnapshot {
            tag: digest.iter().take(12).map(|b| format!("{b:02x}")).collect(),
            provinces,
            counties,
            sectors,
            agencies,
            banks,
            branches,
        })
    }
}
