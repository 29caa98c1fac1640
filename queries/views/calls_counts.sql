-- The 911 counts /service adds up (queries/service/*.sql), per day: 'sources' per area, call type
-- (the source: 911, ONVIEW ...) and dispatched; 'hours' per precinct and hour queued; 'initial' and
-- 'final' per precinct and call type; and those three for the whole city ('hours (city)' ...), so
-- the city's expected levels, five years back, read a seventh of the rows. Dispatched: a call type
-- that is not ONVIEW and an arrival that is not the queue time (the rule of
-- queries/service/response_times.sql). Publish writes this
-- to service/calls.parquet (views/calls_counts_file.sql reads it); a store published before that
-- counts it from the calls here, with the same answers.
CREATE VIEW calls_counts AS
SELECT 'sources' AS kind, CAST(event_at AS DATE) AS day, precinct, sector, beat, NULL::INTEGER AS hour,
       call_type, (call_type IS NOT NULL AND upper(call_type) <> 'ONVIEW'
                   AND (arrived_at IS NULL OR arrived_at <> event_at)) AS dispatched, count(*) AS n
FROM calls GROUP BY ALL
UNION ALL
SELECT 'hours', CAST(event_at AS DATE), precinct, NULL, NULL, hour(event_at)::INTEGER, NULL, NULL, count(*)
FROM calls GROUP BY ALL
UNION ALL
SELECT 'initial', CAST(event_at AS DATE), precinct, NULL, NULL, NULL, initial_call_type, NULL, count(*)
FROM calls GROUP BY ALL
UNION ALL
SELECT 'final', CAST(event_at AS DATE), precinct, NULL, NULL, NULL, final_call_type, NULL, count(*)
FROM calls GROUP BY ALL
UNION ALL
SELECT 'hours (city)', CAST(event_at AS DATE), NULL, NULL, NULL, hour(event_at)::INTEGER, NULL, NULL, count(*)
FROM calls GROUP BY ALL
UNION ALL
SELECT 'initial (city)', CAST(event_at AS DATE), NULL, NULL, NULL, NULL, initial_call_type, NULL, count(*)
FROM calls GROUP BY ALL
UNION ALL
SELECT 'final (city)', CAST(event_at AS DATE), NULL, NULL, NULL, NULL, final_call_type, NULL, count(*)
FROM calls GROUP BY ALL
