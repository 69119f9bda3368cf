-- squawk-only: type style (char, varchar(n), timestamp without time zone, int, serial)
CREATE TABLE events (id serial PRIMARY KEY, code char(4), title varchar(100), at timestamp, n int);
