-- statements: 12
-- Every data type of the dialect, in a column list and as CAST targets.

CREATE TABLE all_types (
    c_boolean BOOLEAN,
    c_tinyint TINYINT,
    c_smallint SMALLINT,
    c_int INT,
    c_integer INTEGER,
    c_bigint BIGINT,
    c_float FLOAT,
    c_real REAL,
    c_double DOUBLE,
    c_double_precision DOUBLE PRECISION,
    c_decimal DECIMAL,
    c_decimal_p DECIMAL(10),
    c_decimal_ps DECIMAL(38, 18),
    c_dec DEC(5, 2),
    c_numeric NUMERIC(12, 4),
    c_char CHAR(3),
    c_char_plain CHAR,
    c_varchar VARCHAR(100),
    c_string STRING,
    c_binary BINARY(16),
    c_varbinary VARBINARY(64),
    c_bytes BYTES,
    c_date DATE,
    c_time TIME,
    c_time_p TIME(3),
    c_timestamp TIMESTAMP,
    c_timestamp_p TIMESTAMP(6),
    c_timestamp_wo TIMESTAMP(3) WITHOUT TIME ZONE,
    c_timestamp_ltz TIMESTAMP_LTZ(3),
    c_timestamp_ltz_plain TIMESTAMP_LTZ,
    c_timestamp_wltz TIMESTAMP(3) WITH LOCAL TIME ZONE,
    c_timestamp_wltz_plain TIMESTAMP WITH LOCAL TIME ZONE,
    c_interval_ym INTERVAL YEAR TO MONTH,
    c_interval_ds INTERVAL DAY TO SECOND,
    c_interval_d INTERVAL DAY,
    c_array ARRAY<INT>,
    c_array_postfix INT ARRAY,
    c_map MAP<STRING, BIGINT>,
    c_multiset MULTISET<STRING>,
    c_multiset_postfix STRING MULTISET,
    c_row ROW<a INT, b STRING>,
    c_row_paren ROW(a INT, b STRING),
    c_nested ARRAY<ROW<id BIGINT, tags ARRAY<STRING>, attrs MAP<STRING, STRING>>>,
    c_map_of_arrays MAP<STRING, ARRAY<DECIMAL(10, 2)>>,
    c_not_null BIGINT NOT NULL,
    c_nn_array ARRAY<INT NOT NULL> NOT NULL,
    c_nn_map MAP<STRING NOT NULL, DOUBLE> NOT NULL,
    c_row_comment ROW<x DOUBLE 'the x coordinate', y DOUBLE 'the y coordinate'>,
    c_row_nn ROW<id BIGINT NOT NULL, name STRING> NOT NULL
) WITH ('connector' = 'datagen');

SELECT CAST(v AS BOOLEAN), CAST(v AS TINYINT), CAST(v AS SMALLINT), CAST(v AS INTEGER) FROM t;

SELECT CAST(v AS BIGINT), CAST(v AS FLOAT), CAST(v AS DOUBLE), CAST(v AS DOUBLE PRECISION) FROM t;

SELECT CAST(v AS DECIMAL(10, 2)), CAST(v AS DECIMAL(38)), CAST(v AS NUMERIC), CAST(v AS DEC(4, 1)) FROM t;

SELECT CAST(v AS CHAR(1)), CAST(v AS VARCHAR(10)), CAST(v AS STRING), CAST(v AS VARCHAR) FROM t;

SELECT CAST(v AS BINARY(4)), CAST(v AS VARBINARY(8)), CAST(v AS BYTES) FROM t;

SELECT CAST(v AS DATE), CAST(v AS TIME), CAST(v AS TIME(0)), CAST(v AS TIMESTAMP), CAST(v AS TIMESTAMP(9)) FROM t;

SELECT CAST(ts AS TIMESTAMP_LTZ(3)), CAST(ts AS TIMESTAMP(3) WITH LOCAL TIME ZONE), CAST(ts AS TIMESTAMP(3) WITHOUT TIME ZONE) FROM t;

SELECT CAST(arr AS ARRAY<BIGINT>), CAST(m AS MAP<STRING, STRING>), CAST(ms AS MULTISET<INT>) FROM t;

SELECT CAST(r AS ROW<a BIGINT, b ROW<c STRING, d ARRAY<INT>>>), CAST(r AS ROW(x INT, y INT)) FROM t;

SELECT CAST(v AS INT NOT NULL), CAST(v AS ARRAY<STRING NOT NULL>), CAST(v AS INT ARRAY) FROM t;

SELECT CAST(i AS INTERVAL DAY TO SECOND), CAST(j AS INTERVAL YEAR TO MONTH), CAST(NULL AS INT) FROM t;
