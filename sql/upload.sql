-- upload: parsing with the server's parser, validation, checksums, batches.
-- Every rejected upload writes nothing: the catalog fingerprint below is
-- compared before and after.
CREATE EXTENSION pgmig;

-- try(sql): 'ok' or 'SQLSTATE: message' (the detail follows on demand)
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; msg text;
BEGIN
	EXECUTE sql;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END $$;
CREATE FUNCTION pg_temp.fingerprint() RETURNS text LANGUAGE sql AS $$
	SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r.project, r.revision), '')) ||
	       (SELECT count(*) FROM pgmig.event)::text
	  FROM (SELECT project, revision, parents, depends_on, up_body, down_body, checksum FROM pgmig.revision) r
$$;

-- a root and a child; the result says what was stored
SELECT * FROM pgmig.mig_upload('u1', 'CREATE TABLE up_a (id int PRIMARY KEY);', down => 'DROP TABLE up_a;',
                               message => 'first');
SELECT * FROM pgmig.mig_upload('u2', $b$
-- a comment first
CREATE TABLE up_b (id int PRIMARY KEY, a int REFERENCES up_a);
INSERT INTO up_b VALUES (1, NULL);
$b$, parents => '{u1}', down => 'DROP TABLE up_b;');
SELECT revision, parents, transactional, up_statements, down_statements, uploaded_by, message
  FROM pgmig.revision ORDER BY upload_seq;

-- the same upload again is a no-op; so are line-ending and trailing-blank changes
SELECT action FROM pgmig.mig_upload('u1', 'CREATE TABLE up_a (id int PRIMARY KEY);', down => 'DROP TABLE up_a;',
                                    message => 'first');
SELECT action, checksum = (SELECT checksum FROM pgmig.revision WHERE revision = 'u1') AS same_checksum
  FROM pgmig.mig_upload('u1', E'CREATE TABLE up_a (id int PRIMARY KEY);  \r\n\r\n', down => 'DROP TABLE up_a;',
                        message => 'first');

-- a different body for a stored revision that is not applied: refused unless replace => true
SELECT pg_temp.fingerprint() AS before \gset
SELECT * FROM pgmig.mig_upload('u2', 'CREATE TABLE up_b (id bigint);', parents => '{u1}');
SELECT pg_temp.fingerprint() = :'before' AS nothing_written;
SELECT action, transactional FROM pgmig.mig_upload('u2', 'CREATE TABLE up_b (id bigint);', parents => '{u1}',
                                                   down => 'DROP TABLE up_b;', replace => true);
SELECT up_body FROM pgmig.revision WHERE revision = 'u2';

-- once applied, a revision never changes, not even with replace => true
SELECT revision FROM pgmig.mig_apply('u1');
SELECT pg_temp.fingerprint() AS before \gset
SELECT * FROM pgmig.mig_upload('u1', 'CREATE TABLE up_a (id bigint PRIMARY KEY);', down => 'DROP TABLE up_a;',
                               replace => true);
SELECT * FROM pgmig.mig_upload('u1', 'CREATE TABLE up_a (id int PRIMARY KEY);', down => 'DROP TABLE up_a CASCADE;',
                               message => 'first');
SELECT pg_temp.fingerprint() = :'before' AS nothing_written;

-- syntax errors name the revision, line and column, from the server's parser
SELECT * FROM pgmig.mig_upload('bad1', $b$CREATE TABLE ok1 (id int);
CREATE TYPE IF NOT EXISTS mood AS ENUM ('sad', 'ok');
$b$, parents => '{u1}');
SELECT * FROM pgmig.mig_upload('bad2', 'SELECT 1;', parents => '{u1}', down => E'DROP TABLE x;\n\nDROPP TABLE y;');
SELECT * FROM pgmig.mig_upload('bad3', E'-- déjà vu\nSELECT ''é'', 1 +;', parents => '{u1}');

