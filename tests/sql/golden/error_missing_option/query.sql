-- a table without its required option fails when it is used, naming the option
-- exit: 1,3
CREATE TABLE t (k STRING) WITH ('connector' = 'filesystem', 'format' = 'json');
SELECT k FROM t;
