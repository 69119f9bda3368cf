-- errors: tampering, NULL arguments, the documented SQLSTATEs (docs/errors.md)
CREATE EXTENSION pgmig;
\set VERBOSITY terse
CREATE FUNCTION pg_temp.state(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text;
BEGIN
	EXECUTE sql;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
	RETURN st;
END $$;

SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "e1", "up": "CREATE TABLE er_a (id int);", "down": "DROP TABLE er_a;"},
  {"revision": "e2", "parents": ["e1"], "up": "CREATE TABLE er_b (id int);"},
  {"revision": "e3", "parents": ["e1"], "up": "CREATE TABLE er_c (id int);", "down": "DROP TABLE er_c;"}
]$j$);

-- a body changed behind pgmig's back (trigger disabled by a superuser) is refused at apply
ALTER TABLE pgmig.revision DISABLE TRIGGER revision_immutable;
UPDATE pgmig.revision SET up_body = 'CREATE TABLE er_a (id int); DROP TABLE important;' WHERE revision = 'e1';
ALTER TABLE pgmig.revision ENABLE TRIGGER revision_immutable;
SELECT * FROM pgmig.mig_apply('e1');
ALTER TABLE pgmig.revision DISABLE TRIGGER revision_immutable;
UPDATE pgmig.revision SET up_body = 'CREATE TABLE er_a (id int);' WHERE revision = 'e1';
ALTER TABLE pgmig.revision ENABLE TRIGGER revision_immutable;

-- the SQLSTATE of each class of error
SELECT what, pg_temp.state(sql) AS sqlstate FROM (VALUES
	('unknown revision (parent)',   $$SELECT pgmig.mig_upload('x1', 'SELECT 1', parents => '{nope}')$$),
	('unknown target',              $$SELECT pgmig.mig_apply('nope')$$),
	('ambiguous prefix',            $$SELECT pgmig.mig_apply('e')$$),
	('multiple heads',              $$SELECT pgmig.mig_apply('head')$$),
	('cycle',                       $$SELECT pgmig.mig_upload_batch('[{"revision":"y1","up":"SELECT 1","parents":["y2"]},{"revision":"y2","up":"SELECT 1","parents":["y1"]}]')$$),
	('duplicate in batch',          $$SELECT pgmig.mig_upload_batch('[{"revision":"y1","up":"SELECT 1"},{"revision":"y1","up":"SELECT 1"}]')$$),
	('self parent',                 $$SELECT pgmig.mig_upload('y3', 'SELECT 1', parents => '{y3}')$$),
	('relative out of range',       $$SELECT pgmig.mig_downgrade('-1')$$),
	('empty body',                  $$SELECT pgmig.mig_upload('y4', '-- nothing')$$),
	('forbidden statement',         $$SELECT pgmig.mig_upload('y4', 'COMMIT')$$),
	('mixed non-transactional',     $$SELECT pgmig.mig_upload('y4', 'VACUUM; SELECT 1')$$),
	('psql meta-command',           $$SELECT pgmig.mig_upload('y4', '\i x.sql')$$),
	('syntax error',                $$SELECT pgmig.mig_upload('y4', 'SELEC 1')$$),
	('invalid revision id',         $$SELECT pgmig.mig_upload('y 4', 'SELECT 1')$$),
	('invalid project',             $$SELECT pgmig.mig_heads('a b')$$),
	('NULL argument',               $$SELECT pgmig.mig_apply(NULL)$$),
	('exists, different body',      $$SELECT pgmig.mig_upload('e2', 'SELECT 2', parents => '{e1}')$$),
	('irreversible',                $$SELECT pgmig.mig_stamp('e2'); SELECT pgmig.mig_downgrade('base')$$),
	('non-transactional pending',   $$SELECT pgmig.mig_upload('n1', 'VACUUM', parents => '{e3}'); SELECT pgmig.mig_apply('n1')$$),
	('immutable revision',          $$UPDATE pgmig.revision SET message = 'x'$$),
	('append-only event log',       $$DELETE FROM pgmig.event$$)
) AS t(what, sql);

-- applied and changed: PM021; the isolation-level refusal: PM032
SELECT revision FROM pgmig.mig_stamp('e1');
SELECT pg_temp.state($$SELECT pgmig.mig_upload('e1', 'CREATE TABLE er_a (id bigint);', down => 'DROP TABLE er_a;')$$) AS applied_changed;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT pg_temp.state($$SELECT pgmig.mig_apply()$$) AS repeatable_read;
ROLLBACK;

DROP EXTENSION pgmig;
