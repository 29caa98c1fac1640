-- Crime reports: parse, normalise, tag offense types, apply the privacy rules, find rows to quarantine.
-- Input: table stage (every column VARCHAR, named as in seastat/datasets.py). Output: table checked.
CREATE TABLE checked AS
WITH parsed AS (
    SELECT
        source_index,
        source_row,
        nullif(trim(offense_id), '') AS offense_id,
        nullif(trim(report_number), '') AS report_number,
        offense_start AS offense_start_raw,
        seastat_ts(offense_start) AS offense_start,
        seastat_ts(offense_end) AS offense_end,
        seastat_ts(report_at) AS report_at,
        nullif(upper(trim(group_a_b)), '') AS group_a_b,
        coalesce(nullif(upper(trim(crime_against)), ''), 'UNKNOWN') AS crime_against,
        nullif(upper(trim(offense_parent_group)), '') AS offense_parent_group,
        nullif(trim(offense), '') AS offense,
        nullif(upper(trim(offense_code)), '') AS offense_code,
        seastat_precinct(precinct, sector) AS precinct,
        seastat_area(sector) AS sector,
        seastat_area(beat) AS beat,
        nullif(upper(trim(mcpp)), '') AS mcpp,
        seastat_block(block_address) AS block_address,
        seastat_lon(longitude, latitude) AS longitude,
        seastat_lat(longitude, latitude) AS latitude
    FROM stage
),

tagged AS (
    SELECT
        *,
        -- SPD counts an offense when it started; a blank start falls back to the report time.
        CASE WHEN nullif(trim(offense_start_raw), '') IS NULL THEN report_at ELSE offense_start END AS event_at,
        list_contains($sensitive_codes, offense_code)
            OR list_contains($sensitive_parent_groups, offense_parent_group)
            OR list_contains($sensitive_offenses, upper(offense)) AS location_withheld,
        coalesce($type_names[list_position($type_codes, offense_code)], 'other') AS offense_type,
        coalesce($type_groups[list_position($type_codes, offense_code)], 'other') AS offense_group,
        row_number() OVER (
            PARTITION BY offense_id ORDER BY seastat_bad_time(event_at, $now), source_index, source_row) AS copy_number
    FROM parsed
)

SELECT
    offense_id,
    report_number,
    event_at,
    offense_start,
    offense_end,
    report_at,
    group_a_b,
    crime_against,
    offense_parent_group,
    offense,
    offense_code,
    offense_type,
    offense_group,
    precinct,
    sector,
    beat,
    mcpp,
    CASE WHEN NOT location_withheld THEN block_address END AS block_address,
    CASE WHEN NOT location_withheld THEN longitude END AS longitude,
    CASE WHEN NOT location_withheld THEN latitude END AS latitude,
    location_withheld,
    year(event_at)::INTEGER AS year,
    seastat_reason(offense_id, coalesce(nullif(trim(offense_start_raw), ''), report_at::VARCHAR), event_at, copy_number, $now) AS reason,
    left(offense_start_raw, 60) AS detail,
    offense_id AS record_id,
    source_index,
    source_row
FROM tagged
