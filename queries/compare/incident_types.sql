-- Every use-of-force incident type (level) in the published data, so a table of one period still
-- shows a level with no incidents as a zero column.
SELECT DISTINCT incident_type FROM use_of_force WHERE incident_type IS NOT NULL ORDER BY incident_type
