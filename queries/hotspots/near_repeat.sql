-- Crime events of the near-repeat offense types in [$start, $end), for seastat.nearrepeat: the
-- events the Knox test takes (`tested`: all of a type, or a seeded random sample of about
-- $max_events when it has more; `found`: how many it has) and every event since $recent (the
-- places at risk now). Privacy: an event whose location is withheld, or that has no coordinates,
-- is not in near_repeat_events (queries/views/near_repeat_events.sql), so it is never returned.
WITH typed AS (
    SELECT id, event_at, offense_type, beat, block_address, longitude, latitude
    FROM near_repeat_events
    WHERE event_at >= $start AND event_at < $end
      AND list_contains($types::VARCHAR[], offense_type)
), found AS (
    SELECT offense_type, count(*) AS found FROM typed GROUP BY offense_type
), drawn AS (
    -- hash(id, seed) is uniform over 0 .. 2^64 - 1: below a type's share of 2^64 keeps that share
    SELECT typed.*, found, hash(id, $seed::UBIGINT) < $max_events / found * 18446744073709551615.0 AS tested
    FROM typed JOIN found USING (offense_type)
)
SELECT event_at, offense_type, beat, block_address, longitude, latitude, found, tested
FROM drawn
WHERE tested OR event_at >= $recent
