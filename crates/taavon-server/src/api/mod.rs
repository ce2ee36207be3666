//! The JSON API under `/api`: routes, DTOs and the generated OpenAPI document.

mod applications;
mod audit;
mod auth;
mod awards;
mod calendar;
mod clients;
mod cooperatives;
mod dashboard;
mod declared_lengths;
mod events;
mod fields;
mod formations;
mod funds;
mod health;
pub mod impact;
pub mod keyed;
mod loans;
mod people;
mod problems;
mod programs;
mod reference;
mod services;
pub mod support;
pub(crate) mod users;

use axum::Router;
use axum::routing::{get, post, put};
use utoipa::OpenApi;

use crate::error::{Problem, ProblemField};
use crate::state::AppState;

use fields::FieldSchemas;
use problems::ProblemResponses;

/// The OpenAPI document, generated from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "taavon API",
        description = "Registry, programs, loans and ledger of the cooperative sector \
                       (سامانه تعاون). Errors are RFC 9457 problem details with a stable `code`.",
    ),
    paths(
        health::health,
        auth::login,
        auth::logout,
        auth::me,
        reference::provinces,
        reference::counties,
        reference::sectors,
        reference::agencies,
        reference::banks,
        cooperatives::list,
        cooperatives::get_one,
        cooperatives::create,
        cooperatives::patch,
        cooperatives::members,
        cooperatives::add_member,
        cooperatives::shares,
        cooperatives::add_share_entry,
        cooperatives::surplus,
        clients::list,
        clients::create,
        formations::list,
        formations::submit,
        formations::decide,
        programs::list,
        programs::get_one,
        programs::create,
        programs::replace,
        programs::set_budgets,
        programs::round,
        applications::list,
        applications::get_one,
        applications::create,
        applications::revise,
        applications::transition,
        loans::list,
        loans::get_one,
        loans::transactions,
        loans::create,
        loans::disburse,
        loans::repay,
        loans::reverse,
        loans::settlement_quote,
        loans::settle,
        loans::reschedule,
        loans::proposals,
        loans::approve_proposal,
        loans::reject_proposal,
        loans::portfolio,
        funds::pooled,
        funds::trial_balance,
        funds::deposit,
        funds::fund_program,
        calendar::calendar,
        calendar::add_holiday,
        calendar::remove_holiday,
        audit::list,
        users::list,
        users::create,
        impact::upload_list,
        impact::lists,
        impact::hires,
        impact::report,
        impact::amend,
        impact::fraud_signals,
        impact::figures,
        dashboard::dashboard,
        impact::cooperative_workshop,
        impact::client_workshop,
        support::list,
        support::file,
        support::get_one,
        support::assign,
        support::reply,
        support::transition,
        support::rate,
        support::attach,
        support::download,
        support::topics,
        support::put_topic,
        support::routing_rules,
        support::set_routing_rule,
        support::sla,
        services::record,
        services::import,
        services::imports,
        services::gaps,
        services::counties,
        people::overview,
        awards::create_festival,
        awards::festival,
        awards::appoint_judge,
        awards::move_round,
        awards::entries,
        awards::enter,
        awards::entry,
        awards::mark,
        awards::submit,
        awards::my_entries,
        awards::results,
        awards::certificate,
        events::list,
        events::create,
        events::list_subscriptions,
        events::delete,
        events::rotate,
        events::deliveries,
        events::replay,
    ),
    components(schemas(Problem, ProblemField, events::ApplicationEventData,
        events::LoanEventData, events::FundDepositEventData, events::SupportRequestEventData,
        events::AwardEventData)),
    modifiers(&BearerSecurity, &IdempotencyHeader, &ProblemResponses, &FieldSchemas),
)]
pub struct ApiDoc;

/// The write routes that take no `Idempotency-Key`: login has no user yet to keep the
/// key under (and a replay would have to store the bearer token it answered), and
/// logout ends the very credential a replay would need. Every other POST, PATCH and PUT
/// reads its body through `keyed::Keyed`.
pub const UNKEYED_ROUTES: [&str; 2] = ["/api/v1/auth/login", "/api/v1/auth/logout"];

/// Declares the `Idempotency-Key` header on every write operation but `UNKEYED_ROUTES`,
/// in one place so that no operation can leave it out.
struct IdempotencyHeader;

