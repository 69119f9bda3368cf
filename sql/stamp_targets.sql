-- stamp_targets: mig_upload_batch does not lint the revisions its caller
-- stamps in the same transaction (the targets and their ancestors); the
-- commit fails (PM025) unless each of them is then applied by a stamp.
-- Revisions of the batch the stamp does not cover are linted as before.
CREATE EXTENSION pgmig;
SET client_min_messages = warning;

-- the database being adopted already has the objects of r1..r3
CREATE TABLE st_a (id int);
CREATE TABLE st_b (id int);
CREATE TABLE st_c (id int);
CREATE FUNCTION pg_temp.batch() RETURNS jsonb LANGUAGE sql AS $$ SELECT $j$[
  {"revision": "r1", "up": "CREATE TABLE st_a (id int);"},
  {"revision": "r2", "parents": ["r1"], "up": "CREATE TABLE st_b (id int);"},
  {"revision": "r3", "parents": ["r2"], "up": "CREATE TABLE st_c (id int);"},
  {"revision": "r4", "parents": ["r3"], "up": "CREATE INDEX st_c_id ON st_c (id);"}
]$j$::jsonb $$;

-- without stamp_targets every new body is linted: L015 for r1..r3, L004 for r4
BEGIN;
SELECT revision, action FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_plain');
ROLLBACK;

-- with them, r1..r3 (r3 and its ancestors) are not linted; r4 is
BEGIN;
SELECT revision, action FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_warn', stamp_targets => '{r3}');
SELECT revision FROM pgmig.mig_baseline('r3', 'st_warn');
COMMIT;
SELECT revision, how FROM pgmig.applied WHERE project = 'st_warn' ORDER BY revision;
-- the history says which bodies were not linted, and why
SELECT kind, revision, message FROM pgmig.mig_history('st_warn') WHERE kind = 'upload' ORDER BY event_id;

-- targets resolve as the stamp resolves them, in the uploaded graph:
-- several targets, head; what they do not cover (r3, r4) is linted
BEGIN;
SELECT revision, action FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_forms', stamp_targets => '{r2, r1}');
SELECT revision, action FROM pgmig.mig_stamp(ARRAY['r2', 'r1'], 'st_forms');
COMMIT;
BEGIN;
SELECT revision, action FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_head', stamp_targets => '{head}');
SELECT revision, action FROM pgmig.mig_stamp('head', 'st_head');
COMMIT;

-- policy 'error': the adoption succeeds, while r4 alone is refused ...
SELECT * FROM pgmig.mig_set_policy('st_err', lint => 'error');
BEGIN;
SELECT revision, action FROM pgmig.mig_upload_batch((SELECT jsonb_path_query_array(pg_temp.batch(), '$[0 to 2]')),
                                                    project => 'st_err', stamp_targets => '{r3}');
SELECT revision FROM pgmig.mig_baseline('r3', 'st_err');
COMMIT;
\set VERBOSITY terse
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_err');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- ... and so is the whole batch when r4 comes with the stamped revisions: it
-- runs later, so its finding still counts
SELECT * FROM pgmig.mig_set_policy('st_err2', lint => 'error');
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_err2', stamp_targets => '{r3}');
ROLLBACK;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) AS stored FROM pgmig.revision WHERE project = 'st_err2';
\set VERBOSITY default

-- the promise is held at COMMIT: no stamp, nothing is kept
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_nostamp', stamp_targets => '{r3}');
COMMIT;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) AS stored FROM pgmig.revision WHERE project = 'st_nostamp';
\set VERBOSITY terse
-- a stamp of fewer revisions than promised
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_short', stamp_targets => '{r3}');
SELECT revision FROM pgmig.mig_stamp('r2', 'st_short');
COMMIT;
-- a stamp undone in the same transaction
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_undo', stamp_targets => '{r3}');
SELECT revision FROM pgmig.mig_stamp('r3', 'st_undo');
SELECT revision FROM pgmig.mig_stamp('base', 'st_undo');
COMMIT;
-- a body run (after such an undo) is not a stamp
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch('[{"revision": "x1", "up": "CREATE TABLE IF NOT EXISTS st_a (id int);"}]',
                                            project => 'st_run', stamp_targets => '{x1}');
SELECT revision FROM pgmig.mig_apply('x1', 'st_run');
COMMIT;
-- PREPARE TRANSACTION is checked like COMMIT (here it fails first, as
-- prepared transactions are off, but after the check)
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_prep', stamp_targets => '{r3}');
PREPARE TRANSACTION 'st_prep';
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
SELECT count(*) AS stored FROM pgmig.revision WHERE project IN ('st_short', 'st_undo', 'st_run', 'st_prep');

-- an upload rolled back to a savepoint is not held to the promise
BEGIN;
SAVEPOINT s;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_sp', stamp_targets => '{r3}');
ROLLBACK TO SAVEPOINT s;
COMMIT;
-- revisions the server already held (unchanged) were linted when stored:
-- nothing is promised for them
SELECT count(*) AS stored FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_held');
BEGIN;
SELECT revision, action FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_held', stamp_targets => '{r3}');
COMMIT;

-- refused before anything is read: no transaction block, no target, an
-- unknown target, NULL elements, a caller that may not stamp
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_bad', stamp_targets => '{r3}');
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_bad', stamp_targets => '{}');
ROLLBACK;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_bad', stamp_targets => '{r9}');
ROLLBACK;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_bad', stamp_targets => '{r3, NULL}');
ROLLBACK;
CREATE ROLE st_deployer IN ROLE pgmig_deployer;
SET ROLE st_deployer;
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_bad', stamp_targets => '{r3}');
ROLLBACK;
SELECT :'LAST_ERROR_SQLSTATE' AS sqlstate;
-- (a deployer's upload without it is linted as usual)
BEGIN;
SELECT revision FROM pgmig.mig_upload_batch(pg_temp.batch(), project => 'st_bad');
ROLLBACK;
RESET ROLE;
SELECT count(*) AS stored FROM pgmig.revision WHERE project IN ('st_bad', 'st_sp');
\set VERBOSITY default

DROP ROLE st_deployer;
RESET client_min_messages;
DROP TABLE st_a, st_b, st_c;
DROP EXTENSION pgmig;
