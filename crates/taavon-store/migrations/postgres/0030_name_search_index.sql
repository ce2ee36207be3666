-- Issue 18, search and paging at national scale. At 100 000 cooperatives a name search
-- read every row (`name_key LIKE '%…%'`, ~45 ms a query) and a deep page sorted the whole
-- table (`OFFSET 90000`: 493 ms).
--
-- Every order a cooperative list offers, `(column, id)` with the id breaking ties, walks an
-- index: a page by number skips index entries only (an index-only scan: store
-- cooperatives.rs reads the page's ids first), and a page by cursor seeks to its place.
-- The province's index of 0001 gives a province's list by name.
CREATE INDEX cooperatives_name_key ON cooperatives (name_key, id);
CREATE INDEX cooperatives_by_county ON cooperatives (county, id);
CREATE INDEX cooperatives_by_kind ON cooperatives (kind, id);
CREATE INDEX cooperatives_by_sector ON cooperatives (sector, id);
CREATE INDEX cooperatives_by_status ON cooperatives (status, id);
CREATE INDEX cooperatives_by_province ON cooperatives (province, id);

-- The substrings of the folded names: pg_trgm's GIN index answers `name_key LIKE '%…%'`
-- itself (PostgreSQL rechecks every row it finds, so the matches are exactly the scan's),
-- for patterns of three characters or more; shorter ones the planner still scans. pg_trgm
-- ships with PostgreSQL (contrib) and is a trusted extension, but a server without it must
-- still migrate: the search then scans as before, and this says so. The schema parity test
-- leaves out what is named `…name_trigrams…` (SQLite's own is an FTS5 table).
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE WARNING 'pg_trgm is not available (%): a cooperative name search scans the table', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX cooperatives_name_trigrams ON cooperatives '
            'USING gin (name_key gin_trgm_ops)';
    END IF;
END $$;
