-- statements: 6
-- ROW_NUMBER() patterns: Top-N and deduplication.

SELECT *
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY category ORDER BY sales DESC) AS row_num
    FROM shop_sales
)
WHERE row_num <= 5;

SELECT product_id, category, product_name, sales
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY category ORDER BY sales DESC) AS row_num
    FROM shop_sales
)
WHERE row_num <= 5;

SELECT order_id, user_name, product, num
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY proctime ASC) AS row_num
    FROM orders
)
WHERE row_num = 1;

SELECT * FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts DESC) AS rn FROM logins
) WHERE rn = 1;

SELECT auction, bidder, price
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY `dateTime` DESC) AS rank_number FROM bid)
WHERE rank_number <= 1;

SELECT * FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY region ORDER BY revenue DESC, region) AS pos FROM region_revenue
) t WHERE pos BETWEEN 1 AND 3
