-- a folder as a source: every file in name order; hidden ('.') and '_' files are skipped
CREATE TABLE t (
    k STRING,
    v BIGINT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/in', 'format' = 'json');
SELECT k, v FROM t;
