-- Revenue of the day so far, updated every minute: a cumulating window (a day that grows by
-- one-minute steps), written to the terminal through the `print` connector.
--
--   eddy parse -D RATE=100 sql/examples/cumulate_daily_revenue.sql

CREATE TABLE orders (
    order_id    BIGINT,
    price       DECIMAL(10, 2),
    order_time  TIMESTAMP(3),
    WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND
) WITH (
    'connector' = 'datagen',
    'rows-per-second' = '${RATE}',
    'fields.price.min' = '1',
    'fields.price.max' = '200',
    'fields.order_time.max-past' = '5s'
);

CREATE TABLE day_so_far (
    window_start  TIMESTAMP(3),
    window_end    TIMESTAMP(3),
    orders        BIGINT,
    revenue       DECIMAL(38, 2)
) WITH (
    'connector' = 'print'
);

INSERT INTO day_so_far
SELECT window_start, window_end, COUNT(*), SUM(price)
FROM TABLE(
    CUMULATE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE, INTERVAL '1' DAY))
GROUP BY window_start, window_end;
