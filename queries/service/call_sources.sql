-- Calls by source (Call Type: 911, ONVIEW, TELEPHONE OTHER, NOT 911, ALARM CALL ...) per named
-- window and area; dispatched says whether the call counts as dispatched (a call type that is not
-- ONVIEW, and an arrival that is not the queue time). call_type NULL: not recorded (the older
-- 911 Incident Response layout has no call type).
-- $windows: list of {name, start, end} (half-open local dates); $precincts: empty = all.
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
)

SELECT
    w.name AS "window", c.precinct, c.sector, c.beat, c.call_type,
    (c.call_type IS NOT NULL AND upper(c.call_type) <> 'ONVIEW'
     AND (c.arrived_at IS NULL OR c.arrived_at <> c.event_at)) AS dispatched,
    count(*) AS n
FROM calls AS c
JOIN windows AS w ON c.event_at >= w."start" AND c.event_at < w."end"
WHERE len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], c.precinct)
GROUP BY ALL
ORDER BY ALL
