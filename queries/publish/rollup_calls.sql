-- Daily counts of the published calls rows by area and offense: what the CompStat windows add up,
-- so a window costs the same at ten million rows as at ten thousand. Same answers as the raw rows.
COPY (
    SELECT
        'calls' AS dataset, CAST(event_at AS DATE) AS day, precinct, sector, beat,
        'call' AS offense, NULL::VARCHAR AS crime_against, count(*) AS n
    FROM checked
    WHERE reason IS NULL
    GROUP BY ALL
    ORDER BY ALL
) TO $path (FORMAT parquet, COMPRESSION zstd)
