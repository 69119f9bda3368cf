-- nontx: the protocol for revisions that cannot run in a transaction
-- (CREATE INDEX CONCURRENTLY and its kin).  mig_begin_nontx writes a lease
-- naming this backend and commits; the caller runs the statement at top
-- level; mig_finish_nontx checks the postcondition and records it;
-- mig_abort_nontx cleans up after a failure.  A stale lease (its backend is
-- gone) is recovered by the next writer.  psql runs each statement in
-- autocommit, as the client does.
CREATE EXTENSION pgmig;
CREATE TABLE nt_items (id int, code text);
INSERT INTO nt_items SELECT g, 'c' || g FROM generate_series(1, 100) g;

-- an unnamed concurrent index cannot be checked or recovered: refused at upload
SELECT revision FROM pgmig.mig_upload('x', 'CREATE INDEX CONCURRENTLY ON nt_items (id)');

SELECT revision, transactional FROM pgmig.mig_upload_batch($j$[
  {"revision": "n1", "up": "CREATE TABLE nt_log (msg text);", "down": "DROP TABLE nt_log;"},
  {"revision": "n2", "parents": ["n1"], "up": "CREATE INDEX CONCURRENTLY nt_items_id_idx ON nt_items (id)",
   "down": "DROP INDEX CONCURRENTLY nt_items_id_idx"},
  {"revision": "n3", "parents": ["n2"], "up": "INSERT INTO nt_log VALUES ('n3');", "down": "DELETE FROM nt_log;"}
]$j$) ORDER BY 1;

-- the plan says which statement runs outside a transaction, and the locks
SELECT step, revision, statement, line, transactional, lock FROM pgmig.mig_plan('n3');

-- mig_apply runs n1 and stops at n2 (PM030); max_revisions = 1 runs one step
SELECT revision, statements FROM pgmig.mig_apply('n3', max_revisions => 1);
\set VERBOSITY default
SELECT revision FROM pgmig.mig_apply('n3');
-- begin_nontx refuses a transactional next revision and a transaction block
SELECT revision FROM pgmig.mig_begin_nontx('n1');
BEGIN;
SELECT revision FROM pgmig.mig_begin_nontx('n3');
ROLLBACK;
\set VERBOSITY terse

-- the happy path: begin, run, finish
SELECT revision, body, run_as = current_user AS run_as_me FROM pgmig.mig_begin_nontx('n3');
SELECT revision, direction, backend_pid = pg_backend_pid() AS mine, alive FROM pgmig.mig_lease();
-- while the lease is held, every writer of the project is told it is busy
SELECT revision FROM pgmig.mig_apply('n3');
SELECT revision FROM pgmig.mig_upload('n2', 'CREATE INDEX CONCURRENTLY nt_items_id_idx ON nt_items (code)',
                                      parents => '{n1}', replace => true);
SELECT * FROM pgmig.mig_recover();
CREATE INDEX CONCURRENTLY nt_items_id_idx ON nt_items (id);
SELECT revision, statements, xid IS NOT NULL AS has_xid FROM pgmig.mig_finish_nontx('n2');
SELECT count(*) AS leases FROM pgmig.mig_lease();
SELECT revision, statements FROM pgmig.mig_apply('n3');
SELECT revision, how FROM pgmig.mig_revisions() WHERE applied ORDER BY 1;
-- finish and abort need this session's lease
SELECT revision FROM pgmig.mig_finish_nontx('n2');

-- down through the same protocol: n3 transactionally, then n2's DROP INDEX CONCURRENTLY
SELECT revision FROM pgmig.mig_downgrade('n1', max_revisions => 1);
SELECT revision FROM pgmig.mig_downgrade('n1');
SELECT revision, body FROM pgmig.mig_begin_nontx('n1', direction => 'down');
-- the postcondition is checked: the index still exists, so finish refuses
SELECT revision FROM pgmig.mig_finish_nontx('n2');
DROP INDEX CONCURRENTLY nt_items_id_idx;
SELECT revision FROM pgmig.mig_finish_nontx('n2');
SELECT revision FROM pgmig.mig_revisions() WHERE applied ORDER BY 1;
-- and up again
SELECT revision FROM pgmig.mig_begin_nontx('n3');
CREATE INDEX CONCURRENTLY nt_items_id_idx ON nt_items (id);
SELECT revision FROM pgmig.mig_finish_nontx('n2');
SELECT revision FROM pgmig.mig_apply('n3');

