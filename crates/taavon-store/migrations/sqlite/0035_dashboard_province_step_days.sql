-- The funnel's step days and a bank's inbox read fast at national scale (issue 17).
-- Kept in lock-step with ../postgres/0035_dashboard_province_step_days.sql.

-- The months' histogram again without the bank, for the dashboards that do not read by
-- bank (the ministry's, an auditor's, a province's): a year of the nation then reads a
-- row per month, province, step and duration, not one per bank as well. Added to by the
-- same moves and first disbursements, in the same transaction (store::dashboard_steps).
CREATE TABLE dashboard_province_step_days (
    month_from TEXT NOT NULL,
    province TEXT NOT NULL REFERENCES provinces (code),
    step TEXT NOT NULL,
    days BIGINT NOT NULL CHECK (days >= 0),
    applications BIGINT NOT NULL CHECK (applications > 0),
    PRIMARY KEY (month_from, province, step, days)
);
-- A province's dashboard reads its own rows over a period.
CREATE INDEX dashboard_province_step_days_province
    ON dashboard_province_step_days (province, month_from);

-- A bank's dashboard reads its own months' rows of the histogram by bank, not every
-- bank's of the months.
CREATE INDEX dashboard_month_step_days_bank ON dashboard_month_step_days (bank, month_from);

-- A bank officer's task inbox lists the oldest of what waits for the bank: its referred
-- applications in order of their last move, read from the index rather than every one
-- of them sorted (the national benchmark's bank had 50 000 waiting).
CREATE INDEX applications_bank_inbox ON applications (referred_bank, status, updated_at, id);

-- The steps already kept, summed over the banks.
INSERT INTO dashboard_province_step_days (month_from, province, step, days, applications)
    SELECT month_from, province, step, days, SUM(applications) FROM dashboard_month_step_days
    GROUP BY month_from, province, step, days;
