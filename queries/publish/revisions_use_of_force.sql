-- What changed in use_of_force since the version this publish replaces (see revisions_crime.sql).
WITH pairs AS (
    SELECT
        o.uof_id IS NULL AS added,
        n.uof_id IS NULL AS removed,
        n.event_at < $late_before AS early,
        n.incident_type IS DISTINCT FROM o.incident_type AS incident_type,
        n.precinct IS DISTINCT FROM o.precinct AS precinct,
        n.sector IS DISTINCT FROM o.sector AS sector,
        n.beat IS DISTINCT FROM o.beat AS beat,
        n.subject_race IS DISTINCT FROM o.subject_race AS subject_race,
        n.subject_gender IS DISTINCT FROM o.subject_gender AS subject_gender,
        n.event_at IS DISTINCT FROM o.event_at AS time
    FROM (SELECT * FROM checked WHERE reason IS NULL) AS n
    FULL OUTER JOIN read_parquet($previous) AS o ON n.uof_id = o.uof_id
)
SELECT
    count(*) FILTER (WHERE added) AS added,
    count(*) FILTER (WHERE removed) AS removed,
    count(*) FILTER (WHERE added AND early) AS late,
    count(*) FILTER (WHERE NOT added AND NOT removed
        AND (incident_type OR precinct OR sector OR beat OR subject_race OR subject_gender OR time)) AS recoded,
    count(*) FILTER (WHERE NOT added AND NOT removed AND incident_type) AS incident_type,
    count(*) FILTER (WHERE NOT added AND NOT removed AND precinct) AS precinct,
    count(*) FILTER (WHERE NOT added AND NOT removed AND sector) AS sector,
    count(*) FILTER (WHERE NOT added AND NOT removed AND beat) AS beat,
    count(*) FILTER (WHERE NOT added AND NOT removed AND subject_race) AS subject_race,
    count(*) FILTER (WHERE NOT added AND NOT removed AND subject_gender) AS subject_gender,
    count(*) FILTER (WHERE NOT added AND NOT removed AND time) AS time
FROM pairs
