//! Support requests (issue 15; migration 0018): the topics and routing rules the ministry
//! keeps, the requests with their threads, escalations and attachments. A request copies
//! its unit from the routing rule when it is filed, so a later rule routes new requests
//! only. Every change of a request is a compare-and-set on its version, so of concurrent
//! changes one wins; an escalation level is a row keyed by (request, level), so two app
//! servers escalating at once record it once.

use sqlx::Row;
use taavon_core::access::SupportScope;
use taavon_core::reference::ProvinceCode;
use taavon_core::support::{
    AttachmentType, EscalationLevel, RequestKind, RequestStatus, Unit, UnitKind,
};

use crate::StoreError;
use crate::audit::AuditEntry;
use crate::error::{Decoded, db};
use crate::filter::{Conditions, Value, bind_values};
use crate::tx::{Reader, WriteTx};

/// A topic a request is filed under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportTopic {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
}

/// Which unit answers a topic in a province.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingRule {
    pub topic: String,
    pub province: ProvinceCode,
    pub unit: Unit,
    pub updated_by: String,
    pub updated_at: String,
}

/// A request as it is filed: its unit and deadline already worked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSupportRequest {
    pub province: ProvinceCode,
    /// The requesting cooperative, or (`client_id`) the individual client.
    pub cooperative_id: Option<i64>,
    pub client_id: Option<i64>,
    pub kind: RequestKind,
    pub topic: String,
    pub body: String,
    pub unit: Unit,
    pub filed_by_user_id: i64,
    /// ISO days: the business date it was filed on and its deadline.
    pub filed_on: String,
    pub deadline: String,
}

/// A stored request with the names a list shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportRequest {
    pub id: i64,
    pub fields: NewSupportRequest,
    pub status: RequestStatus,
    pub assignee_user_id: Option<i64>,
    /// The filer as the audit trail names them (`user:ID:NAME`).
    pub filed_by: String,
    pub filed_at: String,
    /// The ISO day of the first answer.
    pub answered_on: Option<String>,
    pub escalation: Option<EscalationLevel>,
    pub satisfaction: Option<i64>,
    pub satisfaction_comment: Option<String>,
    pub version: i64,
    /// The cooperative's name, or the client's first and last name.
    pub requester_name: String,
    pub topic_name_fa: String,
    pub topic_name_en: String,
    pub assignee_name: Option<String>,
}

/// One message of a request's thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportMessage {
    pub id: i64,
    pub author_user_id: i64,
    pub author_name: String,
    pub written_at: String,
    pub body: String,
}

/// An attachment as a list shows it (without its content).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportAttachment {
    pub id: i64,
    pub request_id: i64,
    pub file_name: String,
    pub content_type: AttachmentType,
    pub size_bytes: i64,
    pub content_sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// An attachment to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSupportAttachment {
    pub request_id: i64,
    pub file_name: String,
    pub content_type: AttachmentType,
    pub content_sha256: String,
    pub content: Vec<u8>,
    pub uploaded_by_user_id: i64,
}

/// What a request list is narrowed to besides the reader's scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SupportFilter {
    pub status: Option<RequestStatus>,
    /// Only those still awaiting an answer past their deadline on this ISO day.
    pub overdue_on: Option<String>,
    /// Only this cooperative's (its page's support section).
    pub cooperative_id: Option<i64>,
    /// Only those filed for the person as an individual client (the person view).
    pub person_id: Option<i64>,
}

/// A change of a request at the version read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportChange {
    pub status: RequestStatus,
    pub assignee_user_id: Option<i64>,
    /// Set on the first answer and kept after.
    pub answered_on: Option<String>,
    pub satisfaction: Option<i64>,
    pub satisfaction_comment: Option<String>,
}

/// What the SLA figures need of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupportSlaRow {
    pub province: ProvinceCode,
    pub unit: Unit,
    pub status: RequestStatus,
    /// ISO days.
    pub filed_on: String,
    pub deadline: String,
    pub answered_on: Option<String>,
    pub satisfaction: Option<i64>,
}

/// The most requests one list returns.
pub const SUPPORT_LIST_MAX: i64 = 500;

