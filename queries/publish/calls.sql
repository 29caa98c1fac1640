-- 911 calls for service: parse, normalise, apply the privacy rules, find rows to quarantine.
-- Input: table stage (every column VARCHAR, named as in seastat/datasets.py). Output: table checked.
CREATE TABLE checked AS
WITH parsed AS (
    SELECT
        source_index,
        source_row,
        nullif(trim(cad_event_number), '') AS cad_event_number,
        nullif(trim(event_clearance), '') AS event_clearance,
        nullif(trim(call_type), '') AS call_type,
        nullif(trim(priority), '') AS priority,
        nullif(trim(initial_call_type), '') AS initial_call_type,
        nullif(trim(final_call_type), '') AS final_call_type,
        queued_at AS queued_raw,
        seastat_ts(queued_at) AS event_at,
        seastat_ts(arrived_at) AS arrived_at,
        seastat_precinct(precinct, sector) AS precinct,
        seastat_area(sector) AS sector,
        seastat_area(beat) AS beat,
        seastat_block(block_address) AS block_address,
        seastat_lon(longitude, latitude) AS longitude,
        seastat_lat(longitude, latitude) AS latitude
    FROM stage
),

tagged AS (
    SELECT
        *,
        len(list_filter($sensitive_words, lambda w: contains(
            upper(concat_ws(' ', initial_call_type, final_call_type, event_clearance)), w))) > 0 AS location_withheld,
        row_number() OVER (
            PARTITION BY cad_event_number ORDER BY seastat_bad_time(event_at, $now), source_index, source_row) AS copy_number
    FROM parsed
)

SELECT
    cad_event_number,
    event_at,
    arrived_at,
    event_clearance,
    call_type,
    priority,
    initial_call_type,
    final_call_type,
    precinct,
    sector,
    beat,
    CASE WHEN NOT location_withheld THEN block_address END AS block_address,
    CASE WHEN NOT location_withheld THEN longitude END AS longitude,
    CASE WHEN NOT location_withheld THEN latitude END AS latitude,
    location_withheld,
    year(event_at)::INTEGER AS year,
    seastat_reason(cad_event_number, queued_raw, event_at, copy_number, $now) AS reason,
    left(queued_raw, 60) AS detail,
    cad_event_number AS record_id,
    source_index,
    source_row
FROM tagged
