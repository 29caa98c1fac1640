-- The rows of queries/service/response_times.sql that publish measured for the city (every
-- precinct) under the targets in the manifest, for the named windows it holds; the stored rows
-- name their window by its dates, "start/end" (seastat.reports.response_summary).
-- $windows: list of {name, key}.
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "key" VARCHAR)[], recursive := true)
)

SELECT r.* REPLACE (w.name AS "window")
FROM read_parquet('service/response_times.parquet') AS r
JOIN windows AS w ON r."window" = w."key"
ORDER BY ALL
