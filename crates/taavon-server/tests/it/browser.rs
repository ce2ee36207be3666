//! The web UI's acceptance test (issue 13) in headless Debian Chromium: every demo role
//! logs in, every page reachable from its menu (and the first detail page of every list)
//! is checked for what an officer must never meet — an internal code or a Latin digit in
//! Persian text, Persian in the English UI, a serious or critical axe-core violation, a
//! console error, a missing title or a second `h1`, a page wider than a 390 px phone —
//! and photographed at desktop and phone width. Every list's exports answer with their
//! files, and its first sort link and next page are followed once. Then the flows: a
//! cooperative registered by clicks (the county from the selects, the date from the
//! picker), a refusal shows its reason, a success its message, and print media hides the
//! controls.
//!
//! Every problem on every page is collected before the test fails, so one run lists them
//! all; the screenshots and that list are written under `CARGO_TARGET_TMPDIR`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use taavon_testkit::browser::{
    Cdp, Processes, browser_paths, console_log, open_browser, start_chromedriver,
};
use taavon_testkit::{Engine, TestApp, spawn_app};

/// axe-core, vendored as test data (MPL-2.0, see `tests/data/axe/README.md`).
const AXE: &str = include_str!("../data/axe/axe.min.js");

/// One user of every role of the demo, and the language each is checked in. The admin is
/// checked in English too; the second users of a role (`ilam2`, `bank2`) see what the
/// first sees.
const VISITS: [(&str, &str); 8] = [
    ("admin", "fa"),
    ("ilam", "fa"),
    ("bank", "fa"),
    ("sso", "fa"),
    ("coop", "fa"),
    ("auditor", "fa"),
    // The demo festival's national judge: their entries and the marks form.
    ("judge", "fa"),
    ("admin", "en"),
];

const DESKTOP: (u32, u32) = (1366, 900);
const PHONE: (u32, u32) = (390, 844);

/// What the page shows people, read in the page: the `h1` count, the title, visible text
/// (and the attributes people read: placeholder, title, aria-label, alt) in the wrong
/// script for the page's language, and the widths for the sideways-scroll check.
const INSPECT: &str = r#"
const lang = document.documentElement.lang;
const wrong = lang === 'fa' ? /[A-Za-z0-9]/ : /[\u0600-\u06FF]/;
// Text inside an element marked with another language or left-to-right (a Sheba number,
// a login name) is exempt, as the issue says.
const exempt = (el) => {
  const marked = el.closest('[lang]');
  if (lang === 'fa') {
    return (marked && marked.lang !== 'fa') || el.closest('[dir="ltr"]') !== null;
  }
  return marked !== null && marked.lang === 'fa';
};
const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
const found = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const el = node.parentElement;
  const text = node.nodeValue.trim();
  if (!text || !el || el.closest('script,style,noscript,template')) continue;
  if (!visible(el) && !el.closest('option')) continue;
  if (!exempt(el) && wrong.test(text)) found.push(text.slice(0, 80));
}
for (const el of document.querySelectorAll('[placeholder],[title],[aria-label],img[alt]')) {
  for (const name of ['placeholder', 'title', 'aria-label', 'alt']) {
    const value = el.getAttribute(name);
    if (value && !exempt(el) && wrong.test(value)) found.push(name + '=' + value.slice(0, 80));
  }
}
return {
  h1: document.querySelectorAll('h1').length,
  title: document.title.trim(),
  wrong: [...new Set(found)].slice(0, 12),
};
"#;

