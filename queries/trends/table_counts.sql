-- The CompStat table's counts in one pass over the daily rollup, summed at every level: the total,
-- each precinct (UNKNOWN and OOJ as one $unassigned precinct), sector and beat, per offense row.
-- Windows: the table's named windows, and the grid periods (of $length days from $anchor) starting
-- in [$from, $to), named by their first day, for the expected level; periods starting before $deep
-- are kept for the total only (the season index of the expected level; an area's own level and
-- dispersion look back less far).
-- [$scan_from, $scan_to): a span holding every window and period (it lets the scan skip row groups).
-- $windows: list of {name, start, end}; $rows: list of {key, offenses} (offenses NULL: every offense);
-- $precincts / $sectors / $beats: the areas chosen (raw values; empty: all); $against: crime-against
-- categories to keep (empty: all).
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
), offense_rows AS (
    SELECT unnest($rows::STRUCT("key" VARCHAR, offenses VARCHAR[])[], recursive := true)
), chosen AS (
    SELECT day, CASE WHEN precinct IN ('UNKNOWN', 'OOJ') THEN $unassigned ELSE precinct END AS precinct,
           sector, beat, offense, n
    FROM daily
    WHERE dataset = $dataset
      AND day >= $scan_from::DATE AND day < $scan_to::DATE      -- every window and period lies inside
      AND (len($against::VARCHAR[]) = 0 OR list_contains($against::VARCHAR[], crime_against))
      AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], precinct))
      AND (len($sectors::VARCHAR[]) = 0 OR list_contains($sectors::VARCHAR[], sector))
      AND (len($beats::VARCHAR[]) = 0 OR list_contains($beats::VARCHAR[], beat))
), period_days AS (
    SELECT strftime($anchor::DATE + (floor(date_diff('day', $anchor::DATE, day) / $length) * $length)::INTEGER,
                    '%Y-%m-%d') AS "window", day < $deep::DATE AS deep, precinct, sector, beat, offense, n
    FROM chosen
    WHERE day >= $from::DATE AND day < $to::DATE
), named AS (      -- summed per window before the offense rows multiply them; deep periods by offense only
    SELECT w.name AS "window", false AS deep, c.precinct, c.sector, c.beat, c.offense, sum(c.n) AS n
    FROM chosen AS c JOIN windows AS w ON c.day >= w."start" AND c.day < w."end"
    GROUP BY ALL
    UNION ALL
    SELECT "window", false, precinct, sector, beat, offense, sum(n) FROM period_days WHERE NOT deep GROUP BY ALL
    UNION ALL
    SELECT "window", true, NULL, NULL, NULL, offense, sum(n) FROM period_days WHERE deep GROUP BY ALL
)
SELECT "window", r."key" AS offense, precinct, sector, beat,
       CASE WHEN GROUPING(precinct) = 1 THEN 'city' WHEN GROUPING(sector) = 1 THEN 'precinct'
            WHEN GROUPING(beat) = 1 THEN 'sector' ELSE 'beat' END AS level,
       sum(n)::BIGINT AS n
FROM named JOIN offense_rows AS r ON r.offenses IS NULL OR list_contains(r.offenses, named.offense)
GROUP BY GROUPING SETS (("window", r."key"), ("window", r."key", precinct), ("window", r."key", precinct, sector),
                        ("window", r."key", precinct, sector, beat))
HAVING GROUPING(precinct) = 1 OR NOT bool_or(deep)
