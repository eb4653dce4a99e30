-- CSV options: another delimiter, a null literal, comment lines
CREATE TABLE t (
    id INT,
    s STRING,
    d DOUBLE
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.null-literal' = 'NULL', 'csv.allow-comments' = 'true');
SELECT id, s, d FROM t;
