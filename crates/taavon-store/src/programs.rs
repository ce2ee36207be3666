//! Programs (funding lines) with their rule documents and provincial budgets.

use taavon_core::programs::FundingSource;
use taavon_core::programs::budget::BudgetMethod;
use taavon_core::reference::BankCode;

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::error::{Decoded, db};
use crate::registry::Versioned;
use crate::tx::{Reader, WriteTx};

/// A funding line (Note 18, Article 56, trip approvals …) and its rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    pub code: String,
    pub funding_source: FundingSource,
    pub name_fa: String,
    pub name_en: String,
    /// ISO dates; applications are taken from `opens_on` to `closes_on` inclusive.
    pub opens_on: String,
    pub closes_on: String,
    /// The rule document as JSON (taavon_core::programs::ProgramRules).
    pub rules: String,
    /// The tier classification applied; `None`: the newest at each decision.
    pub tier_classification_id: Option<i64>,
    /// The bank applications are referred to by default.
    pub bank: Option<BankCode>,
    pub version: i64,
}

/// A province's budget under a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramBudget {
    pub province: String,
    pub amount_rial: i64,
    pub method: BudgetMethod,
}

const PROGRAM_COLUMNS: &str = "code, funding_source, name_fa, name_en, opens_on, closes_on, \
     rules, tier_classification_id, bank, version";

macro_rules! program_row {
    ($row:expr) => {
        (|| -> Result<Program, StoreError> {
            let row = Decoded::by_key($row, "programs", "decoding a program", "code")?;
            Ok(Program {
                code: row.get("code")?,
                funding_source: row.code("funding_source", FundingSource::parse)?,
                name_fa: row.get("name_fa")?,
                name_en: row.get("name_en")?,
                opens_on: row.get("opens_on")?,
                closes_on: row.get("closes_on")?,
                rules: row.get("rules")?,
                tier_classification_id: row.get("tier_classification_id")?,
                bank: row.optional_code("bank", |c| BankCode::parse(c).ok())?,
                version: row.get("version")?,
            })
        })()
    };
}

impl Reader {
    pub async fn programs(&mut self) -> Result<Vec<Program>, StoreError> {
        let sql = format!("SELECT {PROGRAM_COLUMNS} FROM programs ORDER BY code");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(c)
            .await
            .map_err(db("listing programs"))?
            .iter()
            .map(|row| program_row!(row))
            .collect())
    }

    pub async fn program(&mut self, code: &str) -> Result<Option<Program>, StoreError> {
        let sql = format!("SELECT {PROGRAM_COLUMNS} FROM programs WHERE code = $1");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(c)
            .await
            .map_err(db("reading a program"))?
            .map(|row| program_row!(&row))
            .transpose())
    }

    /// A program's budget per province, by province code.
    pub async fn program_budgets(&mut self, code: &str) -> Result<Vec<ProgramBudget>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT province, amount_rial, method FROM program_budgets WHERE program = $1 \
             ORDER BY province"
        )
        .bind(code)
        .fetch_all(c)
        .await
        .map_err(db("reading program budgets"))?
        .iter()
        .map(|row| {
            let row = Decoded::by_key(
                row,
                "program_budgets",
                "decoding program budgets",
                "province",
            )?;
            Ok(ProgramBudget {
                province: row.get("province")?,
                amount_rial: row.get("amount_rial")?,
                method: row.code("method", BudgetMethod::parse)?,
            })
        })
        .collect())
    }
}

