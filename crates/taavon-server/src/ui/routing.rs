//! The support topics and routing rules (issue 15): the topics a request is filed under
//! and, per topic and province, the unit that answers it — the provincial office, an
//! agency or a bank. Anyone signed in reads them (where a request goes is no secret); the
//! ministry adds or renames topics and sets rules (`access::keeps_support_routing`),
//! through the app's use cases. A request keeps the unit it was routed to, so a changed
//! rule routes new requests only; the page says so.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use taavon_app::support::{self, RuleInput, SupportTopic};
use taavon_app::{AppError, clock, reference};
use taavon_core::access::keeps_support_routing;

use super::Layout;
use super::csrf::CsrfForm;
use super::fields::{Field, Options};
use super::form_key::{self, Submission};
use super::form_state::{FormState, answer_form, render_form};
use super::i18n::Lang;
use super::names::Names;
use super::page::{PageParts, error_page, layout};
use super::support::unit_name;
use super::table::query::TableRequest;
use super::table::{Cell, ColumnSpec, DataTable, LISTED, Row, sortable};
use crate::auth::UiUser;
use crate::state::AppState;

pub const PATH: &str = "/support/routing";

/// The unit select's value of the provincial office; an agency is `agency:CODE`, a bank
/// `bank:CODE`.
const OFFICE: &str = "provincial_office";

struct TopicLine {
    name_fa: String,
    name_en: String,
}

#[derive(Template)]
#[template(path = "support_routing.html")]
struct RoutingPage {
    layout: Layout,
    w: &'static Words,
    form_key: String,
    topics: Vec<TopicLine>,
    table: DataTable,
    may_keep: bool,
    new_topic_fields: Vec<Field>,
    rename_fields: Vec<Field>,
    rule_fields: Vec<Field>,
    new_topic_error: String,
    rename_error: String,
    rule_error: String,
}

/// The page's words.
pub struct Words {
    title: &'static str,
    note: &'static str,
    topics: &'static str,
    topic_fa: &'static str,
    topic_en: &'static str,
    rules: &'static str,
    rules_note: &'static str,
    add_topic: &'static str,
    rename_topic: &'static str,
    set_rule: &'static str,
    confirm_rule: &'static str,
    code: &'static str,
    code_hint: &'static str,
    topic: &'static str,
    province: &'static str,
    unit: &'static str,
    updated: &'static str,
    office: &'static str,
    agencies: &'static str,
    banks: &'static str,
    done_topic: &'static str,
    done_rule: &'static str,
}

const FA: Words = Words {
    title: "موضوع‌ها و قواعد ارجاع درخواست‌های حمایت",
    note: "هر درخواست حمایت بر پایه موضوع آن و استان درخواست‌کننده به یک واحد ارجاع می‌شود. موضوعی که در استانی قاعده ندارد به اداره کل تعاون همان استان می‌رود.",
    topics: "موضوع‌ها",
    topic_fa: "نام فارسی",
    topic_en: "نام انگلیسی",
    rules: "قواعد ارجاع",
    rules_note: "تغییر یک قاعده فقط درخواست‌های تازه را ارجاع می‌دهد؛ درخواست‌های ثبت‌شده نزد همان واحد می‌مانند.",
    add_topic: "افزودن موضوع",
    rename_topic: "تغییر نام موضوع",
    set_rule: "ثبت قاعده",
    confirm_rule: "قاعده ثبت شود؟ درخواست‌های تازه این موضوع در این استان به واحد انتخاب‌شده می‌روند.",
    code: "شناسه موضوع",
    code_hint: "حروف کوچک لاتین، رقم و زیرخط؛ پس از ثبت تغییر نمی‌کند.",
    topic: "موضوع",
    province: "استان",
    unit: "واحد پاسخگو",
    updated: "آخرین تغییر",
    office: "اداره کل تعاون استان",
    agencies: "سازمان‌ها",
    banks: "بانک‌ها",
    done_topic: "موضوع ثبت شد.",
    done_rule: "قاعده ارجاع ثبت شد؛ درخواست‌های تازه به این واحد می‌روند.",
};

const EN: Words = Words {
    title: "Support topics and routing rules",
    note: "Each support request goes to a unit by its topic and the requester's province. A topic with no rule in a province goes to that province's cooperatives office.",
    topics: "Topics",
    topic_fa: "Persian name",
    topic_en: "English name",
    rules: "Routing rules",
    rules_note: "A changed rule routes new requests only; requests already filed stay with their unit.",
    add_topic: "Add a topic",
    rename_topic: "Rename a topic",
    set_rule: "Set the rule",
    confirm_rule: "Set this rule? New requests of this topic in this province will go to the chosen unit.",
    code: "Topic code",
    code_hint: "Lower-case Latin letters, digits and _ (e.g. market_access); fixed once added.",
    topic: "Topic",
    province: "Province",
    unit: "Answering unit",
    updated: "Last changed",
    office: "The province's cooperatives office",
    agencies: "Agencies",
    banks: "Banks",
    done_topic: "The topic was saved.",
    done_rule: "The routing rule was set; new requests go to this unit.",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Fa => &FA,
        Lang::En => &EN,
    }
}

