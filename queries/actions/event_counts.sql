-- A commitment's counts from the published records, for what the daily rollup cannot tell apart:
-- a 100-block, or one 911 call type. Same shape as actions/counts.sql. A record whose location is
-- withheld has no block, so it counts in its precinct, sector and beat but in no block.
-- $place_level: precinct, sector, beat or block; $area_level as in actions/counts.sql;
-- $offenses: offense types (crime) or incident types (use of force), empty = all;
-- $categories: final call types (calls), empty = all.
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
),
chosen AS (
    SELECT
        CAST(event_at AS DATE) AS day,
        CASE $place_level WHEN 'precinct' THEN precinct WHEN 'sector' THEN sector WHEN 'beat' THEN beat
                          WHEN 'block' THEN block_address END = $place_value AS in_place,
        CASE $area_level
            WHEN 'city' THEN list_contains($city_precincts::VARCHAR[], precinct)
            WHEN 'precinct' THEN precinct = $area_value
            WHEN 'sector' THEN sector = $area_value
            WHEN 'beat' THEN beat = $area_value
            ELSE false
        END AS in_area
    FROM events
    WHERE dataset = $dataset
      AND (len($offenses::VARCHAR[]) = 0
           OR list_contains($offenses::VARCHAR[], CASE dataset WHEN 'crime' THEN offense_type ELSE category END))
      AND (len($categories::VARCHAR[]) = 0 OR list_contains($categories::VARCHAR[], category))
)

SELECT
    w.name AS "window",
    (count(*) FILTER (WHERE c.in_place))::BIGINT AS place,
    (count(*) FILTER (WHERE c.in_area AND NOT coalesce(c.in_place, false)))::BIGINT AS comparison
FROM windows AS w
LEFT JOIN chosen AS c ON c.day >= w."start" AND c.day < w."end"
GROUP BY w.name
ORDER BY w.name
