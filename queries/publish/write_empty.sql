-- A dataset with no published rows still gets its typed schema (a zero-row file under year=0).
COPY (
    SELECT * EXCLUDE (reason, detail, record_id, same_event, event_rank, coverage_at, source_index, source_row, year)
    FROM checked LIMIT 0
) TO $path (FORMAT parquet)
