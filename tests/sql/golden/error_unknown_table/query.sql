-- a misspelled table
CREATE TABLE events (k STRING, price BIGINT, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k FROM evnets;
