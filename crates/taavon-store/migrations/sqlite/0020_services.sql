-- Services delivered (issue 15): what an agency or a bank delivered, to whom and where,
-- and the county figures kept beside them in the same transaction, which the gap list
-- and the synergy map read instead of the records. Kept in lock-step with
-- ../postgres/0020_services.sql.

-- One service. The provider's own reference makes a record idempotent: an agency's
-- system sends its rows again and again, and a row already recorded is left as it is.
-- A person's service counts that one person; a cooperative's (a training course) counts
-- its participants. A bank facility carries the disbursement that paid it.
CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    county TEXT NOT NULL REFERENCES counties (code),
    provider_kind TEXT NOT NULL CHECK (provider_kind IN ('agency', 'bank')),
    provider_code TEXT NOT NULL,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('training_course', 'housing_unit',
        'insurance_enrolment', 'pension_payment', 'welfare_payment', 'technical_assistance',
        'bank_facility')),
    national_code TEXT,
    cooperative_id BIGINT REFERENCES cooperatives (id),
    people BIGINT NOT NULL CHECK (people BETWEEN 1 AND 10000),
    amount_rial BIGINT CHECK (amount_rial >= 0),
    delivered_on TEXT NOT NULL,
    loan_transaction_id BIGINT REFERENCES loan_transactions (id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    CHECK ((national_code IS NULL) <> (cooperative_id IS NULL)),
    UNIQUE (provider_kind, provider_code, reference)
);

-- Per county, provider and kind: how many services and how many people they reached.
-- Every insert into services adds to its row in the same transaction.
CREATE TABLE service_county_figures (
    province TEXT NOT NULL REFERENCES provinces (code),
    county TEXT NOT NULL REFERENCES counties (code),
    provider_kind TEXT NOT NULL CHECK (provider_kind IN ('agency', 'bank')),
    provider_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    services BIGINT NOT NULL CHECK (services >= 0),
    people BIGINT NOT NULL CHECK (people >= 0),
    PRIMARY KEY (county, provider_kind, provider_code, kind)
);
CREATE INDEX service_county_figures_province ON service_county_figures (province);

-- One bulk import of a provider's services: the file and what it did. National, like the
-- insured-worker uploads: an agency's file spans provinces, its rows carry theirs.
CREATE TABLE service_imports (
    id INTEGER PRIMARY KEY,
    provider_kind TEXT NOT NULL CHECK (provider_kind IN ('agency', 'bank')),
    provider_code TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    created_count BIGINT NOT NULL,
    unchanged_count BIGINT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
