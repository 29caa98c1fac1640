-- Per-dataset counts and event-time range for the manifest.
SELECT
    count(*) FILTER (WHERE reason IS NULL) AS rows_published,
    count(*) FILTER (WHERE reason IS NOT NULL) AS rows_quarantined,
    min(event_at) FILTER (WHERE reason IS NULL) AS min_event_at,
    max(event_at) FILTER (WHERE reason IS NULL) AS max_event_at
FROM checked
