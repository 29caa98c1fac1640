-- Per source file: the fate of its rows, and what it covers (time span, precincts and beats) among
-- the rows with a usable time (published or superseded: a superseded row is still covered).
-- The span is where both the event times and the report times run (crime): an export filtered by
-- report date holds offenses that started decades earlier, one filtered by offense date holds
-- reports made years later; neither covers those years.
-- The precinct and beat lists are made from the distinct pairs first: an ordered DISTINCT list
-- aggregate holds every row's value until the end, which ran out of memory at 10 M rows.
WITH usable AS (
    SELECT source_index, precinct, beat
    FROM checked
    WHERE reason IS NULL OR reason = 'superseded'
),
areas AS (
    SELECT source_index,
           list(precinct ORDER BY precinct) AS precincts
    FROM (SELECT DISTINCT source_index, precinct FROM usable WHERE precinct NOT IN ('UNKNOWN', 'OOJ'))
    GROUP BY source_index
),
beats AS (
    SELECT source_index, list(beat ORDER BY beat) AS beats
    FROM (SELECT DISTINCT source_index, beat FROM usable WHERE beat NOT IN ('UNKNOWN', 'OOJ'))
    GROUP BY source_index
),
fates AS (
    SELECT
        source_index,
        count(*) FILTER (WHERE reason IS NULL) AS rows_published,
        count(*) FILTER (WHERE reason IS NOT NULL AND reason <> 'superseded') AS rows_quarantined,
        count(*) FILTER (WHERE reason = 'superseded') AS rows_superseded,
        count(*) FILTER (WHERE reason IS NULL OR reason = 'superseded') AS rows_usable,
        greatest(min(coverage_at) FILTER (WHERE reason IS NULL OR reason = 'superseded'),
                 min(event_at) FILTER (WHERE reason IS NULL OR reason = 'superseded')) AS first_at,
        least(max(coverage_at) FILTER (WHERE reason IS NULL OR reason = 'superseded'),
              max(event_at) FILTER (WHERE reason IS NULL OR reason = 'superseded')) AS last_at,
        count(*) FILTER (WHERE beat_derived AND reason IS NULL) AS beats_derived
    FROM checked
    GROUP BY source_index
)

SELECT f.source_index, f.rows_published, f.rows_quarantined, f.rows_superseded, f.rows_usable, f.first_at,
       f.last_at, a.precincts, b.beats, f.beats_derived
FROM fates AS f
LEFT JOIN areas AS a USING (source_index)
LEFT JOIN beats AS b USING (source_index)
ORDER BY f.source_index
