-- How long the funnel's steps take (issue 17). Kept in lock-step with
-- ../postgres/0034_dashboard_step_days.sql.

-- Applications per day × province × bank ('' before the referral) × step reached
-- (eligible, approved, referred, contracted, disbursed) × the exact calendar days since
-- the step before: a histogram, so a period's median days per step is read from counts.
-- Every application move and loan transaction adds its step in the same transaction
-- (store::dashboard_steps).
CREATE TABLE dashboard_step_days (
    day TEXT NOT NULL,
    province TEXT NOT NULL REFERENCES provinces (code),
    bank TEXT NOT NULL,
    step TEXT NOT NULL,
    days BIGINT NOT NULL CHECK (days >= 0),
    applications BIGINT NOT NULL CHECK (applications > 0),
    PRIMARY KEY (day, province, bank, step, days)
);
-- A province's dashboard reads its own rows over a period.
CREATE INDEX dashboard_step_days_province ON dashboard_step_days (province, day);

-- The same counts per Jalali month (by its first day), so a season or a year reads a
-- row per month and duration rather than one per day.
CREATE TABLE dashboard_month_step_days (
    month_from TEXT NOT NULL,
    province TEXT NOT NULL REFERENCES provinces (code),
    bank TEXT NOT NULL,
    step TEXT NOT NULL,
    days BIGINT NOT NULL CHECK (days >= 0),
    applications BIGINT NOT NULL CHECK (applications > 0),
    PRIMARY KEY (month_from, province, bank, step, days)
);
CREATE INDEX dashboard_month_step_days_province
    ON dashboard_month_step_days (province, month_from);

