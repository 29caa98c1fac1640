-- Incidents per period, area and published place, in one pass, for the hot-spot map and tables
-- (seastat.hotspots.analyse splits them into cells, beats and blocks). H3 cells are assigned in
-- Python: SPD coordinates are 100-block level, so a period has only a few thousand distinct points.
-- Every row counts (offenses whose location is withheld, UNKNOWN or OOJ beats, blank addresses),
-- so beat counts and totals are whole.
-- Privacy: a withheld location has no coordinates and no block here, so it never becomes a point,
-- a cell or a block.
-- period 0 is the window starting at $start; windows are consecutive blocks of $length_days.
-- $types: the offense types counted (the offense groups are decided from them in
-- seastat.compstat.offense_rows, as everywhere); an empty list means "no filter" (calls and use
-- of force have no offense type).
-- No ORDER BY: analyse() only adds these rows up, and sorting them cost a seventh of the query.
-- Counted by the stored columns first and the withheld locations blanked after: the blanking then
-- runs on the counted places, not on every incident (a fifth of the query at 10 M offenses).
WITH counted AS (
    SELECT (CAST(event_at AS DATE) - CAST($start AS DATE)) // $length_days AS period,
           precinct, sector, beat, location_withheld, block_address, longitude, latitude, count(*) AS incidents
    FROM events
    WHERE dataset = $dataset
      AND event_at >= $start AND event_at < $end
      AND (len($types::VARCHAR[]) = 0 OR list_contains($types::VARCHAR[], offense_type))
    GROUP BY ALL
)
SELECT
    period, precinct, sector, beat,
    CASE WHEN NOT location_withheld THEN nullif(block_address, '') END AS block_address,
    CASE WHEN NOT location_withheld THEN longitude END AS longitude,
    CASE WHEN NOT location_withheld THEN latitude END AS latitude,
    sum(incidents)::BIGINT AS incidents
FROM counted
GROUP BY ALL
