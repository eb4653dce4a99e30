-- a statement set: two INSERTs in one job over the same source
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE small (k STRING, v BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'small');
CREATE TABLE big (k STRING, v BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'big');
EXECUTE STATEMENT SET BEGIN
    INSERT INTO small SELECT k, v FROM t WHERE v < 2;
    INSERT INTO big SELECT k, v FROM t WHERE v >= 2;
END;
