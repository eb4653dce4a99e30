-- User sessions from a Kafka topic of clicks: a session window per user closes after 30
-- minutes without a click. The result goes to Elasticsearch, one document per session
-- (the primary key makes the document id, so a replay overwrites instead of duplicating).
--
--   eddy parse -D BOOTSTRAP_SERVERS=localhost:9092 -D ES_HOSTS=http://localhost:9200 \
--       sql/examples/session_clicks.sql

CREATE TABLE clicks (
    user_id     BIGINT,
    url         STRING,
    click_time  TIMESTAMP(3),
    WATERMARK FOR click_time AS click_time - INTERVAL '10' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = 'clicks',
    'properties.bootstrap.servers' = '${BOOTSTRAP_SERVERS}',
    'properties.group.id' = 'eddy-sessions',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'json'
);

CREATE TABLE user_sessions (
    user_id        BIGINT,
    session_start  TIMESTAMP(3),
    session_end    TIMESTAMP(3),
    clicks         BIGINT,
    PRIMARY KEY (user_id, session_start) NOT ENFORCED
) WITH (
    'connector' = 'elasticsearch-7',
    'hosts' = '${ES_HOSTS}',
    'index' = 'user_sessions'
);

INSERT INTO user_sessions
SELECT user_id, window_start, window_end, COUNT(*)
FROM TABLE(
    SESSION(TABLE clicks PARTITION BY user_id, DESCRIPTOR(click_time), INTERVAL '30' MINUTE))
GROUP BY user_id, window_start, window_end;
