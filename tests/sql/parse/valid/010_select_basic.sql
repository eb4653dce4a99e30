-- statements: 16
-- SELECT: lists, aliases, DISTINCT/ALL, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET, FETCH.

SELECT * FROM orders;

SELECT order_id, amount AS amt, amount * 2 doubled FROM orders;

SELECT DISTINCT user_id FROM clicks;

SELECT ALL user_id FROM clicks;

SELECT o.*, o.amount + 1 AS next_amount FROM orders AS o;

SELECT o.order_id FROM shop.sales.orders o WHERE o.amount >= 10 AND o.product <> 'gift';

SELECT product, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY product;

SELECT product, SUM(amount) FROM orders GROUP BY product HAVING SUM(amount) > 1000 AND COUNT(*) > 2;

SELECT user_id, amount FROM orders ORDER BY amount DESC, user_id ASC LIMIT 10;

SELECT user_id FROM orders ORDER BY order_time DESC NULLS LAST, user_id NULLS FIRST;

SELECT user_id FROM orders ORDER BY user_id LIMIT 10 OFFSET 20;

SELECT user_id FROM orders ORDER BY user_id FETCH FIRST 5 ROWS ONLY;

SELECT 1;

SELECT 1 + 1 AS two, 'x' AS s, TRUE AS yes;

SELECT CURRENT_TIMESTAMP;

SELECT region, product, COUNT(DISTINCT user_id) FROM orders WHERE amount BETWEEN 10 AND 100 GROUP BY region, product HAVING COUNT(*) > 1 ORDER BY region LIMIT 100
