-- lint: pgmig.mig_lint checks a body with the server's parser and the live
-- catalog, without running it (docs/lint.md).  Every rule fires on a minimal
-- case and stays silent on its safe alternative; then suppression comments,
-- errors, ordering, the catalog-aware rules, privileges and locks.
CREATE EXTENSION pgmig;
SET client_min_messages = warning;

-- the "existing" objects a deployed database already has
CREATE TABLE lint_customers (id bigint PRIMARY KEY, code text UNIQUE, name text NOT NULL,
                             email text, created timestamptz NOT NULL DEFAULT now(),
                             num int GENERATED ALWAYS AS IDENTITY,
                             name_len int GENERATED ALWAYS AS (length(name)) STORED);
CREATE TABLE lint_orders (id int PRIMARY KEY, customer_id bigint, amount int, note varchar(10), status text);
CREATE TABLE lint_parted (id int, at date) PARTITION BY RANGE (at);
CREATE TYPE lint_mood AS ENUM ('sad', 'ok');
CREATE TYPE lint_pair AS (a int, b int);
CREATE DOMAIN lint_id AS bigint;
CREATE SEQUENCE lint_seq;
CREATE VIEW lint_view AS SELECT 1 AS x;
CREATE MATERIALIZED VIEW lint_mview AS SELECT 1 AS x;
CREATE INDEX lint_orders_amount_idx ON lint_orders (amount);
CREATE SCHEMA lint_app;
CREATE FUNCTION lint_f() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
CREATE FUNCTION lint_f(int) RETURNS int LANGUAGE sql VOLATILE AS 'SELECT $1';

-- the columns of a finding that vary between cases (hints are shown below)
CREATE FUNCTION pg_temp.lint(body text) RETURNS TABLE (rule text, stmt integer, line integer, message text)
LANGUAGE sql AS $$ SELECT rule, statement, line, message FROM pgmig.mig_lint(body) $$;

-- the API: columns, strictness, privileges
SELECT pg_get_function_arguments('pgmig.mig_lint'::regproc) AS args, proretset, proisstrict, provolatile
  FROM pg_proc WHERE oid = 'pgmig.mig_lint'::regproc;
SELECT has_function_privilege('pgmig_reader', 'pgmig.mig_lint(text, text)', 'EXECUTE') AS reader,
       has_function_privilege('public', 'pgmig.mig_lint(text, text)', 'EXECUTE') AS public;
SELECT count(*) FROM pgmig.mig_lint(NULL);
SELECT count(*) FROM pgmig.mig_lint(E'  -- only a comment\n');

-- L001 not-null-column-without-default
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN region text NOT NULL');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN region text NOT NULL DEFAULT NULL');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN ref int PRIMARY KEY');
-- safe: a constant default, nullable, identity, a table created in the body, a table that does not exist now
SELECT * FROM pg_temp.lint($b$ALTER TABLE lint_orders ADD COLUMN region text NOT NULL DEFAULT 'eu'$b$);
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN region text');
SELECT * FROM pg_temp.lint(E'CREATE TABLE lint_new (id int);\nALTER TABLE lint_new ADD COLUMN region text NOT NULL');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_nosuch ADD COLUMN region text NOT NULL');

-- L002 volatile-default: a volatile call (any overload of the name), serial, identity, stored generated
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN token uuid DEFAULT gen_random_uuid()');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN r float8 DEFAULT 1 + random() * 10');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN x int DEFAULT lint_f()');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN seq bigserial');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN num int GENERATED ALWAYS AS IDENTITY');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN twice int GENERATED ALWAYS AS (amount * 2) STORED');
-- safe: constant and stable defaults (evaluated once, no rewrite), a new table
SELECT * FROM pg_temp.lint($b$ALTER TABLE lint_orders ADD COLUMN at timestamptz DEFAULT now(), ADD COLUMN n int DEFAULT 0,
                              ADD COLUMN tag text DEFAULT 'x' || 'y'$b$);
SELECT * FROM pg_temp.lint(E'CREATE TABLE lint_new (id int);\nALTER TABLE lint_new ADD COLUMN token uuid DEFAULT gen_random_uuid()');

-- L003 column-type-change
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ALTER COLUMN amount TYPE bigint');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ALTER COLUMN note TYPE varchar(5)');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ALTER COLUMN status TYPE text USING upper(status)');
-- safe: no rewrite (binary-coercible, a longer varchar limit, no limit), a new table
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ALTER COLUMN note TYPE text');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ALTER COLUMN note TYPE varchar(20)');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ALTER COLUMN note TYPE varchar');
SELECT * FROM pg_temp.lint(E'CREATE TABLE lint_new (a int);\nALTER TABLE lint_new ALTER COLUMN a TYPE bigint');

