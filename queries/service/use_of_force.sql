-- Uses of force per named window, area, incident type (Level 1, 2, 3, OIS) and subject race and gender.
-- $windows: list of {name, start, end} (half-open local dates); $precincts: empty = all.
WITH windows AS (
    SELECT unnest($windows::STRUCT(name VARCHAR, "start" DATE, "end" DATE)[], recursive := true)
)

SELECT w.name AS "window", u.precinct, u.sector, u.beat, u.incident_type, u.subject_race, u.subject_gender,
       count(*) AS n
FROM use_of_force AS u
JOIN windows AS w ON u.event_at >= w."start" AND u.event_at < w."end"
WHERE len($precincts::VARCHAR[]) = 0 OR list_contains($precincts::VARCHAR[], u.precinct)
GROUP BY ALL
ORDER BY ALL
