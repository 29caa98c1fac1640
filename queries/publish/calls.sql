-- 911 calls for service: parse, normalise, apply the privacy rules, find rows to quarantine.
-- Input: table stage (every column VARCHAR, named as in seastat/datasets.py), table derived (beats found
-- from coordinates). Output: table checked (repeated ids are decided next, by queries/publish/fates.sql).
CREATE TABLE checked AS
WITH parsed AS (
    SELECT
        source_index,
        source_row,
        seastat_text(cad_event_number) AS cad_event_number,
        seastat_text(event_clearance) AS event_clearance,
        seastat_text(call_type) AS call_type,
        seastat_text(priority) AS priority,
        seastat_text(initial_call_type) AS initial_call_type,
        seastat_text(final_call_type) AS final_call_type,
        queued_at AS queued_raw,
        seastat_ts(queued_at) AS event_at,
        seastat_ts(arrived_at) AS arrived_at,
        precinct AS precinct_raw,
        seastat_sector(sector) AS sector_given,
        seastat_beat(beat) AS beat_given,
        seastat_block(block_address) AS block_address,
        seastat_lon(longitude, latitude) AS longitude,
        seastat_lat(longitude, latitude) AS latitude
    FROM stage
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
        len(list_filter($sensitive_words, lambda w: contains(
            upper(concat_ws(' ', initial_call_type, final_call_type, event_clearance)), w))) > 0 AS location_withheld
    FROM placed
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
    beat_derived,
    CASE WHEN NOT location_withheld THEN block_address END AS block_address,
    CASE WHEN NOT location_withheld THEN longitude END AS longitude,
    CASE WHEN NOT location_withheld THEN latitude END AS latitude,
    location_withheld,
    year(event_at)::INTEGER AS year,
    seastat_reason(cad_event_number, queued_raw, event_at, $now) AS reason,
    left(queued_raw, 60) AS detail,
    cad_event_number AS record_id,
    NULL::VARCHAR AS same_event,
    0 AS event_rank,
    event_at AS coverage_at,
    source_index,
    source_row
FROM tagged
