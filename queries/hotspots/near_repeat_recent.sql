-- Every offense of the near-repeat types ($types) in [$recent, $end): the places at risk now.
-- Privacy: near_repeat_events holds no offense whose location is withheld (views/near_repeat_events.sql).
SELECT event_at, offense_type, beat, block_address, longitude, latitude
FROM near_repeat_events
WHERE event_at >= $recent AND event_at < $end
  AND list_contains($types::VARCHAR[], offense_type)
