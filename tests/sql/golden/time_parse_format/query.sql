-- TO_TIMESTAMP (NULL for text it cannot read; text that does not fit the pattern is still
-- read as yyyy-MM-dd [HH:mm:ss] when it can be, as Flink's parseTimestampData falls back to
-- Timestamp.valueOf / Date.valueOf) and DATE_FORMAT of timestamps and strings
CREATE TABLE t (
    ts TIMESTAMP(3),
    s STRING,
    f STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT TO_TIMESTAMP(s), TO_TIMESTAMP(f, 'yyyy/MM/dd'), DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss'),
       DATE_FORMAT(ts, 'HH:mm'), DATE_FORMAT(ts, 'yyyyMMdd.SSS'), DATE_FORMAT(s, 'dd/MM/yyyy')
FROM t;
