-- searched and simple CASE; a missing ELSE is NULL; NULL < 3 is not TRUE
CREATE TABLE t (
    v INT
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT v,
       CASE WHEN v < 3 THEN 'low' WHEN v < 10 THEN 'mid' ELSE 'top' END,
       CASE v WHEN 1 THEN 100 WHEN 5 THEN 500 END,
       CASE WHEN v IS NULL THEN -1 ELSE v * 2 END
FROM t;