const REQUEST_SELECT: &str = "SELECT r.id, r.province, r.cooperative_id, r.client_id, r.kind, \
     r.topic, r.body, r.unit_kind, r.unit_code, r.assignee_user_id, r.status, \
     r.filed_by_user_id, r.filed_by, r.filed_at, r.filed_on, r.deadline, r.answered_on, \
     r.escalation, r.satisfaction, r.satisfaction_comment, r.version, \
     COALESCE(c.name, p.first_name || ' ' || p.last_name, '') AS requester_name, \
     t.name_fa AS topic_name_fa, t.name_en AS topic_name_en, u.display_name AS assignee_name \
     FROM support_requests r \
     JOIN support_topics t ON t.code = r.topic \
     LEFT JOIN cooperatives c ON c.id = r.cooperative_id \
     LEFT JOIN clients cl ON cl.id = r.client_id \
     LEFT JOIN persons p ON p.id = cl.person_id \
     LEFT JOIN users u ON u.id = r.assignee_user_id";

fn province_of(code: &str) -> Option<ProvinceCode> {
    ProvinceCode::parse(code).ok()
}

macro_rules! request_row {
    ($row:expr) => {
        (|| -> Result<SupportRequest, StoreError> {
            let row = Decoded::new($row, "support_requests", "decoding a support request")?;
            let unit_kind = row.code("unit_kind", UnitKind::parse)?;
            let unit_code: Option<String> = row.get("unit_code")?;
            let unit = row.code("unit_kind", |_| {
                Unit::from_parts(unit_kind, unit_code.as_deref())
            })?;
            Ok(SupportRequest {
                id: row.get("id")?,
                fields: NewSupportRequest {
                    province: row.code("province", province_of)?,
                    cooperative_id: row.get("cooperative_id")?,
                    client_id: row.get("client_id")?,
                    kind: row.code("kind", RequestKind::parse)?,
                    topic: row.get("topic")?,
                    body: row.get("body")?,
                    unit,
                    filed_by_user_id: row.get("filed_by_user_id")?,
                    filed_on: row.get("filed_on")?,
                    deadline: row.get("deadline")?,
                },
                status: row.code("status", RequestStatus::parse)?,
                assignee_user_id: row.get("assignee_user_id")?,
                filed_by: row.get("filed_by")?,
                filed_at: row.get("filed_at")?,
                answered_on: row.get("answered_on")?,
                escalation: row.optional_code("escalation", EscalationLevel::parse)?,
                satisfaction: row.get("satisfaction")?,
                satisfaction_comment: row.get("satisfaction_comment")?,
                version: row.get("version")?,
                requester_name: row.get("requester_name")?,
                topic_name_fa: row.get("topic_name_fa")?,
                topic_name_en: row.get("topic_name_en")?,
                assignee_name: row.get("assignee_name")?,
            })
        })()
    };
}

macro_rules! attachment_row {
    ($row:expr) => {
        (|| -> Result<SupportAttachment, StoreError> {
            let row = Decoded::new($row, "support_attachments", "decoding an attachment")?;
            Ok(SupportAttachment {
                id: row.get("id")?,
                request_id: row.get("request_id")?,
                file_name: row.get("file_name")?,
                content_type: row.code("content_type", AttachmentType::parse)?,
                size_bytes: row.get("size_bytes")?,
                content_sha256: row.get("content_sha256")?,
                uploaded_by: row.get("uploaded_by")?,
                uploaded_at: row.get("uploaded_at")?,
            })
        })()
    };
}

const ATTACHMENT_COLUMNS: &str = "id, request_id, file_name, content_type, size_bytes, \
     content_sha256, uploaded_by, uploaded_at";

