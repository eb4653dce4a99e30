-- 5000 rows (several batches): ids 1..5000, row n at 2020-01-01 + n ms (unthrottled
-- datagen with a seed), so each 1 s window holds 1000 consecutive ids
CREATE TABLE gen (
    id BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts
) WITH (
    'connector' = 'datagen', 'rows-per-second' = '1000000000', 'seed' = '7',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5000'
);
SELECT window_start, COUNT(*), SUM(id), MIN(id), MAX(id)
FROM TABLE(TUMBLE(TABLE gen, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY window_start, window_end;
