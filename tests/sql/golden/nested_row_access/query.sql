-- fields of ROW columns by path; a NULL row makes its fields NULL
CREATE TABLE t (
    id INT,
    r ROW<a INT, b STRING, deep ROW<z BOOLEAN>>
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.jsonl', 'format' = 'json');
SELECT id, r.a, r.b, r.deep.z FROM t;
