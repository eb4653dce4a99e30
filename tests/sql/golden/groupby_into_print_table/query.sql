-- INSERT of a changelog into a print table shows the row kinds and the identifier
-- changelog: final
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE out (k STRING, n BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'counts');
INSERT INTO out SELECT k, COUNT(*) FROM t GROUP BY k;
