-- The offenses of one near-repeat type in [$start, $end) the Knox test takes: those whose draw is at or
-- below $below (every one at 2^64 - 1; a random sample of about $below / 2^64 of them below that).
-- Privacy: near_repeat_draws holds no offense whose location is withheld (views/near_repeat_events.sql).
SELECT event_at, offense_type, beat, block_address, longitude, latitude
FROM near_repeat_draws
WHERE offense_type = $offense_type AND draw <= $below::UBIGINT
  AND event_at >= $start AND event_at < $end
