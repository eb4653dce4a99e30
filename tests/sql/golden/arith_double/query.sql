-- DOUBLE arithmetic and Java's Double.toString in the output
CREATE TABLE t (
    d DOUBLE
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT d + 0.2, d * 2, d / 4, CAST(d AS BIGINT) FROM t;
