-- Kept in lock-step with ../postgres/0023_loan_hires_in_place.sql, which lets
-- PostgreSQL rewrite a hire's verdict without touching an index: the same index on the
-- province's hires by loan instead of by verdict, and the upload that last decided a
-- verdict no foreign key (like insured_rows.upload_id). SQLite rewrites a row in place
-- and has no fill factor; it cannot drop a constraint, so the table is rebuilt (same
-- columns and rows). Nothing references loan_hires.
CREATE TABLE loan_hires_rebuilt (
    loan_id BIGINT NOT NULL REFERENCES loans (id),
    national_code TEXT NOT NULL,
    province TEXT NOT NULL REFERENCES provinces (code),
    report_id BIGINT NOT NULL REFERENCES job_reports (id),
    workshop TEXT,
    disbursed_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('verified', 'insured_before', 'not_insured',
        'too_few_months', 'claimed_elsewhere', 'no_workshop')),
    woman BOOLEAN NOT NULL DEFAULT FALSE,
    upload_id BIGINT,
    verified_at TEXT NOT NULL,
    PRIMARY KEY (loan_id, national_code)
);
INSERT INTO loan_hires_rebuilt (loan_id, national_code, province, report_id, workshop,
    disbursed_on, status, woman, upload_id, verified_at)
SELECT loan_id, national_code, province, report_id, workshop, disbursed_on, status, woman,
    upload_id, verified_at
FROM loan_hires;
DROP TABLE loan_hires;
ALTER TABLE loan_hires_rebuilt RENAME TO loan_hires;
CREATE INDEX loan_hires_national_code ON loan_hires (national_code);
CREATE INDEX loan_hires_workshop ON loan_hires (workshop, national_code);
CREATE INDEX loan_hires_province ON loan_hires (province, loan_id, national_code);
