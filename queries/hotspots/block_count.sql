-- How many distinct 100-blocks a dataset records anything on, over all its published time: the
-- "all places" denominator of the concentration curve (street segments with no record are unknown).
SELECT count(DISTINCT block_address) AS blocks
FROM events
WHERE dataset = $dataset
  AND NOT location_withheld
  AND coalesce(block_address, '') <> ''
