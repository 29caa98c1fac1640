-- Crime rows by the taxonomy they were counted under (NIBRS, or the older UCR layout) in
-- [$start, $end): a table whose windows hold both compares counts that are not like for like.
SELECT taxonomy, count(*) AS n
FROM crime
WHERE event_at >= $start AND event_at < $end
GROUP BY ALL
ORDER BY ALL
