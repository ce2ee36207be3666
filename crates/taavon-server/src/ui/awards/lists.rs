//! The festival's lists, each read through the scoped use case the API reads through:
//! its entries (a representative its own, an officer its province's, the ministry all,
//! with how many judges submitted for those who follow the judging — never who or what),
//! a closed round's ranking (the ministry all, an officer its province, once closed), the
//! ministry's panel with the form appointing a judge user, and a judge's own entries.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::awards::{self, AwardFestival, PublicResult};
use taavon_app::{AppError, clock};
use taavon_core::access::{AwardScope, award_scope, keeps_festivals};
use taavon_core::awards::festival::{RoundKind, RoundState};

use super::{Words, festival_asked, score_text, words, year_text};
use crate::auth::UiUser;
use crate::state::AppState;
use crate::ui::csrf::CsrfForm;
use crate::ui::fields::Field;
use crate::ui::form_key::{self, Submission};
use crate::ui::form_state::FormState;
use crate::ui::i18n::Lang;
use crate::ui::page::{PageParts, error_page, layout};
use crate::ui::table::query::TableRequest;
use crate::ui::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use crate::ui::{Layout, names, render};

/// The form of a list page (the panel's appointment).
pub(super) struct ListForm {
    action: String,
    fields: Vec<Field>,
    button: &'static str,
}

/// A list page of the festival: its heading, links, a note, an optional form, the table.
#[derive(Template)]
#[template(path = "awards/list.html")]
pub(super) struct ListPage {
    pub layout: Layout,
    pub heading: String,
    pub links: Vec<(String, String)>,
    pub note: String,
    pub form_key: String,
    pub form: Option<ListForm>,
    pub table: DataTable,
}

/// The frame of a festival's list: its heading and the trail back to the festival.
fn festival_layout(mut layout: Layout, w: &Words, title: &str, festival: &AwardFestival) -> Layout {
    let year = festival.fields.year;
    let heading = format!("{title} · {}", year_text(layout.lang, year));
    heading.clone_into(&mut layout.title);
    let festival_path = format!("/awards/festivals/{year}");
    let festival_name = format!("{} {}", w.festival, year_text(layout.lang, year));
    layout.trail(
        &[
            (w.festivals, "/awards"),
            (festival_name.as_str(), festival_path.as_str()),
        ],
        title,
    );
    layout
}

impl ListPage {
    /// A list page with no links, note or form.
    pub(super) fn plain(layout: Layout, heading: String, table: DataTable) -> Self {
        Self {
            layout,
            heading,
            links: Vec::new(),
            note: String::new(),
            form_key: String::new(),
            form: None,
            table,
        }
    }
}

/// A festival's list: the file of its table when one is asked, else its page.
fn festival_list(
    layout: Layout,
    title: &'static str,
    festival: &AwardFestival,
    table: DataTable,
    format: Option<crate::ui::table::export::ExportFormat>,
    file_stem: &str,
) -> Response {
    if let Some(format) = format {
        return table.export(format, file_stem);
    }
    let lang = layout.lang;
    let heading = format!("{title} · {}", year_text(lang, festival.fields.year));
    let layout = festival_layout(layout, words(lang), title, festival);
    render(&ListPage::plain(layout, heading, table))
}

/// The festival a list shows, or the page saying why there is none.
fn found_or_page<T>(
    layout: Layout,
    found: Result<Option<T>, AppError>,
) -> Result<(T, Layout), Box<Response>> {
    match found {
        Ok(Some(found)) => Ok((found, layout)),
        Ok(None) => Err(Box::new(error_page(layout, &AppError::NotFound))),
        Err(error) => Err(Box::new(error_page(layout, &error))),
    }
}

/// A round's result as its line reads: winner, ranked or incomplete.
fn standing(lang: Lang, line: &PublicResult) -> &'static str {
    names::award_entry_status(lang, line.status, line.winner)
}

fn entry_columns(w: &'static Words, follows: bool) -> Vec<ColumnSpec<usize>> {
    let mut columns = vec![
        ColumnSpec::number(w.number).sorted_by("id", 0),
        ColumnSpec::text(w.cooperative).sorted_by("cooperative", 1),
        ColumnSpec::text(w.province).sorted_by("province", 2),
        ColumnSpec::text(w.category).sorted_by("category", 3),
        ColumnSpec::text(w.route),
        ColumnSpec::text(w.eligibility).sorted_by("eligibility", 5),
        ColumnSpec::number(w.prescore).sorted_by("prescore", 6),
        ColumnSpec::text(w.round),
        ColumnSpec::text(w.state),
    ];
    if follows {
        columns.push(ColumnSpec::text(w.judges_submitted));
    }
    columns
}