fn columns(w: &'static Words) -> Vec<ColumnSpec<usize>> {
    vec![
        ColumnSpec::text(w.topic).sorted_by("topic", 0),
        ColumnSpec::text(w.province).sorted_by("province", 1),
        ColumnSpec::text(w.unit).sorted_by("unit", 2),
        ColumnSpec::text(w.updated).sorted_by("updated", 3),
    ]
}

/// Which of the page's forms came back refused.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum RoutingForm {
    NewTopic,
    Rename,
    Rule,
}

/// The unit select's options: the office, then each agency and bank in its group.
async fn unit_groups(
    state: &AppState,
    user: &UiUser,
    lang: Lang,
    w: &Words,
) -> Result<Vec<(String, String, Options)>, AppError> {
    let agencies = reference::agencies(&state.store, Some(&user.principal)).await?;
    let banks = reference::banks(&state.store, Some(&user.principal)).await?;
    Ok(vec![
        (
            "office".into(),
            w.office.into(),
            vec![(OFFICE.into(), w.office.into())],
        ),
        (
            "agency".into(),
            w.agencies.into(),
            agencies
                .into_iter()
                .map(|a| {
                    (
                        format!("agency:{}", a.code.as_str()),
                        lang.pick(&a.name_fa, &a.name_en).to_owned(),
                    )
                })
                .collect(),
        ),
        (
            "bank".into(),
            w.banks.into(),
            banks
                .into_iter()
                .map(|b| {
                    (
                        format!("bank:{}", b.bank.code),
                        lang.pick(&b.bank.name_fa, &b.bank.name_en).to_owned(),
                    )
                })
                .collect(),
        ),
    ])
}

async fn routing_page(
    state: &AppState,
    user: &UiUser,
    layout: Layout,
    raw: &HashMap<String, String>,
    refused: Option<(RoutingForm, FormState)>,
) -> Response {
    let lang = layout.lang;
    let w = words(lang);
    let keys = sortable(&columns(w));
    let request = match TableRequest::read(PATH, raw, &[], &keys, LISTED) {
        Ok(request) => request,
        Err(error) => return error_page(layout, &error),
    };
    let found = async {
        let topics = support::topics(&state.store).await?;
        let rules = support::routing_rules(&state.store).await?;
        let names = Names::load(&state.store, &user.principal).await?;
        let provinces = reference::provinces(&state.store, Some(&user.principal)).await?;
        let units = unit_groups(state, user, lang, w).await?;
        Ok::<_, AppError>((topics, rules, names, provinces, units))
    }
    .await;
    let (topics, rules, names, provinces, units) = match found {
        Ok(found) => found,
        Err(error) => return error_page(layout, &error),
    };
    let table_lang = request.language(lang);
    let tw = words(table_lang);
    let topic_name = |code: &str| {
        topics.iter().find(|t| t.code == code).map_or_else(
            || code.to_owned(),
            |t| table_lang.pick(&t.name_fa, &t.name_en).to_owned(),
        )
    };
    let lines = rules
        .iter()
        .map(|rule| {
            Row::new(vec![
                Cell::text(topic_name(&rule.topic)),
                Cell::text(names.province(table_lang, rule.province.as_str())),
                Cell::text(unit_name(
                    table_lang,
                    &rule.unit,
                    Some(rule.province.as_str()),
                )),
                Cell::date(table_lang, &rule.updated_at),
            ])
        })
        .collect();
    let table = DataTable::whole(table_lang, tw.rules, &columns(tw), &request, lines);
    if let Some(format) = request.format {
        return table.export(format, "routing-rules");
    }
    let refused_form = refused.is_some();
    let mut forms: HashMap<RoutingForm, FormState> = HashMap::new();
    if let Some((which, form)) = refused {
        forms.insert(which, form);
    }
    let mut state_of = |which| forms.remove(&which).unwrap_or_default();
    let (new_topic, rename, rule) = (
        state_of(RoutingForm::NewTopic),
        state_of(RoutingForm::Rename),
        state_of(RoutingForm::Rule),
    );
    let topic_options: Options = topics
        .iter()
        .map(|t| (t.code.clone(), lang.pick(&t.name_fa, &t.name_en).to_owned()))
        .collect();
    let province_options: Options = provinces
        .into_iter()
        .map(|p| (p.code, lang.pick(&p.name_fa, &p.name_en).to_owned()))
        .collect();
    let t = layout.t;
    let page = RoutingPage {
        w,
        form_key: form_key::fresh(),
        topics: topics
            .iter()
            .map(|t| TopicLine {
                name_fa: t.name_fa.clone(),
                name_en: t.name_en.clone(),
            })
            .collect(),
        table,
        may_keep: keeps_support_routing(&user.principal),
        new_topic_fields: vec![
            new_topic
                .field("new-topic", "code", w.code)
                .required()
                .ltr()
                .hint(w.code_hint),
            new_topic
                .field("new-topic", "name_fa", w.topic_fa)
                .required(),
            new_topic
                .field("new-topic", "name_en", w.topic_en)
                .required()
                .ltr(),
        ],
        rename_fields: vec![
            rename
                .field("rename", "code", w.topic)
                .required()
                .select(topic_options.clone(), Some("—")),
            rename.field("rename", "name_fa", w.topic_fa).required(),
            rename
                .field("rename", "name_en", w.topic_en)
                .required()
                .ltr(),
        ],
        rule_fields: vec![
            rule.field("rule", "topic", w.topic)
                .required()
                .select(topic_options, Some("—")),
            rule.field("rule", "province", w.province)
                .required()
                .select(province_options, Some("—")),
            rule.field("rule", "unit", w.unit).required().grouped(units),
        ],
        new_topic_error: new_topic.summary(t.form_has_errors),
        rename_error: rename.summary(t.form_has_errors),
        rule_error: rule.summary(t.form_has_errors),
        layout,
    };
    render_form(&page, refused_form)
}

