-- integer division by zero fails the job (exit 3)
-- exit: 3
-- stderr: zero
CREATE TABLE t (
    a INT,
    b INT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT a / b FROM t;
