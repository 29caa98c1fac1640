-- Counts per grid period (of $length days from $anchor; window: its first day, ISO) and offense in
-- the chosen areas, without the area breakdown: the season index of the trend charts' expected
-- level reaches back years, where counts per beat are not needed.
-- $precincts / $sectors / $beats: the areas chosen (raw values; empty: all); $against as in window_counts.sql.
SELECT strftime($anchor::DATE + (floor(date_diff('day', $anchor::DATE, day) / $length) * $length)::INTEGER,
                '%Y-%m-%d') AS "window", offense, sum(n)::BIGINT AS n
FROM daily
WHERE dataset = $dataset
  AND day >= $start::DATE AND day < $end::DATE
  AND (len($against::VARCHAR[]) = 0 OR list_contains($against::VARCHAR[], crime_against))
  AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], precinct))
  AND (len($sectors::VARCHAR[]) = 0 OR list_contains($sectors::VARCHAR[], sector))
  AND (len($beats::VARCHAR[]) = 0 OR list_contains($beats::VARCHAR[], beat))
GROUP BY ALL
ORDER BY ALL
