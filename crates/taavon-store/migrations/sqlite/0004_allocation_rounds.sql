-- Recorded allocation rounds of a program and the approvals each proposes (issue 5).
-- Objective values are scores, not money: kept as decimal text so both engines store
-- them alike.
CREATE TABLE allocation_rounds (
    id INTEGER PRIMARY KEY,
    program TEXT NOT NULL REFERENCES programs (code),
    -- JSON: quotas, tier weights, women's bonus, the budgets used.
    params TEXT NOT NULL,
    objective TEXT NOT NULL,
    upper_bound TEXT NOT NULL,
    funded_count BIGINT NOT NULL,
    funded_amount_rial BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE allocation_proposals (
    round_id BIGINT NOT NULL REFERENCES allocation_rounds (id),
    application_id BIGINT NOT NULL REFERENCES applications (id),
    province TEXT NOT NULL REFERENCES provinces (code),
    funded BOOLEAN NOT NULL,
    -- none, province_budget, women_share, deprived_share or below_cutoff.
    binding TEXT NOT NULL,
    marginal_value TEXT NOT NULL,
    PRIMARY KEY (round_id, application_id)
);
CREATE INDEX allocation_proposals_application ON allocation_proposals (application_id);
