-- a value that does not fit its column is malformed too
-- exit: 3
-- stderr: input.jsonl, line 2
CREATE TABLE t (
    k STRING,
    v BIGINT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, v FROM t;