/// Confines a request list to a reader's scope (`access::in_support_scope` as SQL).
fn in_support_scope(conditions: &mut Conditions, scope: &SupportScope) {
    match scope {
        SupportScope::All => {}
        SupportScope::None => conditions.push("1 = 0".to_owned()),
        SupportScope::Provinces(provinces) => {
            conditions.one_of("r.province", provinces.iter().map(ProvinceCode::as_str));
        }
        SupportScope::Unit { unit, provinces } => {
            let kind = conditions.bind(Value::Text(unit.kind().code().into()));
            conditions.push(format!("r.unit_kind = {kind}"));
            let code = conditions.bind(Value::OptionalText(unit.code().map(str::to_owned)));
            conditions.push(format!("r.unit_code = {code}"));
            if !provinces.is_empty() {
                conditions.one_of("r.province", provinces.iter().map(ProvinceCode::as_str));
            }
        }
        SupportScope::Cooperative(id) => {
            let p = conditions.bind(Value::Int(*id));
            conditions.push(format!("r.cooperative_id = {p}"));
        }
    }
}

/// The statuses that still await an answer, as SQL literals.
fn awaiting_answer_sql() -> String {
    RequestStatus::ALL
        .iter()
        .filter(|status| status.awaits_answer())
        .map(|status| crate::filter::code_literal(status.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Reader {
    /// The topics, by code.
    pub async fn support_topics(&mut self) -> Result<Vec<SupportTopic>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT code, name_fa, name_en FROM support_topics ORDER BY code"
        )
        .fetch_all(c)
        .await
        .map_err(db("reading support topics"))?
        .iter()
        .map(|row| {
            Ok(SupportTopic {
                code: row.try_get("code")?,
                name_fa: row.try_get("name_fa")?,
                name_en: row.try_get("name_en")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding support topics")))
    }

    /// Every routing rule, by topic and province.
    pub async fn routing_rules(&mut self) -> Result<Vec<RoutingRule>, StoreError> {
        self.routing_rules_where("", None).await
    }

    /// The rule for a topic in a province, if one is kept.
    pub async fn routing_rule(
        &mut self,
        topic: &str,
        province: &ProvinceCode,
    ) -> Result<Option<RoutingRule>, StoreError> {
        Ok(self
            .routing_rules_where(
                "WHERE topic = $1 AND province = $2",
                Some((topic, province)),
            )
            .await?
            .pop())
    }

    async fn routing_rules_where(
        &mut self,
        condition: &str,
        key: Option<(&str, &ProvinceCode)>,
    ) -> Result<Vec<RoutingRule>, StoreError> {
        let sql = format!(
            "SELECT topic, province, unit_kind, unit_code, updated_by, updated_at \
             FROM support_routing_rules {condition} ORDER BY topic, province"
        );
        let rows = on!(&mut self.conn, |c| {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            if let Some((topic, province)) = key {
                query = query
                    .bind(topic.to_owned())
                    .bind(province.as_str().to_owned());
            }
            query
                .fetch_all(c)
                .await
                .map_err(db("reading routing rules"))?
                .iter()
                .map(|row| {
                    let topic: String = row
                        .try_get("topic")
                        .map_err(db("decoding a routing rule"))?;
                    let key = format!(
                        "{topic}/{}",
                        row.try_get::<String, _>("province").unwrap_or_default()
                    );
                    let decoded = Decoded::keyed(
                        row,
                        "support_routing_rules",
                        "decoding a routing rule",
                        key,
                    );
                    let kind = decoded.code("unit_kind", UnitKind::parse)?;
                    let code: Option<String> = decoded.get("unit_code")?;
                    Ok(RoutingRule {
                        topic,
                        province: decoded.code("province", province_of)?,
                        unit: decoded
                            .code("unit_kind", |_| Unit::from_parts(kind, code.as_deref()))?,
                        updated_by: decoded.get("updated_by")?,
                        updated_at: decoded.get("updated_at")?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()
        })?;
        Ok(rows)
    }

    /// One request with its names.
    pub async fn support_request(&mut self, id: i64) -> Result<Option<SupportRequest>, StoreError> {
        let sql = format!("{REQUEST_SELECT} WHERE r.id = $1");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await
            .map_err(db("reading a support request"))?
            .map(|row| request_row!(&row))
            .transpose())
    }

    /// The requests in `scope` matching `filter`, newest first, at most
    /// `SUPPORT_LIST_MAX`.
    pub async fn support_requests(
        &mut self,
        scope: &SupportScope,
        filter: &SupportFilter,
    ) -> Result<Vec<SupportRequest>, StoreError> {
        let mut conditions = Conditions::default();
        in_support_scope(&mut conditions, scope);
        if let Some(status) = filter.status {
            let p = conditions.bind(Value::Text(status.code().into()));
            conditions.push(format!("r.status = {p}"));
        }
        if let Some(id) = filter.cooperative_id {
            let p = conditions.bind(Value::Int(id));
            conditions.push(format!("r.cooperative_id = {p}"));
        }
        if let Some(id) = filter.person_id {
            let p = conditions.bind(Value::Int(id));
            conditions.push(format!(
                "r.client_id IN (SELECT id FROM clients WHERE person_id = {p})"
            ));
        }
        if let Some(today) = &filter.overdue_on {
            let p = conditions.bind(Value::Text(today.clone()));
            conditions.push(format!(
                "r.deadline < {p} AND r.status IN ({})",
                awaiting_answer_sql()
            ));
        }
        let sql = format!(
            "{REQUEST_SELECT} {} ORDER BY r.id DESC LIMIT {SUPPORT_LIST_MAX}",
            conditions.where_sql()
        );
        on!(&mut self.conn, |c| bind_values!(
            sqlx::query(sqlx::AssertSqlSafe(sql.clone())),
            &conditions.values
        )
        .fetch_all(c)
        .await
        .map_err(db("listing support requests"))?
        .iter()
        .map(|row| request_row!(row))
        .collect())
    }

    /// What the SLA figures need of every request in `scope` (a few short columns a
    /// request, read once for all the figures).
    pub async fn support_sla_rows(
        &mut self,
        scope: &SupportScope,
    ) -> Result<Vec<SupportSlaRow>, StoreError> {
        let mut conditions = Conditions::default();
        in_support_scope(&mut conditions, scope);
        let sql = format!(
            "SELECT r.id, r.province, r.unit_kind, r.unit_code, r.status, r.filed_on, \
             r.deadline, r.answered_on, r.satisfaction FROM support_requests r {}",
            conditions.where_sql()
        );
        on!(&mut self.conn, |c| bind_values!(
            sqlx::query(sqlx::AssertSqlSafe(sql.clone())),
            &conditions.values
        )
        .fetch_all(c)
        .await
        .map_err(db("reading the SLA figures"))?
        .iter()
        .map(|row| {
            let row = Decoded::new(row, "support_requests", "decoding the SLA figures")?;
            let kind = row.code("unit_kind", UnitKind::parse)?;
            let code: Option<String> = row.get("unit_code")?;
            Ok(SupportSlaRow {
                province: row.code("province", province_of)?,
                unit: row.code("unit_kind", |_| Unit::from_parts(kind, code.as_deref()))?,
                status: row.code("status", RequestStatus::parse)?,
                filed_on: row.get("filed_on")?,
                deadline: row.get("deadline")?,
                answered_on: row.get("answered_on")?,
                satisfaction: row.get("satisfaction")?,
            })
        })
        .collect())
    }

    /// Every request still awaiting an answer whose deadline is before `today` and that
    /// has not reached the ministry: the candidates for escalation.
    pub async fn overdue_support_requests(
        &mut self,
        today: &str,
    ) -> Result<Vec<SupportRequest>, StoreError> {
        let sql = format!(
            "{REQUEST_SELECT} WHERE r.deadline < $1 AND r.status IN ({}) \
             AND (r.escalation IS NULL OR r.escalation <> {}) ORDER BY r.id",
            awaiting_answer_sql(),
            crate::filter::code_literal(EscalationLevel::Ministry.code())
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(today)
            .fetch_all(c)
            .await
            .map_err(db("listing overdue support requests"))?
            .iter()
            .map(|row| request_row!(row))
            .collect())
    }

    /// A request's thread, oldest first.
    pub async fn support_messages(
        &mut self,
        request_id: i64,
    ) -> Result<Vec<SupportMessage>, StoreError> {
        on!(&mut self.conn, |c| sqlx::query(
            "SELECT m.id, m.author_user_id, COALESCE(u.display_name, m.author) AS author_name, \
             m.written_at, m.body FROM support_messages m \
             LEFT JOIN users u ON u.id = m.author_user_id \
             WHERE m.request_id = $1 ORDER BY m.id"
        )
        .bind(request_id)
        .fetch_all(c)
        .await
        .map_err(db("reading a support thread"))?
        .iter()
        .map(|row| {
            Ok(SupportMessage {
                id: row.try_get("id")?,
                author_user_id: row.try_get("author_user_id")?,
                author_name: row.try_get("author_name")?,
                written_at: row.try_get("written_at")?,
                body: row.try_get("body")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(db("decoding a support thread")))
    }

    /// The levels a request was escalated to, lowest first, with the day of each.
    pub async fn support_escalations(
        &mut self,
        request_id: i64,
    ) -> Result<Vec<(EscalationLevel, String)>, StoreError> {
        let mut levels: Vec<(EscalationLevel, String)> = on!(&mut self.conn, |c| sqlx::query(
            "SELECT level, escalated_on FROM support_escalations WHERE request_id = $1"
        )
        .bind(request_id)
        .fetch_all(c)
        .await
        .map_err(db("reading escalations"))?
        .iter()
        .map(|row| {
            let decoded = Decoded::keyed(
                row,
                "support_escalations",
                "decoding an escalation",
                request_id,
            );
            Ok((
                decoded.code("level", EscalationLevel::parse)?,
                decoded.get("escalated_on")?,
            ))
        })
        .collect::<Result<_, StoreError>>())?;
        // Two levels recorded by one run share their instant: order by level, not text.
        levels.sort_by_key(|(level, _)| *level);
        Ok(levels)
    }

    /// A request's attachments, without their content.
    pub async fn support_attachments(
        &mut self,
        request_id: i64,
    ) -> Result<Vec<SupportAttachment>, StoreError> {
        let sql = format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM support_attachments WHERE request_id = $1 ORDER BY id"
        );
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(request_id)
            .fetch_all(c)
            .await
            .map_err(db("listing attachments"))?
            .iter()
            .map(|row| attachment_row!(row))
            .collect())
    }

    /// One attachment and its content.
    pub async fn support_attachment(
        &mut self,
        id: i64,
    ) -> Result<Option<(SupportAttachment, Vec<u8>)>, StoreError> {
        let sql =
            format!("SELECT {ATTACHMENT_COLUMNS}, content FROM support_attachments WHERE id = $1");
        on!(&mut self.conn, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(c)
            .await
            .map_err(db("reading an attachment"))?
            .map(|row| {
                let content: Vec<u8> = row
                    .try_get("content")
                    .map_err(db("reading an attachment"))?;
                Ok((attachment_row!(&row)?, content))
            })
            .transpose())
    }
}

impl WriteTx {
    /// Adds what a change of `request` to `status` and `answered_on` makes of it.
    pub(crate) async fn move_support_figures(
        &mut self,
        request: &SupportRequest,
        status: RequestStatus,
        answered_on: Option<&str>,
    ) -> Result<(), StoreError> {
        let filed_on = request.fields.filed_on.as_str();
        let before = crate::support_figures::RequestShare::of(
            request.status,
            filed_on,
            request.answered_on.as_deref(),
        );
        let after = crate::support_figures::RequestShare::of(status, filed_on, answered_on);
        self.add_to_support_figures(
            request.fields.province.as_str(),
            request.fields.cooperative_id,
            request.fields.client_id,
            before.to(after),
        )
        .await
    }

    /// Adds a topic, or renames one.
    pub async fn put_support_topic(&mut self, topic: &SupportTopic) -> Result<(), StoreError> {
        let before = self
            .support_topics()
            .await?
            .into_iter()
            .find(|t| t.code == topic.code);
        on!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO support_topics (code, name_fa, name_en) VALUES ($1, $2, $3) \
             ON CONFLICT (code) DO UPDATE SET name_fa = excluded.name_fa, name_en = excluded.name_en"
        )
        .bind(&topic.code)
        .bind(&topic.name_fa)
        .bind(&topic.name_en)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("keeping a support topic"))?
        });
        self.audit(AuditEntry {
            action: "support_topic.put",
            entity: "support_topic",
            entity_id: topic.code.clone(),
            province: None,
            before: before
                .map(|t| serde_json::json!({ "name_fa": t.name_fa, "name_en": t.name_en })),
            after: Some(serde_json::json!({ "name_fa": topic.name_fa, "name_en": topic.name_en })),
        });
        Ok(())
    }

    /// Sets the unit that answers `topic` in `province` from now on.
    pub async fn set_routing_rule(
        &mut self,
        topic: &str,
        province: &ProvinceCode,
        unit: &Unit,
    ) -> Result<(), StoreError> {
        let before = self.routing_rule(topic, province).await?;
        let now = self.now.to_string();
        let actor = self.actor.label();
        on!(self.conn(), |c| sqlx::query(
            "INSERT INTO support_routing_rules (topic, province, unit_kind, unit_code, \
             updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (topic, province) DO UPDATE SET unit_kind = excluded.unit_kind, \
             unit_code = excluded.unit_code, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at"
        )
        .bind(topic)
        .bind(province.as_str())
        .bind(unit.kind().code())
        .bind(unit.code())
        .bind(&actor)
        .bind(&now)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("keeping a routing rule"))?);
        let unit_json = |unit: &Unit| serde_json::json!({ "unit_kind": unit.kind().code(), "unit_code": unit.code() });
        self.audit(AuditEntry {
            action: "support_routing.set",
            entity: "support_routing_rule",
            entity_id: format!("{topic}/{}", province.as_str()),
            province: Some(province.as_str().to_owned()),
            before: before.map(|rule| unit_json(&rule.unit)),
            after: Some(unit_json(unit)),
        });
        Ok(())
    }

    /// Files a request, new, with its first message (its text).
    pub async fn insert_support_request(
        &mut self,
        request: &NewSupportRequest,
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let actor = self.actor.label();
        let r = request;
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO support_requests (province, cooperative_id, client_id, kind, topic, \
             body, unit_kind, unit_code, status, filed_by_user_id, filed_by, filed_at, \
             filed_on, deadline) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id"
        )
        .bind(r.province.as_str())
        .bind(r.cooperative_id)
        .bind(r.client_id)
        .bind(r.kind.code())
        .bind(&r.topic)
        .bind(&r.body)
        .bind(r.unit.kind().code())
        .bind(r.unit.code())
        .bind(RequestStatus::New.code())
        .bind(r.filed_by_user_id)
        .bind(&actor)
        .bind(&now)
        .bind(&r.filed_on)
        .bind(&r.deadline)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("filing a support request"))?);
        let filed = crate::support_figures::RequestShare::of(RequestStatus::New, &r.filed_on, None);
        self.add_to_support_figures(r.province.as_str(), r.cooperative_id, r.client_id, filed)
            .await?;
        self.audit(AuditEntry::created(
            "support_request.file",
            "support_request",
            id,
            Some(r.province.as_str()),
            serde_json::json!({
                "cooperative_id": r.cooperative_id, "client_id": r.client_id,
                "kind": r.kind.code(), "topic": r.topic,
                "unit_kind": r.unit.kind().code(), "unit_code": r.unit.code(),
                "filed_on": r.filed_on, "deadline": r.deadline,
            }),
        ));
        Ok(id)
    }

    /// Changes a request as it stood at `request.version`, recorded as `action`; `false`
    /// when another change came first and nothing was written.
    pub async fn change_support_request(
        &mut self,
        request: &SupportRequest,
        change: &SupportChange,
        action: &'static str,
    ) -> Result<bool, StoreError> {
        let changed = on!(self.conn(), |c| sqlx::query(
            "UPDATE support_requests SET status = $1, assignee_user_id = $2, \
             answered_on = $3, satisfaction = $4, satisfaction_comment = $5, \
             version = version + 1 WHERE id = $6 AND version = $7"
        )
        .bind(change.status.code())
        .bind(change.assignee_user_id)
        .bind(&change.answered_on)
        .bind(change.satisfaction)
        .bind(&change.satisfaction_comment)
        .bind(request.id)
        .bind(request.version)
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("changing a support request"))?);
        if changed == 0 {
            return Ok(false);
        }
        self.move_support_figures(request, change.status, change.answered_on.as_deref())
            .await?;
        self.audit(AuditEntry {
            action,
            entity: "support_request",
            entity_id: request.id.to_string(),
            province: Some(request.fields.province.as_str().to_owned()),
            before: Some(serde_json::json!({
                "status": request.status.code(), "assignee_user_id": request.assignee_user_id,
                "version": request.version,
            })),
            after: Some(serde_json::json!({
                "status": change.status.code(), "assignee_user_id": change.assignee_user_id,
                "answered_on": change.answered_on, "satisfaction": change.satisfaction,
                "satisfaction_comment": change.satisfaction_comment,
            })),
        });
        Ok(true)
    }

    /// Adds a message to a request's thread.
    pub async fn insert_support_message(
        &mut self,
        request: &SupportRequest,
        author_user_id: i64,
        body: &str,
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let actor = self.actor.label();
        let id: i64 = on!(self.conn(), |c| {
            sqlx::query(
            "INSERT INTO support_messages (request_id, author_user_id, author, written_at, body) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id"
        )
        .bind(request.id)
        .bind(author_user_id)
        .bind(&actor)
        .bind(&now)
        .bind(body)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("writing a support message"))?
        });
        self.audit(AuditEntry::created(
            "support_request.message",
            "support_request",
            request.id,
            Some(request.fields.province.as_str()),
            serde_json::json!({ "message_id": id, "chars": body.chars().count() }),
        ));
        Ok(id)
    }

    /// Records that `request` reached `level` on `today`; `false` when it already had
    /// (another run recorded it), and then nothing is written.
    pub async fn escalate_support_request(
        &mut self,
        request: &SupportRequest,
        level: EscalationLevel,
        today: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now.to_string();
        let inserted = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO support_escalations (request_id, level, escalated_on, escalated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (request_id, level) DO NOTHING"
        )
        .bind(request.id)
        .bind(level.code())
        .bind(today)
        .bind(&now)
        .execute(c)
        .await
        .map(|result| result.rows_affected())
        .map_err(db("escalating a support request"))?);
        if inserted == 0 {
            return Ok(false);
        }
        // The highest level reached; levels are recorded lowest first, so the latest is it.
        on!(self.conn(), |c| sqlx::query(
            "UPDATE support_requests SET escalation = $1 WHERE id = $2"
        )
        .bind(level.code())
        .bind(request.id)
        .execute(c)
        .await
        .map(|_| ())
        .map_err(db("escalating a support request"))?);
        self.audit(AuditEntry {
            action: "support_request.escalate",
            entity: "support_request",
            entity_id: request.id.to_string(),
            province: Some(request.fields.province.as_str().to_owned()),
            before: Some(
                serde_json::json!({ "escalation": request.escalation.map(EscalationLevel::code) }),
            ),
            after: Some(serde_json::json!({
                "escalation": level.code(), "deadline": request.fields.deadline, "on": today,
            })),
        });
        Ok(true)
    }

    /// Stores an attachment (its checks are the caller's).
    pub async fn insert_support_attachment(
        &mut self,
        request: &SupportRequest,
        attachment: &NewSupportAttachment,
    ) -> Result<i64, StoreError> {
        let now = self.now.to_string();
        let actor = self.actor.label();
        let a = attachment;
        let size = i64::try_from(a.content.len()).unwrap_or(i64::MAX);
        let id: i64 = on!(self.conn(), |c| sqlx::query(
            "INSERT INTO support_attachments (request_id, file_name, content_type, size_bytes, \
             content_sha256, content, uploaded_by_user_id, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
        )
        .bind(a.request_id)
        .bind(&a.file_name)
        .bind(a.content_type.code())
        .bind(size)
        .bind(&a.content_sha256)
        .bind(a.content.as_slice())
        .bind(a.uploaded_by_user_id)
        .bind(&actor)
        .bind(&now)
        .fetch_one(c)
        .await
        .and_then(|row| row.try_get(0))
        .map_err(db("storing an attachment"))?);
        self.audit(AuditEntry::created(
            "support_request.attach",
            "support_request",
            request.id,
            Some(request.fields.province.as_str()),
            serde_json::json!({
                "attachment_id": id, "file_name": a.file_name, "content_type": a.content_type.code(),
                "size_bytes": size, "content_sha256": a.content_sha256,
            }),
        ));
        Ok(id)
    }
}
