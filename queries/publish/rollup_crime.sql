-- Daily counts of the published crime rows by area and offense: what the CompStat windows add up,
-- so a window costs the same at ten million rows as at ten thousand. Same answers as the raw rows.
COPY (
    SELECT
        'crime' AS dataset, CAST(event_at AS DATE) AS day, precinct, sector, beat,
        offense_type AS offense, crime_against AS crime_against, count(*) AS n
    FROM checked
    WHERE reason IS NULL
    GROUP BY ALL
    ORDER BY ALL
) TO $path (FORMAT parquet, COMPRESSION zstd)