-- psql meta-commands, transaction control, COPY from the client, role changes, out-of-scope statements
\set VERBOSITY terse
SELECT pg_temp.fingerprint() AS before \gset
SELECT case_name, pg_temp.try(format('SELECT pgmig.mig_upload(%L, %L, parents => ''{u1}'')', 'bad_' || case_name, body))
  FROM (VALUES
	('meta_i',        E'CREATE TABLE m1 (id int);\n\\i other.sql'),
	('meta_gexec',    E'SELECT 1\n\\gexec'),
	('begin',         E'BEGIN;\nCREATE TABLE m2 (id int);\nCOMMIT;'),
	('savepoint',     'SAVEPOINT s1;'),
	('rollback',      'ROLLBACK;'),
	('prepare_xact',  'PREPARE TRANSACTION ''x'';'),
	('set_xact',      'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;'),
	('copy_stdin',    'COPY up_a FROM STDIN;'),
	('copy_stdout',   'COPY up_a TO STDOUT;'),
	('set_role',      'SET ROLE postgres;'),
	('set_session',   'SET SESSION AUTHORIZATION postgres;'),
	('alter_system',  'ALTER SYSTEM SET work_mem = ''1MB'';'),
	('create_db',     'CREATE DATABASE other;'),
	('drop_db',       'DROP DATABASE other;'),
	('tablespace',    'CREATE TABLESPACE ts LOCATION ''/tmp'';'),
	('subscription',  'CREATE SUBSCRIPTION s CONNECTION ''dbname=x'' PUBLICATION p;'),
	('discard_all',   'DISCARD ALL;'),
	('empty',         E'-- nothing here\n/* nor here */\n;;'),
	('blank',         '   '),
	('mixed_cic',     E'CREATE TABLE m3 (id int);\nCREATE INDEX CONCURRENTLY m3_i ON m3 (id);'),
	('mixed_vacuum',  E'VACUUM up_a;\nANALYZE up_a;'),
	('two_nontx',     E'CREATE INDEX CONCURRENTLY a1 ON up_a (id);\nCREATE INDEX CONCURRENTLY a2 ON up_a (id);')
  ) AS t(case_name, body);
SELECT pg_temp.fingerprint() = :'before' AS nothing_written;
\set VERBOSITY default

-- one error shown in full: message, detail, hint
SELECT * FROM pgmig.mig_upload('bad_mixed', E'CREATE TABLE m3 (id int);\nCREATE INDEX CONCURRENTLY m3_i ON m3 (id);',
                               parents => '{u1}');
-- the same in a down body: its hint cannot say "a revision of its own"
SELECT * FROM pgmig.mig_upload('bad_mixed_down', 'CREATE TABLE m4 (id int);', parents => '{u1}',
                               down => E'DROP INDEX CONCURRENTLY m4_i;\nDROP TABLE m4;');
SELECT * FROM pgmig.mig_upload('bad_mixed_down', 'CREATE TABLE m4 (id int);', parents => '{u1}',
                               down => E'VACUUM m4;\nDROP TABLE m4;');

-- exactly one non-transactional statement: accepted, marked non-transactional
SELECT revision, action, transactional FROM pgmig.mig_upload_batch($j$[
  {"revision": "nt_cic",    "parents": ["u2"], "up": "CREATE INDEX CONCURRENTLY up_b_id ON up_b (id);",
   "down": "DROP INDEX CONCURRENTLY up_b_id;"},
  {"revision": "nt_reindex", "parents": ["nt_cic"], "up": "REINDEX INDEX CONCURRENTLY up_b_id;"},
  {"revision": "nt_vacuum", "parents": ["nt_reindex"], "up": "VACUUM (ANALYZE) up_b;"},
  {"revision": "nt_detach", "parents": ["nt_vacuum"], "up": "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;"},
  {"revision": "tx_analyze", "parents": ["nt_detach"], "up": "ANALYZE up_b; CLUSTER up_b USING up_b_pkey;"}
]$j$);
SELECT revision, transactional, down_transactional FROM pgmig.revision WHERE revision LIKE 'nt\_%' ORDER BY upload_seq;

-- revision ids: 1..128 characters, [A-Za-z0-9][A-Za-z0-9_.-]*, not head/heads/base
\set VERBOSITY terse
SELECT pg_temp.fingerprint() AS before \gset
SELECT id, pg_temp.try(format('SELECT pgmig.mig_upload(%L, ''SELECT 1'')', id))
  FROM (VALUES (''), ('-x'), ('_x'), ('a b'), ('a@head'), ('a/b'), ('é'), ('head'), ('HEADS'), ('base'), ('+1'),
               (repeat('x', 129))) AS t(id);
SELECT pg_temp.try('SELECT pgmig.mig_upload(NULL, ''SELECT 1'')') AS null_id,
       pg_temp.try('SELECT pgmig.mig_upload(''n1'', NULL)') AS null_body,
       pg_temp.try('SELECT pgmig.mig_upload(''n1'', ''SELECT 1'', parents => ARRAY[NULL]::text[])') AS null_parent;
SELECT pg_temp.fingerprint() = :'before' AS nothing_written;
SELECT action FROM pgmig.mig_upload(repeat('x', 128), 'SELECT 1', parents => '{u1}');
\set VERBOSITY default

