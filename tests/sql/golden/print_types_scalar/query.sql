-- the print format of every scalar type (Java's toString of Flink's external types):
-- TIMESTAMP as LocalDateTime (no seconds when zero), TIME as LocalTime, DOUBLE and FLOAT as
-- Java prints them, DECIMAL with its scale, BYTES as a list of signed bytes, NULL as null
CREATE TABLE t (
    b BOOLEAN,
    ti TINYINT,
    si SMALLINT,
    i INT,
    bi BIGINT,
    f FLOAT,
    d DOUBLE,
    amount DECIMAL(10, 3),
    s STRING,
    dt DATE,
    tm TIME,
    ts TIMESTAMP(3),
    bin BYTES
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT * FROM t;
