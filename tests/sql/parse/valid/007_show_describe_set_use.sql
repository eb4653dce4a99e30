-- statements: 23
-- SHOW, DESCRIBE, SET, RESET, USE.

SHOW TABLES;
SHOW VIEWS;
SHOW JOBS;
SHOW FUNCTIONS;
SHOW CATALOGS;
SHOW DATABASES;
SHOW CREATE TABLE orders;
SHOW CREATE VIEW shop.sales.recent;
show tables;

DESCRIBE orders;
DESC my_catalog.my_db.orders;
DESCRIBE EXTENDED orders;
describe `weird table`;

SET 'table.local-time-zone' = 'UTC';
SET 'execution.checkpointing.interval' = '10 s';
SET 'pipeline.name' = 'revenue per minute, it''s live';
SET;
RESET 'table.local-time-zone';
RESET;

USE CATALOG my_catalog;
USE my_db;
USE my_catalog.my_db;
use catalog default_catalog