-- L004 index-without-concurrently (a partitioned table gets its own hint)
SELECT * FROM pg_temp.lint('CREATE INDEX ON lint_orders (status)');
SELECT rule, hint FROM pgmig.mig_lint('CREATE INDEX lint_parted_at ON lint_parted (at)');
-- safe: CONCURRENTLY (alone in its body), a table created earlier in the body
SELECT * FROM pg_temp.lint('CREATE INDEX CONCURRENTLY lint_orders_status_idx ON lint_orders (status)');
SELECT * FROM pg_temp.lint(E'CREATE TABLE lint_new (a int);\nCREATE INDEX ON lint_new (a);');

-- L005 constraint-without-not-valid: FOREIGN KEY, CHECK, column REFERENCES
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD CONSTRAINT lint_fk FOREIGN KEY (customer_id) REFERENCES lint_customers');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD CONSTRAINT lint_positive CHECK (amount > 0)');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ADD COLUMN buyer bigint REFERENCES lint_customers');
-- safe: NOT VALID, then VALIDATE
SELECT * FROM pg_temp.lint($b$
ALTER TABLE lint_orders ADD CONSTRAINT lint_fk FOREIGN KEY (customer_id) REFERENCES lint_customers NOT VALID;
ALTER TABLE lint_orders ADD CONSTRAINT lint_positive CHECK (amount > 0) NOT VALID;
ALTER TABLE lint_orders VALIDATE CONSTRAINT lint_fk;
$b$);

-- L006 set-not-null
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders ALTER COLUMN status SET NOT NULL');
SELECT rule, hint FROM pgmig.mig_lint('ALTER TABLE lint_orders ALTER COLUMN status SET NOT NULL');
-- safe: the CHECK ... NOT VALID route, a new table
SELECT * FROM pg_temp.lint($b$
ALTER TABLE lint_orders ADD CONSTRAINT lint_status_nn CHECK (status IS NOT NULL) NOT VALID;
ALTER TABLE lint_orders VALIDATE CONSTRAINT lint_status_nn;
$b$);
SELECT * FROM pg_temp.lint(E'CREATE TABLE lint_new (a int);\nALTER TABLE lint_new ALTER COLUMN a SET NOT NULL');

-- L007 drop-table (also a table that does not exist now: an earlier revision may create it)
SELECT * FROM pg_temp.lint('DROP TABLE lint_orders, lint_nosuch');
-- safe: a table created earlier in the same body
SELECT * FROM pg_temp.lint(E'CREATE TABLE lint_tmp (a int);\nDROP TABLE lint_tmp');

-- L008 drop-column
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders DROP COLUMN note');
SELECT * FROM pg_temp.lint(E'CREATE TABLE lint_new (a int, b int);\nALTER TABLE lint_new DROP COLUMN b');

-- L009 rename-table, L010 rename-column
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders RENAME TO lint_purchases');
SELECT * FROM pg_temp.lint('ALTER TABLE lint_orders RENAME COLUMN note TO remark');
-- safe: renaming what the body created; other renames
SELECT * FROM pg_temp.lint($b$CREATE TABLE lint_new (a int);
ALTER TABLE lint_new RENAME COLUMN a TO b;
ALTER TABLE lint_new RENAME TO lint_newer;
CREATE INDEX ON lint_newer (b);
ALTER INDEX lint_orders_amount_idx RENAME TO lint_orders_amount_idx2$b$);

-- L011 enum-value-used-in-same-revision (an error: the revision cannot apply)
SELECT * FROM pg_temp.lint($b$
ALTER TYPE lint_mood ADD VALUE 'happy';
UPDATE lint_orders SET status = 'x' WHERE status = 'happy';
SELECT 'happy'::lint_mood;
$b$);
SELECT name, severity FROM pgmig.mig_lint($b$ALTER TYPE lint_mood ADD VALUE 'happy'; SELECT 'happy'::lint_mood;$b$);
-- safe: the constant before ADD VALUE, a neighbour in another ADD VALUE, a comment,
-- a value the type already has (IF NOT EXISTS is then a no-op), other constants
SELECT * FROM pg_temp.lint($b$
SELECT 'happy';
ALTER TYPE lint_mood ADD VALUE 'happy';
ALTER TYPE lint_mood ADD VALUE 'glad' AFTER 'happy';
COMMENT ON TYPE lint_mood IS 'happy';
ALTER TYPE lint_mood ADD VALUE IF NOT EXISTS 'ok';
SELECT 'ok'::lint_mood, 'sad'::lint_mood, 'happyish';
$b$);

