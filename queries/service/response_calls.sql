-- 911 response times: every call of the named windows in the chosen precincts, grouped by the
-- whole seconds from the original time queued to the first arrival (timestamps are whole seconds,
-- so the groups lose nothing: medians and percentiles computed from them are exact).
-- status says how a call is counted (seastat/service.py):
--   'no source'    no call type: the older 911 Incident Response layout has no queue time
--                  (its event_at is the clearance time), so no response time can be measured;
--   'on-view'      call type ONVIEW: the officer was there (not dispatched);
--   'same time'    arrival equals queue time: officer-initiated, whatever the call type;
--   'no arrival'   dispatched, with no arrival time recorded;
--   'before queue' arrival before the queue time (a recording error);
--   'arrived'      dispatched and arrived: the measured response times.
-- $windows: list of {name, start, end} (half-open local dates); $precincts: empty = all.
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
),
calls_in AS (
    SELECT
        w.name AS "window", c.precinct, c.sector, c.beat,
        coalesce(nullif(trim(c.priority), ''), 'not recorded') AS priority,
        CASE
            WHEN c.call_type IS NULL THEN 'no source'
            WHEN upper(c.call_type) = 'ONVIEW' THEN 'on-view'
            WHEN c.arrived_at IS NULL THEN 'no arrival'
            WHEN c.arrived_at = c.event_at THEN 'same time'
            WHEN c.arrived_at < c.event_at THEN 'before queue'
            ELSE 'arrived'
        END AS status,
        CASE WHEN c.arrived_at > c.event_at THEN epoch(c.arrived_at - c.event_at) END AS seconds
    FROM calls AS c
    JOIN windows AS w ON c.event_at >= w."start" AND c.event_at < w."end"
    WHERE len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], c.precinct)
)

SELECT "window", precinct, sector, beat, priority, status, seconds, count(*) AS n
FROM calls_in
GROUP BY ALL
ORDER BY ALL
