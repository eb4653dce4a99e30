-- REPLACE, SPLIT_INDEX (0-based, empty pieces kept, NULL past the end), LPAD/RPAD
-- (RPAD shortens a longer string), POSITION, LEFT, RIGHT
CREATE TABLE t (
    s STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT REPLACE(s, '/', '-'), SPLIT_INDEX(s, '/', 0), CONCAT('<', SPLIT_INDEX(s, '/', 2), '>'),
       SPLIT_INDEX(s, '/', 3), SPLIT_INDEX(s, '/', 4), LPAD(s, 8, '*'), RPAD(s, 3, '.'),
       POSITION('/' IN s), LEFT(s, 2), RIGHT(s, 2)
FROM t;
