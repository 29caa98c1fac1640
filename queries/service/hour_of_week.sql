-- Calls per named window, day of the week (1 = Monday ... 7 = Sunday) and hour of the original
-- time queued, in the chosen precincts.
-- Counted once per period (period 0 starts at $start, each $length_days long, up to $end), then each
-- named window, a run of whole periods [first, last), is the sum of its periods: one scan and
-- arithmetic instead of joining every call to every window (seastat.reports.service_rows).
-- $windows: list of {name, first, last}; $precincts: empty = all.
WITH per_period AS (
    SELECT (CAST(c.event_at AS DATE) - CAST($start AS DATE)) // $length_days AS period,
           isodow(c.event_at)::INTEGER AS dow, hour(c.event_at)::INTEGER AS hour,
           count(*) AS n
    FROM calls AS c
    WHERE c.event_at >= $start AND c.event_at < $end
      AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], c.precinct))
    GROUP BY ALL
),
windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "first" BIGINT, "last" BIGINT)[], recursive := true)
)

SELECT w.name AS "window", p.dow, p.hour, sum(p.n)::BIGINT AS n
FROM per_period AS p
JOIN windows AS w ON p.period >= w."first" AND p.period < w."last"
GROUP BY ALL
ORDER BY ALL
