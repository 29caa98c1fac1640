-- Crime: how many rows of each offense type each source file holds (an export filtered to robbery holds one).
SELECT source_index, offense_type, count(*) AS n
FROM checked
WHERE reason IS NULL OR reason = 'superseded'
GROUP BY ALL
ORDER BY ALL
