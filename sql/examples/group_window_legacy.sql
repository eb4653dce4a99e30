-- The older group-window syntax (GROUP BY TUMBLE(...) with TUMBLE_START / TUMBLE_END), which
-- Flink still accepts and many published queries use. The window-TVF form in
-- tumble_revenue.sql is the newer way to say the same.
--
--   eddy parse -D RATE=1000 sql/examples/group_window_legacy.sql

CREATE TABLE orders (
    category_id  INT,
    price        DECIMAL(10, 2),
    order_time   TIMESTAMP(3),
    WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND
) WITH (
    'connector' = 'datagen',
    'rows-per-second' = '${RATE}',
    'fields.category_id.min' = '1',
    'fields.category_id.max' = '5'
);

SELECT category_id,
       TUMBLE_START(order_time, INTERVAL '1' MINUTE) AS window_start,
       TUMBLE_END(order_time, INTERVAL '1' MINUTE) AS window_end,
       COUNT(*) AS orders,
       SUM(price) AS revenue
FROM orders
GROUP BY TUMBLE(order_time, INTERVAL '1' MINUTE), category_id;
