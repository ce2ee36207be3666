//! A person logs in through the real Persian UI in headless Debian Chromium and sees the
//! provinces page with its map, and no page breaks the Content-Security-Policy: the real
//! `taavon` binary, the real browser.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

/// Kills the child processes however the test ends.
struct Processes(Vec<Child>);

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "nothing listened on port {port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Chromium's console messages since the last call (chromedriver's `se/log` command,
/// which fantoccini does not wrap).
#[derive(Debug)]
struct ConsoleLog;

impl fantoccini::wd::WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// The console messages in which Chromium reports a Content-Security-Policy refusal.
async fn csp_violations(browser: &fantoccini::Client) -> Vec<String> {
    let log = browser.issue_cmd(ConsoleLog).await.unwrap();
    log.as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["message"].as_str())
        .filter(|message| message.contains("Content Security Policy"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_person_logs_in_and_sees_the_provinces_page_with_its_map() {
    // Establishes the UI's main path end to end in a real browser.
    let (chromium, chromedriver) = ("/usr/bin/chromium", "/usr/bin/chromedriver");
    if !std::path::Path::new(chromium).exists() || !std::path::Path::new(chromedriver).exists() {
        let message = "chromium/chromedriver not installed (run scripts/install-test-deps.sh)";
        assert!(
            std::env::var_os("CI").is_none(),
            "{message}; CI is set, so this is a failure"
        );
        eprintln!("SKIPPED: {message}");
        return;
    }
    let dir = std::env::temp_dir().join(format!("taavon-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (server_port, driver_port) = (free_port(), free_port());
    let mut processes = Processes(Vec::new());
    processes.0.push(
        Command::new(env!("CARGO_BIN_EXE_taavon"))
            .args([
                "serve",
                "--demo",
                "--listen",
                &format!("127.0.0.1:{server_port}"),
                "--db",
            ])
            .arg(format!("sqlite://{}/taavon.db", dir.display()))
            .env_remove("TAAVON_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    processes.0.push(
        Command::new(chromedriver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(server_port);
    wait_for_port(driver_port);

    let profile = dir.join("profile");
    let capabilities: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--window-size=1400,1000",
                     format!("--user-data-dir={}", profile.display())]
        },
        "goog:loggingPrefs": { "browser": "ALL" }
    }))
    .unwrap();
    let browser = ClientBuilder::rustls()
        .unwrap()
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{server_port}");

    // A wrong password keeps the person on the login page with a Persian error.
    browser.goto(&format!("{base}/login")).await.unwrap();
    browser
        .find(Locator::Css("input[name=username]"))
        .await
        .unwrap()
        .send_keys("admin")
        .await
        .unwrap();
    browser
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("wrong")
        .await
        .unwrap();
    browser
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Waits for the answer's page: looking straight after the click can still see the
    // form before it (a flaky failure under load).
    let error = browser
        .wait()
        .for_element(Locator::Css(".form-error"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(error.contains("گذرواژه"), "{error}");

    // The right one leads to the dashboard, with a logout form.
    browser
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys("demo")
        .await
        .unwrap();
    browser
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .for_element(Locator::Css("form[action='/logout']"))
        .await
        .unwrap();
    assert_eq!(browser.current_url().await.unwrap().path(), "/");

    // The provinces link leads to the Persian page with the 31-province map.
    browser
        .find(Locator::Css("nav a[href='/provinces']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser
        .wait()
        .for_element(Locator::Css("svg.province-map"))
        .await
        .unwrap();
    let html = browser.find(Locator::Css("html")).await.unwrap();
    assert_eq!(html.attr("lang").await.unwrap().as_deref(), Some("fa"));
    assert_eq!(html.attr("dir").await.unwrap().as_deref(), Some("rtl"));
    let heading = browser
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(heading.contains("استان\u{200c}ها"), "{heading}");
    let paths = browser
        .find_all(Locator::Css("path.province[data-province]"))
        .await
        .unwrap();
    assert_eq!(paths.len(), 31);
    let source = browser.source().await.unwrap();
    assert!(source.contains("© OpenStreetMap contributors"));

    let screenshot = browser.screenshot().await.unwrap();
    let file = dir.join("provinces.png");
    std::fs::write(&file, screenshot).unwrap();
    eprintln!("screenshot: {}", file.display());

    // No page breaks the Content-Security-Policy (no inline style or script, nothing
    // loaded from elsewhere, htmx adding no style of its own): Chromium reports every
    // refusal in its console. Swagger UI, under its own policy, renders too.
    let mut violations = csp_violations(&browser).await;
    let mut pages: Vec<(String, &str)> = taavon_testkit::demo_main_pages(&base)
        .await
        .into_iter()
        .map(|path| (path, "main"))
        .collect();
    pages.push(("/api/docs/".into(), ".swagger-ui .info .title"));
    for (path, rendered) in pages {
        browser.goto(&format!("{base}{path}")).await.unwrap();
        browser
            .wait()
            .for_element(Locator::Css(rendered))
            .await
            .unwrap();
        violations.extend(
            csp_violations(&browser)
                .await
                .into_iter()
                .map(|v| format!("{path}: {v}")),
        );
    }
    assert!(violations.is_empty(), "{violations:#?}");
    browser.close().await.unwrap();
}
