-- /service's daily 911 counts (queries/views/calls_counts.sql), sorted so a read of one kind over a
-- few weeks skips the rest of the file.
COPY (SELECT * FROM calls_counts ORDER BY ALL) TO $path (FORMAT parquet, COMPRESSION zstd)
