//! `taavon bench registry`: import throughput as a ratio to a plain INSERT loop on the
//! same engine, and search latency (median, p99), with a fixed seed. `taavon bench
//! ledger` is in `ledger`.

use std::time::{Duration, Instant};

use taavon_core::access::{Principal, Role};
use taavon_core::ids::{LegalId, NationalCode};
use taavon_core::reference::ProvinceCode;
use taavon_core::registry::{CooperativeKind, CooperativeStatus};
use taavon_core::text::search_key;
use taavon_core::timestamp::Timestamp;
use taavon_store::{CooperativeFilter, NewCooperative, Store};

use crate::synth::SplitMix;
use taavon_app::AppError;
use taavon_app::import::import_cooperatives;
use taavon_app::table::Table;
use taavon_app::users::Caller;

pub mod dashboard;
pub mod eod;
pub mod impact;
pub mod ledger;
pub mod services;

/// What the registry benchmark measured.
#[derive(Clone, Debug)]
pub struct RegistryFigures {
    pub cooperatives_in_store: i64,
    pub import_rows: usize,
    pub import: Duration,
    pub baseline: Duration,
    pub queries: usize,
    pub search_median: Duration,
    pub search_p99: Duration,
}

const WORDS: [&str; 8] = [
    "صنایع دستی",
    "کشاورزی",
    "گردشگری",
    "تهران",
    "ایلام",
    "دورود",
    "پوشاک",
    "مشهد",
];

pub async fn registry(
    store: &Store,
    import_rows: usize,
    queries: usize,
    seed: u64,
    now: Timestamp,
) -> Result<RegistryFigures, AppError> {
    let mut rng = SplitMix::new(seed);
    // Import: the same rows through taavon's import and through a plain INSERT loop.
    let offset = 7_000_000_000u64 + rng.below(20_000) * 100_000;
    let mut table = Table {
        rows: vec![
            [
                "name",
                "type",
                "sector",
                "county",
                "legal_id",
                "founded_on",
                "women_led",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        ],
    };
    let mut plain = Vec::with_capacity(import_rows);
    for i in 0..import_rows {
        let legal_id = LegalId::with_check_digit(&format!("{:010}", offset + i as u64))
            .map(|id| id.as_str().to_owned())
            .unwrap_or_default();
        let name = format!("تعاونی سنجش {i}");
        table.rows.push(vec![
            name.clone(),
            "service".into(),
            "services".into(),
            "2301".into(),
            legal_id.clone(),
            "1403/01/15".into(),
            "خیر".into(),
        ]);
        plain.push(NewCooperative {
            province: "IR-23".into(),
            county: "2301".into(),
            name_key: search_key(&name),
            name,
            kind: CooperativeKind::Service,
            sector: "services".into(),
            legal_id: Some(legal_id),
            registration_number: None,
            registered_on: None,
            founded_on: Some("2024-04-03".into()),
            women_led: false,
            status: CooperativeStatus::Active,
            address: None,
            phone: None,
        });
    }
    let baseline = store.baseline_insert_loop(&plain).await?;
    let started = Instant::now();
    let report = import_cooperatives(
        store,
        Caller::Operator("bench"),
        &table,
        false,
        &|_, _| {},
        now,
    )
    .await?;
    let import = started.elapsed();
    if !report.errors.is_empty() {
        return Err(AppError::Internal(format!(
            "benchmark rows were invalid: {:?}",
            report.errors.first()
        )));
    }

    // Search: a mix of name searches, filters and member lookups, nation-wide and provincial.
    let admin = Principal {
        user_id: 0,
        username: "bench".into(),
        role: Role::MinistryAdmin,
    };
    let officer = Principal {
        user_id: 0,
        username: "bench".into(),
        role: Role::ProvincialOfficer {
            province: ProvinceCode::parse("IR-23")
                .map_err(|_| AppError::Internal("IR-23".into()))?,
        },
    };
    let mut timings = Vec::with_capacity(queries);
    let mut total = 0;
    for q in 0..queries {
        let principal = if q % 2 == 0 { &admin } else { &officer };
        let filter = match q % 4 {
            0 => CooperativeFilter {
                name_key: Some(search_key(
                    WORDS.get(rng.below(8) as usize).copied().unwrap_or("تهران"),
                )),
                ..CooperativeFilter::default()
            },
            1 => CooperativeFilter {
                province: Some(format!("IR-{:02}", rng.below(31))),
                sector: Some("handicrafts".into()),
                ..CooperativeFilter::default()
            },
            2 => CooperativeFilter {
                member_national_code: NationalCode::with_check_digit(&format!(
                    "{:09}",
                    100_000_000 + rng.below(2_000_000) * 7
                ))
                .map(|c| c.as_str().to_owned()),
                ..CooperativeFilter::default()
            },
            _ => CooperativeFilter {
                legal_id: LegalId::with_check_digit(&format!(
                    "{:010}",
                    5_000_000_000u64 + rng.below(100_000)
                ))
                .map(|id| id.as_str().to_owned()),
                ..CooperativeFilter::default()
            },
        };
        let started = Instant::now();
        let page =
            taavon_app::cooperatives::list_cooperatives(store, principal, &filter, 50, 0).await?;
        timings.push(started.elapsed());
        total = total.max(page.total);
    }
    timings.sort();
    let at = |fraction_permille: usize| {
        timings
            .get((timings.len().saturating_sub(1)) * fraction_permille / 1000)
            .copied()
            .unwrap_or_default()
    };
    let mut read = store.read().await?;
    let (_, cooperatives_in_store) = read
        .cooperatives(
            &taavon_core::access::CooperativeScope::All,
            &taavon_core::access::ApplicationScope::All,
            &CooperativeFilter::default(),
            1,
            0,
        )
        .await?;
    read.finish().await?;
    Ok(RegistryFigures {
        cooperatives_in_store,
        import_rows,
        import,
        baseline,
        queries,
        search_median: at(500),
        search_p99: at(990),
    })
}
