-- Programs with their rules, calendars and provincial budgets; applications with their
-- workflow (issue 5). Kept in step with the other dialect by the schema parity test.

ALTER TABLE programs ADD COLUMN opens_on TEXT NOT NULL DEFAULT '2025-03-21';
ALTER TABLE programs ADD COLUMN closes_on TEXT NOT NULL DEFAULT '2026-03-20';
-- The rule document (eligibility, pricing, quotas, scoring) as JSON, checked by the core.
ALTER TABLE programs ADD COLUMN rules TEXT NOT NULL DEFAULT '{}';
-- The dated tier classification the program applies; NULL: the newest at each decision.
ALTER TABLE programs ADD COLUMN tier_classification_id BIGINT REFERENCES tier_classifications (id);
-- The bank applications are referred to unless the officer names another.
ALTER TABLE programs ADD COLUMN bank TEXT REFERENCES banks (code);
ALTER TABLE programs ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

CREATE TABLE program_budgets (
    program TEXT NOT NULL REFERENCES programs (code),
    province TEXT NOT NULL REFERENCES provinces (code),
    amount_rial BIGINT NOT NULL CHECK (amount_rial >= 0),
    -- formula or manual
    method TEXT NOT NULL,
    PRIMARY KEY (program, province)
);

ALTER TABLE applications ADD COLUMN applicant_kind TEXT NOT NULL DEFAULT 'cooperative';
ALTER TABLE applications ADD COLUMN financing TEXT NOT NULL DEFAULT 'development';
-- Whether the applicant is women-led (a cooperative flag, or a woman client), for quotas.
ALTER TABLE applications ADD COLUMN women_led BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE applications ADD COLUMN tier BIGINT;
ALTER TABLE applications ADD COLUMN score_x100 BIGINT;
ALTER TABLE applications ADD COLUMN first_approver BIGINT REFERENCES users (id);
ALTER TABLE applications ADD COLUMN referred_bank TEXT REFERENCES banks (code);
ALTER TABLE applications ADD COLUMN referred_branch TEXT;
-- Likely duplicates found at submission, as JSON (flagged, never merged).
ALTER TABLE applications ADD COLUMN duplicate_flags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE applications ADD COLUMN updated_at TEXT;
CREATE INDEX applications_bank ON applications (referred_bank, province);
CREATE INDEX applications_program ON applications (program, status);

-- Every move of an application, with what the decision rested on.
CREATE TABLE application_events (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    actor_user_id BIGINT REFERENCES users (id),
    actor TEXT NOT NULL,
    reason TEXT,
    -- JSON: applicant data, county tier, score and program rules at the decision.
    snapshot TEXT,
    at TEXT NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, id);