-- a failing statement: a unique index over duplicates fails and leaves an
-- INVALID index; mig_abort_nontx drops it and records the failure
INSERT INTO nt_items VALUES (1, 'dup');
SELECT revision FROM pgmig.mig_upload('n4', 'CREATE UNIQUE INDEX CONCURRENTLY nt_items_uq ON nt_items (id)',
                                      parents => '{n3}');
SELECT revision FROM pgmig.mig_begin_nontx('n4');
CREATE UNIQUE INDEX CONCURRENTLY nt_items_uq ON nt_items (id);
SELECT indisvalid FROM pg_index WHERE indexrelid = 'nt_items_uq'::regclass;
SELECT pgmig.mig_abort_nontx('n4', '23505', 'could not create unique index "nt_items_uq"');
SELECT to_regclass('nt_items_uq') AS leftover;
SELECT kind, revision, sqlstate FROM pgmig.mig_history() WHERE kind IN ('start', 'failure') ORDER BY event_id;

-- a stale lease: the backend that took it is gone.  Simulated here with a
-- lease naming no live backend and the INVALID index an interrupted CREATE
-- INDEX CONCURRENTLY leaves; mig_recover (or the next writer: mig_apply,
-- mig_begin_nontx, ...) drops the index and releases the lease, and the
-- revision then runs again.  (test/t covers a real killed
-- client and an immediate server stop.)
INSERT INTO nt_items VALUES (1, 'dup');
CREATE UNIQUE INDEX CONCURRENTLY nt_items_uq ON nt_items (id);
DELETE FROM nt_items WHERE code = 'dup';
INSERT INTO pgmig.nontx_lease (project, revision, direction, backend_pid, backend_start, started_by)
VALUES ('default', 'n4', 'up', 0, now(), current_user);
SELECT revision, alive FROM pgmig.mig_lease();
SELECT * FROM pgmig.mig_recover();
SELECT to_regclass('nt_items_uq') AS leftover, count(*) AS leases FROM pgmig.mig_lease();
SELECT kind, revision, message FROM pgmig.mig_history() WHERE kind = 'repair' ORDER BY event_id;

-- a stale lease whose statement did complete (the index is valid and was not
-- there before): recorded as applied, never run twice
SELECT revision FROM pgmig.mig_begin_nontx('n4');
CREATE UNIQUE INDEX CONCURRENTLY nt_items_uq ON nt_items (id);
UPDATE pgmig.nontx_lease SET backend_pid = 0;
SELECT * FROM pgmig.mig_recover();
SELECT revision, how FROM pgmig.mig_revisions() WHERE revision = 'n4';
SELECT count(*) AS leases FROM pgmig.mig_lease();

-- recovery names the statement's objects through the schemas of the session
-- that took the lease (recorded with it since 0.5), not through its own
-- search_path: a session whose search_path is nt_app takes the lease of an
-- unqualified DROP INDEX CONCURRENTLY and is lost before running it; a
-- session with the default search_path recovers.  The index still exists in
-- nt_app, so the revision is released, not recorded as applied.
CREATE SCHEMA nt_app;
CREATE TABLE nt_app.t (a int);
CREATE INDEX nt_t_a_idx ON nt_app.t (a);
SELECT revision FROM pgmig.mig_upload('n5', 'DROP INDEX CONCURRENTLY nt_t_a_idx', parents => '{n4}');
SET search_path = nt_app, public;
SELECT revision, body FROM pgmig.mig_begin_nontx('n5');
RESET search_path;
SELECT search_path FROM pgmig.nontx_lease;
UPDATE pgmig.nontx_lease SET backend_pid = 0;
SELECT * FROM pgmig.mig_recover();
SELECT to_regclass('nt_app.nt_t_a_idx') IS NOT NULL AS index_still_there,
       (SELECT count(*) FROM pgmig.applied WHERE revision = 'n5') AS recorded;
-- run for real in that search_path, it is recorded once the index is gone
SET search_path = nt_app, public;
SELECT revision FROM pgmig.mig_begin_nontx('n5');
DROP INDEX CONCURRENTLY nt_t_a_idx;
SELECT revision, statements FROM pgmig.mig_finish_nontx('n5');
RESET search_path;

DROP EXTENSION pgmig;
DROP TABLE nt_items, nt_log;
DROP SCHEMA nt_app CASCADE;
