-- The most-bid auctions of the last 10 seconds, every 2 seconds: a hopping (sliding) window
-- over the Nexmark generator's bids, as in Nexmark query 5, with the window Top-N form.
--
--   eddy parse -D RATE=10000 sql/examples/hop_hot_auctions.sql

CREATE TABLE nexmark (
    event_type INT,
    bid ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR,
            `dateTime` TIMESTAMP(3), extra VARCHAR>,
    `dateTime` AS bid.`dateTime`,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'nexmark',
    'first-event.rate' = '${RATE}',
    'next-event.rate' = '${RATE}'
);

CREATE VIEW bids AS
SELECT bid.auction AS auction, bid.price AS price, `dateTime`
FROM nexmark
WHERE event_type = 2;

-- window Top-N: the 3 auctions with the most bids in each window
SELECT window_start, window_end, auction, num
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY num DESC) AS rn
    FROM (
        SELECT window_start, window_end, auction, COUNT(*) AS num
        FROM TABLE(HOP(TABLE bids, DESCRIPTOR(`dateTime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
        GROUP BY window_start, window_end, auction
    )
)
WHERE rn <= 3;
