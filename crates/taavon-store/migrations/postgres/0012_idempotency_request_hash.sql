-- An Idempotency-Key now remembers which request it was for: the SHA-256 of the method,
-- the path and the canonical JSON body. The same key with another request is refused
-- (422 idempotency_key_reused) instead of silently answering the first. Keys recorded
-- before this migration have no hash and match by route alone.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT;
