-- The yearly festival of top cooperators (issue 16): a festival per Jalali year with its
-- categories, criteria and two rounds; entries with the snapshot they are judged on and
-- the reasons of an ineligible one; the panels of judges; the assignments (a removed one
-- keeps why); the marks per criterion and each judge's submission; the results of a
-- closed round and the winners' certificates. Kept in lock-step with
-- ../postgres/0021_awards.sql.

-- A judge's user account is confined to one festival's year (its panel is `province`,
-- none for the national panel).
ALTER TABLE users ADD COLUMN festival_year BIGINT;

CREATE TABLE award_festivals (
    id INTEGER PRIMARY KEY,
    year BIGINT NOT NULL UNIQUE,
    -- ISO days, both ends included.
    entry_opens TEXT NOT NULL,
    entry_closes TEXT NOT NULL,
    judging_opens TEXT NOT NULL,
    judging_closes TEXT NOT NULL,
    judges_per_entry BIGINT NOT NULL CHECK (judges_per_entry >= 1),
    load_max BIGINT NOT NULL CHECK (load_max >= 1),
    registry_fresh_months BIGINT NOT NULL CHECK (registry_fresh_months >= 0),
    registered_months_min BIGINT NOT NULL CHECK (registered_months_min >= 0),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE award_categories (
    festival_id BIGINT NOT NULL REFERENCES award_festivals (id),
    code TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    provincial_quota BIGINT NOT NULL CHECK (provincial_quota >= 0),
    national_quota BIGINT NOT NULL CHECK (national_quota >= 0),
    position BIGINT NOT NULL,
    PRIMARY KEY (festival_id, code)
);

-- What judges mark in a category, with its weight.
CREATE TABLE award_criteria (
    festival_id BIGINT NOT NULL,
    category TEXT NOT NULL,
    code TEXT NOT NULL,
    name_fa TEXT NOT NULL,
    name_en TEXT NOT NULL,
    weight BIGINT NOT NULL CHECK (weight >= 0),
    position BIGINT NOT NULL,
    PRIMARY KEY (festival_id, category, code),
    FOREIGN KEY (festival_id, category) REFERENCES award_categories (festival_id, code)
);

-- The provincial and the national round; a move is a compare-and-set on `state`.
CREATE TABLE award_rounds (
    festival_id BIGINT NOT NULL REFERENCES award_festivals (id),
    kind TEXT NOT NULL CHECK (kind IN ('provincial', 'national')),
    state TEXT NOT NULL CHECK (state IN ('open_for_entries', 'judging', 'closed', 'published')),
    moved_by TEXT NOT NULL,
    moved_at TEXT NOT NULL,
    PRIMARY KEY (festival_id, kind)
);

-- An entry: entered by its representative or nominated by a provincial officer, with the
-- data it is judged on as JSON (so later changes to the registry do not move its result).
-- An ineligible entry is kept with its reasons, so its cooperative sees why.
CREATE TABLE award_entries (
    id INTEGER PRIMARY KEY,
    festival_id BIGINT NOT NULL REFERENCES award_festivals (id),
    province TEXT NOT NULL REFERENCES provinces (code),
    category TEXT NOT NULL,
    cooperative_id BIGINT NOT NULL REFERENCES cooperatives (id),
    route TEXT NOT NULL CHECK (route IN ('entered', 'nominated')),
    entered_by_user_id BIGINT NOT NULL REFERENCES users (id),
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL,
    eligible BOOLEAN NOT NULL,
    -- Admitted to the national round as a provincial winner.
    national BOOLEAN NOT NULL DEFAULT FALSE,
    snapshot TEXT NOT NULL,
    UNIQUE (festival_id, cooperative_id, category),
    FOREIGN KEY (festival_id, category) REFERENCES award_categories (festival_id, code)
);
CREATE INDEX award_entries_province ON award_entries (festival_id, province, category, id);
CREATE INDEX award_entries_cooperative ON award_entries (cooperative_id, id);

CREATE TABLE award_entry_reasons (
    entry_id BIGINT NOT NULL REFERENCES award_entries (id),
    position BIGINT NOT NULL,
    province TEXT NOT NULL REFERENCES provinces (code),
    code TEXT NOT NULL CHECK (code IN ('not_active', 'registry_stale', 'doubtful_loan',
        'registered_too_recently')),
    message_fa TEXT NOT NULL,
    message_en TEXT NOT NULL,
    PRIMARY KEY (entry_id, position)
);

-- The festival's judges: a provincial panel per province, the national one without.
-- `national_code` is the judge's person, compared with the cooperatives' members and
-- board for conflicts.
CREATE TABLE award_panel_judges (
    festival_id BIGINT NOT NULL REFERENCES award_festivals (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    province TEXT REFERENCES provinces (code),
    national_code TEXT NOT NULL,
    appointed_by TEXT NOT NULL,
    appointed_at TEXT NOT NULL,
    PRIMARY KEY (festival_id, user_id)
);

-- A judge on an entry in a round. A judge found in conflict is removed (the row stays,
-- with why) and another assigned in a new row.
CREATE TABLE award_assignments (
    id INTEGER PRIMARY KEY,
    entry_id BIGINT NOT NULL REFERENCES award_entries (id),
    round_kind TEXT NOT NULL CHECK (round_kind IN ('provincial', 'national')),
    judge_user_id BIGINT NOT NULL REFERENCES users (id),
    province TEXT NOT NULL REFERENCES provinces (code),
    assigned_at TEXT NOT NULL,
    removed_at TEXT,
    conflict TEXT CHECK (conflict IN ('member', 'board_member', 'relative_on_board')),
    CHECK ((removed_at IS NULL) = (conflict IS NULL))
);
CREATE INDEX award_assignments_entry ON award_assignments (entry_id, round_kind);
CREATE INDEX award_assignments_judge ON award_assignments (judge_user_id, round_kind);

CREATE TABLE award_criterion_marks (
    entry_id BIGINT NOT NULL REFERENCES award_entries (id),
    round_kind TEXT NOT NULL CHECK (round_kind IN ('provincial', 'national')),
    judge_user_id BIGINT NOT NULL REFERENCES users (id),
    criterion TEXT NOT NULL,
    province TEXT NOT NULL REFERENCES provinces (code),
    mark BIGINT NOT NULL CHECK (mark BETWEEN 0 AND 100),
    marked_at TEXT NOT NULL,
    PRIMARY KEY (entry_id, round_kind, judge_user_id, criterion)
);

-- A judge's marks for an entry become final, and visible to the entry's other judges who
-- submitted, once submitted.
CREATE TABLE award_submissions (
    entry_id BIGINT NOT NULL REFERENCES award_entries (id),
    round_kind TEXT NOT NULL CHECK (round_kind IN ('provincial', 'national')),
    judge_user_id BIGINT NOT NULL REFERENCES users (id),
    province TEXT NOT NULL REFERENCES provinces (code),
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (entry_id, round_kind, judge_user_id)
);

-- A closed round's results: what the public pages show (the band, never the score).
CREATE TABLE award_results (
    entry_id BIGINT NOT NULL REFERENCES award_entries (id),
    round_kind TEXT NOT NULL CHECK (round_kind IN ('provincial', 'national')),
    province TEXT NOT NULL REFERENCES provinces (code),
    judges BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ranked', 'incomplete')),
    rank BIGINT,
    winner BOOLEAN NOT NULL,
    band TEXT CHECK (band IN ('excellent', 'very_good', 'good', 'commended')),
    PRIMARY KEY (entry_id, round_kind)
);

-- A winner's certificate, found by its verification code on the public check page.
CREATE TABLE award_certificates (
    entry_id BIGINT NOT NULL REFERENCES award_entries (id),
    round_kind TEXT NOT NULL CHECK (round_kind IN ('provincial', 'national')),
    province TEXT NOT NULL REFERENCES provinces (code),
    code TEXT NOT NULL UNIQUE,
    issued_on TEXT NOT NULL,
    PRIMARY KEY (entry_id, round_kind)
);
