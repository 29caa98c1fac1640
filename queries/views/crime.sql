-- The published crime rows of the store version this connection was opened on.
CREATE VIEW crime AS SELECT * FROM read_parquet('crime/*/*.parquet', hive_partitioning = true)
