-- 911 response times of dispatched calls, counted and measured in DuckDB at every level at once
-- (grouping sets: the city, precincts, sectors, beats) per named window and priority.
-- Dispatched: a call type that is not ONVIEW, and an arrival (if any) that is not the queue time
-- (officer-initiated); calls with no call type come from the older 911 Incident Response layout,
-- whose only time is the clearance time, so they cannot be measured (queries/service/call_status.sql
-- counts what is left out). Of the dispatched calls: 'arrived' (a first arrival after the queue
-- time: the measured response times), 'no arrival' (none recorded) and 'before queue' (a recording
-- error). The median and 90th percentile are quantile_cont: linear interpolation between order
-- statistics, numpy's and pandas' default. UNKNOWN and OOJ precincts are one $unassigned line.
-- $windows: list of {name, start, end} (half-open local dates); [$scan_from, $scan_to): a span holding
-- them all (it lets the scan skip row groups); $precincts: empty = all;
-- $targets: list of {priority, target_seconds}: a priority without one has no over-target count.
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
),
targets AS (
    SELECT unnest($targets::STRUCT(priority VARCHAR, target_seconds DOUBLE)[], recursive := true)
),
dispatched AS (
    SELECT
        w.name AS "window",
        CASE WHEN c.precinct IN ('UNKNOWN', 'OOJ') THEN $unassigned ELSE c.precinct END AS precinct,
        c.sector, c.beat,
        coalesce(nullif(trim(c.priority), ''), 'not recorded') AS priority,
        c.arrived_at IS NULL AS no_arrival,
        c.arrived_at < c.event_at AS before_queue,
        CASE WHEN c.arrived_at > c.event_at THEN epoch(c.arrived_at - c.event_at) END AS seconds
    FROM calls AS c
    JOIN windows AS w ON c.event_at >= w."start" AND c.event_at < w."end"
    WHERE c.event_at >= $scan_from AND c.event_at < $scan_to
      AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], c.precinct))
      AND c.call_type IS NOT NULL AND upper(c.call_type) <> 'ONVIEW'
      AND (c.arrived_at IS NULL OR c.arrived_at <> c.event_at)
),
measured AS (
    SELECT
        CASE grouping(d.precinct, d.sector, d.beat)
            WHEN 7 THEN 'city' WHEN 3 THEN 'precinct' WHEN 1 THEN 'sector' ELSE 'beat' END AS level,
        d."window", d.precinct, d.sector, d.beat, d.priority,
        count(*) AS calls,
        count(d.seconds) AS arrived,
        count(*) FILTER (d.no_arrival) AS no_arrival,
        count(*) FILTER (d.before_queue) AS arrival_before_queue,
        count(*) FILTER (d.seconds > t.target_seconds) AS over_target,
        quantile_cont(d.seconds / 60, [0.5, 0.9]) AS minutes
    FROM dispatched AS d
    LEFT JOIN targets AS t ON t.priority = d.priority
    GROUP BY GROUPING SETS ((d."window", d.priority), (d."window", d.priority, d.precinct),
                            (d."window", d.priority, d.precinct, d.sector),
                            (d."window", d.priority, d.precinct, d.sector, d.beat))
)

SELECT level, "window", precinct, sector, beat, priority, calls, arrived, no_arrival, arrival_before_queue,
       over_target, minutes[1] AS median_minutes, minutes[2] AS p90_minutes
FROM measured
ORDER BY ALL
