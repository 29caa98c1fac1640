-- The offenses of the near-repeat types ($types) with a published location, sorted by time so a
-- year's read skips the rest: a dense city's year is a quarter of its offense rows and a seventh of
-- their columns (queries/hotspots/near_repeat.sql).
COPY (
    SELECT * FROM near_repeat_events
    WHERE list_contains($types::VARCHAR[], offense_type)
    ORDER BY event_at, id
) TO $path (FORMAT parquet, COMPRESSION zstd)
