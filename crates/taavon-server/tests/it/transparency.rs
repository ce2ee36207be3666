//! The public transparency pages (issue 17): read by anyone without a session, cacheable,
//! and never showing a person — no national code, no member's or client's name, no
//! count under five — on the pages or in their open-data files, over the whole demo.

use taavon_core::digits::to_ascii_digits;
use taavon_core::ids::NationalCode;
use taavon_testkit::{Engine, TestApp, spawn_app};

/// Every 10-digit run of `text` (in any digits) that is a valid national code.
fn national_codes_in(text: &str) -> Vec<String> {
    let latin = to_ascii_digits(text);
    latin
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 10 && NationalCode::parse(run).is_ok())
        .map(str::to_owned)
        .collect()
}

/// Every person the demo holds, by name and national code (members and clients).
async fn demo_people(app: &TestApp) -> Vec<(String, String)> {
    let mut read = app.store.read().await.unwrap();
    let mut people = Vec::new();
    for id in 1..=400 {
        for person in read.members_of(id).await.unwrap() {
            let f = person.fields;
            people.push((format!("{} {}", f.first_name, f.last_name), f.national_code));
        }
        if let Some(client) = read.client(id).await.unwrap() {
            people.push((
                format!("{} {}", client.first_name, client.last_name),
                String::new(),
            ));
        }
    }
    read.finish().await.unwrap();
    assert!(people.len() > 10, "the demo holds people: {}", people.len());
    people
}

/// A public answer: 200, no session, cacheable with an ETag that a repeat may send back.
async fn fetch(anonymous: &reqwest::Client, app: &TestApp, path: &str) -> Vec<u8> {
    let response = anonymous.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    let headers = response.headers().clone();
    assert!(
        headers.get("set-cookie").is_none(),
        "{path} starts no session"
    );
    assert_eq!(
        headers.get("cache-control").unwrap().to_str().unwrap(),
        "public, max-age=300",
        "{path}"
    );
    let etag = headers.get("etag").expect("an ETag").clone();
    let body = response.bytes().await.unwrap().to_vec();
    let again = anonymous
        .get(app.url(path))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    // The same figures (cached for five minutes) give the same bytes, so a repeat is 304;
    // a file's bytes may carry its own time, and then it is sent again whole.
    assert!(
        [200, 304].contains(&again.status().as_u16()),
        "{path}: {}",
        again.status()
    );
    if path == "/open" {
        assert_eq!(again.status().as_u16(), 304, "the page repeats as 304");
    }
    body
}

/// The counts of a table file's count columns are «fewer than 5» or five and more.
fn counts_are_five_or_more(csv: &str, path: &str) {
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let counted: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.contains("(فقره)") || h.contains("(نفر)") && h.contains("اشتغال"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(counted.len(), 3, "{path}: {header:?}");
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        for &i in &counted {
            let cell = cells[i];
            match cell.parse::<i64>() {
                Ok(n) => assert!(n >= 5, "{path}: a count of {n} in {line}"),
                Err(_) => assert_eq!(cell, "کمتر از ۵", "{path}: {line}"),
            }
        }
    }
}

async fn check_public_figures_name_no_one(app: TestApp) {
    let people = demo_people(&app).await;
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let national = String::from_utf8(fetch(&anonymous, &app, "/open").await).unwrap();
    assert!(national.contains("شفافیت"), "{national}");
    // Every province's page is linked from the nation's.
    let mut paths = vec!["/open".to_owned()];
    for piece in national.split("href=\"/open?province=").skip(1) {
        let code: String = piece.chars().take_while(|c| *c != '"').collect();
        let path = format!("/open?province={code}");
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    assert_eq!(paths.len(), 32, "the nation and 31 provinces: {paths:?}");
    for path in &paths {
        let joiner = if path.contains('?') { '&' } else { '?' };
        let page = String::from_utf8(fetch(&anonymous, &app, path).await).unwrap();
        let csv_path = format!("{path}{joiner}format=csv");
        let csv = String::from_utf8(fetch(&anonymous, &app, &csv_path).await).unwrap();
        let xlsx = fetch(&anonymous, &app, &format!("{path}{joiner}format=xlsx")).await;
        assert!(xlsx.starts_with(b"PK"), "{path}: an XLSX workbook");
        counts_are_five_or_more(&csv, &csv_path);
        for text in [&page, &csv] {
            assert_eq!(national_codes_in(text), Vec::<String>::new(), "{path}");
            for (name, code) in &people {
                assert!(!text.contains(name.as_str()), "{path} names {name}");
                if !code.is_empty() {
                    assert!(!to_ascii_digits(text).contains(code.as_str()), "{path}");
                }
            }
        }
    }
    // A province that does not exist is named as the wrong field, in Persian.
    let response = anonymous
        .get(app.url("/open?province=IR-99"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    assert!(response.text().await.unwrap().contains("استان شناخته نیست"));
}

#[tokio::test]
async fn the_public_figures_name_no_one_on_sqlite() {
    check_public_figures_name_no_one(spawn_app(Engine::Sqlite).await.unwrap()).await;
}

#[tokio::test]
async fn the_public_figures_name_no_one_on_postgres() {
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    check_public_figures_name_no_one(app).await;
}

#[test]
fn a_valid_national_code_is_found_in_any_digits() {
    let code = NationalCode::with_check_digit("001234567").unwrap();
    let persian = taavon_core::digits::to_persian_digits(code.as_str());
    assert_eq!(
        national_codes_in(&format!("کد {persian}.")),
        [code.as_str()]
    );
    assert!(national_codes_in("12,345,678,901 and 0012345678").is_empty());
}
