-- A high-cardinality windowed COUNT(DISTINCT): distinct bidders per auction per 10-second
-- tumbling window over the Nexmark bids (about 600,000 auctions over 10 M events): the state
-- benchmark of issue 4 (bench_nexmark --checkpoint-interval 1000 tumble_distinct).
CREATE TABLE tumble_distinct_sink (
  auction BIGINT,
  window_start TIMESTAMP(3),
  bidders BIGINT,
  bids BIGINT
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO tumble_distinct_sink
SELECT auction, window_start, COUNT(DISTINCT bidder), COUNT(*)
FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND))
GROUP BY auction, window_start, window_end;
