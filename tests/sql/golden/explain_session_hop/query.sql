-- EXPLAIN of a statement set with a HOP and a SESSION window
-- match: regex
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE o1 (k STRING, n BIGINT) WITH ('connector' = 'blackhole');
CREATE TABLE o2 (k STRING, n BIGINT) WITH ('connector' = 'blackhole');
EXPLAIN EXECUTE STATEMENT SET BEGIN
INSERT INTO o1 SELECT k, COUNT(*) FROM TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND,
    INTERVAL '10' SECOND)) GROUP BY k, window_start, window_end;
INSERT INTO o2 SELECT k, COUNT(*) FROM TABLE(SESSION(TABLE t PARTITION BY k, DESCRIPTOR(ts),
    INTERVAL '2' SECOND)) GROUP BY k, window_start, window_end;
END;
