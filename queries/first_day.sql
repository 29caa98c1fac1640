-- The first day each dataset covers. Crime counts by offense start, but an offense reported
-- later can start decades earlier, so crime is covered from its first report; calls and use of
-- force from their first event. Windows before this day would show "no data" as zero.
SELECT 'crime' AS dataset, min(report_at)::DATE AS first_day FROM crime
UNION ALL
SELECT 'calls', min(event_at)::DATE FROM calls
UNION ALL
SELECT 'use_of_force', min(event_at)::DATE FROM use_of_force
