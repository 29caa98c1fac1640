-- The 100-blocks a commitment can name, with the precinct(s) their records fall in. Records whose
-- location is withheld (privacy rules) carry no block and are not counted at block level.
SELECT block_address, precinct, count(*) AS incidents
FROM events
WHERE NOT location_withheld
  AND coalesce(block_address, '') <> ''
GROUP BY ALL
ORDER BY ALL
