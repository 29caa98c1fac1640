-- The incident table on /data: one dataset, a date window, optional areas and a free-text match.
-- An empty list means "no filter"; the text is matched as a bound value, never as SQL.
SELECT
    id, event_at, precinct, sector, beat, offense_group, offense_type, category, description,
    block_address, longitude, latitude, location_withheld
FROM events
WHERE dataset = $dataset
  AND event_at >= $start AND event_at < $end
  AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], precinct))
  AND (len($beats::VARCHAR[]) = 0 OR list_contains($beats::VARCHAR[], beat))
  AND ($text = '' OR contains(lower(concat_ws(' ', id, category, description, block_address)), lower($text)))
ORDER BY event_at DESC, id
LIMIT $limit
