-- statements: 7
-- Computed columns (name AS expr) and METADATA columns (FROM 'key', VIRTUAL).

CREATE TABLE clicks (
    user_id BIGINT,
    price DOUBLE,
    quantity INT,
    cost AS price * quantity,
    proc_time AS PROCTIME(),
    click_time TIMESTAMP(3),
    day_str AS DATE_FORMAT(click_time, 'yyyy-MM-dd'),
    epoch_ms BIGINT,
    ts_ltz AS TO_TIMESTAMP_LTZ(epoch_ms, 3)
) WITH ('connector' = 'datagen');

CREATE TABLE kafka_events (
    `user` BIGINT,
    payload STRING,
    event_time TIMESTAMP(3) METADATA FROM 'timestamp',
    `partition` BIGINT METADATA VIRTUAL,
    `offset` BIGINT METADATA VIRTUAL,
    headers MAP<STRING, BYTES> METADATA,
    ts TIMESTAMP(3) METADATA FROM 'timestamp' VIRTUAL,
    topic STRING METADATA FROM 'topic' VIRTUAL
) WITH (
    'connector' = 'kafka',
    'topic' = 'events',
    'properties.bootstrap.servers' = 'localhost:9092',
    'format' = 'json'
);

CREATE TABLE ltz_meta (
    id BIGINT,
    ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
    leader_epoch INT METADATA FROM 'leader-epoch' VIRTUAL
) WITH ('connector' = 'kafka', 'topic' = 'x', 'format' = 'json');

CREATE TABLE with_comments (
    a INT COMMENT 'plain',
    b AS a + 1 COMMENT 'computed',
    c BIGINT METADATA FROM 'offset' VIRTUAL COMMENT 'metadata'
) WITH ('connector' = 'kafka', 'topic' = 'c', 'format' = 'json');

CREATE TABLE nested_computed (
    payload ROW<`user` ROW<id BIGINT, name STRING>, items ARRAY<ROW<sku STRING, qty INT>>>,
    user_id AS payload.`user`.id,
    first_sku AS payload.items[1].sku,
    total_qty AS CARDINALITY(payload.items)
) WITH ('connector' = 'datagen');

CREATE TABLE proc (
    id BIGINT,
    pt AS PROCTIME()
) WITH ('connector' = 'datagen', 'number-of-rows' = '10');

CREATE TABLE casts (
    raw_ts STRING,
    ts AS CAST(raw_ts AS TIMESTAMP(3)),
    ts2 AS TO_TIMESTAMP(raw_ts, 'yyyy-MM-dd HH:mm:ss')
) WITH ('connector' = 'datagen')
