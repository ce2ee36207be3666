-- Where an account's transfers are, kept per run of transfers instead of per transfer
-- (issue 6). Kept in lock-step with ../postgres/0007_ledger_account_runs.sql.
-- An index keyed by account takes an entry per side of every transfer in a random
-- place, so each batch dirtied about a page per account touched and per index: with
-- 1 000 accounts SQLite stalled near 15 000 transfers/s. Now a batch only appends to
-- ledger_transfers; once a run of transfers has gathered past `indexed_through`, one
-- GROUP BY records, for each account the run names, the first and last timestamp at
-- which it does (a block range index, like PostgreSQL's BRIN, per account). Reading an
-- account's transfers scans, in timestamp order, only the spans of its runs, then the
-- tail not yet indexed, each scan stopping at the page's size.
DROP INDEX ledger_transfers_debit;
DROP INDEX ledger_transfers_credit;

CREATE TABLE ledger_account_runs (
    account_id TEXT NOT NULL,
    first_timestamp BIGINT NOT NULL,
    last_timestamp BIGINT NOT NULL,
    -- Transfers of the run that name the account (each of them once).
    transfers BIGINT NOT NULL CHECK (transfers > 0),
    PRIMARY KEY (account_id, first_timestamp)
) WITHOUT ROWID;

-- One row: runs cover every transfer up to `indexed_through` (a timestamp) and none
-- after it; `unindexed` counts the transfers after it.
CREATE TABLE ledger_account_index (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_through BIGINT NOT NULL,
    unindexed BIGINT NOT NULL CHECK (unindexed >= 0)
);

-- The transfers already stored make the first run.
INSERT INTO ledger_account_runs (account_id, first_timestamp, last_timestamp, transfers)
SELECT account_id, MIN(timestamp), MAX(timestamp), COUNT(*) FROM (
    SELECT debit_account_id AS account_id, timestamp FROM ledger_transfers
    UNION ALL
    SELECT credit_account_id, timestamp FROM ledger_transfers
) AS sides GROUP BY account_id;
INSERT INTO ledger_account_index (id, indexed_through, unindexed)
SELECT 1, COALESCE(MAX(timestamp), 0), 0 FROM ledger_transfers;