const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] })
  .then((r) => done(r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + '): ' +
      v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | '))))
  .catch((e) => done(['axe failed: ' + e]));
"#;

const WIDTHS: &str = "return [document.scrollingElement.scrollWidth, window.innerWidth];";

async fn console_errors(browser: &Client) -> Vec<String> {
    console_log(browser)
        .await
        .iter()
        .filter(|e| e["level"] == "SEVERE")
        .filter_map(|e| e["message"].as_str().map(str::to_owned))
        .collect()
}

async fn log_in(browser: &Client, base: &str, username: &str) {
    browser.delete_all_cookies().await.unwrap();
    browser.goto(&format!("{base}/login")).await.unwrap();
    for (field, value) in [("username", username), ("password", "demo")] {
        browser
            .find(Locator::Css(&format!("input[name={field}]")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    browser
        .find(Locator::Css("main button[type=submit]"))
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
}

/// A link's shape: a list's detail pages share one (`/loans/*`), so only the first is
/// visited, while `/cooperatives/new` and `/programs/*/round` are pages of their own.
fn shape(path: &str) -> String {
    path.split('/')
        .enumerate()
        .map(|(i, segment)| {
            // A record's number anywhere (`/services/counties/1603`) is one shape.
            let number = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
            if (i == 2 && segment != "new") || number {
                "*"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The same-origin page links of the page shown (`scope` is a CSS selector); a link to a
/// file (`download`: a certificate's PDF) is not a page.
async fn links(browser: &Client, scope: &str) -> Vec<String> {
    let script = format!(
        "return [...document.querySelectorAll('{scope} a[href]:not([download])')].map(a => a.getAttribute('href'));"
    );
    let value = browser.execute(&script, Vec::new()).await.unwrap();
    value
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .filter(|href| href.starts_with('/') && !href.contains('?') && !href.contains('#'))
        .filter(|href| {
            !["/api/", "/lang", "/logout", "/assets/", "/login"]
                .iter()
                .any(|p| href.starts_with(p))
        })
        .map(str::to_owned)
        .collect()
}

fn slug(path: &str) -> String {
    let slug: String = path
        .trim_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if slug.is_empty() { "home".into() } else { slug }
}

/// Checks the page at `path` as it is shown, photographs it at both widths, and returns
/// its problems.
async fn check_page(browser: &Client, base: &str, path: &str, shots: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    browser.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();
    browser.goto(&format!("{base}{path}")).await.unwrap();
    let seen = browser.execute(INSPECT, Vec::new()).await.unwrap();
    if seen["h1"] != 1 {
        problems.push(format!("{} h1 elements", seen["h1"]));
    }
    if seen["title"].as_str().unwrap_or_default().is_empty() {
        problems.push("no title".into());
    }
    for text in seen["wrong"].as_array().into_iter().flatten() {
        problems.push(format!("wrong script: {text}"));
    }
    browser.execute(AXE, Vec::new()).await.unwrap();
    let violations = browser.execute_async(AXE_RUN, Vec::new()).await.unwrap();
    for violation in violations.as_array().into_iter().flatten() {
        problems.push(format!("axe: {}", violation.as_str().unwrap_or_default()));
    }
    for error in console_errors(browser).await {
        problems.push(format!("console: {error}"));
    }
    let name = slug(path);
    std::fs::write(
        shots.join(format!("{name}-desktop.png")),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    browser.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    let widths = browser.execute(WIDTHS, Vec::new()).await.unwrap();
    let (scroll, inner) = (
        widths[0].as_u64().unwrap_or(0),
        widths[1].as_u64().unwrap_or(0),
    );
    assert!(
        inner <= 400,
        "the window did not narrow to a phone's width ({inner} px)"
    );
    if scroll > inner {
        problems.push(format!("at {inner} px the page is {scroll} px wide"));
    }
    std::fs::write(
        shots.join(format!("{name}-phone.png")),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    problems
}

/// The links a list page offers besides its rows: the first sortable header and the next
/// page (followed once per list, as a reader would click them).
async fn table_links(browser: &Client) -> Vec<String> {
    let value = browser
        .execute(
            "return [document.querySelector('main th a.sort'), document.querySelector('main .pager a[rel=next]')]
               .filter(a => a).map(a => a.getAttribute('href'));",
            Vec::new(),
        )
        .await
        .unwrap();
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

/// A list page's export links answer 200 with their file's content type (fetched by the
/// page itself, with the reader's session).
const EXPORTS: &str = r#"
const done = arguments[arguments.length - 1];
const links = [...document.querySelectorAll('main .table-tools a[download]')].map(a => a.getAttribute('href'));
Promise.all(links.map(href => fetch(href).then(r => [href, r.status, r.headers.get('content-type')])))
  .then(done).catch(e => done([['fetch failed', 0, String(e)]]));
"#;

async fn export_problems(browser: &Client) -> Vec<String> {
    let answers = browser.execute_async(EXPORTS, Vec::new()).await.unwrap();
    let mut problems = Vec::new();
    for answer in answers.as_array().into_iter().flatten() {
        let href = answer[0].as_str().unwrap_or_default();
        let expected = if href.contains("format=csv") {
            "text/csv; charset=utf-8"
        } else if href.contains("format=pdf") {
            "application/pdf"
        } else {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        };
        if answer[1] != 200 || answer[2] != expected {
            problems.push(format!("export {href}: {} {}", answer[1], answer[2]));
        }
    }
    problems
}

/// Crawls what `username` reaches from the menu in `lang`: the menu pages, and from each
/// page the first link of every shape, two steps deep; on every list, its exports, and
/// its first sort link and next page once.
async fn crawl(
    browser: &Client,
    base: &str,
    username: &str,
    lang: &str,
    shots: &Path,
) -> Vec<String> {
    log_in(browser, base, username).await;
    browser
        .goto(&format!("{base}/lang?to={lang}&back=/"))
        .await
        .unwrap();
    let mut pending: Vec<(String, u8)> = links(browser, "nav")
        .await
        .into_iter()
        .map(|p| (p, 0))
        .collect();
    let mut shapes: BTreeSet<String> = pending.iter().map(|(p, _)| shape(p)).collect();
    let mut problems = Vec::new();
    let mut index = 0;
    while let Some((path, depth)) = pending.get(index).cloned() {
        index += 1;
        let mut found = check_page(browser, base, &path, shots).await;
        if depth == 0 {
            found.extend(export_problems(browser).await);
            for link in table_links(browser).await {
                pending.push((link, 2));
            }
        }
        problems.extend(
            found
                .into_iter()
                .map(|p| format!("{username} {lang} {path}: {p}")),
        );
        if depth < 2 {
            for link in links(browser, "main").await {
                if shapes.insert(shape(&link)) {
                    pending.push((link, depth + 1));
                }
            }
        }
    }
    eprintln!("{username} ({lang}): {} pages", pending.len());
    browser
        .goto(&format!("{base}/lang?to=fa&back=/"))
        .await
        .unwrap();
    problems
}

fn output_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ui-acceptance");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_as_every_role_meets_the_portal_standard() {
    // Establishes issue 13's acceptance: every page as every role, and the flows.
    let Some((chromium, chromedriver)) = browser_paths() else {
        return;
    };
    let Some(app) = spawn_app(Engine::Sqlite).await else {
        return;
    };
    let out = output_dir();
    let (driver, driver_port) = start_chromedriver(chromedriver);
    let _driver = Processes(vec![driver]);
    let browser = open_browser(
        chromium,
        driver_port,
        &out.join("profile"),
        &["--hide-scrollbars"],
    )
    .await;
    let base = app.address.clone();
    eprintln!("screenshots and problems: {}", out.display());

    let mut problems = Vec::new();
    for (username, lang) in VISITS {
        let shots = out.join(format!("{username}-{lang}"));
        std::fs::create_dir_all(&shots).unwrap();
        problems.extend(crawl(&browser, &base, username, lang, &shots).await);
    }
    problems.extend(flows(&browser, &base, &out).await);
    problems.extend(form_flows(&browser, &app, &out).await);
    browser.close().await.unwrap();
    std::fs::write(out.join("problems.txt"), problems.join("\n")).unwrap();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The flows: an unknown address and a stale form answer styled Persian pages, a refused
/// action shows its reason, a success its message, and printing hides the controls.
async fn flows(browser: &Client, base: &str, out: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let shots = out.join("flows");
    std::fs::create_dir_all(&shots).unwrap();
    problems.extend(register_a_cooperative(browser, base, &shots).await);
    problems.extend(dashboard_by_keyboard(browser, base, &shots).await);
    log_in(browser, base, "admin").await;

    // An unknown address: the styled Persian 404 page.
    for found in check_page(browser, base, "/no-such-page", &shots).await {
        if !found.starts_with("console:") {
            problems.push(format!("flow 404: {found}"));
        }
    }
    if browser.find(Locator::Css("main h1")).await.is_err() {
        problems.push("flow 404: not a styled page".into());
    }

    // A stale form (its CSRF token no longer the session's): a styled Persian 403 page.
    browser
        .goto(&format!("{base}/cooperatives/new"))
        .await
        .unwrap();
    browser
        .execute("document.querySelectorAll('input[name=csrf]').forEach(i => i.value = 'stale'); document.querySelector('main form[method=post]').submit();", Vec::new())
        .await
        .unwrap();
    match browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("main h1"))
        .await
    {
        Ok(_) => {
            let text = browser
                .find(Locator::Css("main"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if text.contains("CSRF")
                || !text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
            {
                problems.push(format!("flow stale form: {text}"));
            }
        }
        Err(_) => problems.push("flow stale form: not a styled page".into()),
    }
    let _ = console_errors(browser).await;

    // A refused action shows its reason: a repayment of nothing on a loan.
    log_in(browser, base, "bank").await;
    browser.goto(&format!("{base}/loans")).await.unwrap();
    let loan = links(browser, "main table")
        .await
        .into_iter()
        .find(|l| l.starts_with("/loans/"));
    match loan {
        Some(loan) => {
            problems.extend(refusal_and_success(browser, base, &loan).await);
            problems.extend(print_hides_controls(browser, base, &loan, &shots).await);
        }
        None => problems.push("flow: the bank sees no loan".into()),
    }
    problems
}

/// How far Tab goes looking for the map before the flow gives up: past the menu, the
/// filters, the inbox, the charts' toggles and tables.
const TABS_TO_THE_MAP: usize = 400;

/// The dashboard as the ministry sees it: its charts and its province map drawn with no
/// console error, and the map used by keyboard alone — Tab from the top reaches a
/// province, whose focused link is named in Persian, and Enter opens that province's page.
async fn dashboard_by_keyboard(browser: &Client, base: &str, shots: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    log_in(browser, base, "admin").await;
    let _ = console_errors(browser).await;
    browser
        .goto(&format!("{base}/dashboard?period=year"))
        .await
        .unwrap();
    let drawn = browser
        .execute(
            "return [document.querySelectorAll('svg.chart[role=img]').length,
                     document.querySelectorAll('svg.province-map a[href^=\"/provinces/\"]').length];",
            Vec::new(),
        )
        .await
        .unwrap();
    let (charts, provinces) = (
        drawn[0].as_u64().unwrap_or(0),
        drawn[1].as_u64().unwrap_or(0),
    );
    if charts < 3 || provinces < 31 {
        problems.push(format!(
            "flow dashboard: {charts} charts and {provinces} province links drawn"
        ));
    }
    for error in console_errors(browser).await {
        problems.push(format!("flow dashboard console: {error}"));
    }
    std::fs::write(
        shots.join("dashboard.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();

    // Tab from the top of the page until a province's link has the focus.
    browser
        .execute(
            "document.activeElement.blur(); window.scrollTo(0, 0);",
            Vec::new(),
        )
        .await
        .unwrap();
    let mut focused = None;
    for _ in 0..TABS_TO_THE_MAP {
        browser
            .active_element()
            .await
            .unwrap()
            .send_keys(&char::from(Key::Tab).to_string())
            .await
            .unwrap();
        let at = browser
            .execute(
                "const a = document.activeElement;
                 return a && a.closest('svg.province-map')
                   ? [a.getAttribute('href'), a.getAttribute('aria-label')] : null;",
                Vec::new(),
            )
            .await
            .unwrap();
        if let (Some(href), Some(label)) = (at[0].as_str(), at[1].as_str()) {
            focused = Some((href.to_owned(), label.to_owned()));
            break;
        }
    }
    let Some((href, label)) = focused else {
        problems.push(format!(
            "flow dashboard: {TABS_TO_THE_MAP} presses of Tab never reach the map"
        ));
        return problems;
    };
    if !label
        .chars()
        .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
    {
        problems.push(format!(
            "flow dashboard: the focused province is named {label:?}"
        ));
    }
    browser
        .active_element()
        .await
        .unwrap()
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    let opened = browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_url(&url::Url::parse(&format!("{base}{href}")).unwrap())
        .await;
    if opened.is_err() {
        let now = browser.current_url().await.unwrap();
        problems.push(format!("flow dashboard: Enter on {href} opened {now}"));
    }
    problems
}

/// An Ilam officer registers a cooperative by clicks alone: the county picked from the
/// province → county selects and the founding date from the Jalali date picker.
async fn register_a_cooperative(browser: &Client, base: &str, shots: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    log_in(browser, base, "ilam").await;
    browser.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();
    browser
        .goto(&format!("{base}/cooperatives/new"))
        .await
        .unwrap();
    let find = |css: &'static str| browser.find(Locator::Css(css));
    find("#name")
        .await
        .unwrap()
        .send_keys("تعاونی فرش دستباف مهران")
        .await
        .unwrap();
    for select in ["#type", "#sector"] {
        let value = browser
            .execute(
                &format!(
                    "return document.querySelector('{select} option:not([value=\"\"])').value;"
                ),
                Vec::new(),
            )
            .await
            .unwrap();
        find(select)
            .await
            .unwrap()
            .select_by_value(value.as_str().unwrap_or_default())
            .await
            .unwrap();
    }
    find("#province")
        .await
        .unwrap()
        .select_by_value("IR-16")
        .await
        .unwrap();
    // Only Ilam's counties are left to choose from once Ilam is chosen.
    let counties = browser
        .execute(
            "return [...document.querySelectorAll('#county optgroup:not([hidden]) option')].map(o => o.value);",
            Vec::new(),
        )
        .await
        .unwrap();
    let counties: Vec<&str> = counties
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str())
        .collect();
    if counties.is_empty() || counties.iter().any(|c| !c.starts_with("16")) {
        problems.push(format!(
            "flow register: the county select offers {counties:?}"
        ));
    }
    if let Some(county) = counties.first() {
        find("#county")
            .await
            .unwrap()
            .select_by_value(county)
            .await
            .unwrap();
    }
    // The picker: open it, go back a month (a founding date is in the past), pick the 10th.
    find("#founded_on ~ .picker-toggle")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    find(".picker-head button")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    find(".picker-grid button:nth-of-type(10)")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let date = find("#founded_on")
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    if !date.ends_with("/۱۰") {
        problems.push(format!("flow register: the picker wrote {date:?}"));
    }
    find("main form.stacked button[type=submit]")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    match browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[role=status]"))
        .await
    {
        Ok(_) => {}
        Err(_) => {
            let text = find("main").await.unwrap().text().await.unwrap();
            problems.push(format!("flow register: no success message: {text}"));
        }
    }
    std::fs::write(
        shots.join("registered.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    problems
}

/// On the loan page, a repayment of zero is refused with its reason kept on the page, and
/// a real one answers with a success message.
async fn refusal_and_success(browser: &Client, base: &str, loan: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (amount, selector, what) in [
        ("0", "[role=alert]", "refusal"),
        ("1000000", "[role=status]", "success"),
    ] {
        browser.goto(&format!("{base}{loan}")).await.unwrap();
        let Ok(form) = browser
            .find(Locator::Css("form[action$='/repayments']"))
            .await
        else {
            problems.push(format!("flow {what}: no repayment form on {loan}"));
            continue;
        };
        let field = form.find(Locator::Css("input[name=amount]")).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(amount).await.unwrap();
        form.find(Locator::Css("button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        match browser
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(selector))
            .await
        {
            Ok(message) => {
                let text = message.text().await.unwrap();
                if text.trim().is_empty() {
                    problems.push(format!("flow {what}: an empty message"));
                }
            }
            Err(_) => problems.push(format!(
                "flow {what}: no {selector} message after the repayment form"
            )),
        }
    }
    problems
}

/// Under print media no control (button, form field, menu) of the loan page is shown, and
/// the letterhead is.
async fn print_hides_controls(
    browser: &Client,
    base: &str,
    loan: &str,
    shots: &Path,
) -> Vec<String> {
    let mut problems = Vec::new();
    browser.goto(&format!("{base}{loan}")).await.unwrap();
    browser
        .issue_cmd(Cdp(
            serde_json::json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": "print"}}),
        ))
        .await
        .unwrap();
    let shown = browser
        .execute(
            "return [...document.querySelectorAll('button, input:not([type=hidden]), select, textarea, nav, .skip-link')]
               .filter(e => e.getClientRects().length > 0).map(e => e.outerHTML.slice(0, 60));",
            Vec::new(),
        )
        .await
        .unwrap();
    for control in shown.as_array().into_iter().flatten() {
        problems.push(format!(
            "flow print: shown {}",
            control.as_str().unwrap_or_default()
        ));
    }
    if browser.find(Locator::Css(".letterhead")).await.is_err() {
        problems.push("flow print: no letterhead".into());
    }
    std::fs::write(
        shots.join("loan-print.png"),
        browser.screenshot().await.unwrap(),
    )
    .unwrap();
    browser
        .issue_cmd(Cdp(
            serde_json::json!({"cmd": "Emulation.setEmulatedMedia", "params": {"media": ""}}),
        ))
        .await
        .unwrap();
    problems
}

/// Issue 13's forms in the browser: a repayment with its value date from the picker, its
/// channel and receipt, its amount regrouped as typed; the application form refusing the
/// issue's 900-billion-rial, no-job application before it is sent; the revision of an
/// ineligible application; the printable settlement quote without controls.
async fn form_flows(browser: &Client, app: &TestApp, out: &Path) -> Vec<String> {
    let base = app.address.as_str();
    let mut problems = Vec::new();
    let shots = out.join("forms");
    std::fs::create_dir_all(&shots).unwrap();

    log_in(browser, base, "bank").await;
    let token = app.token("bank", "demo").await;
    let (_, loans) = app.get("/api/v1/loans?status=active", Some(&token)).await;
    let loan = loans["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["disbursed"] == l["principal"])
        .map(|l| format!("/loans/{}", l["id"]));
    match loan {
        Some(loan) => {
            problems.extend(repayment_with_receipt(browser, base, &loan).await);
            let quote = format!("{loan}/settlement");
            for found in check_page(browser, base, &quote, &shots).await {
                problems.push(format!("bank fa {quote}: {found}"));
            }
            problems.extend(print_hides_controls(browser, base, &quote, &shots).await);
        }
        None => problems.push("forms: the bank has no active loan".into()),
    }

    log_in(browser, base, "coop").await;
    problems.extend(limits_checked_before_sending(browser, base).await);
    let coop = app.token("coop", "demo").await;
    let (status, draft) = app
        .post(
            "/api/v1/applications",
            Some(&coop),
            &serde_json::json!({"program": "women", "cooperative_id": 1,
                "amount": 800_000_000, "jobs": 0, "purpose": "چرخ خیاطی"}),
        )
        .await;
    if status == 201 {
        let id = &draft["id"];
        let (_, submitted) = app
            .post(
                &format!("/api/v1/applications/{id}/transitions"),
                Some(&coop),
                &serde_json::json!({"action": "submit"}),
            )
            .await;
        if submitted["application"]["status"] != "ineligible" {
            problems.push(format!(
                "forms: the draft was not found ineligible: {submitted}"
            ));
        }
        let edit = format!("/applications/{id}/edit");
        for found in check_page(browser, base, &edit, &shots).await {
            problems.push(format!("coop fa {edit}: {found}"));
        }
    } else {
        problems.push(format!("forms: no draft for the revision: {draft}"));
    }
    problems
}

/// The value of the element `selector` as shown.
async fn value_of(browser: &Client, selector: &str) -> String {
    let script = format!("return document.querySelector('{selector}')?.value ?? '';");
    let value = browser.execute(&script, Vec::new()).await.unwrap();
    value.as_str().unwrap_or_default().to_owned()
}

/// On the loan page, a repayment typed in Latin digits reads back grouped in Persian, its
/// value date is picked from the calendar and its channel chosen, and it is recorded with
/// its receipt.
async fn repayment_with_receipt(browser: &Client, base: &str, loan: &str) -> Vec<String> {
    let mut problems = Vec::new();
    browser.goto(&format!("{base}{loan}")).await.unwrap();
    let Ok(form) = browser
        .find(Locator::Css("form[action$='/repayments']"))
        .await
    else {
        return vec![format!("forms: no repayment form on {loan}")];
    };
    let amount = form.find(Locator::Css("input[name=amount]")).await.unwrap();
    amount.clear().await.unwrap();
    amount.send_keys("2500000").await.unwrap();
    let typed = value_of(browser, "#repay-amount").await;
    if typed != "۲٬۵۰۰٬۰۰۰" {
        problems.push(format!("forms: the amount reads {typed:?} as typed"));
    }
    form.find(Locator::Css("#repay-value_on + .picker-toggle"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    match form.find(Locator::Css(".picker-grid button")).await {
        Ok(day) => day.click().await.unwrap(),
        Err(_) => problems.push("forms: the value date's picker shows no day".into()),
    }
    if value_of(browser, "#repay-value_on").await.is_empty() {
        problems.push("forms: the picker wrote no value date".into());
    }
    browser
        .execute(
            "const c = document.querySelector('#repay-channel'); c.value = 'transfer'; \
             c.dispatchEvent(new Event('change'));",
            Vec::new(),
        )
        .await
        .unwrap();
    form.find(Locator::Css("#repay-receipt_no"))
        .await
        .unwrap()
        .send_keys("88120456")
        .await
        .unwrap();
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    match browser
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("[role=status]"))
        .await
    {
        Ok(_) => {
            let page = browser.source().await.unwrap();
            if !page.contains("انتقال بانکی (پایا، ساتنا) · رسید ۸۸۱۲۰۴۵۶")
            {
                problems.push("forms: the receipt is not in the transactions".into());
            }
        }
        Err(_) => problems.push("forms: no success message after the repayment".into()),
    }
    let _ = console_errors(browser).await;
    problems
}

/// The application form says the program's limits are broken before anything is sent:
/// the page stays, the fields are marked and the reason is announced.
async fn limits_checked_before_sending(browser: &Client, base: &str) -> Vec<String> {
    let mut problems = Vec::new();
    browser
        .goto(&format!("{base}/applications/new"))
        .await
        .unwrap();
    for (id, text) in [
        ("#application-amount", "900000000000"),
        ("#application-jobs", "0"),
        ("#application-purpose", "چرخ خیاطی"),
    ] {
        let field = browser.find(Locator::Css(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    browser
        .find(Locator::Css("form[data-limits] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let alert = browser.find(Locator::Css("#limits-error")).await.unwrap();
    let said = alert.text().await.unwrap_or_default();
    if !said.contains("مبلغ برای این برنامه باید بین") || !said.contains("دست‌کم")
    {
        problems.push(format!(
            "forms: the limits are not said before sending: {said:?}"
        ));
    }
    let invalid = browser
        .execute(
            "return ['#application-amount', '#application-jobs'].map(s => \
             document.querySelector(s).getAttribute('aria-invalid'));",
            Vec::new(),
        )
        .await
        .unwrap();
    if invalid != serde_json::json!(["true", "true"]) {
        problems.push(format!(
            "forms: the broken limits' fields are not marked: {invalid}"
        ));
    }
    if !browser
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with("/applications/new")
    {
        problems.push("forms: the application was sent despite its limits".into());
    }
    problems
}
