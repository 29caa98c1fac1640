-- Per-dataset counts and event-time range for the manifest.
SELECT
    count(*) FILTER (WHERE reason IS NULL) AS rows_published,
    count(*) FILTER (WHERE reason IS NOT NULL AND reason <> 'superseded') AS rows_quarantined,
    count(*) FILTER (WHERE reason = 'superseded') AS rows_superseded,
    min(event_at) FILTER (WHERE reason IS NULL) AS min_event_at,
    max(event_at) FILTER (WHERE reason IS NULL) AS max_event_at
FROM checked
