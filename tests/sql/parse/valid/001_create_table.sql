-- statements: 9
-- CREATE TABLE: physical columns, WITH options, IF NOT EXISTS, TEMPORARY, qualified names,
-- column and table comments, a primary key, no options at all.

CREATE TABLE orders (
    order_id BIGINT,
    user_id BIGINT,
    product STRING,
    amount DECIMAL(10, 2),
    order_time TIMESTAMP(3)
) WITH (
    'connector' = 'kafka',
    'topic' = 'orders',
    'properties.bootstrap.servers' = 'localhost:9092',
    'properties.group.id' = 'eddy-orders',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'json'
);

CREATE TABLE IF NOT EXISTS page_views (
    user_id BIGINT NOT NULL,
    url VARCHAR(2048),
    referrer VARCHAR,
    view_time TIMESTAMP(3)
) WITH ('connector' = 'datagen', 'rows-per-second' = '1000');

CREATE TEMPORARY TABLE print_sink (
    k STRING,
    v BIGINT
) WITH ('connector' = 'print', 'print-identifier' = 'debug');

CREATE TABLE shop.sales.returns (
    return_id BIGINT COMMENT 'id of the return',
    reason STRING COMMENT 'free text from the customer, it''s long'
) COMMENT 'returned orders'
WITH ('connector' = 'blackhole');

CREATE TEMPORARY TABLE IF NOT EXISTS my_catalog.my_db.events (id INT) WITH ('connector' = 'datagen');

CREATE TABLE s3_sink (
    `date` STRING,
    clicks BIGINT
) WITH (
    'connector' = 'filesystem',
    'path' = 's3://analytics/clicks/',
    'format' = 'csv',
    'csv.field-delimiter' = ';'
);

CREATE TABLE es_sink (
    user_id BIGINT,
    cnt BIGINT,
    PRIMARY KEY (user_id) NOT ENFORCED
) WITH (
    'connector' = 'elasticsearch-7',
    'hosts' = 'http://localhost:9200',
    'index' = 'users',
    'document-id.key-delimiter' = '$'
);

CREATE TABLE t_no_options (a INT, b STRING);

CREATE TABLE lines (line STRING) WITH ('connector' = 'filesystem', 'path' = '/tmp/in.txt', 'format' = 'raw')
