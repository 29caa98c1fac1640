-- Rows that passed every check, sorted by time so Parquet row-group statistics prune date filters.
COPY (
    SELECT * EXCLUDE (reason, detail, record_id, same_event, event_rank, coverage_at, source_index, source_row)
    FROM checked
    WHERE reason IS NULL
    ORDER BY event_at, source_index, source_row
) TO $path (FORMAT parquet, PARTITION_BY (year), FILENAME_PATTERN 'part_{i}', COMPRESSION zstd)
