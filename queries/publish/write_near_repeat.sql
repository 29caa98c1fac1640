-- The offenses of the near-repeat types ($types) with a published location (views/near_repeat_events.sql),
-- sorted by type and draw: a random sample of a type is then a run of rows the scan reaches by the
-- row groups' statistics (queries/hotspots/near_repeat_sample.sql), a dense city's 10,000 of 1.5 M
-- read in a few milliseconds.
COPY (
    SELECT * FROM near_repeat_events
    WHERE list_contains($types::VARCHAR[], offense_type)
    ORDER BY offense_type, draw, id
) TO $path (FORMAT parquet, COMPRESSION zstd)
