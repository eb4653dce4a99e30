-- the row-by-row changelog of a GROUP BY over 2100 rows (three batches): every row
-- retracts its group's previous result and sends the new one, in input order
-- ordered
CREATE TABLE gen (
    id BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts
) WITH (
    'connector' = 'datagen', 'rows-per-second' = '1000000000', 'seed' = '7',
    'fields.id.kind' = 'sequence', 'fields.id.start' = '1', 'fields.id.end' = '2100'
);
SELECT id % 2 AS p, COUNT(*) AS n, SUM(id) AS s FROM gen GROUP BY id % 2;
