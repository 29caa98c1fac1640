-- Rows kept out of the store, by dataset, source file and reason.
SELECT dataset, source_file, reason, count(*) AS rows, any_value(detail) AS example
FROM quarantine
GROUP BY ALL
ORDER BY dataset, rows DESC
