-- CompStat counts: one dataset's events per named window, precinct, sector, beat and offense,
-- in one pass over the daily rollup (queries/publish/rollup_*.sql). Windows are half-open
-- [start, end) local dates and may overlap (a year to date holds the current period); each
-- event counts once in every window it falls in.
-- $windows: list of {name, start, end}; $against: crime-against categories to keep (empty = all).
-- offense: the offense type (crime), the incident type (use of force) or 'call' (calls).
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
)

SELECT w.name AS "window", d.precinct, d.sector, d.beat, d.offense, sum(d.n)::BIGINT AS n
FROM daily AS d
JOIN windows AS w ON d.day >= w."start" AND d.day < w."end"
WHERE d.dataset = $dataset
  AND (len($against::VARCHAR[]) = 0 OR list_contains($against::VARCHAR[], d.crime_against))
GROUP BY ALL
ORDER BY ALL
