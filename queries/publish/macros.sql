-- Normalisers shared by every dataset's publish step. Run once on each staging database.

-- SPD exports have used several timestamp formats over the years; all are Seattle wall-clock time.
CREATE OR REPLACE MACRO seastat_ts(x) AS try_strptime(trim(x), [
    '%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y',
    '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d',
    '%Y %b %d %I:%M:%S %p']);

-- Placeholders SPD's exports (and analysts' copies of them) write for "no value".
CREATE OR REPLACE MACRO seastat_text(x) AS CASE
    WHEN upper(trim(x)) IN ('', 'NA', 'N/A', 'NULL', '-', '--') THEN NULL ELSE trim(x) END;

-- Beats are a sector letter and a digit ("K2"); OOJ is kept. Placeholders (-, X, XX, 0, 99, NA ...)
-- and anything else become one explicit 'UNKNOWN', never a beat of their own.
CREATE OR REPLACE MACRO seastat_beat(x) AS CASE
    WHEN regexp_matches(upper(trim(x)), '^([A-Z][0-9]{1,2}|OOJ)$') THEN upper(trim(x)) ELSE 'UNKNOWN' END;

-- Sectors are one letter; some exports spell it the radio way (EDWARD, KING), which starts with it.
CREATE OR REPLACE MACRO seastat_sector(x) AS CASE
    WHEN regexp_matches(upper(trim(x)), '^([A-Z]|OOJ)$') THEN upper(trim(x))
    WHEN upper(trim(x)) IN ('BOY', 'CHARLIE', 'DAVID', 'EDWARD', 'FRANK', 'GEORGE', 'HENRY', 'JOHN', 'KING',
        'LINCOLN', 'MARY', 'NORA', 'OCEAN', 'QUEEN', 'ROBERT', 'SAM', 'UNION', 'WILLIAM') THEN left(upper(trim(x)), 1)
    ELSE 'UNKNOWN' END;

-- A sector the file does not give is the beat's letter.
CREATE OR REPLACE MACRO seastat_sector_of(sector, beat) AS CASE
    WHEN sector = 'UNKNOWN' AND regexp_matches(beat, '^[A-Z][0-9]') THEN left(beat, 1) ELSE sector END;

-- The five precincts by any spelling SPD uses; OOJ is kept. Where the precinct is blank, a placeholder
-- or unrecognised it is taken from the (normalised) sector letter, else 'UNKNOWN'.
CREATE OR REPLACE MACRO seastat_precinct(p, sector) AS CASE
    WHEN upper(trim(coalesce(p, ''))) IN ('N', 'NORTH') THEN 'North'
    WHEN upper(trim(coalesce(p, ''))) IN ('E', 'EAST') THEN 'East'
    WHEN upper(trim(coalesce(p, ''))) IN ('S', 'SOUTH') THEN 'South'
    WHEN upper(trim(coalesce(p, ''))) IN ('W', 'WEST') THEN 'West'
    WHEN upper(trim(coalesce(p, ''))) IN ('SW', 'SOUTHWEST', 'SOUTH WEST') THEN 'Southwest'
    WHEN upper(trim(coalesce(p, ''))) = 'OOJ' THEN 'OOJ'
    ELSE CASE sector
        WHEN 'B' THEN 'North' WHEN 'J' THEN 'North' WHEN 'L' THEN 'North' WHEN 'N' THEN 'North' WHEN 'U' THEN 'North'
        WHEN 'C' THEN 'East' WHEN 'E' THEN 'East' WHEN 'G' THEN 'East'
        WHEN 'O' THEN 'South' WHEN 'R' THEN 'South' WHEN 'S' THEN 'South'
        WHEN 'D' THEN 'West' WHEN 'K' THEN 'West' WHEN 'M' THEN 'West' WHEN 'Q' THEN 'West'
        WHEN 'F' THEN 'Southwest' WHEN 'W' THEN 'Southwest'
        ELSE 'UNKNOWN' END
    END;