fn title(parts: &axum::http::request::Parts) -> &'static str {
    words(Lang::of(parts)).title
}

pub async fn page(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    Query(raw): Query<HashMap<String, String>>,
) -> Response {
    let mut layout = layout(&parts, title(&parts), Some(&user)).await;
    let here = layout.title.clone();
    let support = layout.lang.pick("درخواست‌های حمایت", "Support requests");
    layout.trail(&[(support, "/support")], &here);
    routing_page(&state, &user, layout, &raw, None).await
}

/// Back to the page with what was done, the page again with the form as typed when its
/// fields were refused, or the reason as the page's message.
async fn answer<T>(
    (state, parts, user): (&AppState, &axum::http::request::Parts, &UiUser),
    (form, which): (HashMap<String, String>, RoutingForm),
    success: &str,
    done: Result<T, AppError>,
) -> Response {
    answer_form(
        (parts, user),
        (title(parts), PATH, success),
        done,
        |errors| async move {
            let layout = layout(parts, title(parts), Some(user)).await;
            let renamed: &[(&str, &str)] = if which == RoutingForm::Rule {
                &[("unit_kind", "unit"), ("unit_code", "unit")]
            } else {
                &[]
            };
            let refused = FormState::refused(layout.lang, form, &errors, renamed);
            routing_page(state, user, layout, &HashMap::new(), Some((which, refused))).await
        },
    )
    .await
}

/// Adds a topic (`form=new`) or renames one (`form=rename`).
pub async fn put_topic(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let text = |name: &str| form.get(name).cloned().unwrap_or_default();
    let which = if text("form") == "rename" {
        RoutingForm::Rename
    } else {
        RoutingForm::NewTopic
    };
    let done = support::put_topic(
        &state.store,
        &user.principal,
        &SupportTopic {
            code: text("code"),
            name_fa: text("name_fa"),
            name_en: text("name_en"),
        },
        submission.idempotency(),
        clock::now(),
    )
    .await;
    let success = words(Lang::of(&parts)).done_topic;
    answer((&state, &parts, &user), (form, which), success, done).await
}

/// Sets the unit that answers a topic in a province.
pub async fn set_rule(
    State(state): State<AppState>,
    PageParts(parts): PageParts,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let submission = Submission::of(&parts, &form);
    let text = |name: &str| form.get(name).cloned().unwrap_or_default();
    let unit = text("unit");
    let (unit_kind, unit_code) = match unit.split_once(':') {
        Some((kind, code)) => (kind.to_owned(), Some(code.to_owned())),
        None => (unit.clone(), None),
    };
    let done = support::set_routing_rule(
        &state.store,
        &user.principal,
        &RuleInput {
            topic: text("topic"),
            province: text("province"),
            unit_kind,
            unit_code,
        },
        submission.idempotency(),
        clock::now(),
    )
    .await;
    let success = words(Lang::of(&parts)).done_rule;
    answer(
        (&state, &parts, &user),
        (form, RoutingForm::Rule),
        success,
        done,
    )
    .await
}
