-- a column neither grouped nor aggregated
CREATE TABLE events (k STRING, price BIGINT, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, price FROM events GROUP BY k;
