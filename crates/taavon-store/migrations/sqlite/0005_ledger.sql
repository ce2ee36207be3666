-- The double-entry ledger (issue 6): accounts and transfers with TigerBeetle's fields.
-- Kept in lock-step with ../postgres/0005_ledger.sql.
-- Ids (u128) are 32 lower-case hex digits in TEXT on both engines, so they compare and
-- sort alike; u64 user data is 16 hex digits. Amounts and balances are BIGINT rials.
-- `timestamp` is the ledger's own clock: nanoseconds since 1970, strictly increasing,
-- assigned by taavon-ledger, never by the client.

CREATE TABLE ledger_accounts (
    id TEXT PRIMARY KEY,
    ledger BIGINT NOT NULL CHECK (ledger > 0),
    code BIGINT NOT NULL CHECK (code > 0),
    flags BIGINT NOT NULL,
    debits_pending BIGINT NOT NULL CHECK (debits_pending >= 0),
    debits_posted BIGINT NOT NULL CHECK (debits_posted >= 0),
    credits_pending BIGINT NOT NULL CHECK (credits_pending >= 0),
    credits_posted BIGINT NOT NULL CHECK (credits_posted >= 0),
    user_data_128 TEXT NOT NULL,
    user_data_64 TEXT NOT NULL,
    user_data_32 BIGINT NOT NULL,
    timestamp BIGINT NOT NULL UNIQUE,
    -- What reports show: the province the account belongs to (none for a national
    -- account), a name ("SSO deposit at bank 022, IR-16") and a kind (program_fund …).
    province TEXT REFERENCES provinces (code),
    name TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX ledger_accounts_province ON ledger_accounts (province);

-- Immutable: a mistake is corrected by a new transfer (the triggers below refuse edits).
-- A transfer may join two provinces' accounts (a national fund feeding a provincial
-- one), so it belongs to no province of its own; reports reach provinces through its
-- accounts. On SQLite the timestamp is the rowid, so new transfers append.
CREATE TABLE ledger_transfers (
    timestamp INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    debit_account_id TEXT NOT NULL REFERENCES ledger_accounts (id),
    credit_account_id TEXT NOT NULL REFERENCES ledger_accounts (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    -- Set on a post or void only (see ledger_transfers_settled_once).
    pending_id TEXT REFERENCES ledger_transfers (id),
    ledger BIGINT NOT NULL,
    code BIGINT NOT NULL,
    flags BIGINT NOT NULL,
    user_data_128 TEXT NOT NULL,
    user_data_64 TEXT NOT NULL,
    user_data_32 BIGINT NOT NULL
);
-- An index's entries end with the rowid, which here is the timestamp: (account) orders
-- an account's transfers by time without storing the timestamp twice.
CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account_id);
CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account_id);
-- A pending transfer is posted or voided at most once. Partial, so the plain transfers
-- (nearly all of them) cost this index nothing.
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
