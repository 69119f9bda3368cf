-- fingerprint: the schema fingerprint, drift against it, baseline, and the
-- DDL audit (pgmig--0.2--0.3.sql, safety.cpp).
CREATE EXTENSION pgmig;
SET client_min_messages = warning;

-- try(sql): 'ok' or 'SQLSTATE: message'
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
	EXECUTE sql;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END $$;

-- An empty database: only the public schema, its grants and plpgsql.
SELECT * FROM pgmig.mig_fingerprint() ORDER BY kind, identity;

-- Every kind of object, as PostgreSQL itself prints it.
CREATE SCHEMA shop;
CREATE TYPE shop.status AS ENUM ('new', 'paid', 'shipped');
CREATE DOMAIN shop.price AS numeric(10, 2) NOT NULL CHECK (VALUE >= 0);
CREATE TYPE shop.money_pair AS (amount shop.price, currency text);
CREATE TABLE shop.customer (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE shop.orders (
	id bigserial,
	customer_id bigint NOT NULL REFERENCES shop.customer (id),
	status shop.status NOT NULL DEFAULT 'new',
	total shop.price,
	total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED,
	CONSTRAINT orders_total_check CHECK (total < 1000000) NOT VALID,
	PRIMARY KEY (id, status)
) PARTITION BY LIST (status);
CREATE TABLE shop.orders_open PARTITION OF shop.orders FOR VALUES IN ('new', 'paid');
CREATE INDEX orders_customer_idx ON shop.orders (customer_id);
CREATE VIEW shop.open_orders AS SELECT id, customer_id FROM shop.orders WHERE status = 'new';
CREATE MATERIALIZED VIEW shop.order_counts AS SELECT customer_id, count(*) AS n FROM shop.orders GROUP BY customer_id;
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RETURN NEW; END $f$;
CREATE TRIGGER customer_touch BEFORE UPDATE ON shop.customer FOR EACH ROW EXECUTE FUNCTION shop.touch();
ALTER TABLE shop.customer ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON shop.customer FOR SELECT TO pgmig_reader USING (email = current_user);
GRANT USAGE ON SCHEMA shop TO pgmig_reader;
GRANT SELECT ON shop.customer TO pgmig_reader;
SELECT * FROM pgmig.mig_fingerprint() WHERE identity LIKE '%shop%' ORDER BY kind, identity;

-- pgmig's own schema and objects that belong to an extension are left out
SELECT count(*) AS pgmig_objects FROM pgmig.mig_fingerprint() WHERE identity LIKE '%pgmig.%';

-- The digest is stable and changes with any definition.
SELECT pgmig.mig_fingerprint_digest() = pgmig.mig_fingerprint_digest() AS stable;
CREATE TEMP TABLE d AS SELECT pgmig.mig_fingerprint_digest() AS before;
ALTER TYPE shop.status ADD VALUE 'returned';
SELECT pgmig.mig_fingerprint_digest() <> before AS changed FROM d;
SELECT definition FROM pgmig.mig_fingerprint() WHERE kind = 'type' AND identity = 'shop.status';
-- temporary objects are not part of the schema
SELECT count(*) AS temp_objects FROM pgmig.mig_fingerprint() WHERE identity LIKE 'pg_temp%';

-- No fingerprint recorded yet: drift has nothing to compare with.
SELECT pg_temp.try('SELECT * FROM pgmig.mig_drift()');

-- Apply records the fingerprint with the call's last event.
SELECT count(*) FROM pgmig.mig_upload('f1', 'CREATE TABLE shop.item (id int PRIMARY KEY);', down => 'DROP TABLE shop.item;');
SELECT count(*) FROM pgmig.mig_upload('f2', 'ALTER TABLE shop.item ADD COLUMN name text;', '{f1}',
                                      down => 'ALTER TABLE shop.item DROP COLUMN name;');
SELECT revision FROM pgmig.mig_apply();
SELECT e.kind, e.revision, e.fingerprint IS NOT NULL AS fingerprinted, c.kind AS recorded_as,
       e.fingerprint = pgmig.mig_fingerprint_digest() AS digest_is_live
  FROM pgmig.event e LEFT JOIN pgmig.schema_change c USING (event_id)
 WHERE e.kind = 'apply' ORDER BY e.event_id;
-- the first fingerprint is the base: every object
SELECT kind, jsonb_array_length(changes) = (SELECT count(*) FROM pgmig.mig_fingerprint()) AS all_objects
  FROM pgmig.schema_change;
SELECT * FROM pgmig.mig_drift();

-- Drift: what changed outside pgmig, added, removed and changed.
CREATE TABLE shop.hotfix (id int);
DROP INDEX shop.orders_customer_idx;
ALTER TABLE shop.item ALTER COLUMN name SET NOT NULL;
SELECT * FROM pgmig.mig_drift();

-- A downgrade records its own change (the column it drops) and keeps the
-- drift found before: pgmig's snapshot is the previous one plus what the
-- call itself changed, not whatever the schema happens to be.
SELECT revision FROM pgmig.mig_downgrade('f1');
SELECT change, kind, identity FROM pgmig.mig_drift();
-- its row holds only what it changed itself
SELECT c.kind, x.kind, x.identity, x.definition
  FROM pgmig.schema_change c, jsonb_to_recordset(c.changes) AS x(kind text, identity text, definition text)
 WHERE c.event_id = (SELECT max(event_id) FROM pgmig.schema_change);

-- With pgmig.fingerprint off, calls record nothing (the client's mode for
-- its one-revision calls); drift says so, and mig_snapshot at the end of
-- the session records what the session's calls changed, keeping the drift.
SET pgmig.fingerprint = off;
SELECT revision FROM pgmig.mig_apply();
SELECT fingerprint IS NULL AS not_fingerprinted FROM pgmig.event WHERE kind = 'apply' ORDER BY event_id DESC LIMIT 1;
SET client_min_messages = notice;
SELECT change, kind, identity FROM pgmig.mig_drift();
SET client_min_messages = warning;
RESET pgmig.fingerprint;
SELECT objects > 0 AS recorded, digest = pgmig.mig_fingerprint_digest() AS is_live FROM pgmig.mig_snapshot();
SELECT kind, fingerprint IS NOT NULL AS fingerprinted FROM pgmig.event ORDER BY event_id DESC LIMIT 1;
SELECT * FROM pgmig.mig_drift();

-- In a session that changed nothing, mig_snapshot accepts the live schema:
-- the way to acknowledge drift once it has been dealt with.
\c
SET client_min_messages = warning;
SELECT digest = pgmig.mig_fingerprint_digest() AS is_live FROM pgmig.mig_snapshot();
SELECT * FROM pgmig.mig_drift();

-- A client run names itself in every transaction (pgmig.run_id): the schema
-- before its first change is kept in pgmig.run_base, not in the backend, so
-- its calls and its closing mig_snapshot may each reach another server
-- connection (a transaction pooler, simulated here with \c) and the
-- snapshot still records what changed since the run began, not whatever
-- the schema is (drift made before the run stays drift).  What is changed by
-- hand while a run is under way is recorded as the run's, as before.
CREATE TABLE shop.by_hand_before (id int);
SELECT count(*) FROM pgmig.mig_upload('run1', 'CREATE TABLE shop.run1 (id int);', project => 'runs');
SELECT count(*) FROM pgmig.mig_upload('run2', 'CREATE TABLE shop.run2 (id int);', '{run1}', project => 'runs');
SELECT count(*) FROM pgmig.mig_upload('run3', 'CREATE TABLE shop.run3 (id int);', '{run2}', project => 'runs');
SELECT count(*) FROM pgmig.mig_upload('run4', 'CREATE TABLE shop.run4 (id int);', '{run3}', project => 'runs');
BEGIN;
SELECT set_config('pgmig.fingerprint', 'off', true), set_config('pgmig.run_id', 'run-a', true);
SELECT revision FROM pgmig.mig_apply('run1', 'runs');
SELECT run_id, jsonb_array_length(objects) > 0 AS has_objects FROM pgmig.run_base;
COMMIT;
-- a call that rolls back leaves no note of its own
BEGIN;
SELECT set_config('pgmig.fingerprint', 'off', true), set_config('pgmig.run_id', 'run-b', true);
SELECT revision FROM pgmig.mig_apply('run2', 'runs');
ROLLBACK;
SELECT run_id FROM pgmig.run_base;
\c
SET client_min_messages = warning;
BEGIN;
SELECT set_config('pgmig.fingerprint', 'off', true), set_config('pgmig.run_id', 'run-a', true);
SELECT revision FROM pgmig.mig_apply('run2', 'runs');
COMMIT;
\c
SET client_min_messages = warning;
BEGIN;
SELECT set_config('pgmig.fingerprint', 'off', true), set_config('pgmig.run_id', 'run-a', true);
SELECT objects > 0 AS recorded, digest = pgmig.mig_fingerprint_digest() AS is_live FROM pgmig.mig_snapshot('runs');
COMMIT;
SELECT count(*) AS notes_left FROM pgmig.run_base;
-- a run id longer than the primary key can hold is refused when it is set
SELECT set_config('pgmig.run_id', repeat('x', 65), false);
-- the snapshot holds the run's two tables; the table made by hand is drift
SELECT x.identity, x.definition IS NOT NULL AS present
  FROM pgmig.schema_change c, jsonb_to_recordset(c.changes) AS x(kind text, identity text, definition text)
 WHERE c.event_id = (SELECT max(event_id) FROM pgmig.schema_change) ORDER BY 1;
SELECT change, kind, identity FROM pgmig.mig_drift();
-- a run's snapshot with no note records nothing: it never accepts drift
BEGIN;
SELECT set_config('pgmig.fingerprint', 'off', true), set_config('pgmig.run_id', 'run-c', true);
SELECT objects > 0 AS recorded FROM pgmig.mig_snapshot('runs');
COMMIT;
SELECT change, kind, identity FROM pgmig.mig_drift();
-- a note left by a run that never ended (a killed client) is deleted by the
-- first note of a later run once it is a day old
BEGIN;
SELECT set_config('pgmig.fingerprint', 'off', true), set_config('pgmig.run_id', 'run-killed', true);
SELECT revision FROM pgmig.mig_apply('run3', 'runs');
COMMIT;
UPDATE pgmig.run_base SET taken_at = taken_at - interval '25 hours';
SELECT run_id FROM pgmig.run_base;
BEGIN;
SELECT set_config('pgmig.fingerprint', 'off', true), set_config('pgmig.run_id', 'run-d', true);
SELECT revision FROM pgmig.mig_apply('run4', 'runs');
SELECT run_id FROM pgmig.run_base;
SELECT objects > 0 AS recorded FROM pgmig.mig_snapshot('runs');
COMMIT;
SELECT count(*) AS notes_left FROM pgmig.run_base;
SELECT change, kind, identity FROM pgmig.mig_drift();
DROP TABLE shop.by_hand_before;
SET client_min_messages = notice;
SELECT change, kind, identity FROM pgmig.mig_drift();
-- the killed run's change is drift until a snapshot accepts it
\c
SET client_min_messages = warning;
SELECT objects > 0 AS recorded FROM pgmig.mig_snapshot('runs');
SELECT * FROM pgmig.mig_drift();
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
	EXECUTE sql;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END $$;

-- Baseline: only on a project with nothing applied.
SELECT pg_temp.try($$SELECT * FROM pgmig.mig_baseline('f2')$$);
SELECT count(*) FROM pgmig.mig_upload('legacy1', 'CREATE TABLE shop.legacy (id int);', project => 'legacy');
SELECT count(*) FROM pgmig.mig_upload('legacy2', 'CREATE INDEX legacy_id ON shop.legacy (id);', '{legacy1}',
                                      project => 'legacy');
CREATE TABLE shop.legacy (id int);
CREATE INDEX legacy_id ON shop.legacy (id);
SELECT revision, digest = pgmig.mig_fingerprint_digest() AS digest_is_live, objects > 0 AS has_objects
  FROM pgmig.mig_baseline('legacy2', 'legacy');
SELECT revision, how FROM pgmig.applied WHERE project = 'legacy' ORDER BY revision;
SELECT kind, target, fingerprint IS NOT NULL AS fingerprinted FROM pgmig.event WHERE project = 'legacy' AND kind = 'baseline';
SELECT * FROM pgmig.mig_drift();
SELECT pg_temp.try($$SELECT * FROM pgmig.mig_baseline('legacy2', 'legacy')$$);

-- The audit: off by default; on, it logs DDL run outside pgmig (not the
-- DDL of bodies, nor of extension scripts, nor temporary objects).
CREATE TABLE shop.not_logged (id int);
SELECT count(*) AS logged FROM pgmig.ddl_log;
SELECT pgmig.mig_audit_enable();
CREATE TABLE shop.manual (id int);
ALTER TABLE shop.manual ADD COLUMN note text;
CREATE TEMP TABLE scratch (id int);
DROP TABLE shop.manual;
SELECT count(*) FROM pgmig.mig_upload('f3', 'CREATE TABLE shop.by_pgmig (id int);', '{f2}');
SELECT revision FROM pgmig.mig_apply();
SELECT command_tag, object_type, object_identity, role_name = current_user AS by_me, statement
  FROM pgmig.ddl_log ORDER BY log_id;
SELECT pgmig.mig_audit_disable();
CREATE TABLE shop.after_disable (id int);
SELECT count(*) AS logged FROM pgmig.ddl_log;

-- Privileges: readers see drift and the log (without the statements' text),
-- deployers snapshot and read the text, admins baseline and switch the audit.
CREATE ROLE fp_reader IN ROLE pgmig_reader;
CREATE ROLE fp_deployer IN ROLE pgmig_deployer;
SET ROLE fp_reader;
SELECT count(*) >= 0 AS can_drift FROM pgmig.mig_drift();
SELECT count(*) >= 0 AS can_read_log FROM pgmig.ddl_log;
SELECT count(*) >= 0 AS can_read_what_ran FROM pgmig.ddl_log WHERE command_tag = 'CREATE TABLE';
-- but not the statements' text, which may hold secrets (as bodies may)
SELECT pg_temp.try('SELECT statement FROM pgmig.ddl_log');
SELECT pg_temp.try('SELECT pgmig.mig_snapshot()');
RESET ROLE;
SET ROLE fp_deployer;
SELECT objects > 0 AS snapshot FROM pgmig.mig_snapshot();
SELECT count(statement) > 0 AS deployer_reads_statements FROM pgmig.ddl_log;
SELECT pg_temp.try('SELECT pgmig.mig_audit_enable()');
SELECT pg_temp.try($$SELECT * FROM pgmig.mig_baseline('x')$$);
RESET ROLE;
DROP ROLE fp_reader, fp_deployer;

DROP EXTENSION pgmig;
DROP SCHEMA shop CASCADE;
