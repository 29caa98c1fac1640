-- /service's response times measured at publish (seastat.publish._response_times: the rows of
-- queries/service/response_times.sql, each window named by its dates).
COPY (SELECT * FROM response ORDER BY ALL) TO $path (FORMAT parquet, COMPRESSION zstd)