impl utoipa::Modify for IdempotencyHeader {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{Ref, Required};
        let header = ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes the request safe to retry: a retry with the same key and the same \
                 body answers the first result and changes nothing; the same key with \
                 another request answers 422 `idempotency_key_reused`. Keys are kept per \
                 user. 1 to 200 visible ASCII characters.",
            ))
            // The key's shape is stated once, as the `IdempotencyKey` field schema.
            .schema(Some(Ref::from_schema_name("IdempotencyKey")))
            .build();
        for (path, item) in openapi.paths.paths.iter_mut() {
            if UNKEYED_ROUTES.contains(&path.as_str()) {
                continue;
            }
            for operation in [&mut item.post, &mut item.patch, &mut item.put]
                .into_iter()
                .flatten()
            {
                operation
                    .parameters
                    .get_or_insert_with(Vec::new)
                    .push(header.clone().into());
            }
        }
    }
}

struct BearerSecurity;

impl utoipa::Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every `/api` route. Login has its own per-address rate limit, added by the caller.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/health", get(health::health))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/provinces", get(reference::provinces))
        .route("/api/v1/counties", get(reference::counties))
        .route("/api/v1/sectors", get(reference::sectors))
        .route("/api/v1/agencies", get(reference::agencies))
        .route("/api/v1/banks", get(reference::banks))
        .route(
            "/api/v1/cooperatives",
            get(cooperatives::list).post(cooperatives::create),
        )
        .route(
            "/api/v1/cooperatives/{id}",
            get(cooperatives::get_one).patch(cooperatives::patch),
        )
        .route(
            "/api/v1/cooperatives/{id}/members",
            get(cooperatives::members).post(cooperatives::add_member),
        )
        .route(
            "/api/v1/cooperatives/{id}/shares",
            get(cooperatives::shares).post(cooperatives::add_share_entry),
        )
        .route(
            "/api/v1/cooperatives/{id}/surplus",
            get(cooperatives::surplus),
        )
        .route("/api/v1/clients", get(clients::list).post(clients::create))
        .route(
            "/api/v1/formations",
            get(formations::list).post(formations::submit),
        )
        .route("/api/v1/formations/{id}/decision", post(formations::decide))
        .route(
            "/api/v1/programs",
            get(programs::list).post(programs::create),
        )
        .route(
            "/api/v1/programs/{code}",
            get(programs::get_one).put(programs::replace),
        )
        .route(
            "/api/v1/programs/{code}/budgets",
            put(programs::set_budgets),
        )
        .route("/api/v1/programs/{code}/rounds", post(programs::round))
        .route(
            "/api/v1/applications",
            get(applications::list).post(applications::create),
        )
        .route(
            "/api/v1/applications/{id}",
            get(applications::get_one).put(applications::revise),
        )
        .route(
            "/api/v1/applications/{id}/transitions",
            post(applications::transition),
        )
        .route("/api/v1/loans", get(loans::list).post(loans::create))
        .route("/api/v1/loans/{id}", get(loans::get_one))
        .route("/api/v1/loans/{id}/transactions", get(loans::transactions))
        .route("/api/v1/loans/{id}/disbursements", post(loans::disburse))
        .route("/api/v1/loans/{id}/repayments", post(loans::repay))
        .route(
            "/api/v1/loans/{id}/settlement",
            get(loans::settlement_quote).post(loans::settle),
        )
        .route("/api/v1/loans/{id}/reschedule", post(loans::reschedule))
        .route("/api/v1/loans/{id}/proposals", get(loans::proposals))
        .route(
            "/api/v1/loans/{id}/proposals/{proposal_id}/approval",
            post(loans::approve_proposal),
        )
        .route(
            "/api/v1/loans/{id}/proposals/{proposal_id}/rejection",
            post(loans::reject_proposal),
        )
        .route(
            "/api/v1/loans/{id}/transactions/{transaction_id}/reversal",
            post(loans::reverse),
        )
        .route("/api/v1/portfolio", get(loans::portfolio))
        .route("/api/v1/funds", get(funds::pooled))
        .route("/api/v1/funds/deposits", post(funds::deposit))
        .route("/api/v1/funds/programs", post(funds::fund_program))
        .route("/api/v1/ledger/trial-balance", get(funds::trial_balance))
        .route("/api/v1/calendar", get(calendar::calendar))
        .route("/api/v1/holidays", post(calendar::add_holiday))
        .route(
            "/api/v1/holidays/{day}",
            axum::routing::delete(calendar::remove_holiday),
        )
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/users", get(users::list).post(users::create))
        .route(
            "/api/v1/impact/insured-lists",
            get(impact::lists).post(impact::upload_list),
        )
        .route("/api/v1/impact/fraud-signals", get(impact::fraud_signals))
        .route("/api/v1/impact/figures", get(impact::figures))
        .route("/api/v1/dashboard", get(dashboard::dashboard))
        .route(
            "/api/v1/loans/{id}/hires",
            get(impact::hires).post(impact::report).put(impact::amend),
        )
        .route(
            "/api/v1/cooperatives/{id}/workshop-code",
            put(impact::cooperative_workshop),
        )
        .route(
            "/api/v1/clients/{id}/workshop-code",
            put(impact::client_workshop),
        )
        .route("/api/v1/services", post(services::record))
        .route(
            "/api/v1/services/imports",
            get(services::imports).post(services::import),
        )
        .route("/api/v1/services/gaps", get(services::gaps))
        .route(
            "/api/v1/people/{national_code}/overview",
            get(people::overview),
        )
        .route("/api/v1/services/counties", get(services::counties))
        .route(
            "/api/v1/support-requests",
            get(support::list).post(support::file),
        )
        .route(
            "/api/v1/support-requests/topics",
            get(support::topics).put(support::put_topic),
        )
        .route(
            "/api/v1/support-requests/routing-rules",
            get(support::routing_rules).put(support::set_routing_rule),
        )
        .route("/api/v1/support-requests/sla", get(support::sla))
        .route("/api/v1/support-requests/{id}", get(support::get_one))
        .route(
            "/api/v1/support-requests/{id}/assignment",
            post(support::assign),
        )
        .route(
            "/api/v1/support-requests/{id}/messages",
            post(support::reply),
        )
        .route(
            "/api/v1/support-requests/{id}/transitions",
            post(support::transition),
        )
        .route("/api/v1/support-requests/{id}/rating", post(support::rate))
        .route(
            "/api/v1/support-requests/{id}/attachments",
            post(support::attach),
        )
        .route("/api/v1/support-attachments/{id}", get(support::download))
        .route("/api/v1/awards/festivals", post(awards::create_festival))
        .route("/api/v1/awards/festivals/{year}", get(awards::festival))
        .route(
            "/api/v1/awards/festivals/{year}/judges",
            post(awards::appoint_judge),
        )
        .route(
            "/api/v1/awards/festivals/{year}/rounds/{round}/moves",
            post(awards::move_round),
        )
        .route(
            "/api/v1/awards/festivals/{year}/rounds/{round}/results",
            get(awards::results),
        )
        .route(
            "/api/v1/awards/festivals/{year}/entries",
            get(awards::entries).post(awards::enter),
        )
        .route("/api/v1/awards/entries/{id}", get(awards::entry))
        .route("/api/v1/awards/entries/{id}/marks", post(awards::mark))
        .route(
            "/api/v1/awards/entries/{id}/submission",
            post(awards::submit),
        )
        .route("/api/v1/awards/my-entries", get(awards::my_entries))
        .route(
            "/api/v1/awards/certificates/{code}",
            get(awards::certificate),
        )
        .route("/api/v1/events", get(events::list))
        .route(
            "/api/v1/webhook-subscriptions",
            get(events::list_subscriptions).post(events::create),
        )
        .route(
            "/api/v1/webhook-subscriptions/{id}",
            axum::routing::delete(events::delete),
        )
        .route(
            "/api/v1/webhook-subscriptions/{id}/secret",
            post(events::rotate),
        )
        .route(
            "/api/v1/webhook-subscriptions/{id}/deliveries",
            get(events::deliveries),
        )
        .route(
            "/api/v1/webhook-subscriptions/{id}/deliveries/{delivery_id}/replay",
            post(events::replay),
        )
}

/// The login route, separate so it can carry the rate limit.
pub fn login_route() -> Router<AppState> {
    Router::new().route("/api/v1/auth/login", post(auth::login))
}

#[cfg(test)]
mod tests;
