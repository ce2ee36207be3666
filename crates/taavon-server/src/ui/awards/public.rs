//! The festival's public pages, read without login and starting no session: a year's
//! published results (category, province, rank and score band; never a judge's mark or
//! the score itself) and the check of a certificate's verification code, which names the
//! winner of a valid one.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::AppError;
use taavon_app::awards::{self, AwardFestival};
use taavon_core::awards::festival::{RoundKind, RoundState};

use super::lists::{ListPage, result_rows};
use super::{festival_asked, words, year_text};
use crate::auth::UiUser;
use crate::state::AppState;
use crate::ui::certificate;
use crate::ui::fields::Field;
use crate::ui::form_state::{FormState, render_form};
use crate::ui::i18n::Lang;
use crate::ui::page::{PageParts, error_page, layout};
use crate::ui::table::query::TableRequest;
use crate::ui::table::{ColumnSpec, DataTable, LISTED, sortable};
use crate::ui::{Layout, format, names, render};

fn published(festival: &AwardFestival) -> bool {
    festival.provincial == RoundState::Published || festival.national == RoundState::Published
}

/// `/awards/results?year=`: a festival's published results (the newest by default).
pub async fn results(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: Option<UiUser>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let w = words(lang);
    let layout = layout(&parts, w.results, user.as_ref()).await;
    let specs: Vec<ColumnSpec<usize>> = vec![
        ColumnSpec::text(w.round),
        ColumnSpec::text(w.province).sorted_by("province", 1),
        ColumnSpec::text(w.category).sorted_by("category", 2),
        ColumnSpec::number(w.rank).sorted_by("rank", 3),
        ColumnSpec::text(w.cooperative),
        ColumnSpec::text(w.standing),
        ColumnSpec::text(w.band),
    ];
    let request = match TableRequest::read(
        "/awards/results",
        &raw,
        &["year"],
        &sortable(&specs),
        LISTED,
    ) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let found = async {
        let years: Vec<i32> = awards::festivals(&state.store)
            .await?
            .iter()
            .filter(|f| published(f))
            .map(|f| f.fields.year)
            .collect();
        let festival = festival_asked(&state.store, &raw, published).await?;
        let mut rows = Vec::new();
        if let Some(festival) = &festival {
            for kind in RoundKind::ALL {
                match awards::public_results(&state.store, festival.fields.year, *kind).await {
                    Ok(lines) => rows.extend(result_rows(lang, *kind, &lines, false)),
                    Err(AppError::NotFound) => {}
                    Err(error) => return Err(error),
                }
            }
        }
        Ok::<_, AppError>((years, festival.map(|f| f.fields.year), rows))
    }
    .await;
    let (years, year, rows) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let table = DataTable::whole(lang, w.results, &specs, &request, rows);
    if let Some(format) = request.format {
        return table.export(format, "festival-results");
    }
    let heading = match year {
        Some(year) => format!("{} · {}", w.results, year_text(lang, year)),
        None => w.results.to_owned(),
    };
    let mut layout = layout;
    heading.clone_into(&mut layout.title);
    let mut page = ListPage::plain(layout, heading, table);
    page.links = years
        .iter()
        .filter(|y| Some(**y) != year)
        .map(|y| (format!("/awards/results?year={y}"), year_text(lang, *y)))
        .chain(std::iter::once((
            "/awards/certificates".to_owned(),
            lang.pick("استعلام گواهی", "Check a certificate").to_owned(),
        )))
        .collect();
    if year.is_none() {
        page.note = lang
            .pick(
                "هنوز نتیجه‌ای از جشنواره منتشر نشده است.",
                "No results have been published yet.",
            )
            .to_owned();
    }
    render(&page)
}

struct Verdict {
    heading: &'static str,
    /// The certificate's PDF, when the code was issued: its address and the link's words.
    pdf: Option<(String, &'static str)>,
    /// (label, value, whether the value is Persian record data).
    facts: Vec<(&'static str, String, bool)>,
}

#[derive(Template)]
#[template(path = "awards/certificate.html")]
struct CertificatePage {
    layout: Layout,
    title: &'static str,
    check: &'static str,
    code: Field,
    verdict: Option<Verdict>,
}

/// `/awards/certificates?code=`: whether a verification code was issued, and to whom.
pub async fn certificate_check(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: Option<UiUser>,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let w = words(lang);
    let title = lang.pick("استعلام گواهی جشنواره", "Check a festival certificate");
    let layout = layout(&parts, title, user.as_ref()).await;
    let typed = raw
        .get("code")
        .map(|c| c.trim().to_owned())
        .unwrap_or_default();
    let values = HashMap::from([("code".to_owned(), typed.clone())]);
    let (form, verdict) = if typed.is_empty() {
        (FormState::with_values(values), None)
    } else {
        match awards::check_certificate(&state.store, &typed).await {
            Ok(Some(found)) => (
                FormState::with_values(values),
                Some(Verdict {
                    heading: lang.pick("این گواهی معتبر است.", "This certificate is valid."),
                    pdf: Some((
                        certificate::pdf_path(&found.code),
                        lang.pick("دریافت فایل گواهی", "Download the certificate (PDF)"),
                    )),
                    facts: vec![
                        (w.cooperative, found.cooperative_name, true),
                        (w.year, year_text(lang, found.festival_year), false),
                        (
                            w.round,
                            names::award_round(lang, found.round).to_owned(),
                            false,
                        ),
                        (
                            w.province,
                            names::province_name(lang, found.province.as_str()),
                            false,
                        ),
                        // The category's name is kept in Persian only.
                        (w.category, found.category_name_fa, true),
                        (
                            lang.pick("تاریخ صدور", "Issued on"),
                            format::date(lang, &found.issued_on),
                            false,
                        ),
                    ],
                }),
            ),
            Ok(None) => (
                FormState::with_values(values),
                Some(Verdict {
                    heading: lang.pick(
                        "گواهی‌ای با این کد صادر نشده است؛ این گواهی معتبر نیست.",
                        "No certificate was issued with this code; it is not valid.",
                    ),
                    pdf: None,
                    facts: Vec::new(),
                }),
            ),
            Err(AppError::Invalid(errors)) => {
                (FormState::refused(lang, values, &errors, &[]), None)
            }
            Err(error) => return error_page(layout, &error),
        }
    };
    let refused = form.is_refused();
    let page = CertificatePage {
        title,
        check: lang.pick("استعلام", "Check"),
        code: form
            .field(
                "",
                "code",
                lang.pick("کد رهگیری گواهی", "Verification code"),
            )
            .ltr()
            .required()
            .hint(lang.pick(
                "ده نویسه‌ای که زیر گواهی چاپ شده است.",
                "The ten characters printed on the certificate (e.g. 7K2QD-M9XAT).",
            )),
        verdict,
        layout,
    };
    render_form(&page, refused)
}
