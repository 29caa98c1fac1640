-- The near-repeat offenses as publish wrote them (queries/publish/write_near_repeat.sql): sorted by
-- type and draw, so a type's sample is a few row groups, not a year of rows.
CREATE VIEW near_repeat_draws AS SELECT * FROM read_parquet('hotspots/near_repeat.parquet')
