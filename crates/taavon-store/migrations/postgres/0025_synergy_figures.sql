-- The synergy figures and the person view at a nation's scale (issue 15). Kept in
-- lock-step with ../sqlite/0025_synergy_figures.sql.

-- The person view finds one person's applications and loans as an individual client
-- through their client rows, not a scan.
CREATE INDEX applications_client ON applications (client_id);
CREATE INDEX loans_client ON loans (client_id);

-- Per province and county (the requesting cooperative's, or the individual client's):
-- the support requests not closed, those with a first answer and the calendar days
-- their first answers took in all. Filing and every change of a request add their
-- difference in the same transaction, so the synergy map reads a row per county
-- instead of grouping the requests on every page view.
CREATE TABLE support_county_figures (
    province TEXT NOT NULL REFERENCES provinces (code),
    county TEXT NOT NULL REFERENCES counties (code),
    -- No CHECK on the sums: a change adds its difference through an upsert, whose
    -- candidate row (a closing's -1) both engines check before they find the conflict.
    open_requests BIGINT NOT NULL,
    answered_requests BIGINT NOT NULL,
    answer_days BIGINT NOT NULL,
    PRIMARY KEY (province, county)
);

-- The requests already filed, summed as the grouped read summed them (the day number
-- of an ISO date is Hinnant's days_from_civil in integer SQL both engines share).
INSERT INTO support_county_figures (province, county, open_requests, answered_requests,
    answer_days)
SELECT r.province, COALESCE(c.county, k.county),
    SUM(CASE WHEN r.status <> 'closed' THEN 1 ELSE 0 END),
    SUM(CASE WHEN r.answered_on IS NULL THEN 0 ELSE 1 END),
    SUM(CASE WHEN r.answered_on IS NULL THEN 0 ELSE
        (365 * (CAST(SUBSTR(r.answered_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(r.answered_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) + (CAST(SUBSTR(r.answered_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(r.answered_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 4 - (CAST(SUBSTR(r.answered_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(r.answered_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 100 + (CAST(SUBSTR(r.answered_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(r.answered_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 400 + (153 * ((CAST(SUBSTR(r.answered_on, 6, 2) AS INTEGER) + 9) % 12) + 2) / 5 + CAST(SUBSTR(r.answered_on, 9, 2) AS INTEGER))
        - (365 * (CAST(SUBSTR(r.filed_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(r.filed_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) + (CAST(SUBSTR(r.filed_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(r.filed_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 4 - (CAST(SUBSTR(r.filed_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(r.filed_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 100 + (CAST(SUBSTR(r.filed_on, 1, 4) AS INTEGER) - CASE WHEN CAST(SUBSTR(r.filed_on, 6, 2) AS INTEGER) <= 2 THEN 1 ELSE 0 END) / 400 + (153 * ((CAST(SUBSTR(r.filed_on, 6, 2) AS INTEGER) + 9) % 12) + 2) / 5 + CAST(SUBSTR(r.filed_on, 9, 2) AS INTEGER)) END)
FROM support_requests r
LEFT JOIN cooperatives c ON c.id = r.cooperative_id
LEFT JOIN clients k ON k.id = r.client_id
GROUP BY r.province, COALESCE(c.county, k.county);
