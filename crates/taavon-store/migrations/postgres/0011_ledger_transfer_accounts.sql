-- A transfer's accounts are checked by the ledger itself, not by foreign keys (issue 6).
-- Kept in lock-step with ../sqlite/0011_ledger_transfer_accounts.sql, which says why.
ALTER TABLE ledger_transfers
    DROP CONSTRAINT ledger_transfers_debit_account_id_fkey,
    DROP CONSTRAINT ledger_transfers_credit_account_id_fkey;

CREATE FUNCTION ledger_accounts_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger accounts are never deleted';
END;
$$;
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_accounts_kept();
