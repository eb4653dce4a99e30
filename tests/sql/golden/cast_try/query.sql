-- TRY_CAST gives NULL where CAST would fail
CREATE TABLE t (
    s STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT s, TRY_CAST(s AS INT), TRY_CAST(s AS DATE) FROM t;