/// `/awards/entries?year=`: the festival's entries in the reader's scope.
pub async fn entries(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let w = words(lang);
    let layout = layout(&parts, w.entries, Some(&user)).await;
    let follows = taavon_core::access::follows_judging(&user.principal);
    let specs = entry_columns(w, follows);
    let request = match TableRequest::read(
        "/awards/entries",
        &raw,
        &["year"],
        &sortable(&specs),
        LISTED,
    ) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let found = async {
        let Some(festival) = festival_asked(&state.store, &raw, |_| true).await? else {
            return Ok(None);
        };
        let settings = &state.config.awards;
        let year = festival.fields.year;
        let lines = awards::festival_entries(&state.store, &user.principal, settings, year).await?;
        Ok::<_, AppError>(Some((festival, lines)))
    }
    .await;
    let ((festival, lines), layout) = match found_or_page(layout, found) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let rows = lines
        .iter()
        .map(|line| {
            let entry = &line.entry;
            let mut cells = vec![
                Cell::id(lang, entry.id).link(format!("/awards/entries/{}", entry.id)),
                Cell::persian(entry.cooperative_name.clone()),
                Cell::text(names::province_name(lang, entry.fields.province.as_str())),
                Cell::text(lang.pick(&line.category_name_fa, &line.category_name_en)),
                Cell::text(names::award_entry_route(lang, entry.fields.route)),
                Cell::text(if entry.fields.eligible {
                    w.eligible
                } else {
                    w.not_eligible
                }),
                line.prescore.map_or_else(Cell::empty, |p| Cell {
                    value: format!("{p:.1}"),
                    ..Cell::text(score_text(lang, p)).numeric()
                }),
                Cell::text(names::award_round(lang, line.round)),
                Cell::text(names::award_round_state(lang, line.round_state)),
            ];
            if follows {
                cells.push(line.progress.map_or_else(Cell::empty, |p| {
                    Cell::text(format!(
                        "{} {} {}",
                        lang.number(p.submitted as i64),
                        w.of,
                        lang.number(p.judges as i64)
                    ))
                }));
            }
            Row::new(cells)
        })
        .collect();
    let table = DataTable::whole(lang, w.entries, &specs, &request, rows);
    festival_list(
        layout,
        w.entries,
        &festival,
        table,
        request.format,
        "festival-entries",
    )
}

fn result_columns(w: &'static Words) -> Vec<ColumnSpec<usize>> {
    vec![
        ColumnSpec::text(w.round),
        ColumnSpec::text(w.province).sorted_by("province", 1),
        ColumnSpec::text(w.category).sorted_by("category", 2),
        ColumnSpec::number(w.rank).sorted_by("rank", 3),
        ColumnSpec::text(w.cooperative),
        ColumnSpec::text(w.standing),
        ColumnSpec::text(w.band),
    ]
}

/// The rows of a round's results; `entry_links` links each to its entry (for readers of
/// the entries, never on the public pages).
pub(super) fn result_rows(
    lang: Lang,
    kind: RoundKind,
    lines: &[PublicResult],
    entry_links: bool,
) -> Vec<Row> {
    let w = words(lang);
    lines
        .iter()
        .map(|line| {
            let cooperative = Cell::persian(line.cooperative_name.clone());
            Row::new(vec![
                Cell::text(names::award_round(lang, kind)),
                Cell::text(names::province_name(lang, line.province.as_str())),
                Cell::text(lang.pick(&line.category_name_fa, &line.category_name_en)),
                line.rank
                    .map_or_else(Cell::empty, |rank| Cell::number(lang, rank)),
                if entry_links {
                    cooperative.link(format!("/awards/entries/{}", line.entry_id))
                } else {
                    cooperative
                },
                Cell::text(standing(lang, line)),
                Cell::text(line.band.map_or(w.none, |b| names::award_band(lang, b))),
            ])
            .with_class(if line.winner { "winner" } else { "" })
        })
        .collect()
}

