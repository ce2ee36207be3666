-- End of day writes a loan only when its numbers change (issue 18). Kept in lock-step
-- with ../postgres/0036_eod_closed_day.sql.
--
-- The last business date end of day closed for every loan, set in the transaction that
-- opens the next date (never moved back). `loans.closed_day` now says when end of day
-- last wrote a loan's numbers; a loan's last closed date is the later of the two (see
-- docs/design/store.md, "End of day: what a loan's closed date means"). NULL until a
-- close has run under this rule: every loan was rewritten by each close before it, so
-- its own `closed_day` is its last closed date.
ALTER TABLE business_date ADD COLUMN closed_day BIGINT;
