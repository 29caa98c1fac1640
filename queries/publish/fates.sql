-- Repeated ids, decided across every file of one dataset (after its parse step made table checked).
-- Within one file the first copy with a usable time stands and the other copies are quarantined as
-- 'duplicate id'. Between files, the standing copy from the newest export (the latest usable record
-- time in the file; the first file given on a tie) is published and the others are 'superseded':
-- a refresh re-codes rows, it does not duplicate them. An older-layout (UCR) report that a
-- 2008-present (NIBRS) row also holds is the same event: the NIBRS rows win, the UCR row is superseded.
CREATE OR REPLACE TABLE checked AS
WITH newest AS (
    SELECT source_index, max(event_at) FILTER (WHERE reason IS NULL) AS newest
    FROM checked
    GROUP BY source_index
),

ranked AS (
    SELECT
        c.*,
        row_number() OVER (PARTITION BY record_id, source_index ORDER BY reason IS NOT NULL, source_row) AS copy_in_file,
        first_value(source_index) OVER (
            PARTITION BY record_id ORDER BY reason IS NOT NULL, n.newest DESC NULLS LAST, source_index) AS winner
    FROM checked AS c
    JOIN newest AS n USING (source_index)
),

fated AS (
    SELECT
        * EXCLUDE (copy_in_file, winner) REPLACE (CASE
            WHEN reason IS NOT NULL OR record_id IS NULL THEN reason
            WHEN copy_in_file > 1 THEN 'duplicate id'
            WHEN source_index <> winner THEN 'superseded' END AS reason)
    FROM ranked
),

counted_elsewhere AS (   -- events already published from a higher-ranked layout
    SELECT DISTINCT same_event FROM fated WHERE reason IS NULL AND event_rank = 0 AND same_event IS NOT NULL
)

SELECT * REPLACE (CASE
    WHEN reason IS NULL AND event_rank > 0 AND same_event IN (SELECT same_event FROM counted_elsewhere)
    THEN 'superseded' ELSE reason END AS reason)
FROM fated
