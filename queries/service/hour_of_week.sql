-- Calls per named window, day of the week (1 = Monday ... 7 = Sunday) and hour of the original
-- time queued, in the chosen precincts.
-- Counted once per period (period 0 starts at $start, each $length_days long, up to $end) from the
-- daily counts written at publish (queries/views/calls_counts.sql), then each named window, a run of
-- whole periods [first, last), is the sum of its periods (seastat.reports.service_rows).
-- $windows: list of {window (its number), first, last}; $precincts: empty = all.
WITH per_period AS (
    SELECT (c.day - CAST($start AS DATE)) // $length_days AS period,
           isodow(c.day)::INTEGER AS dow, c.hour, sum(c.n) AS n
    FROM calls_counts AS c
    WHERE c.kind = CASE WHEN len($precincts::VARCHAR[]) = 0 THEN 'hours (city)' ELSE 'hours' END
      AND c.day >= $start AND c.day < $end
      AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], c.precinct))
    GROUP BY ALL
),
windows AS (      -- one row per window and period in it: an equality join, not a range join
    SELECT "window", unnest(range("first", "last")) AS period
    FROM (SELECT unnest($windows::STRUCT("window" INTEGER, "first" BIGINT, "last" BIGINT)[], recursive := true))
)

SELECT w."window", p.dow, p.hour, sum(p.n)::BIGINT AS n
FROM per_period AS p
JOIN windows AS w USING (period)
GROUP BY ALL
