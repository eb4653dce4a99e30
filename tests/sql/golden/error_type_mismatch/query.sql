-- an operator applied to types it does not take
CREATE TABLE events (k STRING, price BIGINT, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT price + ts FROM events;
