-- Nexmark bids into a Kafka topic, as JSON keyed by auction: the producer half of the Kafka
-- walk-through (README, "Kafka in two minutes"). Start a broker first, for example
--
--   eddy kafka-mock --topic bids:4 --topic bids_per_minute:1 &
--   eddy run --no-checkpoints -D BOOTSTRAP_SERVERS=127.0.0.1:PORT sql/examples/kafka_write_bids.sql
--
-- It writes the bids among 100,000 Nexmark events (the other events are filtered out).

CREATE TABLE nexmark (
    event_type INT,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
            `dateTime` TIMESTAMP(3), extra VARCHAR>
) WITH (
    'connector' = 'nexmark',
    'first-event.rate' = '10000',
    'next-event.rate' = '10000',
    'events.num' = '100000',
    'max-emit-speed' = 'true'
);

CREATE TABLE bids (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    `dateTime` TIMESTAMP(3)
) WITH (
    'connector' = 'kafka',
    'topic' = 'bids',
    'properties.bootstrap.servers' = '${BOOTSTRAP_SERVERS}',
    'format' = 'json',
    'key.format' = 'json',
    'key.fields' = 'auction'
);

INSERT INTO bids
SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.`dateTime`
FROM nexmark
WHERE event_type = 2;
