-- Nothing to do on SQLite: kept so the two directories stay numbered in lock-step.
-- ../postgres/0028_ids_from_sequences.sql turns PostgreSQL's identity columns into
-- sequence defaults for Citus; here an `INTEGER PRIMARY KEY` is the rowid already.
SELECT 1;
