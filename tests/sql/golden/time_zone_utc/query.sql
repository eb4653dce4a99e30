-- the session time zone (UTC; eddy refuses other zones for now): FROM_UNIXTIME and
-- UNIX_TIMESTAMP read and write local time, TIMESTAMP_LTZ prints as an instant ('Z'),
-- a cast to TIMESTAMP gives the local wall clock
SET 'table.local-time-zone' = 'UTC';
CREATE TABLE t (
    e BIGINT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT FROM_UNIXTIME(e), TO_TIMESTAMP_LTZ(e * 1000, 3), UNIX_TIMESTAMP('1970-01-01 08:00:00'),
       CAST(TO_TIMESTAMP_LTZ(e * 1000, 3) AS TIMESTAMP(3)), TO_TIMESTAMP_LTZ(e * 1000 + 1500, 3)
FROM t;
