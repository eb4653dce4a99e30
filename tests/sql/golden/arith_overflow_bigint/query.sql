-- integer overflow is an error (exit 3), not a wrap
-- exit: 3
-- stderr: overflow
CREATE TABLE t (
    v BIGINT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT v + 1 FROM t;
