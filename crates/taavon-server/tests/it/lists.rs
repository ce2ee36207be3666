//! The list pages on the one table component: their exports hold exactly the rows the
//! reader's pages show (the same scope as the API), sorting and paging follow the
//! address, and a bad address is refused naming the parameter.

use taavon_app::table::{Format, Table};
use taavon_testkit::{Engine, TestApp, spawn_app};

use crate::helpers::{sqlite_app, ui_client};

/// A list's export as the reader gets it: status, content type and the table.
async fn export(client: &reqwest::Client, app: &TestApp, path: &str, format: Format) -> Table {
    let response = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let expected = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    assert_eq!(content_type, expected, "{path}");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename="),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap().to_vec();
    if format == Format::Csv {
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "{path}: a CSV opens with a BOM"
        );
    }
    Table::read(bytes, format).unwrap()
}

/// The rows of a table (the header left out) that name `province`.
fn rows_naming(table: &Table, province: &str) -> usize {
    table
        .rows
        .iter()
        .skip(1)
        .filter(|row| row.iter().any(|cell| cell == province))
        .count()
}

/// A list's printable report: a PDF download whose text reads back in Persian.
async fn report_text(client: &reqwest::Client, app: &TestApp, path: &str) -> Option<String> {
    let response = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    assert_eq!(
        response.headers()["content-type"],
        "application/pdf",
        "{path}"
    );
    let disposition = response.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;") && disposition.ends_with(".pdf\""));
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "{path}");
    taavon_testkit::pdf_text(&pdf)
}

