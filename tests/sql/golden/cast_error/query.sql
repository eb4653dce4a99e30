-- CAST of text that is no number fails the job, naming the text
-- exit: 3
-- stderr: abc
CREATE TABLE t (
    s STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT CAST(s AS INT) FROM t;