-- The steps already recorded, counted by the statements the store checks the kept
-- histograms against.
INSERT INTO dashboard_step_days (day, province, bank, step, days, applications) SELECT
    day, province, bank, step, days, COUNT(*) FROM (SELECT SUBSTR(e.at, 1, 10) AS day,
    a.province AS province, CASE WHEN e.to_state IN ('referred', 'bank_approved',
    'bank_rejected', 'contracted') OR e.from_state IN ('referred', 'bank_approved',
    'bank_rejected', 'contracted') THEN COALESCE(a.referred_bank, '') ELSE '' END AS
    bank, CASE e.to_state WHEN 'under_review' THEN 'eligible' WHEN 'approved' THEN
    'approved' WHEN 'referred' THEN 'referred' WHEN 'contracted' THEN 'contracted' END
    AS step, CASE WHEN (365 * (CAST(SUBSTR(e.at, 1, 4) AS INTEGER) - CASE WHEN
    CAST(SUBSTR(e.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) + (CAST(SUBSTR(e.at, 1,
    4) AS INTEGER) - CASE WHEN CAST(SUBSTR(e.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0
    END) / 4 - (CAST(SUBSTR(e.at, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(e.at, 6, 2)
    AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 100 + (CAST(SUBSTR(e.at, 1, 4) AS INTEGER) -
    CASE WHEN CAST(SUBSTR(e.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 400 + (153 *
    ((CAST(SUBSTR(e.at, 6, 2) AS INTEGER) + 9) % 12) + 2) / 5 + CAST(SUBSTR(e.at, 9, 2)
    AS INTEGER)) - (365 * (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) - CASE WHEN
    CAST(SUBSTR(p.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) + (CAST(SUBSTR(p.at, 1,
    4) AS INTEGER) - CASE WHEN CAST(SUBSTR(p.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0
    END) / 4 - (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(p.at, 6, 2)
    AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 100 + (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) -
    CASE WHEN CAST(SUBSTR(p.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 400 + (153 *
    ((CAST(SUBSTR(p.at, 6, 2) AS INTEGER) + 9) % 12) + 2) / 5 + CAST(SUBSTR(p.at, 9, 2)
    AS INTEGER)) < 0 THEN 0 ELSE (365 * (CAST(SUBSTR(e.at, 1, 4) AS INTEGER) - CASE WHEN
    CAST(SUBSTR(e.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) + (CAST(SUBSTR(e.at, 1,
    4) AS INTEGER) - CASE WHEN CAST(SUBSTR(e.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0
    END) / 4 - (CAST(SUBSTR(e.at, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(e.at, 6, 2)
    AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 100 + (CAST(SUBSTR(e.at, 1, 4) AS INTEGER) -
    CASE WHEN CAST(SUBSTR(e.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 400 + (153 *
    ((CAST(SUBSTR(e.at, 6, 2) AS INTEGER) + 9) % 12) + 2) / 5 + CAST(SUBSTR(e.at, 9, 2)
    AS INTEGER)) - (365 * (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) - CASE WHEN
    CAST(SUBSTR(p.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) + (CAST(SUBSTR(p.at, 1,
    4) AS INTEGER) - CASE WHEN CAST(SUBSTR(p.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0
    END) / 4 - (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(p.at, 6, 2)
    AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 100 + (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) -
    CASE WHEN CAST(SUBSTR(p.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 400 + (153 *
    ((CAST(SUBSTR(p.at, 6, 2) AS INTEGER) + 9) % 12) + 2) / 5 + CAST(SUBSTR(p.at, 9, 2)
    AS INTEGER)) END AS days, a.cooperative_id AS cooperative_id, 1 AS applications FROM
    application_events e JOIN applications a ON a.id = e.application_id JOIN
    application_events p ON p.id = (SELECT MAX(q.id) FROM application_events q WHERE
    q.application_id = e.application_id AND q.from_state <> q.to_state AND ((e.to_state
    = 'under_review' AND q.id <= e.id AND q.from_state = 'draft' AND q.to_state IN
    ('submitted', 'under_review', 'ineligible')) OR (e.to_state = 'approved' AND q.id <
    e.id AND q.to_state = 'under_review') OR (e.to_state = 'referred' AND q.id < e.id
    AND q.to_state = 'approved') OR (e.to_state = 'contracted' AND q.id < e.id AND
    q.to_state = 'referred'))) WHERE e.from_state <> e.to_state AND e.to_state IN
    ('under_review', 'approved', 'referred', 'contracted') AND true UNION ALL SELECT
    t.business_on AS day, l.province AS province, l.bank AS bank, 'disbursed' AS step,
    CASE WHEN (365 * (CAST(SUBSTR(t.business_on, 1, 4) AS INTEGER) - CASE WHEN
    CAST(SUBSTR(t.business_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) +
    (CAST(SUBSTR(t.business_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(t.business_on,
    6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 4 - (CAST(SUBSTR(t.business_on, 1, 4) AS
    INTEGER) - CASE WHEN CAST(SUBSTR(t.business_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0
    END) / 100 + (CAST(SUBSTR(t.business_on, 1, 4) AS INTEGER) - CASE WHEN
    CAST(SUBSTR(t.business_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 400 + (153 *
    ((CAST(SUBSTR(t.business_on, 6, 2) AS INTEGER) + 9) % 12) + 2) / 5 +
    CAST(SUBSTR(t.business_on, 9, 2) AS INTEGER)) - (365 * (CAST(SUBSTR(p.at, 1, 4) AS
    INTEGER) - CASE WHEN CAST(SUBSTR(p.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) +
    (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(p.at, 6, 2) AS INTEGER)
    <= 2 THEN 1 ELSE 0 END) / 4 - (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) - CASE WHEN
    CAST(SUBSTR(p.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 100 +
    (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(p.at, 6, 2) AS INTEGER)
    <= 2 THEN 1 ELSE 0 END) / 400 + (153 * ((CAST(SUBSTR(p.at, 6, 2) AS INTEGER) + 9) %
    12) + 2) / 5 + CAST(SUBSTR(p.at, 9, 2) AS INTEGER)) < 0 THEN 0 ELSE (365 *
    (CAST(SUBSTR(t.business_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(t.business_on,
    6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) + (CAST(SUBSTR(t.business_on, 1, 4) AS
    INTEGER) - CASE WHEN CAST(SUBSTR(t.business_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0
    END) / 4 - (CAST(SUBSTR(t.business_on, 1, 4) AS INTEGER) - CASE WHEN
    CAST(SUBSTR(t.business_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 100 +
    (CAST(SUBSTR(t.business_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(t.business_on,
    6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 400 + (153 *
    ((CAST(SUBSTR(t.business_on, 6, 2) AS INTEGER) + 9) % 12) + 2) / 5 +
    CAST(SUBSTR(t.business_on, 9, 2) AS INTEGER)) - (365 * (CAST(SUBSTR(p.at, 1, 4) AS
    INTEGER) - CASE WHEN CAST(SUBSTR(p.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) +
    (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(p.at, 6, 2) AS INTEGER)
    <= 2 THEN 1 ELSE 0 END) / 4 - (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) - CASE WHEN
    CAST(SUBSTR(p.at, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 100 +
    (CAST(SUBSTR(p.at, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(p.at, 6, 2) AS INTEGER)
    <= 2 THEN 1 ELSE 0 END) / 400 + (153 * ((CAST(SUBSTR(p.at, 6, 2) AS INTEGER) + 9) %
    12) + 2) / 5 + CAST(SUBSTR(p.at, 9, 2) AS INTEGER)) END AS days, a.cooperative_id AS
    cooperative_id, 1 AS applications FROM loan_transactions t JOIN loans l ON l.id =
    t.loan_id JOIN applications a ON a.id = l.application_id JOIN application_events p
    ON p.id = (SELECT MAX(q.id) FROM application_events q WHERE q.application_id = a.id
    AND q.from_state <> q.to_state AND q.to_state = 'contracted') WHERE t.kind =
    'disbursement' AND t.id = (SELECT MIN(d.id) FROM loan_transactions d WHERE d.loan_id
    = t.loan_id AND d.kind = 'disbursement') AND true) r GROUP BY day, province, bank,
    step, days;
INSERT INTO dashboard_month_step_days (month_from, province, bank, step, days,
    applications) SELECT month_from, province, bank, step, days, SUM(applications) FROM
    (SELECT (SELECT m.first_day FROM jalali_months m WHERE m.first_day <= d.day ORDER BY
    m.first_day DESC LIMIT 1) AS month_from, d.* FROM dashboard_step_days d) r GROUP BY
    month_from, province, bank, step, days;