-- the graph: unknown parent or dependency, self-parent, cycles, duplicates, labels
SELECT pg_temp.fingerprint() AS before \gset
SELECT * FROM pgmig.mig_upload('g1', 'SELECT 1', parents => '{nope}');
SELECT * FROM pgmig.mig_upload('g1', 'SELECT 1', parents => '{u1}', depends_on => '{missing}');
SELECT * FROM pgmig.mig_upload('g1', 'SELECT 1', parents => '{g1}');
SELECT * FROM pgmig.mig_upload('g1', 'SELECT 1', parents => '{u1,u1}');
SELECT * FROM pgmig.mig_upload_batch($j$[
  {"revision": "c1", "up": "SELECT 1", "parents": ["c3"]},
  {"revision": "c2", "up": "SELECT 2", "parents": ["c1"]},
  {"revision": "c3", "up": "SELECT 3", "parents": ["c2"]},
  {"revision": "c4", "up": "SELECT 4", "parents": ["zz"]}
]$j$);
SELECT * FROM pgmig.mig_upload_batch($j$[
  {"revision": "d1", "up": "SELECT 1", "parents": ["u1"]},
  {"revision": "d1", "up": "SELECT 2", "parents": ["u1"]}
]$j$);
SELECT * FROM pgmig.mig_upload('l1', 'SELECT 1', parents => '{u1}', branch_labels => '{u2}');
-- a problem anywhere in a batch rejects all of it
SELECT * FROM pgmig.mig_upload_batch($j$[
  {"revision": "ok1", "up": "SELECT 1", "parents": ["u1"]},
  {"revision": "ok2", "up": "SELEC 2", "parents": ["ok1"]}
]$j$);
-- malformed batches
SELECT * FROM pgmig.mig_upload_batch('{"revision": "x"}');
SELECT * FROM pgmig.mig_upload_batch('[{"revision": "x", "up": "SELECT 1", "parent": ["u1"]}]');
SELECT * FROM pgmig.mig_upload_batch('[{"up": "SELECT 1"}]');
SELECT * FROM pgmig.mig_upload_batch('[1]');
-- values of the wrong JSON type are refused before anything is converted
SELECT * FROM pgmig.mig_upload_batch('[{"revision": "x", "up": "SELECT 1", "parents": "u1"}]');
SELECT * FROM pgmig.mig_upload_batch('[{"revision": "x", "up": {"sql": "SELECT 1"}}]');
SELECT * FROM pgmig.mig_upload_batch('[{"revision": 7, "up": "SELECT 1"}]');
SELECT * FROM pgmig.mig_upload_batch('[{"revision": "ok1", "up": "SELECT 1", "parents": ["u1"]},
                                       {"revision": "ok2", "up": "SELECT 1", "depends_on": [null]}]');
SELECT * FROM pgmig.mig_upload_batch('[{"revision": "x", "up": "SELECT 1", "branch_labels": [1]}]');
SELECT pg_temp.fingerprint() = :'before' AS nothing_written;

-- a batch records the role that uploaded it, like a single upload
CREATE ROLE up_dev NOLOGIN IN ROLE pgmig_deployer;
SET ROLE up_dev;
SELECT revision, action FROM pgmig.mig_upload_batch('[{"revision": "by_dev", "up": "SELECT 1", "parents": ["u1"], "down": null}]');
RESET ROLE;
SELECT revision, uploaded_by FROM pgmig.revision WHERE revision = 'by_dev';

-- thousands of revisions in one call and one transaction, validated as a whole
SELECT count(*) AS uploaded, count(*) FILTER (WHERE action = 'inserted') AS inserted
  FROM pgmig.mig_upload_batch((
	SELECT jsonb_agg(jsonb_build_object('revision', 'big' || i,
	                                    'parents', CASE WHEN i = 1 THEN '[]'::jsonb ELSE jsonb_build_array('big' || (i - 1)) END,
	                                    'up', format('CREATE TABLE big_%s (id int);', i),
	                                    'down', format('DROP TABLE big_%s;', i)) ORDER BY i)
	  FROM generate_series(1, 3000) i), project => 'bulk');
SELECT count(*) FROM pgmig.revision WHERE project = 'bulk';
-- and uploading the same batch again changes nothing
SELECT count(*) FILTER (WHERE action = 'unchanged') AS unchanged
  FROM pgmig.mig_upload_batch((
	SELECT jsonb_agg(jsonb_build_object('revision', 'big' || i,
	                                    'parents', CASE WHEN i = 1 THEN '[]'::jsonb ELSE jsonb_build_array('big' || (i - 1)) END,
	                                    'up', format('CREATE TABLE big_%s (id int);', i),
	                                    'down', format('DROP TABLE big_%s;', i)) ORDER BY i)
	  FROM generate_series(1, 3000) i), project => 'bulk');

-- upload events
SELECT kind, count(*) FROM pgmig.event GROUP BY kind ORDER BY kind;

DROP EXTENSION pgmig;
DROP TABLE up_a;
DROP ROLE up_dev;
