-- How many offenses of each near-repeat type ($types) with a published location fall in [$start, $end).
SELECT offense_type, count(*) AS found
FROM near_repeat_draws
WHERE event_at >= $start AND event_at < $end
  AND list_contains($types::VARCHAR[], offense_type)
GROUP BY offense_type
