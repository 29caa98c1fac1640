-- The offenses near-repeat risk reads, as publish wrote them (queries/views/near_repeat_events.sql
-- says what they are).
CREATE VIEW near_repeat_events AS SELECT * FROM read_parquet('hotspots/near_repeat.parquet')
