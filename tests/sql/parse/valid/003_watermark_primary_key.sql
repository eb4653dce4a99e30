-- statements: 9
-- WATERMARK FOR col AS expr, and PRIMARY KEY ... NOT ENFORCED (table and column constraints).

CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'bids', 'format' = 'json');

CREATE TABLE ascending (
    id BIGINT,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts
) WITH ('connector' = 'datagen');

CREATE TABLE from_epoch (
    id BIGINT,
    ts_sec BIGINT,
    rowtime AS TO_TIMESTAMP(FROM_UNIXTIME(ts_sec)),
    WATERMARK FOR rowtime AS rowtime - INTERVAL '1' MINUTE
) WITH ('connector' = 'datagen');

CREATE TABLE quoted_wm (
    `ts` TIMESTAMP(3),
    `value` DOUBLE,
    WATERMARK FOR `ts` AS `ts` - INTERVAL '0.001' SECOND
) WITH ('connector' = 'datagen');

CREATE TABLE ltz_wm (
    id BIGINT,
    ts_ltz TIMESTAMP_LTZ(3),
    WATERMARK FOR ts_ltz AS ts_ltz - INTERVAL '2' SECOND
) WITH ('connector' = 'datagen');

CREATE TABLE users (
    user_id BIGINT,
    name STRING,
    region STRING,
    updated_at TIMESTAMP(3),
    PRIMARY KEY (user_id) NOT ENFORCED,
    WATERMARK FOR updated_at AS updated_at - INTERVAL '10' SECOND
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'users',
    'properties.bootstrap.servers' = 'localhost:9092',
    'key.format' = 'json',
    'value.format' = 'json'
);

CREATE TABLE composite_key (
    region STRING,
    shop_id INT,
    revenue DECIMAL(18, 2),
    CONSTRAINT pk_region_shop PRIMARY KEY (region, shop_id) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'rev', 'key.format' = 'csv', 'value.format' = 'json');

CREATE TABLE column_pk (
    id BIGINT PRIMARY KEY NOT ENFORCED,
    val STRING
) WITH ('connector' = 'datagen');

CREATE TABLE currency_rates (
    currency STRING,
    rate DECIMAL(32, 10),
    update_time TIMESTAMP(3),
    WATERMARK FOR update_time AS update_time - INTERVAL '15' SECOND,
    PRIMARY KEY (currency) NOT ENFORCED
) WITH ('connector' = 'upsert-kafka', 'topic' = 'rates', 'key.format' = 'raw', 'value.format' = 'json')
