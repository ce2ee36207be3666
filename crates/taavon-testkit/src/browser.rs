//! Headless Debian Chromium for the browser tests: where it is (or a loud skip, a
//! failure under `CI`), chromedriver on a free port, a client with the console log on,
//! and the two WebDriver commands fantoccini does not wrap (the console log and a
//! DevTools command).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Child processes killed however the test ends.
pub struct Processes(pub Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Chromium and chromedriver, or `None` after a loud skip (a failure when `CI` is set).
pub fn browser_paths() -> Option<(&'static str, &'static str)> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Some((CHROMIUM, CHROMEDRIVER));
    }
    let message = "chromium/chromedriver not installed (run scripts/install-test-deps.sh)";
    assert!(
        std::env::var_os("CI").is_none(),
        "{message}; CI is set, so this is a failure"
    );
    eprintln!("SKIPPED: {message}");
    None
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nothing listened on port {port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// chromedriver listening on a free port, which it returns.
pub fn start_chromedriver(chromedriver: &str) -> (Child, u16) {
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_port(port);
    (child, port)
}

/// A headless Chromium session with its own profile and the browser's console log kept;
/// `extra_args` such as a window size.
pub async fn open_browser(
    chromium: &str,
    driver_port: u16,
    profile: &Path,
    extra_args: &[&str],
) -> Client {
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    args.extend(extra_args.iter().map(|arg| (*arg).to_owned()));
    let capabilities: serde_json::Map<String, serde_json::Value> =
        serde_json::from_value(serde_json::json!({
            "goog:chromeOptions": { "binary": chromium, "args": args },
            "goog:loggingPrefs": { "browser": "ALL" }
        }))
        .unwrap();
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .unwrap()
}

/// Chromium's console messages since the last call, as chromedriver gives them
/// (`level`, `message`).
pub async fn console_log(browser: &Client) -> Vec<serde_json::Value> {
    let log = browser.issue_cmd(ConsoleLog).await.unwrap();
    log.as_array().cloned().unwrap_or_default()
}

/// chromedriver's `se/log` command.
#[derive(Debug)]
struct ConsoleLog;

impl fantoccini::wd::WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// One Chrome DevTools command through chromedriver (e.g. emulating print media).
#[derive(Debug)]
pub struct Cdp(pub serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}
