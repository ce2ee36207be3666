//! `taavon bench services`: deterministic synthetic services of one agency (Behzisti:
//! housing units, welfare payments, technical assistance to people in every county with a
//! census population) imported through the real use case (`import_services`, from a CSV
//! file read once: each row checked and written with its batch, the county figures kept
//! in the same transaction); the yardstick is a plain bulk INSERT of the same rows into
//! the same table on the same engine, measured first on the empty table and rolled back. Then the reads the pages
//! make, repeated: the gap list of the nation and one province's county figures.

use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use taavon_core::access::{Principal, Role};
use taavon_core::calendar::IsoDate;
use taavon_core::ids::NationalCode;
use taavon_core::reference::ProvinceCode;
use taavon_core::services::{Provider, ServiceKind};
use taavon_core::timestamp::Timestamp;
use taavon_store::{NewService, Recipient, Store};

use super::eod::{cpu_time, peak_rss_kb, reset_peak_rss};
use crate::synth::SplitMix;
use taavon_app::AppError;
use taavon_app::services::{ServiceFile, gaps, import_services, synergy};
use taavon_app::users::Caller;

/// Rows generated at a time, for the file and for the baseline.
const BATCH: usize = 10_000;
/// The agency whose services are generated, and the kinds it delivers.
const AGENCY: &str = "behzisti";
const KINDS: [ServiceKind; 3] = [
    ServiceKind::HousingUnit,
    ServiceKind::WelfarePayment,
    ServiceKind::TechnicalAssistance,
];

/// What to measure.
#[derive(Clone, Copy, Debug)]
pub struct ServicesLoad {
    pub rows: u64,
    /// Times each read is repeated.
    pub reads: usize,
    pub seed: u64,
}

/// What the benchmark measured.
#[derive(Clone, Debug)]
pub struct ServicesFigures {
    pub rows: u64,
    pub file_bytes: u64,
    pub baseline: Duration,
    pub import: Duration,
    /// The process's CPU time in each (`None` where it cannot be read).
    pub baseline_cpu: Option<Duration>,
    pub import_cpu: Option<Duration>,
    pub import_peak_rss_kb: Option<u64>,
    pub created: u64,
    pub counties: usize,
    pub gap_counties: usize,
    /// Sorted latencies of the gap list and of the province's county figures.
    pub gap_list: Vec<Duration>,
    pub county_page: Vec<Duration>,
}

/// Runs the benchmark on `store`, which must hold the reference data and no services;
/// the CSV goes to `scratch`. The county page read is Ilam's (IR-16).
pub async fn services(
    store: &Store,
    load: ServicesLoad,
    scratch: &Path,
    progress: &(dyn Fn(u64, u64) + Sync),
    now: Timestamp,
) -> Result<ServicesFigures, AppError> {
    let counties = census_counties(store).await?;
    let mut rows = Synthetic::new(load, &counties);
    let cpu_before = cpu_time();
    let (baseline_rows, baseline) = store
        .baseline_service_insert(&mut || rows.next_batch().ok().flatten())
        .await?;
    let baseline_cpu = cpu_spent(cpu_before);
    if baseline_rows != load.rows {
        return Err(AppError::Internal(format!(
            "the baseline wrote {baseline_rows} of {} rows",
            load.rows
        )));
    }
    let path = scratch.join("services.csv");
    let file_bytes = write_csv(&path, Synthetic::new(load, &counties))?;
    reset_peak_rss();
    let cpu_before = cpu_time();
    let started = Instant::now();
    let report = import_services(
        store,
        Caller::Operator("bench"),
        AGENCY,
        ServiceFile {
            path: &path,
            name: "services.csv",
        },
        now,
        &mut |done| progress(done, load.rows),
    )
    .await?;
    let import = started.elapsed();
    let import_cpu = cpu_spent(cpu_before);
    let import_peak_rss_kb = peak_rss_kb();
    let _ = std::fs::remove_file(&path);
    if report.import_id.is_none() {
        return Err(AppError::Internal(format!(
            "the synthetic services were refused: {:?}",
            report.errors.first()
        )));
    }
    let reader = Principal {
        user_id: 0,
        username: "bench".into(),
        role: Role::MinistryAdmin,
    };
    let ilam = ProvinceCode::parse("IR-16")
        .map_err(|_| AppError::Internal("IR-16 does not parse".into()))?;
    let mut gap_list = Vec::with_capacity(load.reads);
    let mut county_page = Vec::with_capacity(load.reads);
    let mut gap_counties = 0;
    for _ in 0..load.reads {
        let started = Instant::now();
        gap_counties = gaps(store, &reader, None).await?.len();
        gap_list.push(started.elapsed());
        let started = Instant::now();
        synergy(store, &reader, Some(&ilam)).await?;
        county_page.push(started.elapsed());
    }
    gap_list.sort();
    county_page.sort();
    Ok(ServicesFigures {
        rows: load.rows,
        file_bytes,
        baseline,
        import,
        baseline_cpu,
        import_cpu,
        import_peak_rss_kb,
        created: report.created,
        counties: counties.len(),
        gap_counties,
        gap_list,
        county_page,
    })
}