-- One form for report numbers: the 2008-present layout writes 2018-323308, the older one
-- 20180000323308 (year, then the number zero-padded); both become 2018-323308.
CREATE OR REPLACE MACRO seastat_report_no(x) AS CASE
    WHEN regexp_matches(trim(x), '^(19|20)[0-9]{2}-?[0-9]{1,12}$') THEN
        printf('%s-%06d', left(trim(x), 4), try_cast(ltrim(substr(trim(x), 5), '-') AS BIGINT))
    ELSE seastat_text(x) END;

-- The older layout's date (MM/DD/YYYY or YYYY-MM-DD) and HHMM time ("1725", "0", blank: midnight).
CREATE OR REPLACE MACRO seastat_date_hhmm(d, hhmm) AS CASE
    WHEN seastat_text(hhmm) IS NULL THEN seastat_ts(d)
    WHEN try_cast(trim(hhmm) AS INTEGER) BETWEEN 0 AND 2359 AND try_cast(trim(hhmm) AS INTEGER) % 100 < 60 THEN
        seastat_ts(d) + to_minutes(try_cast(trim(hhmm) AS INTEGER) // 100 * 60 + try_cast(trim(hhmm) AS INTEGER) % 100)
    END;

-- Coordinates outside the Seattle area (SPD writes 0, -1 or blanks for "none") become NULL.
CREATE OR REPLACE MACRO seastat_lon(lon, lat) AS CASE
    WHEN try_cast(lon AS DOUBLE) BETWEEN -123.0 AND -121.5 AND try_cast(lat AS DOUBLE) BETWEEN 47.0 AND 48.0
    THEN try_cast(lon AS DOUBLE) END;
CREATE OR REPLACE MACRO seastat_lat(lon, lat) AS CASE
    WHEN try_cast(lon AS DOUBLE) BETWEEN -123.0 AND -121.5 AND try_cast(lat AS DOUBLE) BETWEEN 47.0 AND 48.0
    THEN try_cast(lat AS DOUBLE) END;

-- Privacy: an address is published only at the 100-block level ("1234 PINE ST" -> "12XX BLOCK OF PINE ST",
-- "4520 1/2 UNIVERSITY WAY NE" -> "45XX BLOCK OF 1/2 UNIVERSITY WAY NE"), whatever its case or spacing
-- (tabs, non-breaking spaces and control characters count as spaces).
-- Intersections ("3RD AVE / PINE ST") name no building and stay; REDACTED or blank becomes NULL.
CREATE OR REPLACE MACRO seastat_block_of(a) AS CASE   -- a: upper case, single spaces, trimmed
    WHEN a = '' OR a LIKE '%REDACTED%' THEN NULL
    WHEN regexp_matches(a, '^[0-9]+(-[A-Z0-9]+)?[ ,]') THEN   -- a house number ("1234 PINE ST", "12-B PIKE ST")
        (try_cast(regexp_extract(a, '^([0-9]{1,9})', 1) AS BIGINT) // 100)::VARCHAR
        || 'XX BLOCK OF ' || regexp_replace(a, '^[0-9]+(-[A-Z0-9]+)?[ ,]+', '')
    ELSE a END;
CREATE OR REPLACE MACRO seastat_block(addr) AS seastat_block_of(
    upper(trim(regexp_replace(coalesce(seastat_text(addr), ''), '[\pZ\pC]+', ' ', 'g'))));

-- Why a row is quarantined (first reason wins), shared by every dataset. Repeated ids are decided
-- afterwards, across all the files (queries/publish/fates.sql).
CREATE OR REPLACE MACRO seastat_reason(record_id, event_raw, event_at, now) AS CASE
    WHEN record_id IS NULL THEN 'missing id'
    WHEN event_at IS NULL AND seastat_text(event_raw) IS NULL THEN 'missing timestamp'
    WHEN event_at IS NULL THEN 'unparseable timestamp'
    WHEN event_at < TIMESTAMP '1900-01-01' THEN 'timestamp before 1900'
    WHEN event_at > now THEN 'timestamp in the future' END;
