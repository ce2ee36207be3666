-- Kept in lock-step with ../postgres/0010_loans_fillfactor.sql, which leaves room in
-- the pages of `loans` for PostgreSQL's heap-only updates at end of day. SQLite rewrites
-- a row in place and has no such setting: nothing to do here.
SELECT 1;
