-- What changed in calls since the version this publish replaces (see revisions_crime.sql).
WITH pairs AS (
    SELECT
        o.cad_event_number IS NULL AS added,
        n.cad_event_number IS NULL AS removed,
        n.event_at < $late_before AS early,
        (n.initial_call_type, n.final_call_type, n.call_type, n.event_clearance)
            IS DISTINCT FROM (o.initial_call_type, o.final_call_type, o.call_type, o.event_clearance) AS call_type,
        n.priority IS DISTINCT FROM o.priority AS priority,
        n.precinct IS DISTINCT FROM o.precinct AS precinct,
        n.sector IS DISTINCT FROM o.sector AS sector,
        n.beat IS DISTINCT FROM o.beat AS beat,
        (n.block_address, n.longitude, n.latitude) IS DISTINCT FROM (o.block_address, o.longitude, o.latitude) AS location,
        (n.event_at, n.arrived_at) IS DISTINCT FROM (o.event_at, o.arrived_at) AS time
    FROM (SELECT * FROM checked WHERE reason IS NULL) AS n
    FULL OUTER JOIN read_parquet($previous) AS o ON n.cad_event_number = o.cad_event_number
)
SELECT
    count(*) FILTER (WHERE added) AS added,
    count(*) FILTER (WHERE removed) AS removed,
    count(*) FILTER (WHERE added AND early) AS late,
    count(*) FILTER (WHERE NOT added AND NOT removed
        AND (call_type OR priority OR precinct OR sector OR beat OR location OR time)) AS recoded,
    count(*) FILTER (WHERE NOT added AND NOT removed AND call_type) AS call_type,
    count(*) FILTER (WHERE NOT added AND NOT removed AND priority) AS priority,
    count(*) FILTER (WHERE NOT added AND NOT removed AND precinct) AS precinct,
    count(*) FILTER (WHERE NOT added AND NOT removed AND sector) AS sector,
    count(*) FILTER (WHERE NOT added AND NOT removed AND beat) AS beat,
    count(*) FILTER (WHERE NOT added AND NOT removed AND location) AS location,
    count(*) FILTER (WHERE NOT added AND NOT removed AND time) AS time
FROM pairs
