-- 100 datagen rows, all in one minute window: counts and sums of the sequence, bounds of v
CREATE TABLE gen (
    id BIGINT,
    v INT,
    s STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts
) WITH (
    'connector' = 'datagen', 'number-of-rows' = '100', 'rows-per-second' = '1000', 'seed' = '42',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '100',
    'fields.v.min' = '1', 'fields.v.max' = '10', 'fields.s.length' = '8'
);
SELECT window_start, window_end, COUNT(*), MIN(id), MAX(id), SUM(id),
       MIN(v) >= 1 AND MAX(v) <= 10
FROM TABLE(TUMBLE(TABLE gen, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
