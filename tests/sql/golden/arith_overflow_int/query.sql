-- INT + INT is INT: 2147483647 + 1 overflows
-- exit: 3
-- stderr: overflow
CREATE TABLE t (
    i INT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT i + 1 FROM t;
