-- The offenses near-repeat risk may read: every published offense with a location, and its draw (a
-- hash of its id, uniform over 0 .. 2^64 - 1: a type's random sample is the events below a cut, the
-- same sample every time). Privacy: an offense whose location is withheld, or that has no
-- coordinates, is not here. Sorted by time as the crime rows are (queries/hotspots/near_repeat_recent.sql).
CREATE VIEW near_repeat_events AS
SELECT offense_id AS id, event_at, offense_type, beat, block_address, longitude, latitude, hash(offense_id) AS draw
FROM crime
WHERE NOT location_withheld AND longitude IS NOT NULL AND latitude IS NOT NULL
