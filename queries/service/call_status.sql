-- The calls of one window that response times leave out or cannot measure (the rule of
-- queries/service/response_times.sql): no call type (the older 911 Incident Response layout: no
-- queue time), on-view (call type ONVIEW), and arrival equal to the queue time (officer-initiated).
-- $start, $end: the half-open window (local dates); $precincts: empty = all.
SELECT
    count(*) FILTER (call_type IS NULL) AS no_source,
    count(*) FILTER (upper(call_type) = 'ONVIEW') AS on_view,
    count(*) FILTER (upper(call_type) <> 'ONVIEW' AND arrived_at = event_at) AS same_time
FROM calls
WHERE event_at >= $start AND event_at < $end
  AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], precinct))
