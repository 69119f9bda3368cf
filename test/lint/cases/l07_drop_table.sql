-- L007
DROP TABLE orders;
