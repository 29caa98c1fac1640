-- Every rejected row with its reason; only ids and the offending value are kept (no addresses).
COPY (
    SELECT $dataset AS dataset, s.source_file, q.source_row, q.record_id, q.reason, q.detail
    FROM (
        SELECT source_index, source_row, record_id, reason, detail FROM checked WHERE reason IS NOT NULL AND reason <> 'superseded'
        UNION ALL
        SELECT source_index, source_row, NULL::VARCHAR AS record_id, reason, detail FROM malformed
    ) AS q
    JOIN sources AS s USING (source_index)
    ORDER BY s.source_file, q.source_row
) TO $path (FORMAT parquet, COMPRESSION zstd)
