-- Incidents per period and beat for the hot-spot map: every row counts, including offenses whose
-- location is withheld and rows with an UNKNOWN or OOJ beat (shown as their own table rows).
-- period 0 is the window starting at $start; windows are consecutive blocks of $length_days.
SELECT
    (CAST(event_at AS DATE) - CAST($start AS DATE)) // $length_days AS period,
    precinct, sector, beat, count(*) AS incidents
FROM events
WHERE dataset = $dataset
  AND event_at >= $start AND event_at < $end
  AND (len($groups::VARCHAR[]) = 0 OR list_contains($groups::VARCHAR[], offense_group))
  AND (len($types::VARCHAR[]) = 0 OR list_contains($types::VARCHAR[], offense_type))
GROUP BY ALL
ORDER BY ALL
