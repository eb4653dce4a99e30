-- with 'json.ignore-parse-errors' malformed lines are skipped and counted on stderr
-- stderr: 1 malformed record
CREATE TABLE t (
    k STRING,
    v BIGINT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json', 'json.ignore-parse-errors' = 'true');
SELECT k, v FROM t;
