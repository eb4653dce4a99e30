-- Revenue per product category and minute: a tumbling (fixed, non-overlapping) window in
-- event time, over orders from the built-in `datagen` generator, printed to the terminal.
--
--   eddy parse -D RATE=1000 sql/examples/tumble_revenue.sql
--
-- -D RATE=... sets the number of orders generated per second. datagen draws order_time up to
-- 5 seconds into the past, so rows come a little out of order; the watermark waits 5 seconds
-- for them before a minute's window closes.

CREATE TABLE orders (
    order_id     BIGINT,
    category_id  INT,
    price        DECIMAL(10, 2),
    order_time   TIMESTAMP(3),
    WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND
) WITH (
    'connector' = 'datagen',
    'rows-per-second' = '${RATE}',
    'fields.order_id.kind' = 'sequence',
    'fields.order_id.start' = '1',
    'fields.order_id.end' = '100000000',
    'fields.category_id.min' = '1',
    'fields.category_id.max' = '5',
    'fields.price.min' = '1',
    'fields.price.max' = '200',
    'fields.order_time.max-past' = '5s'
);

SELECT window_start, window_end, category_id,
       COUNT(*) AS orders, SUM(price) AS revenue, MAX(price) AS top_price
FROM TABLE(
    TUMBLE(TABLE orders, DESCRIPTOR(order_time), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, category_id;
