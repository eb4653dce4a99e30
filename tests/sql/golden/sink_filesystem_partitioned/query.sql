-- a partitioned filesystem sink: a folder per partition value (NULL goes to
-- __DEFAULT_PARTITION__), partition columns left out of the files, _SUCCESS written into
-- each partition with 'sink.partition-commit.policy.kind' = 'success-file'
-- output: out
CREATE TABLE t (
    k STRING,
    v BIGINT,
    ts TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
CREATE TABLE out (k STRING, v BIGINT, dt STRING) PARTITIONED BY (dt)
WITH ('connector' = 'filesystem', 'path' = '${DIR}/out', 'format' = 'json',
      'sink.partition-commit.policy.kind' = 'success-file');
INSERT INTO out SELECT k, v, DATE_FORMAT(ts, 'yyyy-MM-dd') FROM t;
