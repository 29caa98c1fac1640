-- A commitment's counts from the daily rollup: its target in the place and in the comparison area
-- (minus the place itself), per named window. Windows are half-open [start, end) local dates.
-- $place_level: precinct, sector or beat; $area_level: city (any of $city_precincts), precinct,
-- sector or beat; $offenses: the rollup's offense values to count (empty = all).
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
),
chosen AS (
    SELECT
        day, n,
        CASE $place_level WHEN 'precinct' THEN precinct WHEN 'sector' THEN sector WHEN 'beat' THEN beat END
            = $place_value AS in_place,
        CASE $area_level
            WHEN 'city' THEN list_contains($city_precincts::VARCHAR[], precinct)
            WHEN 'precinct' THEN precinct = $area_value
            WHEN 'sector' THEN sector = $area_value
            WHEN 'beat' THEN beat = $area_value
            ELSE false
        END AS in_area
    FROM daily
    WHERE dataset = $dataset
      AND (len($offenses::VARCHAR[]) = 0 OR list_contains($offenses::VARCHAR[], offense))
)

SELECT
    w.name AS "window",
    coalesce(sum(c.n) FILTER (WHERE c.in_place), 0)::BIGINT AS place,
    coalesce(sum(c.n) FILTER (WHERE c.in_area AND NOT coalesce(c.in_place, false)), 0)::BIGINT AS comparison
FROM windows AS w
LEFT JOIN chosen AS c ON c.day >= w."start" AND c.day < w."end"
GROUP BY w.name
ORDER BY w.name
