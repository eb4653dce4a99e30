-- a non-windowed GROUP BY over 5000 rows (several batches): final state
-- changelog: final
CREATE TABLE gen (
    id BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts
) WITH (
    'connector' = 'datagen', 'rows-per-second' = '1000000000', 'seed' = '7',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '5000'
);
SELECT id % 3 AS r, COUNT(*) AS n, SUM(id) AS s, MIN(id), MAX(id) FROM gen GROUP BY id % 3;
