-- statements: 12
-- Quoted identifiers (backquotes and double quotes, doubled quotes inside), keywords as names,
-- comments of both kinds in odd places, keywords in any case, UTF-8 identifiers.

SELECT `select`, `from`, `order`, `timestamp`, `value`, `user`, `date` FROM `table`;

SELECT `weird name`, `a``b`, `with.dot`, `1starts_with_digit`, `ünïcode` FROM `my table`;

SELECT "double quoted", "a""b", "Mixed Case" FROM "schema"."table";

SELECT `UPPER`, `lower`, MixedCase, `MixedCase` FROM t;

SELECT key, `final`, data, size, session, slide, step, jobs, views, tables, comment, language FROM t;

-- a comment before the statement
SELECT a, -- trailing comment
       b /* inline */ , c
  /* a block comment
     over several lines; with a ';' and a 'quote' */
FROM t -- comment at the end of the statement
;

SELECT/*no space*/a/**/FROM/* */t--end
;

select A, b from T where X = 1 group by A, b order by A desc limit 5;

SeLeCt CoUnT(*) FrOm t WhErE a Is NoT nUlL;

Create Table Mixed (Id Int, Ts Timestamp(3), Watermark For Ts As Ts - Interval '1' Second) With ('connector' = 'datagen');

SELECT größe, 名前, café AS crème FROM données;

SELECT `größe` AS `Größe`, "名前" FROM t
