-- Issue 18, search and paging at national scale. At 100 000 cooperatives a name search
-- read every row (`name_key LIKE '%…%'`, ~45 ms a query) and a deep page sorted the whole
-- table (`OFFSET 90000`: 493 ms).
--
-- Every order a cooperative list offers, `(column, id)` with the id breaking ties, walks an
-- index: a page by number skips index entries only (store cooperatives.rs reads the page's
-- ids first), and a page by cursor seeks to its place. (SQLite would append the rowid, the
-- id, by itself; it is named so that both engines' indexes read alike.) The province's index
-- of 0001, `(province, name_key)`, gives a province's list by name.
CREATE INDEX cooperatives_name_key ON cooperatives (name_key, id);
CREATE INDEX cooperatives_by_county ON cooperatives (county, id);
CREATE INDEX cooperatives_by_kind ON cooperatives (kind, id);
CREATE INDEX cooperatives_by_sector ON cooperatives (sector, id);
CREATE INDEX cooperatives_by_status ON cooperatives (status, id);
CREATE INDEX cooperatives_by_province ON cooperatives (province, id);

-- The substrings of the folded names: FTS5's trigram tokenizer indexes every three
-- characters, so a phrase of three or more finds the names that contain it. The search
-- still compares `name_key LIKE` on the rows found (the index only narrows), so the matches
-- are exactly those of the scan; keys of one or two characters, which have no trigram,
-- still scan. External content: the index keeps no copy of the keys, and these triggers
-- keep it in step with every write to the table, whichever code makes it. The schema
-- parity test leaves out what is named `…name_trigrams…` (PostgreSQL's own is a GIN index).
CREATE VIRTUAL TABLE cooperative_name_trigrams USING fts5 (
    name_key, content = 'cooperatives', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO cooperative_name_trigrams (cooperative_name_trigrams) VALUES ('rebuild');
CREATE TRIGGER cooperative_name_trigrams_insert AFTER INSERT ON cooperatives
BEGIN
    INSERT INTO cooperative_name_trigrams (rowid, name_key) VALUES (new.id, new.name_key);
END;
CREATE TRIGGER cooperative_name_trigrams_update AFTER UPDATE OF name_key ON cooperatives
WHEN old.name_key IS NOT new.name_key
BEGIN
    INSERT INTO cooperative_name_trigrams (cooperative_name_trigrams, rowid, name_key)
        VALUES ('delete', old.id, old.name_key);
    INSERT INTO cooperative_name_trigrams (rowid, name_key) VALUES (new.id, new.name_key);
END;
CREATE TRIGGER cooperative_name_trigrams_delete AFTER DELETE ON cooperatives
BEGIN
    INSERT INTO cooperative_name_trigrams (cooperative_name_trigrams, rowid, name_key)
        VALUES ('delete', old.id, old.name_key);
END;
