-- The staging table takes its columns (all VARCHAR) from the first batch read.
CREATE TABLE stage AS SELECT * FROM batch
