-- Rescheduling (استمهال): the terms of each schedule written after the contract's, so a
-- loan's current schedule can be rebuilt and settled, and its earlier versions listed.
-- Version 1's terms are the contract's, on `loans`. The principal is what the schedule
-- amortises: the outstanding principal plus the dues capitalised into it.
CREATE TABLE loan_schedules (
    loan_id BIGINT NOT NULL REFERENCES loans (id),
    province TEXT NOT NULL REFERENCES provinces (code),
    schedule_version BIGINT NOT NULL CHECK (schedule_version > 1),
    principal_rial BIGINT NOT NULL CHECK (principal_rial > 0),
    capitalised_rial BIGINT NOT NULL CHECK (capitalised_rial >= 0),
    rate_bp BIGINT NOT NULL CHECK (rate_bp >= 0),
    months BIGINT NOT NULL,
    grace_months BIGINT NOT NULL,
    grace_mode TEXT NOT NULL,
    method TEXT NOT NULL,
    day_base BIGINT NOT NULL,
    starts_on TEXT NOT NULL,
    -- The loan transaction (kind reschedule) that recorded it.
    transaction_id BIGINT NOT NULL REFERENCES loan_transactions (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (loan_id, schedule_version)
);
