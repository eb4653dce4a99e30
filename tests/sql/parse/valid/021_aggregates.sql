-- statements: 9
-- Aggregate calls: COUNT(*), COUNT(DISTINCT), FILTER (WHERE ...), and the usual functions.

SELECT COUNT(*), COUNT(1), COUNT(user_id), COUNT(DISTINCT user_id) FROM clicks;

SELECT SUM(amount), AVG(amount), MIN(amount), MAX(amount), SUM(DISTINCT amount) FROM orders;

SELECT
     DATE_FORMAT(`dateTime`, 'yyyy-MM-dd') as `day`,
     count(*) AS total_bids,
     count(*) filter (where price < 10000) AS rank1_bids,
     count(*) filter (where price >= 10000 and price < 1000000) AS rank2_bids,
     count(distinct bidder) AS total_bidders,
     count(distinct bidder) filter (where price >= 1000000) AS rank3_bidders
FROM bid
GROUP BY DATE_FORMAT(`dateTime`, 'yyyy-MM-dd');

SELECT SUM(amount) FILTER (WHERE product = 'book') AS books, AVG(amount) FILTER (WHERE amount > 0) FROM orders;

SELECT STDDEV_POP(x), STDDEV_SAMP(x), VAR_POP(x), VAR_SAMP(x) FROM t;

SELECT LISTAGG(name), LISTAGG(name, ';'), COLLECT(tag), FIRST_VALUE(x), LAST_VALUE(x) FROM t;

SELECT user_id, APPROX_COUNT_DISTINCT(url), ARRAY_AGG(url) FROM page_views GROUP BY user_id;

SELECT MAX(DATE_FORMAT(ts, 'HH:mm')), MIN(CAST(amount AS DOUBLE)) * 2 FROM t;

SELECT COUNT(*) AS n FROM t GROUP BY a, b + 1, FLOOR(ts TO HOUR) HAVING COUNT(*) > 1 AND MAX(c) < 10
