-- One row per published record of every dataset, in the columns the pages share.
-- category: offense parent group (crime), final call type (calls), incident type (use of force).
CREATE VIEW events AS
SELECT
    'crime' AS dataset, offense_id AS id, event_at, precinct, sector, beat,
    offense_group, offense_type, offense_parent_group AS category, offense AS description, crime_against,
    block_address, longitude, latitude, location_withheld
FROM crime
UNION ALL
SELECT
    'calls', cad_event_number, event_at, precinct, sector, beat,
    NULL, NULL, coalesce(final_call_type, initial_call_type), initial_call_type, NULL,
    block_address, longitude, latitude, location_withheld
FROM calls
UNION ALL
SELECT
    'use_of_force', uof_id, event_at, precinct, sector, beat,
    NULL, NULL, incident_type, incident_type, NULL,
    NULL, NULL, NULL, false
FROM use_of_force
