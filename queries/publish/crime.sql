-- Crime reports: parse, normalise, tag offense types, apply the privacy rules, find rows to quarantine.
-- Input: table stage (every column VARCHAR, named as in seastat/datasets.py), table sources (source_index,
-- taxonomy: NIBRS or UCR, the older layout), table derived (beats found from coordinates).
-- Output: table checked (repeated ids are decided next, by queries/publish/fates.sql).
CREATE TABLE checked AS
WITH parsed AS (
    SELECT
        source_index,
        source_row,
        s.taxonomy,
        -- The older layout has one row per report: its report number is the id.
        CASE WHEN s.taxonomy = 'UCR' THEN seastat_report_no(offense_id) ELSE seastat_text(offense_id) END AS offense_id,
        seastat_report_no(CASE WHEN s.taxonomy = 'UCR' THEN offense_id ELSE report_number END) AS report_number,
        offense_start AS offense_start_raw,
        CASE WHEN s.taxonomy = 'UCR' THEN seastat_date_hhmm(offense_start, offense_start_time)
            ELSE seastat_ts(offense_start) END AS offense_start,
        seastat_ts(offense_end) AS offense_end,
        CASE WHEN s.taxonomy = 'UCR' THEN seastat_date_hhmm(report_at, report_time)
            ELSE seastat_ts(report_at) END AS report_at,
        upper(seastat_text(group_a_b)) AS group_a_b,
        coalesce(upper(seastat_text(crime_against)), 'UNKNOWN') AS crime_against,
        upper(seastat_text(offense_parent_group)) AS offense_parent_group,
        seastat_text(offense) AS offense,
        upper(seastat_text(offense_code)) AS offense_code,
        precinct AS precinct_raw,
        seastat_sector(sector) AS sector_given,
        seastat_beat(beat) AS beat_given,
        upper(seastat_text(mcpp)) AS mcpp,
        seastat_block(block_address) AS block_address,
        seastat_lon(longitude, latitude) AS longitude,
        seastat_lat(longitude, latitude) AS latitude
    FROM stage
    JOIN sources AS s USING (source_index)
),

placed AS (   -- a beat the file does not give is found from the coordinates (beat_derived), unless
              -- it contradicts the file's sector (a blurred point across a sector line)
    SELECT
        * EXCLUDE (precinct_raw, sector_given, beat_given, found),
        coalesce(found, beat_given) AS beat,
        found IS NOT NULL AS beat_derived,
        seastat_sector_of(sector_given, coalesce(found, beat_given)) AS sector,
        seastat_precinct(precinct_raw, seastat_sector_of(sector_given, coalesce(found, beat_given))) AS precinct
    FROM (
        SELECT p.*, CASE WHEN p.sector_given IN ('UNKNOWN', left(d.beat, 1)) THEN d.beat END AS found
        FROM parsed AS p
        LEFT JOIN derived AS d USING (source_index, source_row)
    )
),

tagged AS (
    SELECT
        *,
        -- SPD counts an offense when it started; a blank start falls back to the report time.
        CASE WHEN seastat_text(offense_start_raw) IS NULL THEN report_at ELSE offense_start END AS event_at,
        coalesce(list_contains($sensitive_codes, offense_code), false)
            OR coalesce(list_contains($sensitive_parent_groups, offense_parent_group), false)
            OR coalesce(list_contains($sensitive_offenses, upper(offense)), false)
            OR (taxonomy = 'UCR' AND coalesce(list_bool_or(
                list_transform($sensitive_ucr, lambda p: offense_parent_group LIKE p)), false)) AS location_withheld,
        CASE WHEN taxonomy = 'UCR'
            THEN $ucr_names[list_position(list_transform($ucr_patterns, lambda p: offense_parent_group LIKE p), true)]
            ELSE $type_names[list_position($type_codes, offense_code)] END AS type_name,
        CASE WHEN taxonomy = 'UCR'
            THEN $ucr_groups[list_position(list_transform($ucr_patterns, lambda p: offense_parent_group LIKE p), true)]
            ELSE $type_groups[list_position($type_codes, offense_code)] END AS group_name
    FROM placed
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
    coalesce(type_name, 'other') AS offense_type,
    coalesce(group_name, 'other') AS offense_group,
    taxonomy,
    precinct,
    sector,
    beat,
    beat_derived,
    mcpp,
    CASE WHEN NOT location_withheld THEN block_address END AS block_address,
    CASE WHEN NOT location_withheld THEN longitude END AS longitude,
    CASE WHEN NOT location_withheld THEN latitude END AS latitude,
    location_withheld,
    year(event_at)::INTEGER AS year,
    seastat_reason(offense_id, coalesce(seastat_text(offense_start_raw), report_at::VARCHAR), event_at, $now) AS reason,
    left(offense_start_raw, 60) AS detail,
    offense_id AS record_id,
    -- An older-layout report that a 2008-present row also holds is the same event, counted once (NIBRS).
    report_number AS same_event,
    CASE WHEN taxonomy = 'UCR' THEN 1 ELSE 0 END AS event_rank,
    coalesce(report_at, event_at) AS coverage_at,
    source_index,
    source_row
FROM tagged
