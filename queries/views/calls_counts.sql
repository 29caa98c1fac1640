-- The 911 counts /service adds up (queries/service/*.sql), per day: 'sources' per precinct, call type
-- (the source: 911, ONVIEW ...) and dispatched; 'hours' per precinct and hour queued; 'initial' and
-- 'final' per precinct and call type; and those three for the whole city ('hours (city)' ...), so
-- the city's expected levels, five years back, read a seventh of the rows. Dispatched: a call type
-- that is not ONVIEW and an arrival that is not the queue time (the rule of
-- queries/service/response_times.sql). Publish writes this
-- to service/calls.parquet (views/calls_counts_file.sql reads it); a store published before that
-- counts it from the calls here, with the same answers.
CREATE VIEW calls_counts AS
WITH c AS (
    SELECT CAST(event_at AS DATE) AS day, precinct, hour(event_at)::INTEGER AS hour, call_type,
           (call_type IS NOT NULL AND upper(call_type) <> 'ONVIEW'
            AND (arrived_at IS NULL OR arrived_at <> event_at)) AS dispatched,
           initial_call_type, final_call_type
    FROM calls
)

SELECT
    CASE WHEN grouping(dispatched) = 0 THEN 'sources' WHEN grouping(hour) = 0 THEN 'hours'
         WHEN grouping(initial_call_type) = 0 THEN 'initial' ELSE 'final' END
        || CASE WHEN grouping(precinct) = 1 THEN ' (city)' ELSE '' END AS kind,
    day, precinct, hour,
    CASE WHEN grouping(initial_call_type) = 0 THEN initial_call_type
         WHEN grouping(final_call_type) = 0 THEN final_call_type ELSE call_type END AS call_type,
    dispatched, count(*) AS n
FROM c
GROUP BY GROUPING SETS ((day, precinct, call_type, dispatched),
                        (day, precinct, hour), (day, precinct, initial_call_type), (day, precinct, final_call_type),
                        (day, hour), (day, initial_call_type), (day, final_call_type))
