-- datagen with a seed: sequences, bounded random numbers, hex strings of the length asked,
-- timestamps from the virtual clock (row n at 2020-01-01 + n ms at 1000 rows/s), and the
-- same random values in every run ('raw>' rows are compared between two runs only)
-- repeat: 2
-- ignore: ^raw> 
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
CREATE TABLE raw (id BIGINT, v INT, s STRING) WITH ('connector' = 'print', 'print-identifier' = 'raw');
INSERT INTO raw SELECT id, v, s FROM gen WHERE id <= 5;
SELECT id, v BETWEEN 1 AND 10, CHAR_LENGTH(s), REGEXP(s, '^[0-9a-f]{8}$'), ts FROM gen WHERE id <= 3;
