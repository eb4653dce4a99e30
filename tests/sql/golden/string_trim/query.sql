-- TRIM BOTH/LEADING/TRAILING with the default space and with other characters
CREATE TABLE t (
    s STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT CONCAT('<', TRIM(s), '>'), CONCAT('<', TRIM(LEADING ' ' FROM s), '>'),
       CONCAT('<', TRIM(TRAILING ' ' FROM s), '>'), CONCAT('<', TRIM(BOTH 'x' FROM s), '>'),
       CONCAT('<', LTRIM(s), '>'), CONCAT('<', RTRIM(s), '>')
FROM t;
