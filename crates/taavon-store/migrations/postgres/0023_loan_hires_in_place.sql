-- Verification rewrites each hire it judges (verdict, gender, upload, when); kept in
-- lock-step with ../sqlite/0023_loan_hires_in_place.sql.
-- Half of each page of `loan_hires` is left free and no index names a column the
-- verification sets, so PostgreSQL puts the new version of a row beside the old one and
-- skips the table's indexes (a heap-only update). The fraud signals, which read a
-- province's hires by verdict, walk the province's hires by loan instead (the statuses
-- sought are a minority, filtered on the way). The upload that last decided a verdict
-- is no foreign key, like insured_rows.upload_id: an upload is written before the
-- verification in the same transaction and never deleted, and the check cost a lookup
-- of the upload on every hire rewritten. Measured on 500 000 hires: rewriting 20 000 of
-- them 666 ms -> 102 ms. Pages written before this migration keep their old fill until
-- the table is rewritten (VACUUM FULL loan_hires, outside a transaction).
ALTER TABLE loan_hires DROP CONSTRAINT loan_hires_upload_id_fkey;
DROP INDEX loan_hires_province_status;
CREATE INDEX loan_hires_province ON loan_hires (province, loan_id, national_code);
ALTER TABLE loan_hires SET (fillfactor = 50);