-- L012 lock-access-exclusive (explicit or the default mode)
SELECT * FROM pg_temp.lint('LOCK TABLE lint_orders IN ACCESS EXCLUSIVE MODE');
SELECT * FROM pg_temp.lint('LOCK lint_orders, lint_customers');
-- safe: a weaker mode
SELECT * FROM pg_temp.lint('LOCK TABLE lint_orders IN SHARE ROW EXCLUSIVE MODE');

-- L013 foreign-key-type-mismatch: int -> bigint, varchar -> text; the referenced key from the
-- catalog or from a table created earlier in the body (even the table itself); the referencing
-- column from the catalog, the CREATE TABLE, or an ADD COLUMN earlier in the body
SELECT * FROM pg_temp.lint('CREATE TABLE lint_items (id int PRIMARY KEY, customer_id int REFERENCES lint_customers)');
SELECT * FROM pg_temp.lint('CREATE TABLE lint_items (code varchar(20), FOREIGN KEY (code) REFERENCES lint_customers (code))');
SELECT * FROM pg_temp.lint($b$
CREATE TABLE lint_a (id bigint PRIMARY KEY, parent int REFERENCES lint_a);
CREATE TABLE lint_b (id int PRIMARY KEY, a_id int);
ALTER TABLE lint_b ADD CONSTRAINT lint_b_a FOREIGN KEY (a_id) REFERENCES lint_a;
ALTER TABLE lint_orders ADD COLUMN a_id int, ADD CONSTRAINT lint_orders_a FOREIGN KEY (a_id) REFERENCES lint_a NOT VALID;
$b$);
-- safe: equal types, a domain over the same type, an unknown referenced table
SELECT * FROM pg_temp.lint($b$
CREATE TABLE lint_items (customer_id bigint REFERENCES lint_customers, buyer lint_id REFERENCES lint_customers (id),
                         code text REFERENCES lint_customers (code), order_id int REFERENCES lint_orders,
                         x int REFERENCES lint_nosuch);
$b$);

-- L014 insert-missing-not-null
SELECT * FROM pg_temp.lint($b$INSERT INTO lint_customers (id, email) VALUES (1, 'a@example.com')$b$);
SELECT * FROM pg_temp.lint('INSERT INTO lint_customers DEFAULT VALUES');
-- safe: every required column given (defaults, identity and generated columns may be left out),
-- no column list, a table created in the body
SELECT * FROM pg_temp.lint($b$INSERT INTO lint_customers (id, name) VALUES (1, 'a')$b$);
SELECT * FROM pg_temp.lint($b$INSERT INTO lint_customers VALUES (1, 'c', 'a')$b$);
SELECT * FROM pg_temp.lint($b$CREATE TABLE lint_new (a int NOT NULL, b int);
INSERT INTO lint_new (b) VALUES (1)$b$);

-- L015 object-already-exists: table, index, sequence, view, materialized view, enum, composite type, schema
SELECT * FROM pg_temp.lint($b$
CREATE TABLE lint_orders (id int);
CREATE INDEX lint_orders_amount_idx ON lint_customers (email);
CREATE SEQUENCE lint_seq;
CREATE VIEW lint_view AS SELECT 2 AS x;
CREATE MATERIALIZED VIEW lint_mview AS SELECT 2 AS x;
CREATE TYPE lint_mood AS ENUM ('x');
CREATE TYPE lint_pair AS (c text);
CREATE TYPE lint_orders AS ENUM ('x');
CREATE SCHEMA lint_app;
$b$);
-- the hint does not recommend IF NOT EXISTS blindly (L017 checks the shape)
SELECT rule, hint FROM pgmig.mig_lint('CREATE TABLE lint_orders (id int)');
-- safe: IF NOT EXISTS (of the same shape, see L017), OR REPLACE, new names, dropped earlier in the
-- body, a temporary table
SELECT * FROM pg_temp.lint($b$
CREATE TABLE IF NOT EXISTS lint_orders (id int PRIMARY KEY, customer_id bigint, amount int, note varchar(10), status text);
CREATE INDEX IF NOT EXISTS lint_orders_amount_idx ON lint_orders (amount);
CREATE SEQUENCE IF NOT EXISTS lint_seq;
CREATE OR REPLACE VIEW lint_view AS SELECT 1 AS x;
CREATE MATERIALIZED VIEW IF NOT EXISTS lint_mview AS SELECT 1 AS x;
CREATE SCHEMA IF NOT EXISTS lint_app;
CREATE TYPE lint_mood2 AS ENUM ('x');
-- pgmig-lint: ignore L007 replaced on purpose
DROP TABLE lint_customers;
CREATE TABLE lint_customers (id int);
CREATE TEMP TABLE lint_orders (id int);
$b$);

