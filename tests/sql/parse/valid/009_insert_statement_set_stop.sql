-- statements: 16
-- INSERT INTO / OVERWRITE, column lists, static partitions, hints on the target, VALUES,
-- statement sets in both spellings, STOP JOB.

INSERT INTO print_sink SELECT product, CAST(COUNT(*) AS BIGINT) FROM orders GROUP BY product;

INSERT INTO es_sink (user_id, cnt)
SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;

INSERT OVERWRITE fs_events SELECT user_id, event, ts, DATE_FORMAT(ts, 'yyyy-MM-dd'), DATE_FORMAT(ts, 'HH') FROM events;

INSERT INTO fs_events PARTITION (dt = '2024-01-01', hr = '10')
SELECT user_id, event, ts FROM events;

INSERT OVERWRITE daily PARTITION (dt = '2024-02-29') SELECT k, v FROM staging;

INSERT INTO kafka_sink /*+ OPTIONS('sink.parallelism' = '2', 'properties.acks' = 'all') */
SELECT * FROM orders;

INSERT INTO print_sink VALUES ('a', 1), ('b', 2), ('c', NULL);

INSERT INTO my_catalog.my_db.totals
WITH t AS (SELECT user_id, amount FROM orders WHERE amount > 0)
SELECT user_id, SUM(amount) FROM t GROUP BY user_id;

INSERT INTO sink_a SELECT * FROM src UNION ALL SELECT * FROM src2;

EXECUTE STATEMENT SET
BEGIN
    INSERT INTO pageviews_by_region SELECT region, COUNT(*) FROM pageviews GROUP BY region;
    INSERT INTO pageviews_by_page SELECT page, COUNT(*) FROM pageviews GROUP BY page;
END;

EXECUTE STATEMENT SET BEGIN INSERT INTO one SELECT 1; END;

BEGIN STATEMENT SET;
INSERT INTO sink_a SELECT a FROM src;
INSERT INTO sink_b (x) SELECT b FROM src;
INSERT OVERWRITE sink_c SELECT c FROM src;
END;

STOP JOB '228d70913eab60dda85c5e7f78b5782c';

STOP JOB '228d70913eab60dda85c5e7f78b5782c' WITH SAVEPOINT;

STOP JOB 'revenue-per-minute' WITH SAVEPOINT WITH DRAIN;

stop job 'lower-case' with savepoint
