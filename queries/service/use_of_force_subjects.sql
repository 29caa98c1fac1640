-- Uses of force per named window, area, and subject race and gender.
-- Counted once per period (period 0 starts at $start, each $length_days long, up to $end), then each
-- named window, a run of whole periods [first, last), is the sum of its periods: one scan and
-- arithmetic instead of joining every call to every window (seastat.reports.service_rows).
-- Per area: level 'city' (the chosen precincts together) and 'precinct' (each, UNKNOWN and OOJ as one
-- $unassigned line). $windows: list of {window (its number), first, last}; $precincts: empty = all.
WITH per_period AS (
    SELECT (CAST(u.event_at AS DATE) - CAST($start AS DATE)) // $length_days AS period,
           CASE WHEN u.precinct IN ('UNKNOWN', 'OOJ') THEN $unassigned ELSE u.precinct END AS precinct,
           u.subject_race, u.subject_gender, count(*) AS n
    FROM use_of_force AS u
    WHERE u.event_at >= $start AND u.event_at < $end
      AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], u.precinct))
    GROUP BY ALL
),
windows AS (      -- one row per window and period in it: an equality join, not a range join
    SELECT "window", unnest(range("first", "last")) AS period
    FROM (SELECT unnest($windows::STRUCT("window" INTEGER, "first" BIGINT, "last" BIGINT)[], recursive := true))
)

SELECT w."window", CASE WHEN grouping(p.precinct) = 1 THEN 'city' ELSE 'precinct' END AS level,
       p.precinct, p.subject_race, p.subject_gender, sum(p.n)::BIGINT AS n
FROM per_period AS p
JOIN windows AS w USING (period)
GROUP BY GROUPING SETS ((w."window", p.subject_race, p.subject_gender), (w."window", p.precinct, p.subject_race, p.subject_gender))
