-- Daily counts per dataset, area and offense (written at publish time; see queries/publish/rollup_*.sql).
CREATE VIEW daily AS SELECT * FROM read_parquet('rollup/*.parquet')
