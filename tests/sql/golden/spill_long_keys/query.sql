-- state beyond memory: a budget of one byte makes the window state spill to disk after every
-- batch (the source gives a few rows per batch at 40 rows/s), so a window's groups come back
-- from several runs and memory. Group keys of 421 characters that share their first 420 go
-- to disk by prefix and hash (runtime/spill_table.h) and must stay apart; FIRST_VALUE,
-- LAST_VALUE and LISTAGG must see each key's rows in arrival order across the runs.
-- Expected, by hand: window [00:00, 00:10): p..1 got a, b, c; p..2 got c, d; b got x, y;
-- window [00:10, 00:20): b got z.
-- stderr: spilled to disk
SET 'state.memory.budget' = '1b';
CREATE TABLE t (
    k STRING,
    s STRING,
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json',
        'source.rows-per-second' = '40');
SELECT CHAR_LENGTH(k), SUBSTRING(k FROM 419), window_start, n, f, l, a
FROM (
  SELECT k, window_start, COUNT(*) AS n, FIRST_VALUE(s) AS f, LAST_VALUE(s) AS l, LISTAGG(s) AS a
  FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '10' SECOND))
  GROUP BY k, window_start, window_end
);
