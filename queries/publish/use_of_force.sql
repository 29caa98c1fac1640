-- Use of force: parse and normalise; officer and subject IDs are never read (see seastat/datasets.py).
-- Input: table stage (every column VARCHAR, named as in seastat/datasets.py). Output: table checked.
CREATE TABLE checked AS
WITH parsed AS (
    SELECT
        source_index,
        source_row,
        nullif(trim(uof_id), '') AS uof_id,
        nullif(trim(incident_num), '') AS incident_num,
        coalesce(nullif(trim(incident_type), ''), 'UNKNOWN') AS incident_type,
        occurred_at AS occurred_raw,
        seastat_ts(occurred_at) AS event_at,
        seastat_precinct(precinct, sector) AS precinct,
        seastat_area(sector) AS sector,
        seastat_area(beat) AS beat,
        coalesce(nullif(trim(subject_race), ''), 'Not Specified') AS subject_race,
        coalesce(nullif(trim(subject_gender), ''), 'Not Specified') AS subject_gender,
        row_number() OVER (
            PARTITION BY nullif(trim(uof_id), '') ORDER BY seastat_bad_time(event_at, $now), source_index, source_row
        ) AS copy_number
    FROM stage
)

SELECT
    uof_id,
    incident_num,
    incident_type,
    event_at,
    precinct,
    sector,
    beat,
    subject_race,
    subject_gender,
    year(event_at)::INTEGER AS year,
    seastat_reason(uof_id, occurred_raw, event_at, copy_number, $now) AS reason,
    left(occurred_raw, 60) AS detail,
    uof_id AS record_id,
    source_index,
    source_row
FROM parsed
