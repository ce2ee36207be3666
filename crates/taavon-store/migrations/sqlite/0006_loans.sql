-- Loans (issue 6): contracts from bank-approved applications, their schedules, the
-- immutable loan transactions, the business date and end-of-day runs. Kept in step with
-- the other dialect by the schema parity test.
--
-- Days are also kept as whole days since 1970-01-01 (`*_day` columns) so end of day can do
-- date arithmetic in one statement text on both engines.

-- The business date: separate from the system clock, moved by end of day (one row).
CREATE TABLE business_date (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    -- The open business date (ISO); end of day closes it and opens the next.
    open_on TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Official holidays besides Fridays: a due date on one may be paid on the next working
-- day without a late charge.
CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE loans (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    application_id BIGINT NOT NULL UNIQUE REFERENCES applications (id),
    program TEXT NOT NULL REFERENCES programs (code),
    -- The borrower: a cooperative or an individual client (for the borrower's scope).
    cooperative_id BIGINT REFERENCES cooperatives (id),
    client_id BIGINT REFERENCES clients (id),
    bank TEXT NOT NULL REFERENCES banks (code),
    branch TEXT NOT NULL,
    contract_no TEXT NOT NULL UNIQUE,
    contract_type TEXT NOT NULL,
    principal_rial BIGINT NOT NULL CHECK (principal_rial > 0),
    -- Annual profit (or, for qard al-hasan, fee) rate in basis points.
    rate_bp BIGINT NOT NULL CHECK (rate_bp >= 0),
    months BIGINT NOT NULL,
    grace_months BIGINT NOT NULL,
    grace_mode TEXT NOT NULL,
    method TEXT NOT NULL,
    day_base BIGINT NOT NULL,
    -- Components in the order a repayment pays them, comma-separated.
    repayment_order TEXT NOT NULL,
    contracted_on TEXT NOT NULL,
    -- contracted, active (disbursed), settled.
    status TEXT NOT NULL,
    disbursed_rial BIGINT NOT NULL DEFAULT 0,
    -- The ledger's pending transfer that reserves the undisbursed rest (32-hex id).
    reserve_transfer TEXT,
    schedule_version BIGINT NOT NULL DEFAULT 1,
    -- Kept by repayments and end of day, as of `closed_day`:
    outstanding_principal_rial BIGINT NOT NULL DEFAULT 0,
    -- Unpaid part of the installments fallen due, and the oldest such due day.
    due_unpaid_rial BIGINT NOT NULL DEFAULT 0,
    oldest_unpaid_due_day BIGINT,
    -- Late installments' unpaid sum and Σ unpaid·due_day, and the rial-days already
    -- frozen by payments: the late charge to date is (bp+600)·(frozen + unpaid·D − weight)/3 600 000.
    late_unpaid_rial BIGINT NOT NULL DEFAULT 0,
    late_weight BIGINT NOT NULL DEFAULT 0,
    late_rial_days_frozen BIGINT NOT NULL DEFAULT 0,
    penalty_charged_rial BIGINT NOT NULL DEFAULT 0,
    penalty_paid_rial BIGINT NOT NULL DEFAULT 0,
    days_overdue BIGINT NOT NULL DEFAULT 0,
    -- Central Bank of Iran class: current, past_due, deferred, doubtful.
    class TEXT NOT NULL DEFAULT 'current',
    provision_rial BIGINT NOT NULL DEFAULT 0,
    -- The last business date end of day closed for this loan.
    closed_day BIGINT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX loans_branch ON loans (bank, branch, class);
CREATE INDEX loans_province ON loans (province, class);

CREATE TABLE loan_installments (
    loan_id BIGINT NOT NULL REFERENCES loans (id),
    province TEXT NOT NULL REFERENCES provinces (code),
    schedule_version BIGINT NOT NULL,
    n BIGINT NOT NULL,
    due_on TEXT NOT NULL,
    due_day BIGINT NOT NULL,
    -- The last day it may be paid without a late charge (the next working day).
    late_after_day BIGINT NOT NULL,
    principal_rial BIGINT NOT NULL,
    profit_rial BIGINT NOT NULL,
    fee_rial BIGINT NOT NULL,
    grace_profit_rial BIGINT NOT NULL,
    total_rial BIGINT NOT NULL,
    balance_rial BIGINT NOT NULL,
    -- Kept by repayments (the transactions' lines are the record).
    paid_principal_rial BIGINT NOT NULL DEFAULT 0,
    paid_profit_rial BIGINT NOT NULL DEFAULT 0,
    paid_fee_rial BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (loan_id, schedule_version, n)
);
CREATE INDEX loan_installments_due ON loan_installments (due_day, loan_id);
CREATE INDEX loan_installments_late ON loan_installments (late_after_day, loan_id);

-- Immutable: a mistake is reversed by a new transaction, never edited.
CREATE TABLE loan_transactions (
    id INTEGER PRIMARY KEY,
    loan_id BIGINT NOT NULL REFERENCES loans (id),
    province TEXT NOT NULL REFERENCES provinces (code),
    -- disbursement, repayment, reversal, reschedule.
    kind TEXT NOT NULL,
    business_on TEXT NOT NULL,
    amount_rial BIGINT NOT NULL,
    penalty_rial BIGINT NOT NULL DEFAULT 0,
    fee_rial BIGINT NOT NULL DEFAULT 0,
    profit_rial BIGINT NOT NULL DEFAULT 0,
    principal_rial BIGINT NOT NULL DEFAULT 0,
    -- A transaction is reversed at most once.
    reverses BIGINT UNIQUE REFERENCES loan_transactions (id),
    note TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX loan_transactions_loan ON loan_transactions (loan_id, id);

-- How a transaction touched each installment, so a reversal undoes exactly that.
CREATE TABLE loan_transaction_lines (
    transaction_id BIGINT NOT NULL REFERENCES loan_transactions (id),
    province TEXT NOT NULL REFERENCES provinces (code),
    schedule_version BIGINT NOT NULL,
    n BIGINT NOT NULL,
    principal_rial BIGINT NOT NULL,
    profit_rial BIGINT NOT NULL,
    fee_rial BIGINT NOT NULL,
    -- Late rial-days this part froze (paid after its due date).
    late_rial_days BIGINT NOT NULL,
    PRIMARY KEY (transaction_id, schedule_version, n)
);

-- End-of-day runs: one row per business date and batch, so a crashed run resumes.
CREATE TABLE eod_runs (
    business_on TEXT NOT NULL,
    batch BIGINT NOT NULL,
    loans BIGINT NOT NULL,
    finished_at TEXT NOT NULL,
    PRIMARY KEY (business_on, batch)
);

-- The portfolio at each closed business date, per branch: classes, provisions, PAR.
CREATE TABLE portfolio_snapshots (
    business_on TEXT NOT NULL,
    province TEXT NOT NULL REFERENCES provinces (code),
    bank TEXT NOT NULL,
    branch TEXT NOT NULL,
    loans BIGINT NOT NULL,
    outstanding_rial BIGINT NOT NULL,
    par30_rial BIGINT NOT NULL,
    par90_rial BIGINT NOT NULL,
    past_due_rial BIGINT NOT NULL,
    deferred_rial BIGINT NOT NULL,
    doubtful_rial BIGINT NOT NULL,
    provision_rial BIGINT NOT NULL,
    PRIMARY KEY (business_on, province, bank, branch)
);
