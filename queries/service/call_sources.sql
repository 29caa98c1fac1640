-- Calls by source (Call Type: 911, ONVIEW, TELEPHONE OTHER, NOT 911, ALARM CALL ...) per named window
-- and area (level 'city': the chosen precincts together; 'precinct': each, UNKNOWN and OOJ as one
-- $unassigned line); dispatched says whether the call counts as dispatched. call_type NULL: not recorded (the
-- older 911 Incident Response layout has no call type).
-- Counted once per period (period 0 starts at $start, each $length_days long, up to $end) from the
-- daily counts written at publish (queries/views/calls_counts.sql), then each named window, a run of
-- whole periods [first, last), is the sum of its periods (seastat.reports.service_rows).
-- $windows: list of {window (its number), first, last}; $precincts: empty = all.
WITH per_period AS (
    SELECT (c.day - CAST($start AS DATE)) // $length_days AS period,
           CASE WHEN c.precinct IN ('UNKNOWN', 'OOJ') THEN $unassigned ELSE c.precinct END AS precinct,
           c.call_type, c.dispatched, sum(c.n) AS n
    FROM calls_counts AS c
    WHERE c.kind = 'sources' AND c.day >= $start AND c.day < $end
      AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], c.precinct))
    GROUP BY ALL
),
windows AS (      -- one row per window and period in it: an equality join, not a range join
    SELECT "window", unnest(range("first", "last")) AS period
    FROM (SELECT unnest($windows::STRUCT("window" INTEGER, "first" BIGINT, "last" BIGINT)[], recursive := true))
)

SELECT w."window", CASE WHEN grouping(p.precinct) = 1 THEN 'city' ELSE 'precinct' END AS level,
       p.precinct, p.call_type, p.dispatched, sum(p.n)::BIGINT AS n
FROM per_period AS p
JOIN windows AS w USING (period)
GROUP BY GROUPING SETS ((w."window", p.call_type, p.dispatched), (w."window", p.precinct, p.call_type, p.dispatched))
