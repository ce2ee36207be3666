//! Test helpers (dev-only): fresh SQLite and PostgreSQL databases, a real server on a
//! random port with the demo data, and typed HTTP helpers.
//!
//! PostgreSQL comes from `TAAVON_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each call creates its own database
//! `taavon_test_<random>`. Without a reachable server the PostgreSQL tests skip loudly,
//! and fail when `CI` is set. A test app's database (and a store spec's) is dropped when
//! the test passes and kept, with its name printed, when it fails.
//!
//! When that URL names a Citus coordinator (its database has the `citus` extension and
//! workers), each new database is made on every node and joined into a cluster of the
//! same nodes, so the same tests run on Citus (`scripts/ensure-citus.sh` starts one).

pub mod browser;
mod cluster;
mod pdf;
mod small_disk;

pub use cluster::ThrowawayCluster;
pub use pdf::pdf_text;
pub use small_disk::SmallDisk;

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;
use taavon_app::clock;
use taavon_store::Store;

/// The PostgreSQL server the tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("TAAVON_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A URL for a new, empty SQLite database in a fresh temporary directory.
pub fn fresh_sqlite_url() -> String {
    let dir = std::env::temp_dir().join(format!("taavon-test-{}", unique_suffix()));
    format!("sqlite://{}/taavon.db", dir.display())
}

/// A new, empty, migrated SQLite store, its audit chain keyed with a key of its own.
pub async fn fresh_sqlite() -> Store {
    open_keyed(&fresh_sqlite_url()).await
}

/// The store at `url` with a newly generated audit key, as every test store is (so the
/// tests exercise the keyed chain, as production should run).
pub async fn open_keyed(url: &str) -> Store {
    Store::open(url)
        .await
        .unwrap_or_else(|e| panic!("opening {url}: {e}"))
        .with_audit_key(taavon_app::audit::generate_key())
}

/// A URL for a new, empty PostgreSQL database, or `None` (loudly) when no server
/// answers. Under `CI` a missing server is a failure.
pub async fn fresh_postgres_url_or_skip() -> Option<String> {
    let admin = postgres_admin_url();
    let connection = match sqlx::PgConnection::connect(&admin).await {
        Ok(connection) => connection,
        Err(error) => {
            let message = format!(
                "PostgreSQL at {admin} is unreachable ({error}); the PostgreSQL half of this \
                 test did NOT run. Start one, or set TAAVON_TEST_POSTGRES_URL."
            );
            if std::env::var_os("CI").is_some() {
                panic!("{message} (CI is set, so this is a failure)");
            }
            eprintln!("SKIPPED: {message}");
            return None;
        }
    };
    Some(fresh_database(&admin, connection).await)
}

/// A URL for a new, empty database on the Citus cluster whose coordinator
/// `TAAVON_TEST_CITUS_URL` names (`scripts/ensure-citus.sh` prints one), or `None`,
/// loudly, when it is unset. Not yet a failure under `CI`: the test script does not
/// start a cluster.
pub async fn fresh_citus_url_or_skip() -> Option<String> {
    let Ok(admin) = std::env::var("TAAVON_TEST_CITUS_URL") else {
        eprintln!(
            "SKIPPED: TAAVON_TEST_CITUS_URL is unset; the Citus test did NOT run. \
             Set it to the URL scripts/ensure-citus.sh prints."
        );
        return None;
    };
    let connection = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("connecting to the Citus coordinator {admin}: {e}"));
    Some(fresh_database(&admin, connection).await)
}

