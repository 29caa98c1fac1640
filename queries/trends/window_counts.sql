-- CompStat counts: one dataset's events per named window, precinct, sector, beat and offense,
-- in one pass. Windows are half-open [start, end) local dates and may overlap (a year to date
-- holds the current period); each event counts once in every window it falls in.
-- $windows: list of {name, start, end}; $against: crime-against categories to keep (empty = all).
-- offense: the offense type (crime), the incident type (use of force) or 'call' (calls).
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
),
chosen AS (
    SELECT
        event_at, precinct, sector, beat,
        CASE dataset WHEN 'crime' THEN offense_type WHEN 'use_of_force' THEN category ELSE 'call' END AS offense
    FROM events
    WHERE dataset = $dataset
      AND (len($against::VARCHAR[]) = 0 OR list_contains($against::VARCHAR[], crime_against))
)

SELECT w.name AS "window", c.precinct, c.sector, c.beat, c.offense, count(*) AS n
FROM chosen AS c
JOIN windows AS w ON c.event_at >= w."start" AND c.event_at < w."end"
GROUP BY ALL
ORDER BY ALL
