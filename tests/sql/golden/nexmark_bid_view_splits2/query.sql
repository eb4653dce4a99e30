-- the bid view of the published queries (a pushed-down event_type filter) in 50 ms windows,
-- over 2 split(s): with several splits the watermark is their minimum, and the result
-- is the same
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
    'events.num' = '100', 'max-emit-speed' = 'true',
    'splits' = '2'
);
CREATE VIEW bid AS
SELECT bid.auction, bid.bidder, bid.price, bid.channel, bid.url, `dateTime`, bid.extra
FROM datagen WHERE event_type = 2;
SELECT window_start, window_end, COUNT(*) AS n, MIN(`dateTime`), MAX(`dateTime`)
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`dateTime`), INTERVAL '0.05' SECOND))
GROUP BY window_start, window_end;
