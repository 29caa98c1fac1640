-- Per source file: the fate of its rows, and what it covers (time span, precincts and beats) among
-- the rows with a usable time (published or superseded: a superseded row is still covered).
-- The span is where both the event times and the report times run (crime): an export filtered by
-- report date holds offenses that started decades earlier, one filtered by offense date holds
-- reports made years later; neither covers those years.
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
    list(DISTINCT precinct ORDER BY precinct)
        FILTER ((reason IS NULL OR reason = 'superseded') AND precinct NOT IN ('UNKNOWN', 'OOJ')) AS precincts,
    list(DISTINCT beat ORDER BY beat)
        FILTER ((reason IS NULL OR reason = 'superseded') AND beat NOT IN ('UNKNOWN', 'OOJ')) AS beats,
    count(*) FILTER (WHERE beat_derived AND reason IS NULL) AS beats_derived
FROM checked
GROUP BY source_index
ORDER BY source_index
