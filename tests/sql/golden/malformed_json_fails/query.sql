-- a malformed line fails the job (exit 3) with the file and the line number
-- exit: 3
-- stderr: input.jsonl, line 3
CREATE TABLE t (
    k STRING,
    v BIGINT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, v FROM t;
