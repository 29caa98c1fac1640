-- Counts per period of the grid (periods of $length days counted from $anchor), precinct, sector,
-- beat and offense, from the daily rollup, for the periods starting in [$start, $end): the trend
-- charts and the expected levels. Arithmetic on the day, not a join against a list of windows, so
-- six years of periods cost one pass. window: the period's first day (ISO), as period_params names it.
-- $against: crime-against categories to keep (empty = all).
SELECT strftime($anchor::DATE + (floor(date_diff('day', $anchor::DATE, d.day) / $length) * $length)::INTEGER,
                '%Y-%m-%d') AS "window",
       d.precinct, d.sector, d.beat, d.offense, sum(d.n)::BIGINT AS n
FROM daily AS d
WHERE d.dataset = $dataset
  AND d.day >= $start::DATE AND d.day < $end::DATE
  AND (len($against::VARCHAR[]) = 0 OR list_contains($against::VARCHAR[], d.crime_against))
GROUP BY ALL
ORDER BY ALL
