-- edges: smaller promises of issue 14.
CREATE EXTENSION pgmig;
CREATE ROLE edge_reader NOLOGIN IN ROLE pgmig_reader;
CREATE ROLE edge_deployer NOLOGIN IN ROLE pgmig_deployer;
SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "e1", "up": "CREATE TABLE edge_a (id int);", "down": "DROP TABLE edge_a;"},
  {"revision": "e2", "parents": ["e1"], "up": "CREATE ROLE edge_app LOGIN PASSWORD 'hunter22';", "down": "DROP ROLE edge_app;"}
]$j$) ORDER BY 1;

-- a reader sees the plan (what runs, where, which locks) but not the bodies,
-- which may hold secrets; a deployer sees them
SET ROLE edge_reader;
SELECT step, revision, line, transactional, lock, sql FROM pgmig.mig_plan();
SET ROLE edge_deployer;
SELECT step, revision, sql FROM pgmig.mig_plan();
RESET ROLE;

-- a stamp records the schema like an apply: it says the database is what
-- its revisions make, so drift is measured from it (a DBA did e2's work by
-- hand, and made a table too; the stamp accepts what is there)
SELECT revision FROM pgmig.mig_apply('e1');
CREATE TABLE edge_by_hand (id int);
SELECT change, kind, identity FROM pgmig.mig_drift();
SELECT revision, action FROM pgmig.mig_stamp('e2');
SELECT kind, fingerprint IS NOT NULL AS recorded FROM pgmig.event WHERE kind = 'stamp';
SELECT change, kind, identity FROM pgmig.mig_drift();
DROP TABLE edge_by_hand;

-- a failure the client saw and rolled back is recorded afterwards
SET ROLE edge_deployer;
SELECT pgmig.mig_record_failure('e2', 'up', '42710', 'revision "e2", line 1: role "edge_app" already exists');
SELECT pgmig.mig_record_failure('nope', 'up', '42710', 'x');
SELECT pgmig.mig_record_failure('e2', 'sideways', '42710', 'x');
SELECT pgmig.mig_record_failure('e2', 'up', '427', 'x');
RESET ROLE;
SET ROLE edge_reader;
SELECT pgmig.mig_record_failure('e2', 'up', '42710', 'x');
RESET ROLE;
SELECT kind, revision, target, who, sqlstate, message FROM pgmig.mig_history() WHERE kind = 'failure';
-- a failure's message is PostgreSQL's error from the body, which may quote
-- a value of it: a reader sees the failure and its SQLSTATE, not the message
SELECT pgmig.mig_record_failure('e2', 'up', '22P02', 'revision "e2", line 1: invalid input syntax for type integer: "hunter22"');
SET ROLE edge_reader;
SELECT kind, revision, sqlstate, message FROM pgmig.mig_history() WHERE kind = 'failure' ORDER BY event_id;
SET ROLE edge_deployer;
SELECT kind, revision, sqlstate, message FROM pgmig.mig_history() WHERE kind = 'failure' ORDER BY event_id;
RESET ROLE;
-- nor the text of DDL run outside pgmig (pgmig.ddl_log.statement)
SELECT pgmig.mig_audit_enable();
CREATE TABLE edge_outside (secret text DEFAULT 'hunter22');
SELECT pgmig.mig_audit_disable();
SET ROLE edge_reader;
SELECT command_tag, object_identity FROM pgmig.ddl_log;
SELECT statement FROM pgmig.ddl_log;
SET ROLE edge_deployer;
SELECT command_tag, statement FROM pgmig.ddl_log;
RESET ROLE;
DROP TABLE edge_outside;

DROP EXTENSION pgmig;
DROP SCHEMA pgmig CASCADE;
DROP TABLE edge_a;
DROP ROLE edge_reader, edge_deployer;
