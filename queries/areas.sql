-- Every precinct / sector / beat a dataset uses (UNKNOWN and OOJ included), with its row count.
SELECT precinct, sector, beat, count(*) AS incidents
FROM events
WHERE dataset = $dataset
GROUP BY ALL
ORDER BY ALL
