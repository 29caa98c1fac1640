-- The published use_of_force rows of the store version this connection was opened on.
CREATE VIEW use_of_force AS SELECT * FROM read_parquet('use_of_force/*/*.parquet', hive_partitioning = true)
