//! The demo's support requests: one in every status, routed by rules the ministry set
//! (insurance to the SSO, financing to the cooperative development bank), and two filed
//! weeks ago and never answered, escalated to the province's head and the ministry.

use taavon_core::access::Principal;
use taavon_core::calendar::IsoDate;
use taavon_core::reference::ProvinceCode;
use taavon_core::support::{RequestKind, RequestStatus, Unit};
use taavon_core::timestamp::Timestamp;
use taavon_store::{Actor, NewSupportRequest, Store};

use crate::AppError;
use crate::auth::principal_of;
use crate::support::{
    AttachedFile, RequestInput, RuleInput, SupportSettings, assign, attach, escalate_overdue,
    file_request, move_request, rate, reply, set_routing_rule,
};

/// Files the demo's requests for `cooperative_id` (Ilam's clothing cooperative).
pub async fn file(store: &Store, cooperative_id: i64, now: Timestamp) -> Result<(), AppError> {
    let [admin, ilam, sso, bank, coop] = principals(store).await?;
    let settings = SupportSettings::default();
    for (topic, kind, code) in [("insurance", "agency", "sso"), ("financing", "bank", "022")] {
        let rule = RuleInput {
            topic: topic.into(),
            province: "IR-16".into(),
            unit_kind: kind.into(),
            unit_code: Some(code.into()),
        };
        set_routing_rule(store, &admin, &rule, None, now).await?;
    }
    let file = |topic: &'static str, kind: &'static str, body: &'static str| {
        let (coop, settings) = (&coop, &settings);
        async move {
            let input = RequestInput {
                cooperative_id: Some(cooperative_id),
                client_id: None,
                kind: kind.into(),
                topic: topic.into(),
                body: body.into(),
            };
            file_request(store, coop, settings, &input, None, now).await
        }
    };
    let to = |who: &Principal, id: i64, status: RequestStatus| {
        let who = who.clone();
        async move { move_request(store, &who, id, status.code(), None, now).await }
    };
    file(
        "training",
        "technical",
        "برای آموزش دوخت صنعتی به اعضای تازه، دوره آموزشی می‌خواهیم.",
    )
    .await?;
    let licence = file(
        "licence",
        "administrative",
        "تمدید پروانه بهره‌برداری کارگاه دو ماه است در انتظار مانده است.",
    )
    .await?;
    assign(store, &ilam, licence.id, None, None, now).await?;
    let insurance = file(
        "insurance",
        "administrative",
        "ثبت کارگاه در بیمه تأمین اجتماعی برای هفت عضو تازه.",
    )
    .await?;
    assign(store, &sso, insurance.id, None, None, now).await?;
    reply(
        store,
        &sso,
        insurance.id,
        "فهرست اعضا و کد ملی آنان را پیوست کنید.",
        None,
        now,
    )
    .await?;
    to(&sso, insurance.id, RequestStatus::WaitingForRequester).await?;
    attach(
        store,
        &coop,
        &settings,
        insurance.id,
        AttachedFile {
            name: "members.pdf",
            content: b"%PDF-1.4\n% demo members list\n%%EOF\n",
        },
        None,
        now,
    )
    .await?;
    let financing = file(
        "financing",
        "financial",
        "برای خرید دو دستگاه چرخ صنعتی تسهیلات سرمایه در گردش می‌خواهیم.",
    )
    .await?;
    assign(store, &bank, financing.id, None, None, now).await?;
    reply(
        store,
        &bank,
        financing.id,
        "درخواست تسهیلات را در سامانه ثبت کنید؛ شعبه ایلام پیگیری می‌کند.",
        None,
        now,
    )
    .await?;
    to(&bank, financing.id, RequestStatus::Answered).await?;
    let legal = file(
        "legal",
        "administrative",
        "اساسنامه برای پذیرش عضو تازه نیاز به اصلاح دارد؟",
    )
    .await?;
    assign(store, &ilam, legal.id, None, None, now).await?;
    reply(
        store,
        &ilam,
        legal.id,
        "نیازی به اصلاح نیست؛ مجمع عمومی عادی کافی است.",
        None,
        now,
    )
    .await?;
    to(&ilam, legal.id, RequestStatus::Answered).await?;
    to(&coop, legal.id, RequestStatus::Closed).await?;
    rate(
        store,
        &coop,
        legal.id,
        4,
        Some("پاسخ روشن و به‌موقع بود."),
        None,
        now,
    )
    .await?;
    let market = file(
        "market_access",
        "technical",
        "راهی برای عرضه در نمایشگاه صنایع دستی استان می‌خواهیم.",
    )
    .await?;
    assign(store, &ilam, market.id, None, None, now).await?;
    to(&ilam, market.id, RequestStatus::Answered).await?;
    to(&coop, market.id, RequestStatus::Reopened).await?;
    overdue(store, &coop, cooperative_id, &settings, now).await?;
    Ok(())
}

/// Two requests filed weeks ago and never answered, then escalated as end of day would.
async fn overdue(
    store: &Store,
    coop: &Principal,
    cooperative_id: i64,
    settings: &SupportSettings,
    now: Timestamp,
) -> Result<(), AppError> {
    let province = ProvinceCode::parse("IR-16").map_err(|e| AppError::Internal(e.to_string()))?;
    let mut write = store.write(Actor::system("demo"), now).await?;
    let today = crate::loans::business_date_in(&mut write, now).await?;
    let holidays: Vec<IsoDate> = write
        .holidays()
        .await?
        .into_iter()
        .filter_map(|(day, _)| IsoDate::parse(&day).ok())
        .collect();
    let calendar = settings
        .rules
        .calendar(&Unit::ProvincialOffice, holidays.iter().copied());
    for (days_ago, topic, body) in [
        (
            30,
            "equipment",
            "دستگاه برش کارگاه خراب است و برای تعمیر آن کمک فنی می‌خواهیم.",
        ),
        (
            16,
            "licence",
            "مجوز نصب تابلو بر سردر کارگاه را از کجا بگیریم؟",
        ),
    ] {
        let filed_on = today.add_days(-days_ago);
        write
            .insert_support_request(&NewSupportRequest {
                province: province.clone(),
                cooperative_id: Some(cooperative_id),
                client_id: None,
                kind: RequestKind::Technical,
                topic: topic.into(),
                body: body.into(),
                unit: Unit::ProvincialOffice,
                filed_by_user_id: coop.user_id,
                filed_on: filed_on.to_string(),
                deadline: settings.rules.deadline(&calendar, filed_on).to_string(),
            })
            .await?;
    }
    write.commit().await?;
    escalate_overdue(store, &settings.rules, today, now).await?;
    Ok(())
}

async fn principals(store: &Store) -> Result<[Principal; 5], AppError> {
    let mut read = store.read().await?;
    let mut found = Vec::new();
    for name in ["admin", "ilam", "sso", "bank", "coop"] {
        let user = read
            .user_by_username(name)
            .await?
            .ok_or_else(|| AppError::Internal(format!("demo user {name} is missing")))?;
        found.push(principal_of(&user));
    }
    read.finish().await?;
    <[Principal; 5]>::try_from(found).map_err(|_| AppError::Internal("demo users".into()))
}
