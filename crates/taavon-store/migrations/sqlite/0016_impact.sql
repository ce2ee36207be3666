-- Impact (issue 14): the Social Security Organization's insured-worker lists, the
-- workshop codes that match them to borrowers, the hires borrowers report for a loan and
-- each hire's verification status. Kept in lock-step with ../postgres/0016_impact.sql.

-- A borrower's SSO workshop code (کد کارگاه, ten digits), on the registry and on the
-- contract. A contract without one is allowed; its hires stay `no_workshop`.
ALTER TABLE cooperatives ADD COLUMN workshop_code TEXT;
ALTER TABLE clients ADD COLUMN workshop_code TEXT;
ALTER TABLE loans ADD COLUMN workshop_code TEXT;

-- Who uploaded which list, and what it covered.
CREATE TABLE insured_uploads (
    id INTEGER PRIMARY KEY,
    uploaded_by_user_id BIGINT REFERENCES users (id),
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    workshop_count BIGINT NOT NULL,
    first_month TEXT NOT NULL,
    last_month TEXT NOT NULL
);

-- The (workshop, month) pairs an upload holds: a later list for a pair replaces the
-- pair's rows, and verification re-reads only the hires at these workshops.
CREATE TABLE insured_upload_months (
    upload_id BIGINT NOT NULL REFERENCES insured_uploads (id),
    workshop TEXT NOT NULL,
    month TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    PRIMARY KEY (upload_id, workshop, month)
) WITHOUT ROWID;

-- One person's month at one workshop. No province: a workshop's list is national data,
-- scoped by who may read it (SSO officers, the ministry, auditors), not by where. The
-- upload is not a foreign key: checking it would cost a lookup on each of 15 million rows
-- and the upload record is written first in the same transaction.
CREATE TABLE insured_rows (
    workshop TEXT NOT NULL,
    national_code TEXT NOT NULL,
    month TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('M', 'F')),
    days BIGINT NOT NULL CHECK (days BETWEEN 0 AND 31),
    upload_id BIGINT NOT NULL,
    PRIMARY KEY (workshop, national_code, month)
) WITHOUT ROWID;

-- A borrower's report of the people hired for a loan: the first, then amendments.
CREATE TABLE job_reports (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    loan_id BIGINT NOT NULL REFERENCES loans (id),
    kind TEXT NOT NULL CHECK (kind IN ('report', 'amendment')),
    hire_count BIGINT NOT NULL,
    reported_by_user_id BIGINT REFERENCES users (id),
    reported_by TEXT NOT NULL,
    reported_at TEXT NOT NULL
);
CREATE INDEX job_reports_loan ON job_reports (loan_id, id);

-- A reported hire and its verification. `workshop` and `disbursed_on` are the inputs
-- copied from the loan when it was reported or its workshop set (so verification joins
-- the lists alone); `upload_id` the list whose rows last decided the status; `woman`
-- whether the list's gender in the last counted month is F (kept for candidates, so a
-- hire that later wins its claim knows it without re-reading the list).
CREATE TABLE loan_hires (
    loan_id BIGINT NOT NULL REFERENCES loans (id),
    national_code TEXT NOT NULL,
    province TEXT NOT NULL REFERENCES provinces (code),
    report_id BIGINT NOT NULL REFERENCES job_reports (id),
    workshop TEXT,
    disbursed_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('verified', 'insured_before', 'not_insured',
        'too_few_months', 'claimed_elsewhere', 'no_workshop')),
    woman BOOLEAN NOT NULL DEFAULT FALSE,
    upload_id BIGINT REFERENCES insured_uploads (id),
    verified_at TEXT NOT NULL,
    PRIMARY KEY (loan_id, national_code)
);
CREATE INDEX loan_hires_national_code ON loan_hires (national_code);
CREATE INDEX loan_hires_workshop ON loan_hires (workshop, national_code);
CREATE INDEX loan_hires_province_status ON loan_hires (province, status);
