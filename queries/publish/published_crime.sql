-- The crime rows being published, under the name the store's views give them, so the views over
-- them (queries/views/near_repeat_events.sql) can be written at publish time.
CREATE TEMP VIEW crime AS SELECT * FROM checked WHERE reason IS NULL
