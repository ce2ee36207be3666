//! A deterministic synthetic national dataset for benchmarks and load tests: cooperatives
//! spread over counties in proportion to their 1395 census population, members spread
//! over cooperatives. The same seed always gives the same data.

use taavon_core::ids::{LegalId, NationalCode};
use taavon_core::reference::ReferenceData;
use taavon_core::registry::{CooperativeKind, CooperativeStatus, Gender};
use taavon_core::text::search_key;
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, NewCooperative, NewMembership, NewPerson, Store};

use taavon_app::AppError;

/// Rows written per transaction.
const BATCH: usize = 2000;

/// A tiny deterministic generator (splitmix64): the data must not change when a
/// dependency's RNG does.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (bound > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }
}

/// How big a dataset to make.
#[derive(Clone, Copy, Debug)]
pub struct SynthSize {
    pub cooperatives: usize,
    pub members: usize,
    pub seed: u64,
}

const FIRST_FEMALE: [&str; 8] = [
    "زهرا",
    "فاطمه",
    "مریم",
    "سمیه",
    "لیلا",
    "نرگس",
    "الهام",
    "سارا",
];
const FIRST_MALE: [&str; 8] = ["علی", "حسین", "محمد", "رضا", "مهدی", "امیر", "جواد", "سعید"];
const LAST: [&str; 8] = [
    "کرمی",
    "مرادی",
    "رحیمی",
    "احمدی",
    "حسینی",
    "کاظمی",
    "نظری",
    "زارعی",
];
const SECTORS: [(&str, &str); 9] = [
    ("agriculture", "کشاورزی"),
    ("fisheries", "شیلات"),
    ("handicrafts", "صنایع دستی"),
    ("textiles", "پوشاک"),
    ("tourism", "گردشگری"),
    ("startups", "فناوری"),
    ("pharmaceuticals", "گیاهان دارویی"),
    ("services", "خدمات"),
    ("housing", "مسکن"),
];

/// Writes the dataset; `progress(done, total)` counts cooperatives plus members.
pub async fn load(
    store: &Store,
    size: SynthSize,
    progress: &(dyn Fn(usize, usize) + Sync),
    now: Timestamp,
) -> Result<(), AppError> {
    taavon_app::reference::ensure_loaded(store, now).await?;
    let data = ReferenceData::bundled().map_err(|e| AppError::Internal(e.to_string()))?;
    let counties: Vec<(&str, &str, &str, u64)> = data
        .counties
        .iter()
        .filter_map(|c| {
            Some((
                c.code.as_str(),
                c.province.as_str(),
                c.name_fa.as_str(),
                c.census?.population,
            ))
        })
        .collect();
    let total_population: u64 = counties.iter().map(|c| c.3).sum();
    let mut cumulative = Vec::with_capacity(counties.len());
    let mut running = 0u64;
    for county in &counties {
        running += county.3;
        cumulative.push(running);
    }
    let mut rng = SplitMix::new(size.seed);
    let total = size.cooperatives + size.members;
    let mut done = 0usize;
    let mut cooperative_ids: Vec<(i64, String)> = Vec::with_capacity(size.cooperatives);
    let kinds = CooperativeKind::ALL;
    let mut index = 0usize;
    while index < size.cooperatives {
        let count = BATCH.min(size.cooperatives - index);
        let batch: Vec<NewCooperative> = (index..index + count)
            .map(|i| {
                let pick = rng.below(total_population);
                let at = cumulative
                    .partition_point(|c| *c <= pick)
                    .min(counties.len() - 1);
                // `at` is clamped to the list, which the census makes non-empty.
                let (county, province, county_name, _) = counties
                    .get(at)
                    .copied()
                    .ok_or_else(|| AppError::Internal("no county has a census".into()))?;
                let (sector, sector_fa) = SECTORS
                    .get(rng.below(SECTORS.len() as u64) as usize)
                    .copied()
                    .unwrap_or(("services", "خدمات"));
                let kind = kinds
                    .get(rng.below(kinds.len() as u64) as usize)
                    .copied()
                    .unwrap_or(CooperativeKind::Production);
                let name = format!("تعاونی {sector_fa} {county_name} {}", i + 1);
                let legal_id =
                    LegalId::with_check_digit(&format!("{:010}", 5_000_000_000u64 + i as u64))
                        .map(|id| id.as_str().to_owned());
                Ok(NewCooperative {
                    province: province.to_owned(),
                    county: county.to_owned(),
                    name_key: search_key(&name),
                    name,
                    kind,
                    sector: sector.to_owned(),
                    legal_id,
                    registration_number: Some(format!(
                        "{}-{}",
                        province.trim_start_matches("IR-"),
                        100_000 + i
                    )),
                    registered_on: None,
                    founded_on: Some(format!(
                        "{}-{:02}-{:02}",
                        1990 + rng.below(35),
                        1 + rng.below(12),
                        1 + rng.below(28)
                    )),
                    women_led: rng.below(4) == 0,
                    status: CooperativeStatus::Active,
                    address: None,
                    phone: None,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let mut write = store.write(Actor::system("synth"), now).await?;
        let ids = write.insert_cooperatives_bulk(&batch).await?;
        write.commit().await?;
        cooperative_ids.extend(ids.into_iter().zip(batch.into_iter().map(|c| c.province)));
        index += count;
        done += count;
        progress(done, total);
    }
    let mut index = 0usize;
    while index < size.members && !cooperative_ids.is_empty() {
        let count = BATCH.min(size.members - index);
        let mut persons = Vec::with_capacity(count);
        let mut homes = Vec::with_capacity(count);
        for i in index..index + count {
            // The loop runs only while some cooperative was written.
            let (cooperative, province) = cooperative_ids
                .get(rng.below(cooperative_ids.len() as u64) as usize)
                .cloned()
                .ok_or_else(|| AppError::Internal("no cooperative to join".into()))?;
            let female = rng.below(2) == 0;
            let first = if female { FIRST_FEMALE } else { FIRST_MALE };
            let national_code =
                NationalCode::with_check_digit(&format!("{:09}", 100_000_000u64 + i as u64 * 7))
                    .map_or_else(|| format!("{:010}", i), |c| c.as_str().to_owned());
            persons.push(NewPerson {
                province: province.clone(),
                national_code,
                first_name: first
                    .get(rng.below(8) as usize)
                    .copied()
                    .unwrap_or("")
                    .to_owned(),
                last_name: LAST
                    .get(rng.below(8) as usize)
                    .copied()
                    .unwrap_or("")
                    .to_owned(),
                gender: if female { Gender::Female } else { Gender::Male },
                birth_year: Some(1950 + rng.below(55) as i64),
                mobile: None,
            });
            homes.push((province, cooperative));
        }
        let mut write = store.write(Actor::system("synth"), now).await?;
        let person_ids = write.insert_persons_bulk(&persons).await?;
        let memberships: Vec<NewMembership> = homes
            .into_iter()
            .zip(person_ids)
            .map(|((province, cooperative_id), person_id)| NewMembership {
                province,
                cooperative_id,
                person_id,
                board_role: None,
                joined_on: "2024-01-01".to_owned(),
            })
            .collect();
        write.insert_memberships_bulk(&memberships).await?;
        write.commit().await?;
        index += count;
        done += count;
        progress(done, total);
    }
    Ok(())
}