/// Creates `taavon_test_<random>` on the server `admin` names (on every node of its
/// cluster when it is a Citus coordinator) and answers its URL.
async fn fresh_database(admin: &str, mut connection: sqlx::PgConnection) -> String {
    let name = format!("taavon_test_{}", unique_suffix());
    let workers = citus_workers(&mut connection).await;
    if workers.is_some() {
        // Two databases joining the same workers at once collide on the workers' shared
        // catalogues ("tuple concurrently updated"): one at a time, across test
        // processes, until this connection closes.
        execute(&mut connection, "SELECT pg_advisory_lock(495873881460)").await;
    }
    execute(&mut connection, &format!("CREATE DATABASE {name}")).await;
    let url = database_url(admin, &name);
    if let Some((coordinator, workers)) = workers {
        join_citus_cluster(admin, &url, &name, coordinator, &workers).await;
    }
    let _ = connection.close().await;
    url
}

/// `url` with its database replaced by `name`.
fn database_url(url: &str, name: &str) -> String {
    let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
    format!("{base}/{name}")
}

/// `url` on another node of the same cluster (same user and database).
fn on_node(url: &str, host: &str, port: i32) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let user = rest.split_once('@').map(|(user, _)| format!("{user}@"));
    let database = rest.rsplit_once('/').map_or("", |(_, database)| database);
    format!(
        "{scheme}://{}{host}:{port}/{database}",
        user.unwrap_or_default()
    )
}

async fn execute(connection: &mut sqlx::PgConnection, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(connection)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A Citus node as `pg_dist_node` names it.
type Node = (String, i32);

/// The coordinator and the active workers when the connected database is a Citus
/// coordinator's; `None` on plain PostgreSQL.
async fn citus_workers(connection: &mut sqlx::PgConnection) -> Option<(Node, Vec<Node>)> {
    let nodes: Vec<(i32, String, i32)> = sqlx::query_as(
        "SELECT groupid, nodename::text, nodeport FROM pg_dist_node \
         WHERE isactive AND noderole = 'primary' ORDER BY groupid",
    )
    .fetch_all(connection)
    .await
    // No pg_dist_node: not Citus.
    .ok()?;
    let (coordinator, workers): (Vec<_>, Vec<_>) =
        nodes.into_iter().partition(|(group, _, _)| *group == 0);
    let coordinator = coordinator.into_iter().next()?;
    let workers: Vec<Node> = workers.into_iter().map(|(_, h, p)| (h, p)).collect();
    (!workers.is_empty()).then_some(((coordinator.1, coordinator.2), workers))
}

/// Makes the new database `name` (at `url`, on the coordinator) a Citus cluster of the
/// admin database's nodes: Citus keeps its metadata per database, so each database
/// needs the extension on every node and its own list of workers.
async fn join_citus_cluster(
    admin: &str,
    url: &str,
    name: &str,
    coordinator: Node,
    workers: &[Node],
) {
    for (host, port) in workers {
        let mut worker = sqlx::PgConnection::connect(&on_node(admin, host, *port))
            .await
            .unwrap_or_else(|e| panic!("connecting to the Citus worker {host}:{port}: {e}"));
        execute(&mut worker, &format!("CREATE DATABASE {name}")).await;
        let _ = worker.close().await;
        let mut worker = sqlx::PgConnection::connect(&on_node(url, host, *port))
            .await
            .unwrap_or_else(|e| panic!("connecting to {name} on {host}:{port}: {e}"));
        execute(&mut worker, "CREATE EXTENSION citus").await;
        let _ = worker.close().await;
    }
    let mut connection = sqlx::PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    execute(&mut connection, "CREATE EXTENSION citus").await;
    let (host, port) = coordinator;
    execute(
        &mut connection,
        &format!("SELECT citus_set_coordinator_host('{host}', {port})"),
    )
    .await;
    for (host, port) in workers {
        execute(
            &mut connection,
            &format!("SELECT citus_add_node('{host}', {port})"),
        )
        .await;
    }
    let _ = connection.close().await;
}

/// A new, empty, migrated PostgreSQL store with the guard that drops its database when
/// the test passes, or `None` as `fresh_postgres_url_or_skip`.
pub async fn fresh_postgres_or_skip() -> Option<(Store, DatabaseGuard)> {
    let url = fresh_postgres_url_or_skip().await?;
    let database = DatabaseGuard::new(&url);
    Some((open_keyed(&url).await, database))
}

/// Drops a test database: `DROP DATABASE … WITH (FORCE)` on PostgreSQL (closing the
/// connections a server still holds), the temporary directory of a SQLite file.
pub async fn drop_database(url: &str) {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if let Some(dir) = std::path::Path::new(path).parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
        return;
    }
    let Some((_, name)) = url.rsplit_once('/') else {
        return;
    };
    if !name.starts_with("taavon_test_") {
        return;
    }
    // A Citus database is dropped on its workers too, found from the database itself;
    // every node has the database `postgres` to connect to meanwhile.
    let workers = match sqlx::PgConnection::connect(url).await {
        Ok(mut connection) => {
            let workers = citus_workers(&mut connection).await;
            let _ = connection.close().await;
            workers.map(|(_, workers)| workers).unwrap_or_default()
        }
        Err(_) => Vec::new(),
    };
    let server = database_url(url, "postgres");
    let nodes = std::iter::once(server.clone()).chain(
        workers
            .iter()
            .map(|(host, port)| on_node(&server, host, *port)),
    );
    for node in nodes {
        if let Ok(mut connection) = sqlx::PgConnection::connect(&node).await {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut connection)
                .await;
            let _ = connection.close().await;
        }
    }
}

