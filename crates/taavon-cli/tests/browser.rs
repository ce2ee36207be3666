//! A person logs in through the real Persian UI in headless Debian Chromium and sees the
//! provinces page with its map, and no page breaks the Content-Security-Policy: the real
//! `taavon` binary, the real browser.

use std::process::{Command, Stdio};

use fantoccini::Locator;
use taavon_testkit::browser::{
    Processes, browser_paths, console_log, free_port, open_browser, start_chromedriver,
    wait_for_port,
};

/// The console messages in which Chromium reports a Content-Security-Policy refusal.
async fn csp_violations(browser: &fantoccini::Client) -> Vec<String> {
    console_log(browser)
        .await
        .iter()
        .filter_map(|entry| entry["message"].as_str())
        .filter(|message| message.contains("Content Security Policy"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_person_logs_in_and_sees_the_provinces_page_with_its_map() {
    // Establishes the UI's main path end to end in a real browser.
    let Some((chromium, chromedriver)) = browser_paths() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("taavon-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let server_port = free_port();
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
    let (driver, driver_port) = start_chromedriver(chromedriver);
    processes.0.push(driver);
    wait_for_port(server_port);

    let browser = open_browser(
        chromium,
        driver_port,
        &dir.join("profile"),
        &["--window-size=1400,1000"],
    )
    .await;
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

    // The dashboard draws its charts and its map as server-side SVG images, each named,
    // with the numbers behind a toggle.
    browser
        .goto(&format!("{base}/dashboard?period=year"))
        .await
        .unwrap();
    browser
        .wait()
        .for_element(Locator::Css("svg.chart[role=img][aria-label]"))
        .await
        .unwrap();
    let toggles = browser
        .find_all(Locator::Css("figure.chart-box details summary"))
        .await
        .unwrap();
    assert!(!toggles.is_empty());
    browser
        .find(Locator::Css("svg.province-map"))
        .await
        .unwrap();

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
