-- Every column of every published file, read through the views the pages query: files are read
-- together with their siblings, so one whose column types differ from the others' fails here
-- (alone it reads fine). Each statement runs in full; min() keeps DuckDB from skipping any column.
SELECT min(COLUMNS(*)) FROM crime;
SELECT min(COLUMNS(*)) FROM calls;
SELECT min(COLUMNS(*)) FROM use_of_force;
SELECT min(COLUMNS(*)) FROM daily;
SELECT min(COLUMNS(*)) FROM quarantine;
SELECT count(*) FROM events
