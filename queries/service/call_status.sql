-- The calls of one window that response times leave out or cannot measure (the rule of
-- queries/service/response_times.sql): no call type (the older 911 Incident Response layout: no
-- queue time), on-view (call type ONVIEW), and arrival equal to the queue time (officer-initiated):
-- the calls not dispatched (queries/views/calls_counts.sql) that are neither of the first two.
-- $start, $end: the half-open window (local dates); $precincts: empty = all.
SELECT
    coalesce(sum(n) FILTER (call_type IS NULL), 0)::BIGINT AS no_source,
    coalesce(sum(n) FILTER (upper(call_type) = 'ONVIEW'), 0)::BIGINT AS on_view,
    coalesce(sum(n) FILTER (upper(call_type) <> 'ONVIEW' AND NOT dispatched), 0)::BIGINT AS same_time
FROM calls_counts
WHERE kind = 'sources' AND day >= $start AND day < $end
  AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], precinct))
