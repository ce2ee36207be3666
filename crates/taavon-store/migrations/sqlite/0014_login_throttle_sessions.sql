-- Login throttling without a lock-out, and sessions kept by the hash of their id (issue 11).
-- Kept in lock-step with ../postgres/0013_login_throttle_sessions.sql.

-- The old failure log kept every submitted user name verbatim (a 1.5 MB one too) and was
-- counted and appended in two steps, so parallel attempts all passed the count.
DROP TABLE login_failures;

-- One counter per throttle key: `pair:<sha256 of the user name>@<source>` and
-- `source:<source>`. A login reserves an attempt on both by one upsert each, in the
-- transaction that compares them with the limit, so parallel attempts are counted
-- exactly; a success gives its reservation back. The window is fixed: it starts at the
-- first attempt and the count restarts once it has passed. Purged once stale.
CREATE TABLE login_throttle (
    key TEXT PRIMARY KEY,
    attempts BIGINT NOT NULL,
    window_started_at TEXT NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle (window_started_at);

-- Sessions are found by the SHA-256 of their id, so a copy of the table opens none.
-- Rows stored under a plain id can never be found again: drop them (everyone logs in anew).
DELETE FROM sessions;
ALTER TABLE sessions RENAME COLUMN id TO id_hash;
-- Expired sessions and API tokens are purged by expiry.
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX api_tokens_expires_at ON api_tokens (expires_at);
