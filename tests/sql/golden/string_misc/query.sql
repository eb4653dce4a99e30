-- INITCAP, REPEAT, REVERSE, MD5, LOCATE, HASH_CODE (Java's String.hashCode), REGEXP_REPLACE
-- with a group reference
CREATE TABLE t (
    s STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT INITCAP(s), REPEAT('ab', 3), REVERSE(s), MD5(s), LOCATE('o', s), LOCATE('o', s, 6),
       HASH_CODE(s), REGEXP_REPLACE(s, '(o)', '[$1]')
FROM t;
