-- WHERE keeps rows whose condition is TRUE: UNKNOWN is dropped like FALSE
CREATE TABLE t (
    p BOOLEAN,
    q BOOLEAN
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT p, q FROM t WHERE p OR q;
