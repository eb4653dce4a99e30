-- time functions on timestamps before the epoch
CREATE TABLE t (
    ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT ts, FLOOR(ts TO SECOND), FLOOR(ts TO DAY), CEIL(ts TO SECOND), EXTRACT(YEAR FROM ts),
       EXTRACT(SECOND FROM ts), DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss.SSS')
FROM t;
