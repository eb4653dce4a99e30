-- TIMESTAMPADD (a month after Jan 31 is Feb 29 in 2020), TIMESTAMPDIFF (whole units,
-- truncated), timestamp +/- INTERVAL
CREATE TABLE t (
    t1 TIMESTAMP(3),
    t2 TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT TIMESTAMPADD(DAY, 1, t1), TIMESTAMPADD(MONTH, 1, t1), TIMESTAMPADD(HOUR, -11, t1),
       TIMESTAMPADD(SECOND, 90, t1), TIMESTAMPDIFF(DAY, t1, t2), TIMESTAMPDIFF(HOUR, t1, t2),
       TIMESTAMPDIFF(SECOND, t2, t1), t1 + INTERVAL '1' HOUR, t1 - INTERVAL '10' MINUTE,
       t1 + INTERVAL '1' DAY
FROM t;
