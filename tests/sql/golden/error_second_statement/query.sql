-- the first statements run, the failing one stops the file with exit 1
CREATE TABLE events (k STRING, price BIGINT, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k, price FROM events;
SELECT k, nope FROM events;
