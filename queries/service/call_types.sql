-- Calls per named window by initial and final call type (NULL: not recorded), in the chosen precincts.
-- $windows: list of {name, start, end} (half-open local dates); $precincts: empty = all.
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
),
chosen AS (
    SELECT w.name AS "window", c.initial_call_type, c.final_call_type
    FROM calls AS c
    JOIN windows AS w ON c.event_at >= w."start" AND c.event_at < w."end"
    WHERE len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], c.precinct)
)

SELECT "window", 'initial' AS which, initial_call_type AS call_type, count(*) AS n FROM chosen GROUP BY ALL
UNION ALL
SELECT "window", 'final', final_call_type, count(*) FROM chosen GROUP BY ALL
ORDER BY ALL
