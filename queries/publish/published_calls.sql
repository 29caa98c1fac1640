-- The calls rows being published, under the name the store's views give them, so the views over
-- them (queries/views/calls_counts.sql) can be counted and written at publish time.
CREATE TEMP VIEW calls AS SELECT * FROM checked WHERE reason IS NULL
