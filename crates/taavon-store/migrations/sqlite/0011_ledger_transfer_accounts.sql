-- A transfer's accounts are checked by the ledger itself, not by foreign keys (issue 6).
-- Kept in lock-step with ../postgres/0011_ledger_transfer_accounts.sql.
-- Every batch loads the accounts its transfers name and refuses a transfer whose account
-- is missing (debit_account_not_found / credit_account_not_found) before anything is
-- written, so the keys only looked each account up a second time per insert: ~1.5 µs a
-- transfer, 15 % of a batch of 1 000. What the keys also guaranteed, that no account a
-- transfer names disappears, now comes from refusing to delete accounts at all; and
-- `taavon ledger check` verifies every transfer's accounts over the whole ledger.
-- SQLite cannot drop a constraint, so the table is rebuilt (same columns and rows).
DROP TRIGGER ledger_transfers_no_update;
DROP TRIGGER ledger_transfers_no_delete;
CREATE TABLE ledger_transfers_rebuilt (
    timestamp INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    debit_account_id TEXT NOT NULL,
    credit_account_id TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    -- Set on a post or void only (see ledger_transfers_settled_once).
    pending_id TEXT REFERENCES ledger_transfers_rebuilt (id),
    ledger BIGINT NOT NULL,
    code BIGINT NOT NULL,
    flags BIGINT NOT NULL,
    user_data_128 TEXT NOT NULL,
    user_data_64 TEXT NOT NULL,
    user_data_32 BIGINT NOT NULL
);
INSERT INTO ledger_transfers_rebuilt (timestamp, id, debit_account_id, credit_account_id,
    amount, pending_id, ledger, code, flags, user_data_128, user_data_64, user_data_32)
SELECT timestamp, id, debit_account_id, credit_account_id, amount, pending_id, ledger,
    code, flags, user_data_128, user_data_64, user_data_32
FROM ledger_transfers;
DROP TABLE ledger_transfers;
-- Renaming also rewrites the self-reference of pending_id.
ALTER TABLE ledger_transfers_rebuilt RENAME TO ledger_transfers;
CREATE UNIQUE INDEX ledger_transfers_settled_once ON ledger_transfers (pending_id)
    WHERE pending_id IS NOT NULL;

CREATE TRIGGER ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
BEGIN
    SELECT RAISE(ABORT, 'ledger transfers are immutable: correct with a new transfer');
END;
CREATE TRIGGER ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
BEGIN
    SELECT RAISE(ABORT, 'ledger transfers are immutable: correct with a new transfer');
END;
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
BEGIN
    SELECT RAISE(ABORT, 'ledger accounts are never deleted');
END;
