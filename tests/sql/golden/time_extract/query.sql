-- EXTRACT of each field; DOW counts from Sunday = 1; WEEK is the ISO week
CREATE TABLE t (
    ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT EXTRACT(YEAR FROM ts), EXTRACT(QUARTER FROM ts), EXTRACT(MONTH FROM ts),
       EXTRACT(DAY FROM ts), EXTRACT(HOUR FROM ts), EXTRACT(MINUTE FROM ts),
       EXTRACT(SECOND FROM ts), EXTRACT(DOW FROM ts), EXTRACT(DOY FROM ts),
       EXTRACT(WEEK FROM ts), YEAR(ts), HOUR(ts)
FROM t;
