-- Early settlement (تسویه پیش از موعد) charges the profit of the installments not yet due
-- only as far as it was earned; the rest is waived. The waiver is recorded on the
-- settlement's lines and summed on the installments, beside what was paid, so a settled
-- installment reads as closed while the ledger shows only the money that moved (profit
-- is income when received, so a waiver moves no money). Only settled loans carry a
-- waiver, and end of day reads only active loans.
ALTER TABLE loan_installments ADD COLUMN waived_profit_rial BIGINT NOT NULL DEFAULT 0;
ALTER TABLE loan_installments ADD COLUMN waived_fee_rial BIGINT NOT NULL DEFAULT 0;
ALTER TABLE loan_transaction_lines ADD COLUMN waived_profit_rial BIGINT NOT NULL DEFAULT 0;
ALTER TABLE loan_transaction_lines ADD COLUMN waived_fee_rial BIGINT NOT NULL DEFAULT 0;
