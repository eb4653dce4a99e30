-- statements: 20
-- Joins of every kind: comma, [INNER], LEFT/RIGHT/FULL [OUTER], CROSS, NATURAL, ON and USING,
-- chains, a parenthesised join, interval joins, LATERAL TABLE and UNNEST.

SELECT * FROM orders o, users u WHERE o.user_id = u.user_id;

SELECT * FROM orders o JOIN users u ON o.user_id = u.user_id;

SELECT * FROM orders o INNER JOIN users u ON o.user_id = u.user_id AND u.active;

SELECT * FROM orders o LEFT JOIN users u ON o.user_id = u.user_id;

SELECT * FROM orders o LEFT OUTER JOIN users u ON o.user_id = u.user_id;

SELECT * FROM orders o RIGHT JOIN users u ON o.user_id = u.user_id;

SELECT * FROM orders o RIGHT OUTER JOIN users u ON o.user_id = u.user_id;

SELECT * FROM orders o FULL OUTER JOIN users u ON o.user_id = u.user_id;

SELECT * FROM orders o FULL JOIN users u ON o.user_id = u.user_id;

SELECT * FROM orders CROSS JOIN currencies;

SELECT * FROM orders NATURAL JOIN users;

SELECT * FROM orders JOIN users USING (user_id);

SELECT * FROM orders LEFT JOIN shipments USING (order_id, region);

SELECT o.order_id, u.name, s.status
FROM orders o
JOIN users u ON o.user_id = u.user_id
LEFT JOIN shipments s ON s.order_id = o.order_id
JOIN regions r USING (region);

SELECT * FROM a JOIN (b JOIN c ON b.id = c.id) ON a.id = b.id;

SELECT *
FROM orders o, shipments s
WHERE o.order_id = s.order_id
  AND s.ship_time BETWEEN o.order_time AND o.order_time + INTERVAL '4' HOUR;

SELECT o.order_id, s.ship_time
FROM orders o JOIN shipments s ON o.order_id = s.order_id
 AND s.ship_time >= o.order_time AND s.ship_time < o.order_time + INTERVAL '1' DAY;

SELECT order_id, tag FROM orders CROSS JOIN UNNEST(tags) AS t (tag);

SELECT order_id, word, len FROM orders, LATERAL TABLE(split_words(note)) AS T(word, len);

SELECT order_id, word FROM orders LEFT JOIN LATERAL TABLE(split_words(note)) AS T(word) ON TRUE
