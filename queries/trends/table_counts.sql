-- The CompStat table's counts in one pass over the daily rollup, summed at every level: the total,
-- each precinct (UNKNOWN and OOJ as one $unassigned precinct), sector and beat, per offense row.
-- Windows: the table's named windows, and the grid periods (of $length days from $anchor) starting
-- in [$from, $to), named by their first day, for the expected level; periods starting before $deep
-- are kept for the total only (the season index of the expected level; an area's own level and
-- dispersion look back less far), so they are read by offense alone.
-- [$scan_from, $scan_to): a span holding every window and the periods from $deep (it lets the scan
-- skip row groups).
-- $windows: list of {name, start, end}; $rows: list of {key, offenses} (offenses NULL: every offense);
-- $precincts / $sectors / $beats: the areas chosen (raw values; empty: all); $against: crime-against
-- categories to keep (empty: all).
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
), offense_rows AS (
    SELECT unnest($rows::STRUCT("key" VARCHAR, offenses VARCHAR[])[], recursive := true)
), kept AS NOT MATERIALIZED (     -- inlined in each use, so each reads only the columns it needs
    SELECT day, CASE WHEN precinct IN ('UNKNOWN', 'OOJ') THEN $unassigned ELSE precinct END AS precinct,
           sector, beat, offense, n,
           floor(date_diff('day', $anchor::DATE, day) / $length)::INTEGER AS period   -- the grid period's number
    FROM daily
    WHERE dataset = $dataset
      AND (len($against::VARCHAR[]) = 0 OR list_contains($against::VARCHAR[], crime_against))
      AND (len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], precinct))
      AND (len($sectors::VARCHAR[]) = 0 OR list_contains($sectors::VARCHAR[], sector))
      AND (len($beats::VARCHAR[]) = 0 OR list_contains($beats::VARCHAR[], beat))
), chosen AS (
    SELECT * FROM kept WHERE day >= $scan_from::DATE AND day < $scan_to::DATE
), by_period AS (  -- named by their first day once summed (strftime per daily row was a fifth of the query)
    SELECT period, false AS deep, precinct, sector, beat, offense, sum(n) AS n
    FROM chosen WHERE day >= $deep::DATE AND day < $to::DATE GROUP BY ALL
    UNION ALL
    SELECT period, true, NULL, NULL, NULL, offense, sum(n)
    FROM kept WHERE day >= $from::DATE AND day < $deep::DATE GROUP BY ALL
), named AS (      -- summed per window before the offense rows multiply them; deep periods by offense only
    SELECT w.name AS "window", false AS deep, c.precinct, c.sector, c.beat, c.offense, sum(c.n) AS n
    FROM chosen AS c JOIN windows AS w ON c.day >= w."start" AND c.day < w."end"
    GROUP BY ALL
    UNION ALL
    SELECT strftime($anchor::DATE + period * $length, '%Y-%m-%d'), deep, precinct, sector, beat, offense, n
    FROM by_period
)
SELECT "window", r."key" AS offense, precinct, sector, beat,
       CASE WHEN GROUPING(precinct) = 1 THEN 'city' WHEN GROUPING(sector) = 1 THEN 'precinct'
            WHEN GROUPING(beat) = 1 THEN 'sector' ELSE 'beat' END AS level,
       sum(n)::BIGINT AS n
FROM named JOIN offense_rows AS r ON r.offenses IS NULL OR list_contains(r.offenses, named.offense)
GROUP BY GROUPING SETS (("window", r."key"), ("window", r."key", precinct), ("window", r."key", precinct, sector),
                        ("window", r."key", precinct, sector, beat))
HAVING GROUPING(precinct) = 1 OR NOT bool_or(deep)
