-- Repeated ids, decided across every file of one dataset (after its parse step made table checked).
-- Within one file the first copy with a usable time stands and the other copies are quarantined as
-- 'duplicate id'. Between files, the standing copy from the newest export (the latest usable record
-- time in the file; the first file given on a tie) is published and the others are 'superseded':
-- a refresh re-codes rows, it does not duplicate them. An older-layout (UCR) report that a
-- 2008-present (NIBRS) row also holds is the same event: the NIBRS rows win, the UCR row is superseded.
-- Only the rows of repeated ids are ranked, and only the rows whose fate changes are updated:
-- rewriting the whole table would cost as much as parsing it.
CREATE OR REPLACE TABLE fate AS
WITH repeated AS (
    SELECT record_id FROM checked WHERE record_id IS NOT NULL GROUP BY record_id HAVING count(*) > 1
),

newest AS (
    SELECT source_index, max(event_at) FILTER (WHERE reason IS NULL) AS newest FROM checked GROUP BY source_index
),

ranked AS (
    SELECT
        c.source_index,
        c.source_row,
        c.reason,
        row_number() OVER (PARTITION BY c.record_id, c.source_index ORDER BY c.reason IS NOT NULL, c.source_row)
            AS copy_in_file,
        first_value(c.source_index) OVER (
            PARTITION BY c.record_id ORDER BY c.reason IS NOT NULL, n.newest DESC NULLS LAST, c.source_index) AS winner
    FROM checked AS c
    SEMI JOIN repeated AS r ON c.record_id = r.record_id
    JOIN newest AS n ON c.source_index = n.source_index
)

SELECT source_index, source_row, CASE WHEN copy_in_file > 1 THEN 'duplicate id' ELSE 'superseded' END AS reason
FROM ranked
WHERE reason IS NULL AND (copy_in_file > 1 OR source_index <> winner);

UPDATE checked SET reason = fate.reason
FROM fate
WHERE checked.source_index = fate.source_index AND checked.source_row = fate.source_row;

UPDATE checked SET reason = 'superseded'
WHERE reason IS NULL AND event_rank > 0 AND same_event IN (
    SELECT same_event FROM checked WHERE reason IS NULL AND event_rank = 0 AND same_event IS NOT NULL);