async fn exports_keep_to_the_readers_scope(app: TestApp) {
    let ilam = ui_client(&app, "ilam").await;
    let admin = ui_client(&app, "admin").await;
    // The printable report holds what the reader's list holds, headers and all.
    for list in ["/cooperatives", "/loans"] {
        let path = format!("{list}?format=pdf");
        if let Some(own) = report_text(&ilam, &app, &path).await {
            assert!(own.contains("استان"), "{path}: Persian headers\n{own}");
            assert!(own.contains("ایلام"), "{path}: Ilam's rows\n{own}");
            assert!(!own.contains("لرستان"), "{path}: no Lorestan row\n{own}");
            // (pdftotext reorders the spaces around a number inside Persian, so only the
            // word is looked for.)
            assert!(own.contains("صفحهٔ"), "{path}: numbered pages\n{own}");
            let all = report_text(&admin, &app, &path).await.unwrap_or_default();
            assert!(
                all.contains("لرستان"),
                "{path}: the admin's report holds Lorestan"
            );
        }
    }
    for list in ["/cooperatives", "/applications", "/loans"] {
        for format in [Format::Csv, Format::Xlsx] {
            let ext = if format == Format::Csv { "csv" } else { "xlsx" };
            let path = format!("{list}?format={ext}");
            let own = export(&ilam, &app, &path, format).await;
            assert!(
                own.rows[0].iter().any(|h| h == "استان"),
                "{path}: Persian headers {:?}",
                own.rows[0]
            );
            assert!(rows_naming(&own, "ایلام") > 0, "{path}: Ilam's own rows");
            assert_eq!(rows_naming(&own, "لرستان"), 0, "{path}: no Lorestan row");
            let all = export(&admin, &app, &path, format).await;
            assert!(
                rows_naming(&all, "لرستان") > 0,
                "{path}: the admin's file holds Lorestan's rows, so the test can fail"
            );
        }
    }
    // The file holds the filtered list, every page of it: as many rows as the page counts.
    let page = ilam
        .get(app.url("/cooperatives?size=20"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let file = export(
        &ilam,
        &app,
        "/cooperatives?format=csv&size=20&page=1",
        Format::Csv,
    )
    .await;
    let rows = taavon_core::digits::to_persian_digits(&format!("({} ردیف)", file.rows.len() - 1));
    assert!(page.contains(&rows), "the page counts {rows}");
}

#[tokio::test]
async fn an_ilam_officers_exports_hold_no_lorestan_row_on_sqlite() {
    // Establishes that every list's CSV and XLSX keep to the reader's scope, as the API.
    exports_keep_to_the_readers_scope(sqlite_app().await).await;
}

#[tokio::test]
async fn an_ilam_officers_exports_hold_no_lorestan_row_on_postgres() {
    // Establishes the same on PostgreSQL.
    let Some(app) = spawn_app(Engine::Postgres).await else {
        return;
    };
    exports_keep_to_the_readers_scope(app).await;
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_list_sorts_by_a_clicked_column_and_refuses_an_unknown_one() {
    // Establishes server-side sorting through the address: the sorted header says so,
    // the order follows it, and a column off the whitelist is refused with a reason.
    let app = sqlite_app().await;
    let admin = ui_client(&app, "admin").await;
    let (status, html) = page(&admin, &app, "/loans?sort=-principal").await;
    assert_eq!(status, 200);
    assert!(html.contains("aria-sort=\"descending\""), "{html}");
    let file = export(
        &admin,
        &app,
        "/loans?sort=principal&format=csv",
        Format::Csv,
    )
    .await;
    let principals: Vec<i64> = file
        .rows
        .iter()
        .skip(1)
        .map(|row| row[3].parse().unwrap())
        .collect();
    assert!(principals.len() > 1, "the demo has loans");
    assert!(
        principals.windows(2).all(|w| w[0] <= w[1]),
        "{principals:?}"
    );
    let (status, html) = page(&admin, &app, "/cooperatives?sort=legal_id%3BDROP").await;
    assert_eq!(status, 422);
    assert!(html.contains("مرتب نمی‌شود"), "{html}");
    let (status, _) = page(&admin, &app, "/applications?size=7").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn the_audit_trail_pages_by_cursor_and_filters_by_action() {
    // Establishes the audit page's cursor (the next page continues before the last
    // record shown), its action filter, and that it names people rather than codes.
    let app = sqlite_app().await;
    let auditor = ui_client(&app, "auditor").await;
    let (status, first) = page(&auditor, &app, "/audit?size=20").await;
    assert_eq!(status, 200);
    let marker = "href=\"/audit?before=";
    let start = first.find(marker).expect("a next page") + marker.len();
    let before: String = first[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (status, older) = page(&auditor, &app, &format!("/audit?before={before}&size=20")).await;
    assert_eq!(status, 200);
    assert!(
        older.contains("href=\"/audit?size=20\""),
        "a link back to the first page"
    );
    let file = export(
        &auditor,
        &app,
        "/audit?action=loan.contract&format=csv",
        Format::Csv,
    )
    .await;
    assert!(file.rows.len() > 1, "the demo contracted loans");
    assert!(
        file.rows
            .iter()
            .skip(1)
            .all(|row| row[3] == "انعقاد قرارداد تسهیلات"),
        "{:?}",
        file.rows
    );
    assert!(
        !first.contains(">user:"),
        "actors are people, not login labels"
    );
    let (status, _) = page(&auditor, &app, "/audit?from=1404/13/01").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn a_detail_page_has_breadcrumbs_and_the_api_docs_are_offered_to_api_roles() {
    // Establishes the breadcrumb trail of a detail page and who is offered the API docs.
    let app = sqlite_app().await;
    let ilam = ui_client(&app, "ilam").await;
    let (_, list) = page(&ilam, &app, "/cooperatives").await;
    let marker = "href=\"/cooperatives/";
    let id: String = list
        .match_indices(marker)
        .map(|(at, _)| {
            list[at + marker.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .find(|id| !id.is_empty())
        .expect("a cooperative");
    let (_, detail) = page(&ilam, &app, &format!("/cooperatives/{id}")).await;
    assert!(detail.contains("<nav class=\"breadcrumbs\" aria-label=\"مسیر صفحه\">"));
    assert!(detail.contains("<a href=\"/cooperatives\">"));
    assert!(
        !list.contains("href=\"/api/docs/\""),
        "a provincial officer works in the pages"
    );
    let bank = ui_client(&app, "bank").await;
    let (_, home) = page(&bank, &app, "/").await;
    assert!(
        home.contains("href=\"/api/docs/\""),
        "a bank officer uses the API"
    );
}

#[tokio::test]
async fn a_lists_totals_sum_every_page_and_the_formations_list_is_paged_and_exported() {
    // Establishes that the loans list's totals row is the sum over all the reader's loans
    // (the export's rows), not over the page shown; and that the formations list is on
    // the table component (pages, export in the reader's scope).
    let app = sqlite_app().await;
    let ilam = ui_client(&app, "ilam").await;
    let file = export(&ilam, &app, "/loans?format=csv", Format::Csv).await;
    let principal: i128 = file
        .rows
        .iter()
        .skip(1)
        .map(|row| row[3].parse::<i128>().unwrap())
        .sum();
    assert!(file.rows.len() > 2, "Ilam has loans in the demo");
    let (status, html) = page(&ilam, &app, "/loans?size=20").await;
    assert_eq!(status, 200);
    let footer = html.split("<tfoot>").nth(1).expect("a totals row");
    let expected = taavon_core::money::format_number(principal, taavon_core::locale::Locale::Fa);
    assert!(footer.contains(&expected), "{expected} in {footer}");
    // The applications list: the rials asked, over every page (a page of 20 or fewer).
    let file = export(&ilam, &app, "/applications?format=csv", Format::Csv).await;
    let asked: i128 = file
        .rows
        .iter()
        .skip(1)
        .map(|row| row[4].parse::<i128>().unwrap())
        .sum();
    assert!(asked > 0, "Ilam has applications in the demo");
    let (_, html) = page(&ilam, &app, "/applications?size=20").await;
    let footer = html.split("<tfoot>").nth(1).expect("a totals row");
    let expected = taavon_core::money::format_number(asked, taavon_core::locale::Locale::Fa);
    assert!(footer.contains(&expected), "{expected} in {footer}");

    // One formation in each province, so the scope of the list can fail.
    for (user, county, first) in [
        ("ilam", "1603", 610_000_000),
        ("lorestan", "1505", 710_000_000),
    ] {
        let token = app.token(user, "demo").await;
        let (status, body) = app
            .post(
                "/api/v1/formations",
                Some(&token),
                &serde_json::json!({"name": format!("تعاونی فهرست {county}"), "type": "production",
                    "sector": "textiles", "county": county, "women_led": true,
                    "statute": "اساسنامه نمونه",
                    "founders": crate::registry::founders(7, first, 1_000_000)}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, html) = page(&ilam, &app, "/formations").await;
    assert_eq!(status, 200);
    assert!(html.contains("<caption>"), "the table component: {html}");
    assert!(html.contains("تعاونی فهرست ۱۶۰۳") || html.contains("تعاونی فهرست 1603"));
    assert!(html.contains("/formations?format=csv"), "an export link");
    let admin = ui_client(&app, "admin").await;
    let all = export(&admin, &app, "/formations?format=xlsx", Format::Xlsx).await;
    assert!(
        rows_naming(&all, "لرستان") > 0,
        "the admin's file holds Lorestan's"
    );
    let own = export(&ilam, &app, "/formations?format=csv", Format::Csv).await;
    assert!(rows_naming(&own, "ایلام") > 0, "Ilam's own formation");
    assert_eq!(
        rows_naming(&own, "لرستان"),
        0,
        "no Lorestan formation for Ilam"
    );
    let (status, html) = page(&ilam, &app, "/formations?page=0").await;
    assert_eq!(status, 422, "{html}");
}
