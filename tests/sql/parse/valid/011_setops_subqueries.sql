-- statements: 18
-- UNION/INTERSECT/EXCEPT, subqueries in FROM and in expressions, WITH, VALUES.

SELECT id FROM a UNION ALL SELECT id FROM b;

SELECT id FROM a UNION SELECT id FROM b;

SELECT id FROM a UNION DISTINCT SELECT id FROM b;

SELECT id FROM a INTERSECT SELECT id FROM b;

SELECT id FROM a INTERSECT ALL SELECT id FROM b;

SELECT id FROM a EXCEPT SELECT id FROM b;

SELECT id FROM a UNION ALL SELECT id FROM b UNION ALL SELECT id FROM c;

(SELECT id FROM a) UNION ALL (SELECT id FROM b ORDER BY id LIMIT 5) ORDER BY id LIMIT 10;

SELECT id FROM a UNION ALL (SELECT id FROM b EXCEPT SELECT id FROM c);

SELECT s.user_id, s.total
FROM (SELECT user_id, SUM(amount) AS total FROM orders GROUP BY user_id) AS s
WHERE s.total > 100;

SELECT * FROM (SELECT * FROM (SELECT id, name FROM users) u1 WHERE id > 0) u2;

SELECT x, y FROM (SELECT a, b FROM t) AS renamed (x, y);

SELECT * FROM (SELECT a FROM t1 UNION ALL SELECT a FROM t2);

SELECT name FROM users WHERE user_id IN (SELECT user_id FROM orders WHERE amount > 100)
  AND user_id NOT IN (SELECT user_id FROM banned);

SELECT name, (SELECT MAX(amount) FROM orders o WHERE o.user_id = u.user_id) AS max_amount FROM users u
WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.user_id)
  AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.user_id = u.user_id);

WITH per_user AS (SELECT user_id, COUNT(*) AS n FROM clicks GROUP BY user_id),
     heavy (uid, cnt) AS (SELECT user_id, n FROM per_user WHERE n > 100)
SELECT * FROM heavy ORDER BY cnt DESC;

SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, CAST(NULL AS STRING))) AS t (id, name);

VALUES (1, 2), (3, 4)
