-- Incidents per period, beat and 100-block for the hottest-blocks table.
-- Privacy: rows whose location is withheld (sensitive offenses) never appear in the block table;
-- rows with a blank address are left out here and shown as one "no published address" line.
-- period 0 is the window starting at $start; windows are consecutive blocks of $length_days.
SELECT
    (CAST(event_at AS DATE) - CAST($start AS DATE)) // $length_days AS period,
    beat, block_address, count(*) AS incidents
FROM events
WHERE dataset = $dataset
  AND event_at >= $start AND event_at < $end
  AND NOT location_withheld
  AND coalesce(block_address, '') <> ''
  AND (len($groups::VARCHAR[]) = 0 OR list_contains($groups::VARCHAR[], offense_group))
  AND (len($types::VARCHAR[]) = 0 OR list_contains($types::VARCHAR[], offense_type))
GROUP BY ALL
ORDER BY ALL
