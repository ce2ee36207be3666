-- The dashboards' figures (issue 17). Kept in lock-step with
-- ../postgres/0032_dashboard_figures.sql.

-- Per day × province × program × bank ('' before an application is referred) ×
-- whether the county is underprivileged (tier 1–2 of the newest classification when the
-- event was recorded): applications reaching each step of the funnel, the money
-- approved, committed (the net flow into the committed states), disbursed, to women-led
-- applicants, repaid, and the jobs approved. Every application move and loan
-- transaction adds its figures in the same transaction (store::dashboard_figures), so
-- a dashboard reads a few thousand rows instead of scanning applications and loans.
CREATE TABLE dashboard_figures (
    day TEXT NOT NULL,
    province TEXT NOT NULL REFERENCES provinces (code),
    program TEXT NOT NULL,
    bank TEXT NOT NULL,
    underprivileged BIGINT NOT NULL,
    -- No CHECK on the sums: a reversal or a withdrawal adds a negative difference.
    submitted BIGINT NOT NULL,
    eligible BIGINT NOT NULL,
    approved BIGINT NOT NULL,
    referred BIGINT NOT NULL,
    contracted BIGINT NOT NULL,
    disbursed BIGINT NOT NULL,
    approved_rial BIGINT NOT NULL,
    committed_rial BIGINT NOT NULL,
    approved_jobs BIGINT NOT NULL,
    approved_women_jobs BIGINT NOT NULL,
    disbursed_rial BIGINT NOT NULL,
    women_disbursed_rial BIGINT NOT NULL,
    repaid_rial BIGINT NOT NULL,
    PRIMARY KEY (day, province, program, bank, underprivileged)
);
-- A province's dashboard reads its own rows over a period.
CREATE INDEX dashboard_figures_province ON dashboard_figures (province, day);

-- A dashboard's task inbox: the applications waiting in a state, the longest first.
CREATE INDEX applications_waiting ON applications (status, updated_at, id);

-- The events and transactions already recorded, summed by the statement the store
-- checks the kept figures against.
INSERT INTO dashboard_figures (day, province, program, bank, underprivileged, submitted,
    eligible, approved, referred, contracted, disbursed, approved_rial, committed_rial,
    approved_jobs, approved_women_jobs, disbursed_rial, women_disbursed_rial, repaid_rial)
    SELECT day, province, program, bank, underprivileged, SUM(submitted), SUM(eligible),
    SUM(approved), SUM(referred), SUM(contracted), SUM(disbursed), SUM(approved_rial),
    SUM(committed_rial), SUM(approved_jobs), SUM(approved_women_jobs), SUM(disbursed_rial),
    SUM(women_disbursed_rial), SUM(repaid_rial) FROM (SELECT * FROM (SELECT SUBSTR(e.at, 1,
    10) AS day, a.province AS province, a.program AS program, CASE WHEN e.to_state IN
    ('referred', 'bank_approved', 'bank_rejected', 'contracted') OR e.from_state IN
    ('referred', 'bank_approved', 'bank_rejected', 'contracted') THEN
    COALESCE(a.referred_bank, '') ELSE '' END AS bank, CASE WHEN EXISTS (SELECT 1 FROM
    county_tiers ct WHERE ct.county = a.county AND ct.tier <= 2 AND ct.classification_id =
    (SELECT id FROM tier_classifications ORDER BY valid_from DESC, id DESC LIMIT 1)) THEN 1
    ELSE 0 END AS underprivileged, a.cooperative_id AS cooperative_id, CASE WHEN
    e.from_state = 'draft' AND e.to_state IN ('submitted', 'under_review', 'ineligible')
    THEN 1 ELSE 0 END AS submitted, CASE WHEN e.to_state = 'under_review' THEN 1 ELSE 0 END
    AS eligible, CASE WHEN e.to_state = 'approved' THEN 1 ELSE 0 END AS approved, CASE WHEN
    e.to_state = 'referred' THEN 1 ELSE 0 END AS referred, CASE WHEN e.to_state =
    'contracted' THEN 1 ELSE 0 END AS contracted, 0 AS disbursed, CASE WHEN e.to_state =
    'approved' THEN a.amount_rial ELSE 0 END AS approved_rial, a.amount_rial * (CASE WHEN
    e.to_state IN ('approved', 'referred', 'bank_approved', 'contracted') THEN 1 ELSE 0 END
    - CASE WHEN e.from_state IN ('approved', 'referred', 'bank_approved', 'contracted') THEN
    1 ELSE 0 END) AS committed_rial, CASE WHEN e.to_state = 'approved' THEN a.jobs ELSE 0
    END AS approved_jobs, CASE WHEN e.to_state = 'approved' THEN a.women_jobs ELSE 0 END AS
    approved_women_jobs, 0 AS disbursed_rial, 0 AS women_disbursed_rial, 0 AS repaid_rial
    FROM application_events e JOIN applications a ON a.id = e.application_id WHERE
    e.from_state <> e.to_state AND true UNION ALL SELECT t.business_on AS day, l.province AS
    province, l.program AS program, l.bank AS bank, CASE WHEN EXISTS (SELECT 1 FROM
    county_tiers ct WHERE ct.county = a.county AND ct.tier <= 2 AND ct.classification_id =
    (SELECT id FROM tier_classifications ORDER BY valid_from DESC, id DESC LIMIT 1)) THEN 1
    ELSE 0 END AS underprivileged, l.cooperative_id AS cooperative_id, 0 AS submitted, 0 AS
    eligible, 0 AS approved, 0 AS referred, 0 AS contracted, CASE WHEN t.kind =
    'disbursement' AND t.id = (SELECT MIN(d.id) FROM loan_transactions d WHERE d.loan_id =
    t.loan_id AND d.kind = 'disbursement') THEN 1 ELSE 0 END AS disbursed, 0 AS
    approved_rial, 0 AS committed_rial, 0 AS approved_jobs, 0 AS approved_women_jobs, CASE
    WHEN t.kind = 'disbursement' THEN t.amount_rial WHEN t.kind = 'reversal' AND o.kind =
    'disbursement' THEN -o.amount_rial ELSE 0 END AS disbursed_rial, CASE WHEN a.women_led
    THEN CASE WHEN t.kind = 'disbursement' THEN t.amount_rial WHEN t.kind = 'reversal' AND
    o.kind = 'disbursement' THEN -o.amount_rial ELSE 0 END ELSE 0 END AS
    women_disbursed_rial, CASE WHEN t.kind IN ('repayment', 'settlement') THEN t.amount_rial
    WHEN t.kind = 'reversal' AND o.kind IN ('repayment', 'settlement') THEN -o.amount_rial
    ELSE 0 END AS repaid_rial FROM loan_transactions t JOIN loans l ON l.id = t.loan_id JOIN
    applications a ON a.id = l.application_id LEFT JOIN loan_transactions o ON o.id =
    t.reverses WHERE true) f WHERE f.submitted <> 0 OR f.eligible <> 0 OR f.approved <> 0 OR
    f.referred <> 0 OR f.contracted <> 0 OR f.disbursed <> 0 OR f.approved_rial <> 0 OR
    f.committed_rial <> 0 OR f.approved_jobs <> 0 OR f.approved_women_jobs <> 0 OR
    f.disbursed_rial <> 0 OR f.women_disbursed_rial <> 0 OR f.repaid_rial <> 0) r GROUP BY
    day, province, program, bank, underprivileged;
