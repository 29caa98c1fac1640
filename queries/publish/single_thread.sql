-- Partitioned writes keep the ORDER BY row order only on one thread; without it the same inputs
-- would give Parquet files with the same rows in another order.
SET threads = 1
