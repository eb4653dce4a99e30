-- JSON lines: escapes (\t, \", \\, \u with surrogate pairs), white space, fields in any
-- order, unknown fields skipped, missing fields and null as NULL; CHAR_LENGTH counts
-- characters
CREATE TABLE t (
    s STRING,
    n INT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT n, s, CHAR_LENGTH(s) FROM t;