impl WriteTx {
    pub async fn insert_program(&mut self, program: &Program) -> Result<(), StoreError> {
        let now = self.now.to_string();
        let p = program;
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO programs (code, funding_source, name_fa, name_en, opens_on, closes_on, \
             rules, tier_classification_id, bank, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10)"
        )
        .bind(&p.code)
        .bind(p.funding_source.code())
        .bind(&p.name_fa)
        .bind(&p.name_en)
        .bind(&p.opens_on)
        .bind(&p.closes_on)
        .bind(&p.rules)
        .bind(p.tier_classification_id)
        .bind(p.bank.as_ref().map(BankCode::as_str))
        .bind(&now)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("creating a program"))?);
        self.audit(AuditEntry::created(
            "program.create",
            "program",
            &p.code,
            None,
            program_json(p),
        ));
        Ok(())
    }

    /// Replaces a program's definition if `expected_version` is still current.
    pub async fn update_program(
        &mut self,
        expected_version: i64,
        program: &Program,
    ) -> Result<Versioned<Program>, StoreError> {
        let Some(before) = self.program(&program.code).await? else {
            return Ok(Versioned::Missing);
        };
        let p = program;
        let changed = on!(self.conn(), |c| sqlx::query(
            "UPDATE programs SET funding_source = $1, name_fa = $2, name_en = $3, \
             opens_on = $4, closes_on = $5, rules = $6, tier_classification_id = $7, bank = $8, \
             version = version + 1 WHERE code = $9 AND version = $10"
        )
        .bind(p.funding_source.code())
        .bind(&p.name_fa)
        .bind(&p.name_en)
        .bind(&p.opens_on)
        .bind(&p.closes_on)
        .bind(&p.rules)
        .bind(p.tier_classification_id)
        .bind(p.bank.as_ref().map(BankCode::as_str))
        .bind(&p.code)
        .bind(expected_version)
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("changing a program"))?);
        if changed == 0 {
            return Ok(Versioned::Stale {
                current_version: before.version,
            });
        }
        let after = self
            .program(&p.code)
            .await?
            .ok_or_else(|| crate::error::corrupt(format!("program {} vanished", p.code)))?;
        self.audit(AuditEntry {
            action: "program.update",
            entity: "program",
            entity_id: p.code.clone(),
            province: None,
            before: Some(program_json(&before)),
            after: Some(program_json(&after)),
        });
        Ok(Versioned::Updated(after))
    }

    /// Replaces a program's provincial budgets.
    pub async fn set_program_budgets(
        &mut self,
        code: &str,
        budgets: &[ProgramBudget],
    ) -> Result<(), StoreError> {
        let before = self.program_budgets(code).await?;
        on!(self.conn(), |c| sqlx::query(
            "DELETE FROM program_budgets WHERE program = $1"
        )
        .bind(code)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("clearing program budgets"))?);
        // 31 provinces at most: one statement each is cheap and keeps the text simple.
        for budget in budgets {
            on!(self.conn(), |c| sqlx::query(
                "INSERT INTO program_budgets (program, province, amount_rial, method) \
                 VALUES ($1, $2, $3, $4)"
            )
            .bind(code)
            .bind(&budget.province)
            .bind(budget.amount_rial)
            .bind(budget.method.code())
            .execute(c)
            .await
            .map(|_| ())
            .map_err(db("recording a program budget"))?);
        }
        let as_json = |budgets: &[ProgramBudget]| {
            serde_json::Value::Object(
                budgets
                    .iter()
                    .map(|b| (b.province.clone(), serde_json::json!(b.amount_rial)))
                    .collect(),
            )
        };
        self.audit(AuditEntry {
            action: "program.budgets",
            entity: "program",
            entity_id: code.to_owned(),
            province: None,
            before: Some(as_json(&before)),
            after: Some(as_json(budgets)),
        });
        Ok(())
    }
}

fn program_json(p: &Program) -> serde_json::Value {
    serde_json::json!({
        "funding_source": p.funding_source.code(), "name_fa": p.name_fa, "name_en": p.name_en,
        "opens_on": p.opens_on, "closes_on": p.closes_on,
        "rules": serde_json::from_str::<serde_json::Value>(&p.rules).unwrap_or_default(),
        "tier_classification_id": p.tier_classification_id,
        "bank": p.bank.as_ref().map(BankCode::as_str),
    })
}
