-- Registry (SQLite dialect), in lock-step with ../postgres/0002_registry.sql: the
-- share-capital register, formations, idempotency keys, and search keys for persons.

-- One row per register entry; never updated or deleted (corrections are new entries).
CREATE TABLE share_entries (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives (id),
    kind TEXT NOT NULL CHECK (kind IN ('subscription', 'payment', 'transfer', 'withdrawal')),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    counterpart_id BIGINT REFERENCES persons (id),
    amount_rial BIGINT NOT NULL CHECK (amount_rial > 0),
    entered_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX share_entries_cooperative ON share_entries (cooperative_id, id);

-- A founders' application to form a cooperative; the cooperative row exists from the
-- start in status 'forming' and becomes 'registered' on approval.
CREATE TABLE formations (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives (id),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'approved', 'rejected')),
    statute TEXT,
    duplicate_flags TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX formations_province ON formations (province, status);

-- The first result of every POST made with an Idempotency-Key, per user.
CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL,
    route TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);

CREATE INDEX memberships_cooperative ON memberships (cooperative_id, exited_on);
CREATE INDEX cooperatives_legal_id ON cooperatives (legal_id);
CREATE INDEX cooperatives_registration ON cooperatives (registration_number);
