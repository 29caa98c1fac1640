-- The offenses near-repeat risk may read (queries/hotspots/near_repeat.sql): every published offense
-- with a location. Privacy: an offense whose location is withheld, or that has no coordinates, is not
-- here. Publish writes those of the near-repeat types to hotspots/near_repeat.parquet
-- (views/near_repeat_events_file.sql reads it); a store published before that reads them from the
-- crime rows here, with the same answers.
CREATE VIEW near_repeat_events AS
SELECT offense_id AS id, event_at, offense_type, beat, block_address, longitude, latitude
FROM crime
WHERE NOT location_withheld AND longitude IS NOT NULL AND latitude IS NOT NULL
