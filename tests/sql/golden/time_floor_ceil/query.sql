-- FLOOR/CEIL(ts TO unit); CEIL of a value already on the boundary keeps it
CREATE TABLE t (
    ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT FLOOR(ts TO HOUR), CEIL(ts TO HOUR), FLOOR(ts TO DAY), CEIL(ts TO MINUTE),
       FLOOR(ts TO MONTH), FLOOR(ts TO YEAR), CEIL(ts TO SECOND)
FROM t;
