-- WHERE v <> 0 AND 10 / v > 1: the right side is not evaluated where the left is FALSE
CREATE TABLE t (
    v INT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT v, 10 / v FROM t WHERE v <> 0 AND 10 / v > 1;
