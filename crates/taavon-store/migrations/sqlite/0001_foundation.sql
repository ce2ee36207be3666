-- Foundation schema (SQLite dialect). Kept in lock-step with ../postgres/0001_foundation.sql:
-- the same tables, the same columns in the same order. Dates are ISO text (YYYY-MM-DD),
-- instants RFC 3339 UTC text, money integer rials. Every row that belongs to a province
-- carries `province` (ISO 3166-2, e.g. IR-16) so a sharded PostgreSQL can distribute by it.

CREATE TABLE provinces (
    code TEXT PRIMARY KEY,
    sci_code TEXT NOT NULL UNIQUE,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    population_1395 BIGINT NOT NULL
);

CREATE TABLE counties (
    code TEXT PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    population_1395 BIGINT
);
CREATE INDEX counties_province ON counties (province);

-- A dated, sourced classification of counties into deprivation tiers (1 = most
-- underprivileged). Programs choose which one they apply; the newest applies by default.
CREATE TABLE tier_classifications (
    id INTEGER PRIMARY KEY,
    valid_from TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);

CREATE TABLE county_tiers (
    classification_id BIGINT NOT NULL REFERENCES tier_classifications (id),
    county TEXT NOT NULL REFERENCES counties (code),
    province TEXT NOT NULL REFERENCES provinces (code),
    tier BIGINT NOT NULL CHECK (tier BETWEEN 1 AND 4),
    PRIMARY KEY (classification_id, county)
);

CREATE TABLE sectors (
    code TEXT PRIMARY KEY,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE banks (
    code TEXT PRIMARY KEY,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE branches (
    code TEXT PRIMARY KEY,
    bank TEXT NOT NULL REFERENCES banks (code),
    province TEXT NOT NULL REFERENCES provinces (code),
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE cooperatives (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    county TEXT NOT NULL REFERENCES counties (code),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    sector TEXT NOT NULL REFERENCES sectors (code),
    legal_id TEXT UNIQUE,
    registration_number TEXT,
    registered_on TEXT,
    founded_on TEXT,
    women_led BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    address TEXT,
    phone TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cooperatives_province ON cooperatives (province, name_key);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    national_code TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('female', 'male')),
    birth_year BIGINT,
    mobile TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    board_role TEXT,
    joined_on TEXT NOT NULL,
    exited_on TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (cooperative_id, person_id, joined_on)
);
CREATE INDEX memberships_person ON memberships (person_id);

-- Individual clients: handicraft artisans and welfare clients referred by Behzisti, who
-- apply for facilities in their own right.
CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    county TEXT NOT NULL REFERENCES counties (code),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL CHECK (kind IN ('artisan', 'welfare')),
    sector TEXT REFERENCES sectors (code),
    credential TEXT,
    referred_by TEXT REFERENCES agencies (code),
    created_at TEXT NOT NULL,
    UNIQUE (person_id, kind)
);

CREATE TABLE programs (
    code TEXT PRIMARY KEY,
    funding_source TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    county TEXT NOT NULL REFERENCES counties (code),
    program TEXT NOT NULL REFERENCES programs (code),
    cooperative_id BIGINT REFERENCES cooperatives (id),
    client_id BIGINT REFERENCES clients (id),
    sector TEXT NOT NULL REFERENCES sectors (code),
    amount_rial BIGINT NOT NULL CHECK (amount_rial > 0),
    jobs BIGINT NOT NULL CHECK (jobs >= 0),
    women_jobs BIGINT NOT NULL CHECK (women_jobs >= 0 AND women_jobs <= jobs),
    purpose TEXT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((cooperative_id IS NULL) <> (client_id IS NULL))
);
CREATE INDEX applications_province ON applications (province, status);
CREATE INDEX applications_cooperative ON applications (cooperative_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    province TEXT REFERENCES provinces (code),
    bank TEXT REFERENCES banks (code),
    agency TEXT REFERENCES agencies (code),
    cooperative_id BIGINT REFERENCES cooperatives (id),
    active BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);

-- Extra provinces of a bank officer (one bank, one or more provinces).
CREATE TABLE user_provinces (
    user_id BIGINT NOT NULL REFERENCES users (id),
    province TEXT NOT NULL REFERENCES provinces (code),
    PRIMARY KEY (user_id, province)
);

-- Bearer tokens for the API; only the SHA-256 of a token is kept.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

-- UI sessions (tower-sessions records as JSON); never one for an anonymous visitor.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- Failed logins per user name, for throttling that holds across app servers.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);

-- The audit trail: one record per state change, hash-chained. `audit_head` holds the
-- last link so that deleting the newest records is detected too, and serialises appends.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    province TEXT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
