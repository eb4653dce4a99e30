-- the nexmark source: numbers and times of each kind of event
-- nexmark, 100 events at 1000 events/s: event n at 2015-07-15 00:00:00 + n ms; of each 50
-- events the first is a person, the next 3 auctions, the other 46 bids; person and auction
-- ids count from 1000
CREATE TABLE datagen (
    event_type INT,
    person ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR,
               state VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
    auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT,
                reserve BIGINT, `dateTime` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT,
                category BIGINT, extra VARCHAR>,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
            `dateTime` TIMESTAMP(3), extra VARCHAR>,
    `dateTime` AS CASE WHEN event_type = 0 THEN person.`dateTime`
                       WHEN event_type = 1 THEN auction.`dateTime`
                       ELSE bid.`dateTime` END,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'nexmark', 'first-event.rate' = '1000', 'next-event.rate' = '1000',
    'events.num' = '100', 'max-emit-speed' = 'true'
);
SELECT event_type, COUNT(*) AS n, MIN(`dateTime`) AS first_ts, MAX(`dateTime`) AS last_ts,
       MIN(COALESCE(person.id, auction.id)) AS min_id, MAX(COALESCE(person.id, auction.id)) AS max_id
FROM TABLE(TUMBLE(TABLE datagen, DESCRIPTOR(`dateTime`), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, event_type;
