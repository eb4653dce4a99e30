-- statements: 13
-- Table hints, UNNEST, LATERAL TABLE, VALUES, SELECT without FROM, odd but valid layouts.

SELECT * FROM kafka_table /*+ OPTIONS('scan.startup.mode' = 'latest-offset') */;

SELECT id FROM kafka_table /*+ OPTIONS('scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '1700000000000') */ AS k WHERE id > 0;

SELECT a.id, b.v FROM t1 /*+ OPTIONS('k' = 'v') */ a JOIN t2 /*+ OPTIONS('k2' = 'v2') */ b ON a.id = b.id;

SELECT tag FROM UNNEST(ARRAY['a', 'b', 'c']) AS t (tag);

SELECT id, tag, pos FROM posts CROSS JOIN UNNEST(tags) WITH ORDINALITY AS t (tag, pos);

SELECT k, v FROM events CROSS JOIN UNNEST(attrs) AS kv (k, v);

SELECT s, n FROM docs, LATERAL TABLE(tokenize(body, ' ')) AS w (s, n);

SELECT * FROM TABLE(my_generator(10)) AS g;

SELECT * FROM (VALUES (1), (2), (3)) AS v (n) WHERE n > 1;

SELECT 1 AS one, 'two' AS two, CAST(3 AS DOUBLE) AS three;

SELECT
  a
  ,
  b
FROM
  t
WHERE
  a
  >
  b;

SELECT a FROM t;SELECT b FROM t;
