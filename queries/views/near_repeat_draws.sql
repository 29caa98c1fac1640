-- The near-repeat offenses the Knox test samples from (queries/hotspots/near_repeat_sample.sql): a
-- store published before hotspots/near_repeat.parquet draws them from the crime rows, with the same
-- answers (views/near_repeat_draws_file.sql reads the file).
CREATE VIEW near_repeat_draws AS SELECT * FROM near_repeat_events
