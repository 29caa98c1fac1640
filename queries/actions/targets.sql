-- What a commitment can target, per dataset: the offense types (crime) and incident types (use of
-- force) of the daily rollup, and the final call types of the 911 calls, each with its count.
SELECT dataset, offense AS target, sum(n)::BIGINT AS n
FROM daily
WHERE dataset IN ('crime', 'use_of_force')
GROUP BY ALL
UNION ALL
SELECT dataset, category, count(*)
FROM events
WHERE dataset = 'calls' AND coalesce(trim(category), '') <> ''
GROUP BY ALL
ORDER BY ALL
