-- a changelog (non-windowed GROUP BY) cannot go into a filesystem sink, which takes
-- inserts only: a planning error before anything runs
CREATE TABLE events (k STRING, price BIGINT, ts TIMESTAMP(3))
  WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE out (k STRING, n BIGINT) WITH ('connector' = 'filesystem', 'path' = '${DIR}/out', 'format' = 'json');
INSERT INTO out SELECT k, COUNT(*) FROM events GROUP BY k;
