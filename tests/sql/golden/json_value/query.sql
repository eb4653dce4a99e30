-- JSON_VALUE: scalars by path; missing paths, JSON null, objects and text that is not
-- JSON give NULL
CREATE TABLE t (
    j STRING
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT JSON_VALUE(j, '$.a.b'), JSON_VALUE(j, '$.s'), JSON_VALUE(j, '$.arr[1]'),
       JSON_VALUE(j, '$.missing'), JSON_VALUE(j, '$.n'), JSON_VALUE(j, '$.a')
FROM t;