/// The CPU time spent since `before`.
fn cpu_spent(before: Option<Duration>) -> Option<Duration> {
    Some(cpu_time()?.saturating_sub(before?))
}

/// Every county with a census population, with its province.
async fn census_counties(store: &Store) -> Result<Vec<(String, String)>, AppError> {
    let mut read = store.read().await?;
    let counties = read.counties(None).await?;
    read.finish().await?;
    Ok(counties
        .into_iter()
        .filter(|c| c.population_1395.is_some())
        .map(|c| (c.code, c.province))
        .collect())
}

/// The synthetic services, row by row in a fixed order: a person a row, the county and
/// kind drawn from the seed.
struct Synthetic<'a> {
    rows: u64,
    next: u64,
    seed: u64,
    counties: &'a [(String, String)],
}

impl<'a> Synthetic<'a> {
    fn new(load: ServicesLoad, counties: &'a [(String, String)]) -> Self {
        Self {
            rows: load.rows,
            next: 0,
            seed: load.seed,
            counties,
        }
    }

    /// The next rows (up to `BATCH`), `None` once all are given.
    fn next_batch(&mut self) -> Result<Option<Vec<NewService>>, AppError> {
        if self.next >= self.rows {
            return Ok(None);
        }
        let end = (self.next + BATCH as u64).min(self.rows);
        let batch = (self.next..end)
            .map(|row| self.row(row))
            .collect::<Result<_, _>>()?;
        self.next = end;
        Ok(Some(batch))
    }

    fn row(&self, row: u64) -> Result<NewService, AppError> {
        let mut random = SplitMix::new(self.seed ^ row.wrapping_mul(0x9e37_79b9));
        let count = u64::try_from(self.counties.len()).unwrap_or(1).max(1);
        let (county, province) = usize::try_from(random.below(count))
            .ok()
            .and_then(|at| self.counties.get(at))
            .ok_or_else(|| AppError::Internal("no county with a census".into()))?;
        let kind = usize::try_from(random.below(3))
            .ok()
            .and_then(|at| KINDS.get(at))
            .copied()
            .unwrap_or(ServiceKind::HousingUnit);
        let national_code =
            NationalCode::with_check_digit(&format!("{:09}", 200_000_000 + row % 700_000_000))
                .ok_or_else(|| AppError::Internal(format!("no national code for row {row}")))?;
        let day = IsoDate::parse("2025-01-01")
            .map_err(|_| AppError::Internal("the bench's date".into()))?
            .add_days(i64::try_from(row % 365).unwrap_or(0));
        Ok(NewService {
            province: province.clone(),
            county: county.clone(),
            provider: Provider::Agency(AGENCY.into()),
            reference: format!("S{row}"),
            kind,
            recipient: Recipient::Person(national_code),
            people: 1,
            amount_rial: (kind == ServiceKind::WelfarePayment)
                .then(|| i64::try_from(1_000_000 + random.below(9_000_000)).unwrap_or(0)),
            delivered_on: day,
        })
    }
}

/// Writes the services as an agency's system would send them (English headers);
/// answers the file's size.
fn write_csv(path: &Path, mut rows: Synthetic<'_>) -> Result<u64, AppError> {
    let io = |e: std::io::Error| AppError::Internal(format!("{}: {e}", path.display()));
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    out.write_all(b"reference,kind,county,national_code,amount_rial,delivered_on\n")
        .map_err(io)?;
    while let Some(batch) = rows.next_batch()? {
        for row in batch {
            let national_code = match &row.recipient {
                Recipient::Person(code) => code.as_str().to_owned(),
                Recipient::Cooperative(_) => String::new(),
            };
            writeln!(
                out,
                "{},{},{},{national_code},{},{}",
                row.reference,
                row.kind.code(),
                row.county,
                row.amount_rial.map(|a| a.to_string()).unwrap_or_default(),
                row.delivered_on
            )
            .map_err(io)?;
        }
    }
    let file = out.into_inner().map_err(|e| io(e.into_error()))?;
    Ok(file.metadata().map_err(io)?.len())
}
