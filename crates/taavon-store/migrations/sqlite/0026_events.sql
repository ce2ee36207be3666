-- Events and webhooks (issue 19). Kept in lock-step with ../postgres/0026_events.sql.

-- The outbox: every change another system cares about, written in the change's own
-- transaction. `id` is the cursor (`after=`): rows are inserted at commit, after the audit
-- chain's head is locked, so ids grow in commit order and a reader never skips one.
-- `event_id` is the public id (also each delivery's `webhook-id`).
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    version BIGINT NOT NULL,
    occurred_at TEXT NOT NULL,
    province TEXT NOT NULL,
    bank TEXT,
    agency TEXT,
    cooperative_id BIGINT,
    resource_id TEXT NOT NULL,
    data TEXT NOT NULL
);

-- A system's subscription: its URL, the types it wants, its signing secret (and the one
-- it replaced, still signing until `previous_until`), and the scope it receives — its
-- creator's, fixed when made (the scope's columns as `access::EventScope` reads them) —
-- from the events after `after_cursor`, the newest when it was made.
CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY,
    owner_user_id BIGINT NOT NULL REFERENCES users (id),
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until TEXT,
    scope_kind TEXT NOT NULL,
    province TEXT,
    scope_code TEXT,
    scope_provinces TEXT NOT NULL,
    after_cursor BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT
);

-- One event to one subscription: its attempts and the last response.
CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id),
    event_cursor BIGINT NOT NULL REFERENCES events (id),
    resource_key TEXT NOT NULL,
    province TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_status BIGINT,
    last_duration_ms BIGINT,
    last_error TEXT,
    last_attempt_at TEXT,
    UNIQUE (subscription_id, event_cursor)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_resource ON webhook_deliveries (subscription_id, resource_key, event_cursor);

-- The delivery worker's one row: which server holds the lease (compare-and-set, with an
-- expiry) and how far the fan-out of events into deliveries has come.
CREATE TABLE webhook_worker (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    holder TEXT NOT NULL,
    lease_until TEXT NOT NULL,
    fanout_cursor BIGINT NOT NULL
);
INSERT INTO webhook_worker (id, holder, lease_until, fanout_cursor) VALUES (1, '', '', 0);
