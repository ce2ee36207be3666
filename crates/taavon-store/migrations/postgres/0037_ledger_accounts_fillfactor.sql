-- Every ledger batch rewrites the balances of each account it touches (issue 18).
-- Kept in lock-step with ../sqlite/0037_ledger_accounts_fillfactor.sql.
-- Half of each page of `ledger_accounts` is left free, so PostgreSQL can put the new
-- version of an account beside the old one and skip its indexes (a heap-only update):
-- a batch sets no indexed column. Measured with `taavon bench ledger` (1 000 accounts,
-- 50 000 transfers at batch 1 000): heap-only updates 6 % -> 59 % of them, and the
-- table's dead rows no longer pile up in its primary key between vacuums. Pages written
-- before this migration keep their old fill until the table is rewritten (VACUUM FULL
-- ledger_accounts, outside a transaction).
ALTER TABLE ledger_accounts SET (fillfactor = 50);
