-- Crime events of the near-repeat offense types in [$start, $end), for seastat.nearrepeat (Knox
-- test and places at risk now). Privacy: an event whose location is withheld, or that has no
-- coordinates, is never returned.
SELECT event_at, offense_type, beat, block_address, longitude, latitude
FROM events
WHERE dataset = 'crime'
  AND event_at >= $start AND event_at < $end
  AND list_contains($types::VARCHAR[], offense_type)
  AND NOT location_withheld
  AND longitude IS NOT NULL AND latitude IS NOT NULL
