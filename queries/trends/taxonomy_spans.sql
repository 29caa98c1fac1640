-- The first and last event of each taxonomy crime rows were counted under (NIBRS, or the older UCR
-- layout): a fact of the version, so a table's windows need trends/taxonomies only where two meet.
SELECT taxonomy, min(event_at) AS first_at, max(event_at) AS last_at
FROM crime
GROUP BY ALL
