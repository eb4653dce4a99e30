-- statements: 9
-- ARRAY[...], MAP[...], ROW(...), subscripts, nested fields.

SELECT ARRAY[1, 2, 3], ARRAY['a'], ARRAY[ARRAY[1], ARRAY[2, 3]], ARRAY[x, y + 1] FROM t;

SELECT MAP['k1', 1, 'k2', 2], MAP[a, ARRAY[b]], MAP['only', NULL] FROM t;

SELECT ROW(1, 'a'), ROW(a, b, c), ROW(ROW(1, 2), 3), (a, b) FROM t;

SELECT tags[1], tags[CARDINALITY(tags)], attrs['color'], matrix[1][2], attrs['k'] IS NULL FROM t;

SELECT payload.`user`.id, payload.items[1].sku, t.payload.device.os FROM events t;

SELECT person.id, person.name, auction.itemName, bid.price FROM datagen WHERE event_type = 0;

SELECT (ROW(1, 'x')).f0, ARRAY[ROW(1, 'a')][1].f1 FROM t;

SELECT CARDINALITY(tags), ELEMENT(ARRAY[1]), ARRAY_CONTAINS(tags, 'x'), MAP_KEYS(attrs) FROM t;

SELECT * FROM t WHERE tags[1] = 'vip' AND attrs['tier'] IN ('gold', 'silver') AND payload.device.os LIKE 'And%'
