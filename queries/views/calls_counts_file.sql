-- The 911 counts /service adds up, as publish wrote them (queries/views/calls_counts.sql says what they are).
CREATE VIEW calls_counts AS SELECT * FROM read_parquet('service/calls.parquet')
