-- Rows whose file gives no usable beat but usable coordinates (not out of jurisdiction): their beat is
-- found by point-in-polygon in Python (seastat/publish.py), only for these rows.
SELECT source_index, source_row, seastat_lon(longitude, latitude) AS longitude, seastat_lat(longitude, latitude) AS latitude
FROM stage
WHERE seastat_beat(beat) = 'UNKNOWN'
    AND seastat_lon(longitude, latitude) IS NOT NULL
    AND upper(trim(coalesce(precinct, ''))) <> 'OOJ'
