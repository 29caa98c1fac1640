-- Calls per named window by initial and final call type (NULL: not recorded), in the chosen precincts.
-- Counted once per period (period 0 starts at $start, each $length_days long, up to $end), then each
-- named window, a run of whole periods [first, last), is the sum of its periods: one scan and
-- arithmetic instead of joining every call to every window (seastat.reports.service_rows).
-- $windows: list of {name, first, last}; $precincts: empty = all.
WITH chosen AS (
    SELECT (CAST(c.event_at AS DATE) - CAST($start AS DATE)) // $length_days AS period,
           c.initial_call_type, c.final_call_type
    FROM calls AS c
    WHERE c.event_at >= $start AND c.event_at < $end
      AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], c.precinct))
),
per_period AS (
    SELECT period, 'initial' AS which, initial_call_type AS call_type, count(*) AS n FROM chosen GROUP BY ALL
    UNION ALL
    SELECT period, 'final', final_call_type, count(*) FROM chosen GROUP BY ALL
),
windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "first" BIGINT, "last" BIGINT)[], recursive := true)
)

SELECT w.name AS "window", p.which, p.call_type, sum(p.n)::BIGINT AS n
FROM per_period AS p
JOIN windows AS w ON p.period >= w."first" AND p.period < w."last"
GROUP BY ALL
ORDER BY ALL