/// Drops the database at `url` when the test passes (on drop, unless panicking); a
/// failed test keeps it for a look, and says where.
pub struct DatabaseGuard {
    url: String,
}

impl DatabaseGuard {
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
        }
    }
}

impl Drop for DatabaseGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("the failed test's database is kept: {}", self.url);
            return;
        }
        // Drop runs inside the test's runtime, which cannot be blocked on: the drop runs
        // on a thread of its own with a runtime of its own, and is waited for.
        let url = std::mem::take(&mut self.url);
        let dropped = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_database(&url));
            }
        });
        let _ = dropped.join();
    }
}

/// Runs raw SQL against a database behind the store's back, as an attacker or a broken
/// disk would (for tamper tests only).
pub async fn tamper(url: &str, sql: &str) {
    try_tamper(url, sql)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
}

/// As `tamper`, answering the database's refusal instead of panicking (for tests that
/// the database refuses it).
pub async fn try_tamper(url: &str, sql: &str) -> Result<(), String> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    if let Some(path) = url.strip_prefix("sqlite://") {
        let mut connection = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
        sqlx::query(sql).execute(&mut connection).await.map(|_| ())
    } else {
        let mut connection = sqlx::PgConnection::connect(url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
        sqlx::query(sql).execute(&mut connection).await.map(|_| ())
    }
    .map_err(|error| error.to_string())
}

/// Which engine a test app runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A real server on a random port, with the demo data loaded.
pub struct TestApp {
    pub address: String,
    pub store: Store,
    /// The database's URL, for tests that reach behind the server (`tamper`).
    pub database_url: String,
    pub client: reqwest::Client,
    /// Drops the database once the test has passed.
    pub database: DatabaseGuard,
}

/// The server settings the tests run with: a login rate limit no test reaches, and
/// webhooks allowed to reach the tests' own receivers on the loopback address.
pub fn test_config() -> taavon_server::ServerConfig {
    taavon_server::ServerConfig {
        secure_cookies: false,
        login_requests_per_minute: 600,
        webhooks: taavon_app::webhooks::WebhookSettings {
            allow_private: true,
            ..taavon_app::webhooks::WebhookSettings::default()
        },
        ..taavon_server::ServerConfig::default()
    }
}

/// Starts the server on SQLite (or PostgreSQL, `None` when unavailable) with demo data.
pub async fn spawn_app(engine: Engine) -> Option<TestApp> {
    spawn_app_with(engine, test_config()).await
}

