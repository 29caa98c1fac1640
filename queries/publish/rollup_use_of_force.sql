-- Daily counts of the published use_of_force rows by area and offense: what the CompStat windows add up,
-- so a window costs the same at ten million rows as at ten thousand. Same answers as the raw rows.
COPY (
    SELECT
        'use_of_force' AS dataset, CAST(event_at AS DATE) AS day, precinct, sector, beat,
        incident_type AS offense, NULL::VARCHAR AS crime_against, count(*) AS n
    FROM checked
    WHERE reason IS NULL
    GROUP BY ALL
    ORDER BY ALL
) TO $path (FORMAT parquet, COMPRESSION zstd)
