-- A payment's receipt (issue 13, the loan page's repayment form): the day the money
-- reached the bank (its value date), the channel it came by and the bank's receipt
-- number, on the repayment or settlement that recorded it; none on other transactions
-- and on payments recorded before. Kept in lock-step with ../postgres/0017_payment_receipts.sql.
ALTER TABLE loan_transactions ADD COLUMN value_on TEXT;
ALTER TABLE loan_transactions ADD COLUMN channel TEXT;
ALTER TABLE loan_transactions ADD COLUMN receipt_no TEXT;