-- L017 if-not-exists-different-shape (an error: PostgreSQL skips the statement and the revision is
-- recorded as applied): other columns, types or NOT NULL; an index on other keys; a relation of
-- another kind; a materialized view with other columns; ADD COLUMN IF NOT EXISTS of another type
SELECT * FROM pg_temp.lint($b$
CREATE TABLE IF NOT EXISTS lint_orders (id int PRIMARY KEY, customer_id bigint, amount bigint, note varchar(10),
                                        status text NOT NULL, region text);
CREATE INDEX IF NOT EXISTS lint_orders_amount_idx ON lint_orders (amount, id);
CREATE SEQUENCE IF NOT EXISTS lint_view;
CREATE MATERIALIZED VIEW IF NOT EXISTS lint_mview AS SELECT 1 AS x, 2 AS y;
ALTER TABLE lint_customers ADD COLUMN IF NOT EXISTS email varchar(100);
$b$);
SELECT rule, name, severity, hint FROM pgmig.mig_lint('CREATE TABLE IF NOT EXISTS lint_orders (id int PRIMARY KEY)');
-- safe: the same shapes (IF NOT EXISTS adopting objects made by hand), a schema (no shape)
SELECT * FROM pg_temp.lint($b$
CREATE TABLE IF NOT EXISTS lint_orders (status text, note varchar(10), amount int, customer_id int8, id int PRIMARY KEY);
CREATE INDEX IF NOT EXISTS lint_orders_amount_idx ON lint_orders (amount);
CREATE SEQUENCE IF NOT EXISTS lint_seq;
CREATE MATERIALIZED VIEW IF NOT EXISTS lint_mview AS SELECT 2 AS x;
ALTER TABLE lint_customers ADD COLUMN IF NOT EXISTS email text, ADD COLUMN IF NOT EXISTS code text;
CREATE SCHEMA IF NOT EXISTS lint_app;
$b$);

-- L018 add-column-exists (an error: the revision fails with 42701): a column of the table, one
-- added earlier in the body
SELECT * FROM pg_temp.lint($b$
ALTER TABLE lint_orders ADD COLUMN note text;
ALTER TABLE lint_orders ADD COLUMN region text;
ALTER TABLE lint_orders ADD COLUMN region text;
$b$);
-- safe: a column dropped or renamed away first (L008 and L010 have their say)
SELECT * FROM pg_temp.lint($b$
ALTER TABLE lint_orders DROP COLUMN note, ADD COLUMN note text;
ALTER TABLE lint_orders RENAME COLUMN status TO status_old;
ALTER TABLE lint_orders ADD COLUMN status text;
$b$);

-- names are schema-qualified and quoted where SQL needs it
CREATE TABLE lint_app."Order Lines" (id int);
SELECT * FROM pg_temp.lint($b$DROP TABLE lint_app."Order Lines"$b$);

-- suppression: "-- pgmig-lint: ignore ..." covers the next statement after the comment (ids or
-- names, then a free-text reason); "ignore-file" the whole body.  A directive inside a string or
-- a block comment is not a comment line, and an unknown word ends the list of rules.
SELECT * FROM pg_temp.lint($b$
-- pgmig-lint: ignore L004 L007 built at night, table unused since v42
CREATE INDEX ON lint_orders (status);
CREATE INDEX ON lint_orders (note); -- pgmig-lint: ignore drop-table
DROP TABLE lint_orders;
SELECT '-- pgmig-lint: ignore L007';
DROP TABLE lint_orders;
/* -- pgmig-lint: ignore L007 */
DROP TABLE lint_orders;
-- pgmig-lint: ignore because L007
DROP TABLE lint_orders;
-- pgmig-lint: ignore L004
-- pgmig-lint: ignore L007
DROP TABLE lint_orders;
$b$);
SELECT * FROM pg_temp.lint($b$
ALTER TABLE lint_orders DROP COLUMN note;
ALTER TABLE lint_orders DROP COLUMN status;
LOCK lint_orders;
-- pgmig-lint: ignore-file L008, lock-access-exclusive: the table is retired in this release
$b$);

-- a body that does not parse: the upload's error, naming line and column; forbidden statements too
SELECT * FROM pgmig.mig_lint(E'CREATE TABLE lint_x (id int);\nALTER TABLE lint_x ADD COLUMN;');
SELECT * FROM pgmig.mig_lint(E'SELECT 1;\nCOMMIT;');

