-- Incidents per period, beat and distinct coordinate for the hot-spot map (H3 cells are assigned in
-- Python: SPD coordinates are 100-block level, so a period has only a few thousand distinct points).
-- Privacy: rows whose location is withheld (sensitive offenses) never become a point, cell or block.
-- period 0 is the window starting at $start; windows are consecutive blocks of $length_days.
-- An empty offense list means "no filter" (calls and use of force have no offense group or type).
SELECT
    (CAST(event_at AS DATE) - CAST($start AS DATE)) // $length_days AS period,
    beat, longitude, latitude, count(*) AS incidents
FROM events
WHERE dataset = $dataset
  AND event_at >= $start AND event_at < $end
  AND NOT location_withheld
  AND longitude IS NOT NULL AND latitude IS NOT NULL
  AND (len($groups::VARCHAR[]) = 0 OR list_contains($groups::VARCHAR[], offense_group))
  AND (len($types::VARCHAR[]) = 0 OR list_contains($types::VARCHAR[], offense_type))
GROUP BY ALL
ORDER BY ALL
