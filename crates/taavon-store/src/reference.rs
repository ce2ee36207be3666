//! Reference data: provinces, counties and their tiers, sectors, agencies, banks and
//! branches. Loaded once from the files bundled in the core; tiers are replaceable by
//! importing a dated, sourced classification.

use sqlx::Row;
use taavon_core::reference::{AgencyCode, AgencyKind, BankCode, BranchCode, ReferenceData};

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::error::{Decoded, db};
use crate::tx::{Reader, WriteTx};

/// A province with figures for lists and maps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvinceRow {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    pub population_1395: i64,
    pub counties: i64,
    /// Counties of tier 1–2 in the newest classification.
    pub underprivileged_counties: i64,
}

/// A county with its tier in the newest classification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountyRow {
    pub code: String,
    pub province: String,
    pub name_fa: String,
    pub name_en: String,
    pub population_1395: Option<i64>,
    pub tier: Option<i64>,
}

/// A coded name: sectors, banks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedRow {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
}

/// An agency of the ministry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgencyRow {
    pub code: AgencyCode,
    pub kind: AgencyKind,
    pub name_fa: String,
    pub name_en: String,
}

/// A bank branch in a province.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchRow {
    pub code: BranchCode,
    pub bank: BankCode,
    pub province: String,
    pub name_fa: String,
    pub name_en: String,
}

/// The header of a tier classification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierClassificationInfo {
    pub id: i64,
    pub valid_from: String,
    pub source: String,
    pub imported_at: String,
    pub imported_by: String,
}

/// One county's tier in a classification being imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountyTier {
    pub county: String,
    pub province: String,
    pub tier: i64,
}

/// The newest classification applies unless a program names another.
const NEWEST_CLASSIFICATION: &str =
    "(SELECT id FROM tier_classifications ORDER BY valid_from DESC, id DESC LIMIT 1)";