-- several findings: ordered by statement, then rule, with the body line of each statement
SELECT * FROM pgmig.mig_lint($b$
-- release 7
ALTER TABLE lint_orders
  DROP COLUMN note,
  ADD COLUMN region text NOT NULL,
  ADD COLUMN token uuid DEFAULT gen_random_uuid();

CREATE INDEX ON lint_orders (region);
/* bookkeeping */ INSERT INTO lint_customers (id) VALUES (7);
$b$);

-- lint runs nothing and takes no lock on the tables it reads
BEGIN;
SELECT count(*) AS findings FROM pgmig.mig_lint($b$
DROP TABLE lint_orders;
ALTER TABLE lint_customers ADD COLUMN q int NOT NULL;
INSERT INTO lint_customers (id) VALUES (1);
CREATE TABLE lint_z (a int REFERENCES lint_customers);
$b$);
SELECT count(*) AS locks_on_user_tables FROM pg_locks
 WHERE pid = pg_backend_pid() AND relation IN ('lint_orders'::regclass, 'lint_customers'::regclass);
COMMIT;
SELECT to_regclass('lint_orders') IS NOT NULL AS orders_still_there;

-- the catalog is read as the caller: a schema it may not use is treated as missing, not an error
CREATE TABLE lint_app.secret (a int);
CREATE ROLE lint_reader NOLOGIN IN ROLE pgmig_reader;
SET ROLE lint_reader;
SELECT * FROM pg_temp.lint($b$
CREATE INDEX ON lint_app.secret (a);
ALTER TABLE lint_app.secret ADD COLUMN b int NOT NULL DEFAULT lint_app.f();
CREATE TABLE lint_t (a lint_app.typ, b int REFERENCES lint_app.secret);
CREATE INDEX ON lint_orders (status);
$b$);
RESET ROLE;
DROP ROLE lint_reader;

-- Lint at upload, as the project's policy says.  'warn' (the default): a
-- WARNING per finding, the revision is stored; a finding of severity error
-- refuses the upload.
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text; hint text;
BEGIN
	EXECUTE sql;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
	RETURN st || ': ' || msg || E'\nHINT: ' || hint;
END $$;
-- the revision argument names the body in a parse error
SELECT pg_temp.try($$SELECT * FROM pgmig.mig_lint(E'SELECT 1;\nCREATE TABLE (;', 'r42')$$);
SELECT revision, action FROM pgmig.mig_upload('lu1', 'CREATE INDEX lint_orders_note ON lint_orders (status);');
SELECT pg_temp.try($$SELECT * FROM pgmig.mig_upload('lu2',
  $b$ALTER TYPE lint_mood ADD VALUE 'ecstatic';
INSERT INTO lint_orders (customer_id, status) VALUES (1, 'ecstatic');$b$, '{lu1}')$$);
SELECT count(*) AS stored FROM pgmig.revision WHERE revision = 'lu2';
-- a suppression comment accepts it
SELECT revision, action FROM pgmig.mig_upload('lu3', $b$-- pgmig-lint: ignore L004 small table, reviewed
CREATE INDEX lint_orders_note2 ON lint_orders (status);$b$, '{lu1}');
-- 'error': any finding refuses the upload, and nothing is written
SELECT * FROM pgmig.mig_set_policy(lint => 'error');
SELECT pg_temp.try($$SELECT * FROM pgmig.mig_upload('lu4', 'DROP TABLE lint_seq_owner;', '{lu3}')$$);
SELECT count(*) AS stored FROM pgmig.revision WHERE revision = 'lu4';
-- 'off': nothing is checked
SELECT * FROM pgmig.mig_set_policy(lint => 'off');
SELECT revision, action FROM pgmig.mig_upload('lu4', 'DROP TABLE lint_seq_owner;', '{lu3}');
SELECT pg_temp.try($$SELECT * FROM pgmig.mig_set_policy(lint => 'loud')$$);
SELECT * FROM pgmig.policy ORDER BY project;

RESET client_min_messages;
DROP TABLE lint_orders, lint_customers, lint_parted, lint_app.secret, lint_app."Order Lines";
DROP MATERIALIZED VIEW lint_mview;
DROP VIEW lint_view;
DROP SEQUENCE lint_seq;
DROP TYPE lint_mood, lint_pair;
DROP DOMAIN lint_id;
DROP FUNCTION lint_f(), lint_f(int);
DROP SCHEMA lint_app;
DROP EXTENSION pgmig;
