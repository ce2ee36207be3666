-- The audit chain keyed with a secret kept outside the database (ARCHITECTURE.md,
-- "Threat model: the audit chain"): each record carries an HMAC-SHA256 of its hash,
-- and the head an HMAC of (seq, hash, keyed_from). `keyed_from` is the first record
-- written with a key; records before it (written before a key was configured) keep no
-- MAC and are held by the hash chain, and by the MACs of every keyed record after them,
-- whose hashes cover them.
ALTER TABLE audit_log ADD COLUMN mac TEXT;
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT;
ALTER TABLE audit_head ADD COLUMN mac TEXT;
