-- The loans of each county for the synergy map (issue 15), kept rather than grouped on
-- every page view. Kept in lock-step with ../postgres/0030_loan_county_figures.sql.

-- What each counted loan adds to its county's figures as it last stood: a loan counts
-- once it has a disbursement that was not reversed (the impact figures' rule), under
-- its application's county. A change of a loan's disbursements or hires replaces its
-- part, and the county figures take the difference, in the same transaction (store
-- loan_figures.rs); the part is also what a representative's figures (one cooperative's
-- loans) are read from.
CREATE TABLE loan_figure_parts (
    loan_id BIGINT PRIMARY KEY REFERENCES loans (id),
    province TEXT NOT NULL,
    county TEXT NOT NULL,
    bank TEXT NOT NULL,
    cooperative_id BIGINT,
    disbursed_rial BIGINT NOT NULL,
    verified_jobs BIGINT NOT NULL
);
CREATE INDEX loan_figure_parts_cooperative ON loan_figure_parts (cooperative_id);

-- Per province, county and bank (the scopes a reader may have): the loans counted, the
-- rials they disbursed and their verified jobs.
CREATE TABLE loan_county_figures (
    province TEXT NOT NULL,
    county TEXT NOT NULL,
    bank TEXT NOT NULL,
    loans BIGINT NOT NULL,
    disbursed_rial BIGINT NOT NULL,
    verified_jobs BIGINT NOT NULL,
    PRIMARY KEY (province, county, bank)
);

-- The loans already disbursed.
INSERT INTO loan_figure_parts (loan_id, province, county, bank, cooperative_id,
    disbursed_rial, verified_jobs)
SELECT l.id, l.province, a.county, l.bank, l.cooperative_id, l.disbursed_rial,
    (SELECT COUNT(*) FROM loan_hires h WHERE h.loan_id = l.id AND h.status = 'verified')
FROM loans l JOIN applications a ON a.id = l.application_id
WHERE EXISTS (SELECT 1 FROM loan_transactions t WHERE t.loan_id = l.id
    AND t.kind = 'disbursement'
    AND NOT EXISTS (SELECT 1 FROM loan_transactions r WHERE r.reverses = t.id));

INSERT INTO loan_county_figures (province, county, bank, loans, disbursed_rial,
    verified_jobs)
SELECT province, county, bank, COUNT(*), SUM(disbursed_rial), SUM(verified_jobs)
FROM loan_figure_parts GROUP BY province, county, bank;
