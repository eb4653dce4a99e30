-- a CSV record with the wrong number of fields fails with its line number
-- exit: 3
-- stderr: input.csv, line 2
CREATE TABLE t (
    k STRING,
    v BIGINT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.csv', 'format' = 'csv');
SELECT k, v FROM t;