/// As `spawn_app`, with these server settings.
pub async fn spawn_app_with(
    engine: Engine,
    config: taavon_server::ServerConfig,
) -> Option<TestApp> {
    let database_url = match engine {
        Engine::Sqlite => fresh_sqlite_url(),
        Engine::Postgres => fresh_postgres_url_or_skip().await?,
    };
    Some(spawn_app_on(database_url, config).await)
}

/// Starts the server on the empty database at `database_url` with demo data.
pub async fn spawn_app_on(database_url: String, config: taavon_server::ServerConfig) -> TestApp {
    let store = open_keyed(&database_url).await;
    taavon_app::demo::load(&store, clock::now())
        .await
        .unwrap_or_else(|e| panic!("loading the demo: {e}"));
    let address = serve(store.clone(), config).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    TestApp {
        address,
        store,
        database: DatabaseGuard::new(&database_url),
        database_url,
        client,
    }
}

/// Starts another app server on `app`'s database, as a second process would be: a store
/// of its own (pools, caches, throttles), the same audit key. Answers its base URL.
pub async fn serve_another(app: &TestApp) -> String {
    let store = Store::open(&app.database_url)
        .await
        .unwrap_or_else(|e| panic!("opening {}: {e}", app.database_url))
        .with_audit_key_of(&app.store);
    serve(store, test_config()).await
}

/// Serves `store` on a random port until the test ends; answers the base URL.
async fn serve(store: Store, config: taavon_server::ServerConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("binding: {e}"));
    let address = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    tokio::spawn(taavon_server::serve(
        listener,
        store,
        config,
        std::future::pending(),
    ));
    address
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Logs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let response = self
            .client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 200, "logging in as {username}");
        let body: serde_json::Value = response.json().await.unwrap_or_else(|e| panic!("{e}"));
        body["token"].as_str().unwrap_or_default().to_owned()
    }

    /// `GET path` with an optional bearer token: (status, JSON body or Null).
    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    /// `POST path` with a JSON body and an optional bearer token.
    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(serde_json::Value::Null);
        (status, body)
    }

    /// `GET path` as HTML: (status, body).
    pub async fn page(&self, path: &str) -> (u16, String) {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        (
            response.status().as_u16(),
            response.text().await.unwrap_or_default(),
        )
    }
}

/// The main UI pages of the demo as its admin sees them, with ids and codes read from the
/// API of the server at `base` (for the header and Content-Security-Policy checks).
pub async fn demo_main_pages(base: &str) -> Vec<String> {
    let client = reqwest::Client::new();
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": "demo"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let token = token["token"].as_str().unwrap_or_default();
    let get = |path: &'static str| {
        let request = client.get(format!("{base}{path}")).bearer_auth(token);
        async move {
            request
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .json::<serde_json::Value>()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let program = get("/api/v1/programs").await[0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let cooperative = get("/api/v1/cooperatives").await["items"][0]["id"].clone();
    let loan = get("/api/v1/loans").await["items"][0]["id"].clone();
    let application = get("/api/v1/applications").await["items"][0]["id"].clone();
    vec![
        "/".to_owned(),
        "/dashboard".into(),
        "/dashboard?period=year&measure=submitted&per=capita".into(),
        "/provinces".into(),
        "/provinces/IR-16".into(),
        "/cooperatives".into(),
        "/cooperatives/new".into(),
        format!("/cooperatives/{cooperative}"),
        "/formations".into(),
        "/programs".into(),
        format!("/programs/{program}"),
        format!("/programs/{program}/round"),
        "/applications".into(),
        "/applications/new".into(),
        format!("/applications/{application}"),
        "/loans".into(),
        format!("/loans/{loan}"),
        "/portfolio".into(),
        "/funds".into(),
        "/ledger".into(),
        "/audit".into(),
        "/awards".into(),
        "/awards/entries".into(),
        "/awards/ranking".into(),
        "/awards/results".into(),
        "/awards/certificates".into(),
        "/services?province=IR-16".into(),
        "/services/counties?province=IR-16".into(),
        "/services/counties/1603".into(),
        "/people".into(),
        "/support/routing".into(),
    ]
}
