-- 'table.exec.source.idle-timeout': a source that stops producing stops holding the
-- watermark back. 'quiet' (a watched folder, never ends) has one row at 0.5 s; 'busy' (datagen,
-- 20 rows/s, row n at n * 50 ms) keeps going. Once quiet is idle (300 ms), busy's watermark
-- fires [0,1) and [1,2) within the 4 s before eddy is stopped; without the timeout nothing
-- would fire. Later windows may or may not fire before the stop: HAVING leaves them out.
-- stop-after: 4
-- exit: 0,130
SET 'table.exec.source.idle-timeout' = '300 ms';
CREATE TABLE quiet (
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/quiet', 'format' = 'json', 'source.monitor-interval' = '100 ms');
CREATE TABLE busy (
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts
) WITH ('connector' = 'datagen', 'rows-per-second' = '20', 'seed' = '1',
        'base-time' = '1577836800000');
CREATE VIEW u AS SELECT 'q' AS src, ts FROM quiet UNION ALL SELECT 'b' AS src, ts FROM busy;
SELECT src, window_start, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE u, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY src, window_start, window_end
HAVING window_start < TIMESTAMP '2020-01-01 00:00:02';
