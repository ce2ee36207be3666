-- An account's transfers, indexed in sorted runs instead of on every write (issue 6).
-- Kept in lock-step with ../postgres/0007_ledger_account_runs.sql.
-- An index keyed by account takes one entry per side of every transfer in a random
-- place, so each batch dirtied about a page per account touched and per index: with
-- 1 000 accounts SQLite wrote ~8 MB of pages per batch of 1 000 and stalled near
-- 15 000 transfers/s. Here a batch only appends to ledger_transfers; once enough
-- transfers have gathered past `indexed_through`, one sorted INSERT adds their entries,
-- touching each account's pages once per run. Readers of an account take its entries
-- up to `indexed_through` from here and scan the short tail after it.
DROP INDEX ledger_transfers_debit;
DROP INDEX ledger_transfers_credit;

CREATE TABLE ledger_account_transfers (
    account_id TEXT NOT NULL,
    timestamp BIGINT NOT NULL,
    PRIMARY KEY (account_id, timestamp)
) WITHOUT ROWID;

-- One row: entries exist for every transfer up to `indexed_through` (a timestamp) and
-- for none after it; `unindexed` counts the transfers after it.
CREATE TABLE ledger_account_index (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_through BIGINT NOT NULL,
    unindexed BIGINT NOT NULL CHECK (unindexed >= 0)
);

INSERT INTO ledger_account_transfers (account_id, timestamp)
SELECT debit_account_id, timestamp FROM ledger_transfers
UNION ALL
SELECT credit_account_id, timestamp FROM ledger_transfers;
INSERT INTO ledger_account_index (id, indexed_through, unindexed)
SELECT 1, COALESCE(MAX(timestamp), 0), 0 FROM ledger_transfers;
