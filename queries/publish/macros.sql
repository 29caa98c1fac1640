-- Normalisers shared by every dataset's publish step. Run once on each staging database.

-- SPD exports have used several timestamp formats over the years; all are Seattle wall-clock time.
CREATE OR REPLACE MACRO seastat_ts(x) AS try_strptime(trim(x), [
    '%m/%d/%Y %I:%M:%S %p', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y',
    '%Y-%m-%dT%H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M:%S', '%Y-%m-%d',
    '%Y %b %d %I:%M:%S %p']);

-- Blank, dash and UNKNOWN-like codes become one explicit 'UNKNOWN'; OOJ and real codes are kept.
CREATE OR REPLACE MACRO seastat_area(x) AS CASE
    WHEN x IS NULL OR upper(trim(x)) IN ('', '-', 'NULL', 'UNKNOWN', 'UNK', 'X', '99') THEN 'UNKNOWN'
    ELSE upper(trim(x)) END;

-- The five precincts by any spelling SPD uses. Only where the file has no precinct column at all
-- (the older 911 layout) is it taken from the sector letter; blank or odd values become 'UNKNOWN'.
CREATE OR REPLACE MACRO seastat_precinct(p, sector) AS CASE
    WHEN upper(trim(coalesce(p, ''))) IN ('N', 'NORTH') THEN 'North'
    WHEN upper(trim(coalesce(p, ''))) IN ('E', 'EAST') THEN 'East'
    WHEN upper(trim(coalesce(p, ''))) IN ('S', 'SOUTH') THEN 'South'
    WHEN upper(trim(coalesce(p, ''))) IN ('W', 'WEST') THEN 'West'
    WHEN upper(trim(coalesce(p, ''))) IN ('SW', 'SOUTHWEST', 'SOUTH WEST') THEN 'Southwest'
    WHEN upper(trim(coalesce(p, ''))) = 'OOJ' THEN 'OOJ'
    WHEN p IS NULL THEN CASE upper(trim(coalesce(sector, '')))
        WHEN 'B' THEN 'North' WHEN 'J' THEN 'North' WHEN 'L' THEN 'North' WHEN 'N' THEN 'North' WHEN 'U' THEN 'North'
        WHEN 'C' THEN 'East' WHEN 'E' THEN 'East' WHEN 'G' THEN 'East'
        WHEN 'O' THEN 'South' WHEN 'R' THEN 'South' WHEN 'S' THEN 'South'
        WHEN 'D' THEN 'West' WHEN 'K' THEN 'West' WHEN 'M' THEN 'West' WHEN 'Q' THEN 'West'
        WHEN 'F' THEN 'Southwest' WHEN 'W' THEN 'Southwest'
        ELSE 'UNKNOWN' END
    ELSE 'UNKNOWN' END;

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
    upper(trim(regexp_replace(coalesce(addr, ''), '[\pZ\pC]+', ' ', 'g'))));

-- A time no count can use. Of several copies of one id, one with a usable time is kept (copy_number 1).
CREATE OR REPLACE MACRO seastat_bad_time(event_at, now) AS
    event_at IS NULL OR event_at < TIMESTAMP '1900-01-01' OR event_at > now;

-- Why a row is quarantined (first reason wins), shared by every dataset.
CREATE OR REPLACE MACRO seastat_reason(record_id, event_raw, event_at, copy_number, now) AS CASE
    WHEN record_id IS NULL THEN 'missing id'
    WHEN event_at IS NULL AND nullif(trim(event_raw), '') IS NULL THEN 'missing timestamp'
    WHEN event_at IS NULL THEN 'unparseable timestamp'
    WHEN event_at < TIMESTAMP '1900-01-01' THEN 'timestamp before 1900'
    WHEN event_at > now THEN 'timestamp in the future'
    WHEN copy_number > 1 THEN 'duplicate id' END;
