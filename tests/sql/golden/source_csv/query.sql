-- CSV source: quoted fields with the delimiter and doubled quotes; an empty field is NULL
-- for numbers and the empty string for STRING
CREATE TABLE t (
    id INT,
    s STRING,
    d DOUBLE
) WITH ('connector' = 'filesystem', 'path' = '${DIR}/input.csv', 'format' = 'csv');
SELECT id, CONCAT('<', s, '>'), CHAR_LENGTH(s), d FROM t;
