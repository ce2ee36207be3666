-- The worker's due read now walks the pending deliveries in event order (the index of
-- 0027) and keeps each resource's earliest itself (store webhooks.rs, `due_heads`). The
-- index on (state, next_attempt_at) served the single query it replaces, whose plans read
-- and sorted every due row on each poll (SQLite: 91 deliveries/s at a 10 000-event
-- backlog; PostgreSQL: 35/s and falling at 100 000): nothing reads it now, and every
-- delivery's write paid for it.
DROP INDEX webhook_deliveries_due;
