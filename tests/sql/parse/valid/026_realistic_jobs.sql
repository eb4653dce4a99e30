-- statements: 17
-- Whole jobs as users write them: revenue per minute, a shop funnel, sessionization, anomalies
-- against a sliding average, enrichment with a temporal join, late-data aware dashboards.

-- revenue per minute into Elasticsearch
CREATE TABLE shop_events (
    user_id BIGINT,
    session_id STRING,
    event_type STRING,          -- view, cart, buy
    product_id BIGINT,
    category STRING,
    price DECIMAL(10, 2),
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = 'shop',
    'properties.bootstrap.servers' = 'localhost:9092',
    'properties.group.id' = 'eddy-revenue',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'json',
    'json.timestamp-format.standard' = 'SQL'
);

CREATE TABLE revenue_per_minute (
    window_start TIMESTAMP(3),
    window_end TIMESTAMP(3),
    category STRING,
    revenue DECIMAL(20, 2),
    orders BIGINT,
    PRIMARY KEY (window_start, category) NOT ENFORCED
) WITH (
    'connector' = 'elasticsearch-7',
    'hosts' = 'http://localhost:9200',
    'index' = 'revenue-per-minute'
);

INSERT INTO revenue_per_minute
SELECT window_start, window_end, category, SUM(price) AS revenue, COUNT(*) AS orders
FROM TABLE(TUMBLE(TABLE shop_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
WHERE event_type = 'buy'
GROUP BY window_start, window_end, category;

-- funnel: views -> carts -> buys per category and 10 minutes
CREATE VIEW funnel AS
SELECT
    window_start,
    category,
    COUNT(DISTINCT user_id) FILTER (WHERE event_type = 'view') AS viewers,
    COUNT(DISTINCT user_id) FILTER (WHERE event_type = 'cart') AS carters,
    COUNT(DISTINCT user_id) FILTER (WHERE event_type = 'buy') AS buyers
FROM TABLE(TUMBLE(TABLE shop_events, DESCRIPTOR(ts), INTERVAL '10' MINUTE))
GROUP BY window_start, window_end, category;

SELECT window_start, category,
       CAST(carters AS DOUBLE) / NULLIF(viewers, 0) AS view_to_cart,
       CAST(buyers AS DOUBLE) / NULLIF(carters, 0) AS cart_to_buy
FROM funnel
WHERE viewers > 0;

-- sessionization into S3
CREATE TABLE sessions_s3 (
    user_id BIGINT,
    session_start TIMESTAMP(3),
    session_end TIMESTAMP(3),
    events BIGINT,
    bought BOOLEAN,
    dt STRING
) PARTITIONED BY (dt) WITH (
    'connector' = 'filesystem',
    'path' = 's3://analytics/sessions',
    'format' = 'json',
    'sink.partition-commit.policy.kind' = 'success-file'
);

INSERT INTO sessions_s3
SELECT user_id, window_start, window_end, COUNT(*),
       MAX(CASE WHEN event_type = 'buy' THEN 1 ELSE 0 END) = 1,
       DATE_FORMAT(window_start, 'yyyy-MM-dd')
FROM TABLE(SESSION(TABLE shop_events PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '30' MINUTE))
GROUP BY user_id, window_start, window_end;

-- anomalies: a minute whose revenue is three times the average of the previous hour
CREATE TEMPORARY VIEW minute_revenue AS
SELECT window_start, window_time AS rowtime, SUM(price) AS revenue
FROM TABLE(TUMBLE(TABLE shop_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
WHERE event_type = 'buy'
GROUP BY window_start, window_end, window_time;

SELECT window_start, revenue, avg_revenue
FROM (
    SELECT window_start, revenue,
           AVG(revenue) OVER (ORDER BY rowtime RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW) AS avg_revenue
    FROM minute_revenue
)
WHERE revenue > 3 * avg_revenue;

-- enrichment: orders with the exchange rate valid at order time, and customer data by lookup
INSERT INTO enriched_orders
SELECT o.order_id, o.amount * r.rate AS amount_eur, c.name, c.country
FROM orders AS o
JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency
LEFT JOIN customers FOR SYSTEM_TIME AS OF o.proc_time AS c ON o.customer_id = c.id
WHERE o.amount > 0;

-- alerts back into Kafka: more than 5 failed logins in 1 minute, sliding by 10 seconds
INSERT INTO alerts
SELECT user_id, window_end AS detected_at, COUNT(*) AS failures
FROM TABLE(HOP(TABLE logins, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '1' MINUTE))
WHERE success = FALSE
GROUP BY user_id, window_start, window_end
HAVING COUNT(*) > 5;

-- cumulative daily unique visitors, updated every minute
SELECT window_start, window_end, COUNT(DISTINCT user_id) AS uv
FROM TABLE(CUMULATE(TABLE page_views, DESCRIPTOR(view_time), INTERVAL '1' MINUTE, INTERVAL '1' DAY))
GROUP BY window_start, window_end;

-- top 3 products per category and hour
SELECT *
FROM (
    SELECT window_start, category, product_id, revenue,
           ROW_NUMBER() OVER (PARTITION BY window_start, window_end, category ORDER BY revenue DESC) AS rk
    FROM (
        SELECT window_start, window_end, category, product_id, SUM(price) AS revenue
        FROM TABLE(TUMBLE(TABLE shop_events, DESCRIPTOR(ts), INTERVAL '1' HOUR))
        WHERE event_type = 'buy'
        GROUP BY window_start, window_end, category, product_id
    )
)
WHERE rk <= 3;

-- continuous count per user (a changelog)
SELECT user_id, COUNT(*) AS events, MAX(ts) AS last_seen FROM shop_events GROUP BY user_id;

-- several sinks in one job
EXECUTE STATEMENT SET BEGIN
    INSERT INTO revenue_per_minute
    SELECT window_start, window_end, category, SUM(price), COUNT(*)
    FROM TABLE(TUMBLE(TABLE shop_events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
    WHERE event_type = 'buy'
    GROUP BY window_start, window_end, category;
    INSERT INTO sessions_s3
    SELECT user_id, window_start, window_end, COUNT(*), FALSE, DATE_FORMAT(window_start, 'yyyy-MM-dd')
    FROM TABLE(SESSION(TABLE shop_events PARTITION BY user_id, DESCRIPTOR(ts), INTERVAL '30' MINUTE))
    GROUP BY user_id, window_start, window_end;
END;

SET 'pipeline.name' = 'shop analytics';

STOP JOB 'shop-analytics' WITH SAVEPOINT
