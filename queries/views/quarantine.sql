-- Every rejected row of every dataset, with its reason.
CREATE VIEW quarantine AS SELECT * FROM read_parquet('quarantine/*.parquet')
