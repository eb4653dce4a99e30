-- nested values print as Flink's Row, List and Map toString: +I[...], [...], {k=v}
CREATE TABLE t (
    r ROW<a INT, b STRING>,
    arr ARRAY<INT>,
    m MAP<STRING, INT>
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT r, arr, m FROM t;
