-- The offenses a dataset counts (offense types, use-of-force incident types, or 'call'), from the
-- daily rollup, so the offense rows of every table and picker are those the data hold.
SELECT DISTINCT offense
FROM daily
WHERE dataset = $dataset
ORDER BY offense
