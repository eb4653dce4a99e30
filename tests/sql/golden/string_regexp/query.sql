-- REGEXP (a match anywhere), REGEXP_EXTRACT (NULL without a match), REGEXP_REPLACE
CREATE TABLE t (
    s STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT REGEXP(s, '[0-9]+'), REGEXP_EXTRACT(s, '([a-z]+)([0-9]+)', 2),
       REGEXP_REPLACE(s, '[0-9]', '#'), REGEXP_EXTRACT(s, 'k2=([^&]*)', 1)
FROM t;
