-- Calls per named window, day of the week (1 = Monday ... 7 = Sunday) and hour of the original
-- time queued, in the chosen precincts.
-- $windows: list of {name, start, end} (half-open local dates); $precincts: empty = all.
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
)

SELECT w.name AS "window", isodow(c.event_at)::INTEGER AS dow, hour(c.event_at)::INTEGER AS hour, count(*) AS n
FROM calls AS c
JOIN windows AS w ON c.event_at >= w."start" AND c.event_at < w."end"
WHERE len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], c.precinct)
GROUP BY ALL
ORDER BY ALL
