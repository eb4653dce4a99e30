-- SUBSTRING (1-based, FROM/FOR and comma forms), UPPER, LOWER, CHAR_LENGTH counting
-- characters, not bytes
CREATE TABLE t (
    s STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT CONCAT('<', SUBSTRING(s, 2, 3), '>'), CONCAT('<', SUBSTRING(s FROM 7), '>'),
       UPPER(s), LOWER(s), CHAR_LENGTH(s), CHARACTER_LENGTH(s)
FROM t;
