-- statements run in order: the INSERT job ends before the SELECT reads what it wrote
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE out (k STRING, n BIGINT, ws TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = '${DIR}/out', 'format' = 'json');
INSERT INTO out
SELECT k, COUNT(*), window_start FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY k, window_start, window_end;
SELECT k, n, ws FROM out WHERE n > 1;
