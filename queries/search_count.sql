-- How many rows the /data filters match (the table itself shows at most a page of them).
SELECT count(*) AS matching
FROM events
WHERE dataset = $dataset
  AND event_at >= $start AND event_at < $end
  AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], precinct))
  AND (len($beats::VARCHAR[]) = 0 OR list_contains($beats::VARCHAR[], beat))
  AND ($text = '' OR contains(lower(concat_ws(' ', id, category, description, block_address)), lower($text)))
