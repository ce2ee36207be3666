-- Support requests (issue 15): a cooperative's (or an individual client's) request for
-- financial, technical or administrative support, routed by topic and province to the
-- responsible unit, with its thread, attachments and escalations. Kept in lock-step with
-- ../postgres/0018_support_requests.sql.

-- The topics a request is filed under: a list the ministry keeps.
CREATE TABLE support_topics (
    code TEXT PRIMARY KEY,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL
);

-- Which unit answers a topic in a province: the provincial office (no code), an agency
-- (its reference code) or a bank (its Sheba code). A topic with no rule for a province
-- goes to the provincial office. A request copies its unit when filed, so a changed rule
-- routes new requests only.
CREATE TABLE support_routing_rules (
    topic TEXT NOT NULL REFERENCES support_topics (code),
    province TEXT NOT NULL REFERENCES provinces (code),
    unit_kind TEXT NOT NULL CHECK (unit_kind IN ('provincial_office', 'agency', 'bank')),
    unit_code TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (topic, province),
    CHECK ((unit_kind = 'provincial_office') = (unit_code IS NULL))
);

-- A request: from a cooperative (its representative) or an individual client (filed by
-- an officer). `answered_on`/`answered_at` are the first answer's, for the SLA figures;
-- `escalation` the highest level reached.
CREATE TABLE support_requests (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    cooperative_id BIGINT REFERENCES cooperatives (id),
    client_id BIGINT REFERENCES clients (id),
    kind TEXT NOT NULL CHECK (kind IN ('financial', 'technical', 'administrative')),
    topic TEXT NOT NULL REFERENCES support_topics (code),
    body TEXT NOT NULL,
    unit_kind TEXT NOT NULL CHECK (unit_kind IN ('provincial_office', 'agency', 'bank')),
    unit_code TEXT,
    assignee_user_id BIGINT REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('new', 'assigned', 'waiting_for_requester',
        'answered', 'closed', 'reopened')),
    filed_by_user_id BIGINT NOT NULL REFERENCES users (id),
    filed_by TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    answered_on TEXT,
    escalation TEXT CHECK (escalation IN ('provincial_head', 'ministry')),
    satisfaction BIGINT CHECK (satisfaction BETWEEN 1 AND 5),
    satisfaction_comment TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    CHECK ((cooperative_id IS NULL) <> (client_id IS NULL)),
    CHECK ((unit_kind = 'provincial_office') = (unit_code IS NULL))
);
CREATE INDEX support_requests_province ON support_requests (province, id);
CREATE INDEX support_requests_unit ON support_requests (unit_kind, unit_code, province, id);
CREATE INDEX support_requests_cooperative ON support_requests (cooperative_id, id);
CREATE INDEX support_requests_open ON support_requests (status, deadline);

-- The thread: what each side wrote, in order.
CREATE TABLE support_messages (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES support_requests (id),
    author_user_id BIGINT NOT NULL REFERENCES users (id),
    author TEXT NOT NULL,
    written_at TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX support_messages_request ON support_messages (request_id, id);

-- Each level reached once: two app servers escalating at the same time insert the same
-- key, and exactly one insert succeeds.
CREATE TABLE support_escalations (
    request_id BIGINT NOT NULL REFERENCES support_requests (id),
    level TEXT NOT NULL CHECK (level IN ('provincial_head', 'ministry')),
    escalated_on TEXT NOT NULL,
    escalated_at TEXT NOT NULL,
    PRIMARY KEY (request_id, level)
);

-- Files attached to a request (PDF, PNG, JPEG; the size limit is configuration), with
-- the SHA-256 of their content.
CREATE TABLE support_attachments (
    id INTEGER PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES support_requests (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/png',
        'image/jpeg')),
    size_bytes BIGINT NOT NULL,
    content_sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by_user_id BIGINT NOT NULL REFERENCES users (id),
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX support_attachments_request ON support_attachments (request_id, id);

INSERT INTO support_topics (code, name_fa, name_en) VALUES
    ('licence', 'مجوز و پروانه', 'Licence'),
    ('insurance', 'بیمه', 'Insurance'),
    ('training', 'آموزش', 'Training'),
    ('market_access', 'دسترسی به بازار', 'Market access'),
    ('equipment', 'تجهیزات', 'Equipment'),
    ('legal', 'حقوقی', 'Legal'),
    ('financing', 'تأمین مالی', 'Financing');
