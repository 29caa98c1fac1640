-- Counts for the compare page: one dataset's events per named window, day of the window,
-- precinct, sector, beat, offense and category, in one pass. The two slices of a comparison are
-- two named windows (they may be the same dates: a place against a place); each event counts once
-- in every window it falls in. Windows are half-open [start, end) local dates.
-- $windows: list of {name, start, end}.
-- offense: as in trends/window_counts.sql (offense type, incident type, or 'call').
-- category: what the offense mix is broken down by: the NIBRS offense parent group (crime), the
-- final call type (calls), the incident type (use of force); 'Not given' when blank.
-- day: days since the window's start (0 = its first day), for day-by-day running totals.
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
),
chosen AS (
    SELECT
        event_at, precinct, sector, beat,
        CASE dataset WHEN 'crime' THEN offense_type WHEN 'use_of_force' THEN category ELSE 'call' END AS offense,
        coalesce(nullif(trim(category), ''), 'Not given') AS category
    FROM events
    WHERE dataset = $dataset
)

SELECT
    w.name AS "window", CAST(c.event_at AS DATE) - w."start" AS day,
    c.precinct, c.sector, c.beat, c.offense, c.category, count(*) AS n
FROM chosen AS c
JOIN windows AS w ON c.event_at >= w."start" AND c.event_at < w."end"
GROUP BY ALL
ORDER BY ALL