/// `/awards/ranking?year=`: the rankings of the festival's closed rounds the reader may
/// see (`access::results_scope`).
pub async fn ranking(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let w = words(lang);
    let layout = layout(&parts, w.ranking, Some(&user)).await;
    let specs = result_columns(w);
    let request = match TableRequest::read(
        "/awards/ranking",
        &raw,
        &["year"],
        &sortable(&specs),
        LISTED,
    ) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let closed = |f: &AwardFestival| {
        [f.provincial, f.national]
            .iter()
            .any(|s| matches!(s, RoundState::Closed | RoundState::Published))
    };
    let scope = award_scope(&user.principal);
    let found = async {
        let Some(festival) = festival_asked(&state.store, &raw, closed).await? else {
            return Ok(None);
        };
        let mut rows = Vec::new();
        for kind in RoundKind::ALL {
            let year = festival.fields.year;
            match awards::round_results(&state.store, Some(&user.principal), year, *kind).await {
                Ok(mut lines) => {
                    // The ranking is of the entries the reader follows: an officer's
                    // province (the published results of all are the public page's).
                    lines.retain(|line| match &scope {
                        AwardScope::All => true,
                        AwardScope::Province(province) => line.province == *province,
                        _ => false,
                    });
                    rows.extend(result_rows(lang, *kind, &lines, true));
                }
                Err(AppError::NotFound) => {}
                Err(error) => return Err(error),
            }
        }
        Ok::<_, AppError>(Some((festival, rows)))
    }
    .await;
    let ((festival, rows), layout) = match found_or_page(layout, found) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let table = DataTable::whole(lang, w.ranking, &specs, &request, rows);
    festival_list(
        layout,
        w.ranking,
        &festival,
        table,
        request.format,
        "festival-ranking",
    )
}

fn panel_columns(w: &'static Words) -> Vec<ColumnSpec<usize>> {
    vec![
        ColumnSpec::text(w.judge).sorted_by("judge", 0),
        ColumnSpec::text(w.panel).sorted_by("panel", 1),
    ]
}

/// The panel page: the judges appointed and the form appointing one of the judge users
/// not yet on it.
async fn panel_page(
    state: &AppState,
    user: &UiUser,
    layout: Layout,
    raw: &HashMap<String, String>,
    form: &FormState,
) -> Response {
    let lang = layout.lang;
    let w = words(lang);
    let specs = panel_columns(w);
    let request =
        match TableRequest::read("/awards/panel", raw, &["year"], &sortable(&specs), LISTED) {
            Ok(request) => request,
            Err(error) => return error_page(layout, &error),
        };
    let found = async {
        let Some(festival) = festival_asked(&state.store, raw, |_| true).await? else {
            return Ok(None);
        };
        let panel = awards::panel(&state.store, &user.principal, festival.fields.year).await?;
        Ok::<_, AppError>(Some((festival, panel)))
    }
    .await;
    let ((festival, panel), layout) = match found_or_page(layout, found) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let rows = panel
        .judges
        .iter()
        .map(|judge| {
            let province = judge.province.as_ref().map(|p| p.as_str());
            Row::new(vec![
                Cell::persian(judge.display_name.clone()),
                Cell::text(names::judge_panel(lang, province)),
            ])
        })
        .collect();
    let table = DataTable::whole(lang, w.panel, &specs, &request, rows);
    if let Some(format) = request.format {
        return table.export(format, "festival-panel");
    }
    let appoint = lang.pick("انتصاب داور", "Appoint a judge");
    let appointment = keeps_festivals(&user.principal).then(|| {
        let candidates = panel
            .candidates
            .iter()
            .map(|(id, name, panel)| {
                let province = match panel {
                    taavon_core::access::JudgePanel::Provincial(p) => Some(p.as_str()),
                    taavon_core::access::JudgePanel::National => None,
                };
                (
                    id.to_string(),
                    format!("{name} · {}", names::judge_panel(lang, province)),
                )
            })
            .collect();
        ListForm {
            action: format!("/awards/panel?year={}", festival.fields.year),
            fields: vec![
                form.field("panel", "user_id", w.judge)
                    .select(candidates, Some(lang.pick("انتخاب کنید", "Choose")))
                    .required()
                    .persian_names(),
                form.field(
                    "panel",
                    "national_code",
                    lang.pick("کد ملی داور", "The judge's national code"),
                )
                .number()
                .required()
                .hint(lang.pick(
                    "برای سنجش تعارض منافع با اعضا و هیئت‌مدیره تعاونی‌ها.",
                    "To check conflicts with cooperatives' members and boards.",
                )),
            ],
            button: appoint,
        }
    });
    let note = if panel.candidates.is_empty() && keeps_festivals(&user.principal) {
        lang.pick(
            "همه کاربران داور این جشنواره منصوب شده‌اند؛ کاربر داور تازه را در مدیریت کاربران بسازید.",
            "Every judge user of this festival is appointed; create new judge users first.",
        )
        .to_owned()
    } else {
        String::new()
    };
    let refused = form.is_refused();
    let page = ListPage {
        heading: format!("{} · {}", w.panel, year_text(lang, festival.fields.year)),
        layout: festival_layout(layout, w, w.panel, &festival),
        links: Vec::new(),
        note,
        form_key: form_key::fresh(),
        form: appointment,
        table,
    };
    crate::ui::form_state::render_form(&page, refused)
}

