-- statements: 14
-- Arithmetic, concatenation, comparison and logical operators with their precedence.

SELECT a + b * c, (a + b) * c, a - b - c, a - (b - c), a / b / c, a % b FROM t;

SELECT -a, +a, - -a, -2 * 3, -(2 * 3), 2 * -3, -a.b FROM t;

SELECT a * b + c * d - e / f % g FROM t;

SELECT 'a' || 'b' || c, name || ' ' || CAST(id AS STRING) FROM t;

SELECT a = b, a <> b, a != b, a < b, a <= b, a > b, a >= b, a == b FROM t;

SELECT * FROM t WHERE a OR b AND c;

SELECT * FROM t WHERE (a OR b) AND c;

SELECT * FROM t WHERE NOT a AND b OR NOT (c OR d);

SELECT * FROM t WHERE NOT a = b;

SELECT * FROM t WHERE a + 1 > b * 2 AND c - 3 <= d / 4 OR e = f;

SELECT * FROM t WHERE x > 0 AND y > 0 AND z > 0 OR x < 0 AND y < 0;

SELECT price * 1.08 AS gross, 0.908 * price AS euros, price / 100.0 FROM bids;

SELECT (((a))), ((a + b)) * ((c)) FROM t;

SELECT a FROM t WHERE a + b * c = (a + b) * c AND NOT NOT flag
