-- Kept in lock-step with ../postgres/0037_ledger_accounts_fillfactor.sql, which leaves
-- room in the pages of `ledger_accounts` for PostgreSQL's heap-only updates of balances.
-- SQLite rewrites a row in place and has no such setting: nothing to do here.
SELECT 1;
