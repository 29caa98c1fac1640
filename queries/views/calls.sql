-- The published calls rows of the store version this connection was opened on.
CREATE VIEW calls AS SELECT * FROM read_parquet('calls/*/*.parquet', hive_partitioning = true)
