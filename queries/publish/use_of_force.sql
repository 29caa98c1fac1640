-- Use of force: parse and normalise; officer and subject IDs are never read (see seastat/datasets.py).
-- Input: table stage (every column VARCHAR, named as in seastat/datasets.py).
-- Output: table checked (repeated ids are decided next, by queries/publish/fates.sql).
CREATE TABLE checked AS
WITH parsed AS (
    SELECT
        source_index,
        source_row,
        seastat_text(uof_id) AS uof_id,
        seastat_text(incident_num) AS incident_num,
        coalesce(seastat_text(incident_type), 'UNKNOWN') AS incident_type,
        occurred_at AS occurred_raw,
        seastat_ts(occurred_at) AS event_at,
        seastat_precinct(precinct, seastat_sector_of(seastat_sector(sector), seastat_beat(beat))) AS precinct,
        seastat_sector_of(seastat_sector(sector), seastat_beat(beat)) AS sector,
        seastat_beat(beat) AS beat,
        coalesce(seastat_text(subject_race), 'Not Specified') AS subject_race,
        coalesce(seastat_text(subject_gender), 'Not Specified') AS subject_gender
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
    false AS beat_derived,   -- no coordinates to find a beat from
    subject_race,
    subject_gender,
    year(event_at)::INTEGER AS year,
    seastat_reason(uof_id, occurred_raw, event_at, $now) AS reason,
    left(occurred_raw, 60) AS detail,
    uof_id AS record_id,
    NULL::VARCHAR AS same_event,
    0 AS event_rank,
    event_at AS coverage_at,
    source_index,
    source_row
FROM parsed
