-- What changed in crime since the version this publish replaces: rows added, removed, re-coded (per
-- field), and added rows late for a period already over when the replaced data ended ($late_before).
WITH pairs AS (
    SELECT
        o.offense_id IS NULL AS added,
        n.offense_id IS NULL AS removed,
        n.event_at < $late_before AS early,
        (n.offense_code, n.offense, n.offense_parent_group, n.offense_type)
            IS DISTINCT FROM (o.offense_code, o.offense, o.offense_parent_group, o.offense_type) AS offense,
        n.precinct IS DISTINCT FROM o.precinct AS precinct,
        n.sector IS DISTINCT FROM o.sector AS sector,
        n.beat IS DISTINCT FROM o.beat AS beat,
        (n.block_address, n.longitude, n.latitude) IS DISTINCT FROM (o.block_address, o.longitude, o.latitude) AS location,
        n.event_at IS DISTINCT FROM o.event_at AS time
    FROM (SELECT * FROM checked WHERE reason IS NULL) AS n
    FULL OUTER JOIN read_parquet($previous) AS o ON n.offense_id = o.offense_id
)
SELECT
    count(*) FILTER (WHERE added) AS added,
    count(*) FILTER (WHERE removed) AS removed,
    count(*) FILTER (WHERE added AND early) AS late,
    count(*) FILTER (WHERE NOT added AND NOT removed AND (offense OR precinct OR sector OR beat OR location OR time)) AS recoded,
    count(*) FILTER (WHERE NOT added AND NOT removed AND offense) AS offense,
    count(*) FILTER (WHERE NOT added AND NOT removed AND precinct) AS precinct,
    count(*) FILTER (WHERE NOT added AND NOT removed AND sector) AS sector,
    count(*) FILTER (WHERE NOT added AND NOT removed AND beat) AS beat,
    count(*) FILTER (WHERE NOT added AND NOT removed AND location) AS location,
    count(*) FILTER (WHERE NOT added AND NOT removed AND time) AS time
FROM pairs
