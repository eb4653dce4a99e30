-- Bids per channel and minute, read from the Kafka topic that kafka_write_bids.sql fills, written
-- to another topic: the consumer half of the Kafka walk-through (README, "Kafka in two minutes").
--
--   eddy run -D BOOTSTRAP_SERVERS=127.0.0.1:PORT sql/examples/kafka_bids_per_minute.sql
--   kcat -C -b 127.0.0.1:PORT -t bids_per_minute -e
--
-- The source reads the topic up to the end it has when the job starts ('scan.bounded.mode'),
-- then every window fires and the job ends; drop that option to keep it running.

CREATE TABLE bids (
    auction BIGINT,
    price BIGINT,
    channel STRING,
    `dateTime` TIMESTAMP(3),
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = 'bids',
    'properties.bootstrap.servers' = '${BOOTSTRAP_SERVERS}',
    'format' = 'json',
    'scan.startup.mode' = 'earliest-offset',
    'scan.bounded.mode' = 'latest-offset'
);

CREATE TABLE bids_per_minute (
    window_start TIMESTAMP(3),
    channel STRING,
    bids BIGINT,
    top_price BIGINT,
    auctions BIGINT
) WITH (
    'connector' = 'kafka',
    'topic' = 'bids_per_minute',
    'properties.bootstrap.servers' = '${BOOTSTRAP_SERVERS}',
    'format' = 'json'
);

INSERT INTO bids_per_minute
SELECT window_start, channel, COUNT(*), MAX(price), COUNT(DISTINCT auction)
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(`dateTime`), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, channel;
