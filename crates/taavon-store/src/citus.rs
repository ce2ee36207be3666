//! Citus (distributed PostgreSQL): after the migrations, a database with the `citus`
//! extension makes its reference tables replicated to every node and its province tables
//! distributed by province (docs/design/store.md, "Citus"). On plain PostgreSQL and on
//! SQLite nothing happens.
//!
//! Idempotent and run on every open, not as a numbered migration: a database the
//! migrations already brought up to date on plain PostgreSQL is distributed by the next
//! open once the extension is created in it (the path onto a cluster), and a table a later
//! step adds to the lists below is distributed by the open after that.

use sqlx::postgres::PgPool;

use crate::StoreError;
use crate::dashboard_tables::KEPT_TABLES;
use crate::error::db;

/// Replicated to every node: small, national, read by every province's queries and
/// joined with their rows, written rarely. In an order in which each one's foreign keys
/// point at tables already made reference tables.
const REFERENCE_TABLES: &[&str] = &[
    "provinces",
    "counties",
    "sectors",
    "agencies",
    "banks",
    "branches",
    "tier_classifications",
    "county_tiers",
    "programs",
    "program_budgets",
    "support_topics",
    "support_routing_rules",
    "holidays",
    "jalali_months",
];

/// Distributed by `province` and co-located with the first, so a province's rows of every
/// one of them sit in the same shard (joins on the province stay on one node). Only the
/// tables whose keys already hold the province and whose foreign keys point at reference
/// tables alone — these and the dashboards' kept tables; the design note lists what the
/// others need.
const DISTRIBUTED_TABLES: [&str; 2] = ["support_county_figures", "portfolio_snapshots"];

/// Every distributed table, in the order they are made.
fn distributed_tables() -> impl Iterator<Item = &'static str> {
    DISTRIBUTED_TABLES.into_iter().chain(KEPT_TABLES)
}

/// Makes the reference and distributed tables of a Citus database; nothing elsewhere.
pub(crate) async fn distribute(pool: &PgPool) -> Result<(), StoreError> {
    const CONTEXT: &str = "distributing the tables over Citus";
    let mut tx = pool.begin().await.map_err(db(CONTEXT))?;
    let citus: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus')")
            .fetch_one(&mut *tx)
            .await
            .map_err(db(CONTEXT))?;
    if !citus {
        return tx.rollback().await.map_err(db(CONTEXT));
    }
    // Two servers opening the same database at once: the second waits, then finds the
    // tables done. (The key is the ASCII of "citus".)
    sqlx::query("SELECT pg_advisory_xact_lock(495873881459)")
        .execute(&mut *tx)
        .await
        .map_err(db(CONTEXT))?;
    let done: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM citus_tables \
         WHERE citus_table_type IN ('reference', 'distributed')",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db(CONTEXT))?;
    for table in REFERENCE_TABLES
        .iter()
        .filter(|t| !done.iter().any(|d| d == *t))
    {
        sqlx::query("SELECT create_reference_table($1)")
            .bind(table)
            .execute(&mut *tx)
            .await
            .map_err(db(CONTEXT))?;
    }
    let mut colocate_with = "none";
    for table in distributed_tables() {
        if !done.iter().any(|d| d == table) {
            sqlx::query("SELECT create_distributed_table($1, 'province', colocate_with => $2)")
                .bind(table)
                .bind(colocate_with)
                .execute(&mut *tx)
                .await
                .map_err(db(CONTEXT))?;
        }
        colocate_with = table;
    }
    tx.commit().await.map_err(db(CONTEXT))
}
