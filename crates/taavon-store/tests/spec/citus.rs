//! The store on a Citus cluster (distributed PostgreSQL), whose coordinator
//! `TAAVON_TEST_CITUS_URL` names (`scripts/ensure-citus.sh` starts one and prints it):
//! opening a database makes the reference tables replicated to every node and the
//! province tables distributed by province, co-located, with shards on both workers; a
//! one-province read is routed to one shard; opening it again changes nothing.

use sqlx::{Connection, PgConnection};
use taavon_store::Store;

use super::load_reference;

/// What docs/design/store.md ("Citus") decides today, table by table.
const REFERENCE: &[&str] = &[
    "agencies",
    "banks",
    "branches",
    "counties",
    "county_tiers",
    "holidays",
    "jalali_months",
    "program_budgets",
    "programs",
    "provinces",
    "sectors",
    "support_routing_rules",
    "support_topics",
    "tier_classifications",
];
const DISTRIBUTED: &[&str] = &[
    "dashboard_commitments",
    "dashboard_figures",
    "dashboard_month_figures",
    "dashboard_month_step_days",
    "dashboard_province_step_days",
    "dashboard_step_days",
    "portfolio_snapshots",
    "support_county_figures",
];

#[tokio::test]
async fn opening_a_citus_database_distributes_its_tables_by_province() {
    let Some(url) = taavon_testkit::fresh_citus_url_or_skip().await else {
        return;
    };
    let database = taavon_testkit::DatabaseGuard::new(&url);
    let store = Store::open(&url).await.unwrap();
    load_reference(&store).await;
    store.close().await;
    // The second open finds every table done (and a database moved onto a cluster is
    // distributed this way, by its next open).
    let store = Store::open(&url).await.unwrap();

    let mut c = PgConnection::connect(&url).await.unwrap();
    let tables: Vec<(String, String, String, i32)> = sqlx::query_as(
        "SELECT table_name::text, citus_table_type, distribution_column, colocation_id \
         FROM citus_tables WHERE citus_table_type <> 'local' ORDER BY table_name::text",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let of_type = |kind: &str| -> Vec<&str> {
        tables
            .iter()
            .filter(|(_, k, _, _)| k == kind)
            .map(|(t, _, _, _)| t.as_str())
            .collect()
    };
    assert_eq!(of_type("reference"), REFERENCE);
    assert_eq!(of_type("distributed"), DISTRIBUTED);
    let distributed: Vec<_> = tables.iter().filter(|t| t.1 == "distributed").collect();
    assert!(
        distributed
            .iter()
            .all(|(_, _, column, _)| column == "province")
    );
    // One colocation group: a province's rows of every table share a shard.
    let groups: std::collections::BTreeSet<i32> =
        distributed.iter().map(|(_, _, _, group)| *group).collect();
    assert_eq!(groups.len(), 1, "{distributed:?}");

    // Every distributed table has shards on both workers (and none on the coordinator).
    let workers: Vec<i32> =
        sqlx::query_scalar("SELECT nodeport FROM pg_dist_node WHERE groupid <> 0 ORDER BY 1")
            .fetch_all(&mut c)
            .await
            .unwrap();
    assert_eq!(workers.len(), 2);
    for table in DISTRIBUTED {
        let nodes: Vec<i32> = sqlx::query_scalar(
            "SELECT DISTINCT nodeport FROM citus_shards WHERE table_name = $1::regclass \
             ORDER BY 1",
        )
        .bind(table)
        .fetch_all(&mut c)
        .await
        .unwrap();
        assert_eq!(nodes, workers, "{table}");
    }
    // The reference data the store loaded is on every node's copy.
    let copies: Vec<String> = sqlx::query_scalar(
        "SELECT result FROM run_command_on_placements('provinces', 'SELECT count(*) FROM %s')",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert_eq!(copies, ["31", "31", "31"]);

    // A province's read is a router query (one task); a national one asks every shard.
    let tasks = |plan: Vec<String>| {
        plan.iter()
            .find_map(|line| line.trim().strip_prefix("Task Count: ").map(str::to_owned))
    };
    let one: Vec<String> =
        sqlx::query_scalar("EXPLAIN SELECT * FROM support_county_figures WHERE province = 'IR-16'")
            .fetch_all(&mut c)
            .await
            .unwrap();
    assert_eq!(tasks(one).as_deref(), Some("1"));
    let all: Vec<String> = sqlx::query_scalar("EXPLAIN SELECT * FROM support_county_figures")
        .fetch_all(&mut c)
        .await
        .unwrap();
    let shards: i64 = sqlx::query_scalar(
        "SELECT shard_count::bigint FROM citus_tables \
         WHERE table_name = 'support_county_figures'::regclass",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(tasks(all), Some(shards.to_string()));
    c.close().await.unwrap();

    // The store still reads and verifies as on one PostgreSQL.
    let mut read = store.read().await.unwrap();
    assert_eq!(read.provinces().await.unwrap().len(), 31);
    read.finish().await.unwrap();
    assert_eq!(store.verify_audit().await.unwrap().first_broken, None);
    store.close().await;
    drop(database);
}
