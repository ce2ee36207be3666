-- Four eyes on applications and on bank money actions (issue 11).
-- Kept in lock-step with ../postgres/0012_four_eyes.sql.

-- 1. Drafting an application is recorded as its first event (action `create`), so the
--    four-eyes rule reads who drafted, submitted and first approved an application from
--    its events alone. Applications drafted before this migration get theirs from the
--    audit trail's `application.create` record, whose actor is `user:ID:NAME`.
--    `applications.first_approver` is no longer written or read (the approval events
--    say who approved); SQLite cannot drop a column that references another table, so
--    it stays, unused, in both dialects.
INSERT INTO application_events (province, application_id, action, from_state, to_state,
    actor_user_id, actor, reason, snapshot, at)
SELECT a.province, a.id, 'create', 'draft', 'draft',
    (SELECT u.id FROM users u WHERE u.id = CASE WHEN l.actor LIKE 'user:%'
        THEN CAST(substr(l.actor, 6, instr(substr(l.actor, 6), ':') - 1) AS INTEGER) END),
    l.actor, NULL, NULL, a.created_at
FROM applications a
JOIN audit_log l ON l.action = 'application.create' AND l.entity = 'application'
    AND l.entity_id = CAST(a.id AS TEXT)
WHERE NOT EXISTS (
    SELECT 1 FROM application_events e WHERE e.application_id = a.id AND e.action = 'create'
);

-- 2. A bank money action that changes what a borrower owes (a rescheduling, a reversal)
--    is recorded as a proposal: who asked for what, and when. At or below the configured
--    amount it is executed at once; above it, it waits for a second officer of the same
--    bank, who approves it (the action then runs, and `transaction_id` names the loan
--    transaction it recorded) or rejects it with a reason. It is for the loan as it
--    stood (`loan_version`): once the loan changed, it can no longer be approved.
CREATE TABLE loan_proposals (
    id INTEGER PRIMARY KEY,
    province TEXT NOT NULL REFERENCES provinces (code),
    loan_id BIGINT NOT NULL REFERENCES loans (id),
    loan_version BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('reschedule', 'reversal')),
    -- JSON: the request as its proposer made it; re-checked when it is executed.
    body TEXT NOT NULL,
    -- What the threshold was compared with: the principal a rescheduling amortises, the
    -- amount a reversal undoes.
    amount_rial BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'executed', 'rejected')),
    proposed_by_user_id BIGINT NOT NULL REFERENCES users (id),
    proposed_by TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    decided_by_user_id BIGINT REFERENCES users (id),
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT,
    transaction_id BIGINT UNIQUE REFERENCES loan_transactions (id),
    CHECK ((status = 'executed') = (transaction_id IS NOT NULL)),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX loan_proposals_loan ON loan_proposals (loan_id, id);
