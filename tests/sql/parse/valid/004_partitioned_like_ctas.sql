-- statements: 6
-- PARTITIONED BY, LIKE, CREATE TABLE ... AS SELECT.

CREATE TABLE fs_events (
    user_id BIGINT,
    event STRING,
    ts TIMESTAMP(3),
    dt STRING,
    hr STRING
) PARTITIONED BY (dt, hr) WITH (
    'connector' = 'filesystem',
    'path' = 's3://bucket/events/',
    'format' = 'json',
    'sink.partition-commit.trigger' = 'partition-time',
    'sink.partition-commit.policy.kind' = 'success-file',
    'partition.time-extractor.timestamp-pattern' = '$dt $hr:00:00'
);

CREATE TABLE daily (
    k STRING,
    v BIGINT,
    dt STRING
) COMMENT 'one file per day'
PARTITIONED BY (dt)
WITH ('connector' = 'filesystem', 'path' = '/tmp/daily', 'format' = 'csv');

CREATE TABLE orders_copy WITH ('topic' = 'orders_copy') LIKE orders;

CREATE TABLE orders_wide (
    extra STRING
) WITH ('connector' = 'kafka', 'topic' = 'orders_wide', 'format' = 'json')
LIKE orders;

CREATE TABLE daily_totals WITH ('connector' = 'print') AS
SELECT user_id, SUM(amount) AS total FROM orders GROUP BY user_id;

CREATE TABLE IF NOT EXISTS copy_of_views WITH ('connector' = 'blackhole') AS SELECT * FROM page_views