/// `/awards/panel?year=`: the ministry's panel of a festival.
pub async fn panel(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let w = words(Lang::of(&parts));
    let layout = layout(&parts, w.panel, Some(&user)).await;
    panel_page(&state, &user, layout, &raw, &FormState::default()).await
}

/// `POST /awards/panel?year=`: appoints a judge user to the panel their role names.
pub async fn appoint(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let w = words(lang);
    let submission = Submission::of(&parts, &form);
    let number = |name: &str| {
        form.get(name)
            .map(|typed| taavon_core::digits::to_ascii_digits(typed.trim()))
            .unwrap_or_default()
    };
    let year = number_in(&raw, "year");
    let done = match (year, number("user_id").parse::<i64>()) {
        (Some(year), Ok(user_id)) => {
            awards::appoint_judge(
                &state.store,
                &user.principal,
                year,
                user_id,
                &number("national_code"),
                submission.idempotency(),
                clock::now(),
            )
            .await
        }
        (None, _) => Err(AppError::NotFound),
        (_, Err(_)) => Err(AppError::invalid(
            "user_id",
            "required",
            "داور را از فهرست برگزینید.",
            "Choose the judge from the list.",
        )),
    };
    let to = format!("/awards/panel?year={}", year.unwrap_or_default());
    let done_text = lang.pick("داور منصوب شد.", "The judge was appointed.");
    let (state, parts, user, raw) = (&state, &parts, &user, &raw);
    crate::ui::form_state::answer_form(
        (parts, user),
        (w.panel, &to, done_text),
        done,
        |errors| async move {
            let layout = layout(parts, w.panel, Some(user)).await;
            let refused = FormState::refused(lang, form, &errors, &[]);
            panel_page(state, user, layout, raw, &refused).await
        },
    )
    .await
}

/// A number a query names, as typed in any digits.
fn number_in(raw: &HashMap<String, String>, name: &str) -> Option<i32> {
    raw.get(name).and_then(|typed| {
        taavon_core::digits::to_ascii_digits(typed.trim())
            .parse()
            .ok()
    })
}

fn judge_columns(w: &'static Words) -> Vec<ColumnSpec<usize>> {
    vec![
        ColumnSpec::number(w.number).sorted_by("id", 0),
        ColumnSpec::text(w.cooperative).sorted_by("cooperative", 1),
        ColumnSpec::text(w.province),
        ColumnSpec::text(w.category),
        ColumnSpec::text(w.round),
        ColumnSpec::text(w.state),
        ColumnSpec::text(w.marked),
        ColumnSpec::text(w.submitted).sorted_by("submitted", 7),
    ]
}

/// `/awards/my-entries`: the entries assigned to the judge, each linking to its page.
pub async fn my_entries(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let lang = Lang::of(&parts);
    let w = words(lang);
    let layout = layout(&parts, w.my_entries, Some(&user)).await;
    let specs = judge_columns(w);
    let request =
        match TableRequest::read("/awards/my-entries", &raw, &[], &sortable(&specs), LISTED) {
            Ok(request) => request,
            Err(error) => return error_page(layout, &error),
        };
    let listed = match awards::my_entries(&state.store, &user.principal).await {
        Ok(listed) => listed,
        Err(error) => return error_page(layout, &error),
    };
    let festival = match &user.principal.role {
        taavon_core::access::Role::Judge { festival_year, .. } => {
            awards::festival(&state.store, &user.principal, *festival_year)
                .await
                .ok()
        }
        _ => None,
    };
    let category = |code: &str| {
        festival
            .as_ref()
            .and_then(|f| f.fields.categories.iter().find(|c| c.code == code))
            .map_or_else(String::new, |c| {
                lang.pick(&c.name_fa, &c.name_en).to_owned()
            })
    };
    let yes_no = |b: bool| if b { w.yes } else { w.no };
    let rows = listed
        .iter()
        .map(|line| {
            let entry = &line.entry;
            Row::new(vec![
                Cell::id(lang, entry.id).link(format!("/awards/entries/{}", entry.id)),
                Cell::persian(entry.cooperative_name.clone()),
                Cell::text(names::province_name(lang, entry.fields.province.as_str())),
                Cell::text(category(&entry.fields.category)),
                Cell::text(names::award_round(lang, line.round)),
                Cell::text(names::award_round_state(lang, line.round_state)),
                Cell::text(yes_no(line.marked)),
                Cell::text(yes_no(line.submitted)),
            ])
        })
        .collect();
    let table = DataTable::whole(lang, w.my_entries, &specs, &request, rows);
    if let Some(format) = request.format {
        return table.export(format, "my-festival-entries");
    }
    render(&ListPage::plain(layout, w.my_entries.to_owned(), table))
}
