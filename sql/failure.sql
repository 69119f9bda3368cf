-- failure rollback: the first failing statement rolls the whole call back,
-- nothing is recorded, and the error names the revision, the line, and keeps
-- PostgreSQL's own SQLSTATE, message, detail and hint.
CREATE EXTENSION pgmig;
CREATE TABLE fl_log (rev text);

SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "f1", "up": "CREATE TABLE fl_a (id int PRIMARY KEY); INSERT INTO fl_log VALUES ('f1');"},
  {"revision": "f2", "parents": ["f1"], "up": "CREATE TABLE fl_b (id int);\nINSERT INTO fl_log VALUES ('f2');\n\n-- the third statement fails\nINSERT INTO fl_a VALUES (1), (1);\nCREATE TABLE fl_c (id int);"},
  {"revision": "f3", "parents": ["f2"], "up": "CREATE TABLE fl_d (id int);"}
]$j$);

SELECT revision FROM pgmig.mig_apply();
-- nothing of f1 or f2 survived, nothing recorded
SELECT count(*) AS log_rows FROM fl_log;
SELECT count(*) AS tables FROM pg_tables WHERE tablename LIKE 'fl\_%' AND tablename <> 'fl_log';
SELECT count(*) AS applied FROM pgmig.applied;
SELECT count(*) AS apply_events FROM pgmig.event WHERE kind = 'apply';

-- the SQLSTATE and PostgreSQL's fields come through unchanged
CREATE FUNCTION pg_temp.fields(sql text) RETURNS TABLE (field text, value text) LANGUAGE plpgsql AS $$
DECLARE st text; msg text; det text; hnt text; tab text; con text;
BEGIN
	EXECUTE sql;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
	                        hnt = PG_EXCEPTION_HINT, tab = TABLE_NAME, con = CONSTRAINT_NAME;
	RETURN QUERY VALUES ('sqlstate', st), ('message', msg), ('detail', det), ('hint', hnt), ('table', tab),
	                    ('constraint', con);
END $$;
SET client_min_messages = warning;
SELECT * FROM pg_temp.fields('SELECT pgmig.mig_apply()');
RESET client_min_messages;

-- errors raised by PostgreSQL with a HINT keep it
SELECT revision FROM pgmig.mig_upload('h1', E'SELECT 1;\nSELECT fl_no_such_function(1);', parents => '{f3}');
SELECT revision FROM pgmig.mig_stamp('f3');
SELECT revision FROM pgmig.mig_apply('h1');
SELECT revision FROM pgmig.mig_stamp('base');

-- a failing revision in the middle of many: the earlier ones are rolled back too
SELECT count(*) FROM pgmig.mig_upload_batch((
	SELECT jsonb_agg(jsonb_build_object('revision', 'k' || i, 'parents',
	       CASE WHEN i = 1 THEN '[]'::jsonb ELSE jsonb_build_array('k' || (i - 1)) END,
	       'up', CASE WHEN i = 37 THEN 'SELECT 1/0;' ELSE format('CREATE TABLE fl_k%s (id int);', i) END) ORDER BY i)
	  FROM generate_series(1, 50) i), project => 'many');
\set VERBOSITY terse
SET client_min_messages = warning;
SELECT count(*) FROM pgmig.mig_apply(project => 'many');
RESET client_min_messages;
\set VERBOSITY default
SELECT count(*) AS k_tables FROM pg_tables WHERE tablename LIKE 'fl\_k%';
SELECT count(*) AS applied FROM pgmig.applied WHERE project = 'many';

-- atomic => false: the revisions before the failure stay (the caller commits
-- them), the failure is recorded in the history with its SQLSTATE, and the
-- rest of the plan is not run
\set VERBOSITY terse
SET client_min_messages = warning;
SELECT count(*) AS applied_now FROM pgmig.mig_apply(project => 'many', atomic => false);
RESET client_min_messages;
\set VERBOSITY default
SELECT count(*) AS applied FROM pgmig.applied WHERE project = 'many';
SELECT kind, revision, sqlstate, message FROM pgmig.mig_history('many') WHERE kind = 'failure';
SELECT count(*) AS k_tables FROM pg_tables WHERE tablename LIKE 'fl\_k%';

DROP EXTENSION pgmig;
SELECT string_agg(format('DROP TABLE %I;', tablename), ' ') AS drops FROM pg_tables WHERE tablename LIKE 'fl\_k%' \gset
:drops
DROP TABLE fl_log;
