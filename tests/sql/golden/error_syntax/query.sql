-- a syntax error from the parser, with what could stand there
CREATE TABLE events (k STRING, price BIGINT, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT k,, price FROM events;
