-- The demo: bids per channel and minute over the built-in Nexmark generator, a TUMBLE window
-- in event time, printed to the terminal as each window closes.
--
--   eddy run sql/examples/demo_bids_per_minute.sql
--
-- The generator makes 'events.num' events (persons, auctions and bids in the published
-- 1:3:46 mix) at 'first-event.rate' events per second of event time, as fast as it can
-- ('max-emit-speed'), then ends: the watermark jumps to the end and the last windows fire.

CREATE TABLE nexmark (
    event_type INT,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
            `dateTime` TIMESTAMP(3), extra VARCHAR>,
    `dateTime` AS bid.`dateTime`,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'nexmark',
    'first-event.rate' = '1000',
    'next-event.rate' = '1000',
    'events.num' = '300000',
    'max-emit-speed' = 'true'
);

CREATE VIEW bids AS
SELECT bid.auction, bid.price, bid.channel, `dateTime`
FROM nexmark
WHERE event_type = 2 AND bid.channel IN ('Apple', 'Google', 'Facebook', 'Baidu');

SELECT window_start, channel, COUNT(*) AS bids, MAX(price) AS top_price,
       COUNT(DISTINCT auction) AS auctions
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(`dateTime`), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, channel;