impl Reader {
    /// Whether the reference data has been loaded into this database.
    pub async fn reference_loaded(&mut self) -> Result<bool, StoreError> {
        let count: i64 = on!(&mut self.conn, |c| sqlx::query(
            "SELECT COUNT(*) FROM provinces"
        )
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("counting provinces"))?);
        Ok(count > 0)
    }

    pub async fn provinces(&mut self) -> Result<Vec<ProvinceRow>, StoreError> {
        let sql = format!(
            "SELECT p.code, p.name_fa, p.name_en, p.population_1395, \
             (SELECT COUNT(*) FROM counties c WHERE c.province = p.code) AS counties, \
             (SELECT COUNT(*) FROM county_tiers t WHERE t.province = p.code AND t.tier <= 2 \
              AND t.classification_id = {NEWEST_CLASSIFICATION}) AS underprivileged \
             FROM provinces p ORDER BY p.code"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(c)
            .await
            .map_err(db("listing provinces"))?
            .iter()
            .map(|row| {
                Ok(ProvinceRow {
                    code: row.try_get(0)?,
                    name_fa: row.try_get(1)?,
                    name_en: row.try_get(2)?,
                    population_1395: row.try_get(3)?,
                    counties: row.try_get(4)?,
                    underprivileged_counties: row.try_get(5)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db("decoding provinces")))
    }

    /// Counties, of one province or all, with their tier in the newest classification.
    pub async fn counties(&mut self, province: Option<&str>) -> Result<Vec<CountyRow>, StoreError> {
        let sql = format!(
            "SELECT c.code, c.province, c.name_fa, c.name_en, c.population_1395, t.tier \
             FROM counties c LEFT JOIN county_tiers t ON t.county = c.code \
             AND t.classification_id = {NEWEST_CLASSIFICATION} \
             WHERE ($1 IS NULL OR c.province = $1) ORDER BY c.province, c.code"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(province)
            .fetch_all(c)
            .await
            .map_err(db("listing counties"))?
            .iter()
            .map(|row| {
                Ok(CountyRow {
                    code: row.try_get(0)?,
                    province: row.try_get(1)?,
                    name_fa: row.try_get(2)?,
                    name_en: row.try_get(3)?,
                    population_1395: row.try_get(4)?,
                    tier: row.try_get(5)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db("decoding counties")))
    }

    /// One county with its tier, if the code exists.
    pub async fn county(&mut self, code: &str) -> Result<Option<CountyRow>, StoreError> {
        let sql = format!(
            "SELECT c.code, c.province, c.name_fa, c.name_en, c.population_1395, t.tier \
             FROM counties c LEFT JOIN county_tiers t ON t.county = c.code \
             AND t.classification_id = {NEWEST_CLASSIFICATION} WHERE c.code = $1"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(c)
            .await
            .map_err(db("reading a county"))?
            .map(|row| {
                Ok(CountyRow {
                    code: row.try_get(0)?,
                    province: row.try_get(1)?,
                    name_fa: row.try_get(2)?,
                    name_en: row.try_get(3)?,
                    population_1395: row.try_get(4)?,
                    tier: row.try_get(5)?,
                })
            })
            .transpose()
            .map_err(db("decoding a county")))
    }

    /// A county's tier under a classification, or under the newest one valid on `on`
    /// (an ISO date) when `classification_id` is `None`.
    pub async fn county_tier(
        &mut self,
        county: &str,
        classification_id: Option<i64>,
        on: &str,
    ) -> Result<Option<i64>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT t.tier FROM county_tiers t WHERE t.county = $1 AND t.classification_id = \
             COALESCE($2, (SELECT id FROM tier_classifications WHERE valid_from <= $3 \
             ORDER BY valid_from DESC, id DESC LIMIT 1), \
             (SELECT id FROM tier_classifications ORDER BY valid_from, id LIMIT 1))"
        )
        .bind(county)
        .bind(classification_id)
        .bind(on)
        .fetch_optional(c)
        .await
        .map_err(db("reading a county's tier"))?
        .map(|row| row.try_get(0))
        .transpose()
        .map_err(db("decoding a county's tier")))
    }

    pub async fn sectors(&mut self) -> Result<Vec<NamedRow>, StoreError> {
        self.named("SELECT code, name_fa, name_en FROM sectors ORDER BY code")
            .await
    }

    pub async fn banks(&mut self) -> Result<Vec<NamedRow>, StoreError> {
        self.named("SELECT code, name_fa, name_en FROM banks ORDER BY code")
            .await
    }

    async fn named(&mut self, sql: &'static str) -> Result<Vec<NamedRow>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(sql)
            .fetch_all(c)
            .await
            .map_err(db("listing reference data"))?
            .iter()
            .map(|row| {
                Ok(NamedRow {
                    code: row.try_get(0)?,
                    name_fa: row.try_get(1)?,
                    name_en: row.try_get(2)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(db("decoding reference data")))
    }

    pub async fn agencies(&mut self) -> Result<Vec<AgencyRow>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT code, kind, name_fa, name_en FROM agencies ORDER BY code"
        )
        .fetch_all(c)
        .await
        .map_err(db("listing agencies"))?
        .iter()
        .map(|row| {
            let row = Decoded::by_key(row, "agencies", "decoding agencies", "code")?;
            let code = row.code("code", |c| AgencyCode::parse(c).ok())?;
            Ok(AgencyRow {
                kind: row.code("kind", AgencyKind::parse)?,
                name_fa: row.get("name_fa")?,
                name_en: row.get("name_en")?,
                code,
            })
        })
        .collect())
    }

    pub async fn branches(&mut self) -> Result<Vec<BranchRow>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT code, bank, province, name_fa, name_en FROM branches ORDER BY bank, province"
        )
        .fetch_all(c)
        .await
        .map_err(db("listing branches"))?
        .iter()
        .map(|row| {
            let row = Decoded::by_key(row, "branches", "decoding branches", "code")?;
            let code = row.code("code", |c| BranchCode::parse(c).ok())?;
            Ok(BranchRow {
                bank: row.code("bank", |c| BankCode::parse(c).ok())?,
                province: row.get("province")?,
                name_fa: row.get("name_fa")?,
                name_en: row.get("name_en")?,
                code,
            })
        })
        .collect())
    }

    /// Every classification, newest first.
    pub async fn tier_classifications(
        &mut self,
    ) -> Result<Vec<TierClassificationInfo>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT id, valid_from, source, imported_at, imported_by FROM tier_classifications \
             ORDER BY valid_from DESC, id DESC"
        )
        .fetch_all(c)
        .await
        .map_err(db("listing tier classifications"))?
        .iter()
        .map(|row| {
            Ok(TierClassificationInfo {
                id: row.try_get(0)?,
                valid_from: row.try_get(1)?,
                source: row.try_get(2)?,
                imported_at: row.try_get(3)?,
                imported_by: row.try_get(4)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding tier classifications")))
    }
}

impl WriteTx {
    /// Loads the bundled reference data into an empty database, as one audited change.
    pub async fn load_reference(&mut self, data: &ReferenceData) -> Result<(), StoreError> {
        self.reference_changed = true;
        for p in &data.provinces {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO provinces (code, sci_code, name_fa, name_en, population_1395) \
                 VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(p.code.as_str())
            .bind(p.code.sci_code())
            .bind(&p.name_fa)
            .bind(&p.name_en)
            .bind(i64::try_from(p.population_1395).unwrap_or(i64::MAX))
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("loading provinces"))?);
        }
        for county in &data.counties {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO counties (code, province, name_fa, name_en, population_1395) \
                 VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(county.code.as_str())
            .bind(county.province.as_str())
            .bind(&county.name_fa)
            .bind(&county.name_en)
            .bind(
                county
                    .census
                    .map(|c| i64::try_from(c.population).unwrap_or(i64::MAX))
            )
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("loading counties"))?);
        }
        for sector in &data.sectors {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO sectors (code, name_fa, name_en) VALUES ($1, $2, $3)"
            )
            .bind(&sector.code)
            .bind(&sector.name_fa)
            .bind(&sector.name_en)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("loading sectors"))?);
        }
        for agency in &data.agencies {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO agencies (code, kind, name_fa, name_en) VALUES ($1, $2, $3, $4)"
            )
            .bind(&agency.code)
            .bind(agency.kind.code())
            .bind(&agency.name_fa)
            .bind(&agency.name_en)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("loading agencies"))?);
        }
        for bank in &data.banks {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO banks (code, name_fa, name_en) VALUES ($1, $2, $3)"
            )
            .bind(&bank.code)
            .bind(&bank.name_fa)
            .bind(&bank.name_en)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("loading banks"))?);
        }
        for branch in &data.branches {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO branches (code, bank, province, name_fa, name_en) \
                 VALUES ($1, $2, $3, $4, $5)"
            )
            .bind(&branch.code)
            .bind(&branch.bank)
            .bind(branch.province.as_str())
            .bind(&branch.name_fa)
            .bind(&branch.name_en)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("loading branches"))?);
        }
        self.audit(AuditEntry::created(
            "reference.load",
            "reference",
            "bundled",
            None,
            serde_json::json!({
                "provinces": data.provinces.len(),
                "counties": data.counties.len(),
                "sectors": data.sectors.len(),
                "agencies": data.agencies.len(),
                "banks": data.banks.len(),
                "branches": data.branches.len(),
            }),
        ));
        Ok(())
    }

    /// Stores a dated, sourced tier classification; it applies from `valid_from` on.
    pub async fn insert_tier_classification(
        &mut self,
        valid_from: &str,
        source: &str,
        tiers: &[CountyTier],
    ) -> Result<i64, StoreError> {
        self.reference_changed = true;
        let (now, by) = (self.now.to_string(), self.actor.label());
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO tier_classifications (valid_from, source, imported_at, imported_by) \
             VALUES ($1, $2, $3, $4) RETURNING id"
        )
        .bind(valid_from)
        .bind(source)
        .bind(&now)
        .bind(&by)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("recording a tier classification"))?);
        for tier in tiers {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO county_tiers (classification_id, county, province, tier) \
                 VALUES ($1, $2, $3, $4)"
            )
            .bind(id)
            .bind(&tier.county)
            .bind(&tier.province)
            .bind(tier.tier)
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("recording county tiers"))?);
        }
        let per_tier: Vec<usize> = (1..=4)
            .map(|t| tiers.iter().filter(|row| row.tier == t).count())
            .collect();
        self.audit(AuditEntry::created(
            "tiers.import",
            "tier_classification",
            id,
            None,
            serde_json::json!({
                "valid_from": valid_from, "source": source,
                "counties": tiers.len(), "counties_per_tier": per_tier,
            }),
        ));
        Ok(id)
    }
}
