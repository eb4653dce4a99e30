-- three-valued logic: AND, OR, NOT, IS TRUE, IS UNKNOWN, IS NOT FALSE
CREATE TABLE t (
    p BOOLEAN,
    q BOOLEAN
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT p, q, p AND q, p OR q, NOT p, p IS TRUE, q IS UNKNOWN, p IS NOT FALSE FROM t;
