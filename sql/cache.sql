-- cache: each backend keeps the graph it last read of a project, keyed by
-- the upload sequence (engine.cpp, "The graph cache").  These cases would
-- read a stale graph if a part of that key or of its rules were missing;
-- the cases with two sessions are in test/specs/graph_cache.spec.
CREATE EXTENSION pgmig;
SET client_min_messages = warning;
CREATE TABLE cache_exec (rev text NOT NULL);

-- DROP and CREATE EXTENSION start the sequence again: after the same
-- number of uploads it stands where it stood before, so the key also names
-- the sequence.  a1, a2 applied: the graph {a1, a2} is cached under 2.
SELECT revision, action FROM pgmig.mig_upload('a1', $b$INSERT INTO cache_exec VALUES ('a1')$b$);
SELECT revision, action FROM pgmig.mig_upload('a2', $b$INSERT INTO cache_exec VALUES ('a2')$b$, '{a1}');
SELECT revision FROM pgmig.mig_apply();
DROP EXTENSION pgmig;
CREATE EXTENSION pgmig;
SELECT last_value FROM pgmig.revision_upload_seq_seq;
SELECT revision, action FROM pgmig.mig_upload('r1', $b$INSERT INTO cache_exec VALUES ('r1')$b$);
SELECT revision, action FROM pgmig.mig_upload('r2', $b$INSERT INTO cache_exec VALUES ('r2')$b$, '{r1}');
SELECT revision FROM pgmig.mig_apply();
SELECT rev, count(*) FROM cache_exec GROUP BY rev ORDER BY rev;

-- An upload rolled back to a savepoint leaves the sequence where it moved
-- to; a transaction that uploaded must not cache what it read, or the
-- rolled-back r3 would be planned again after the rollback.
BEGIN;
SAVEPOINT s;
SELECT revision, action FROM pgmig.mig_upload('r3', $b$INSERT INTO cache_exec VALUES ('r3')$b$, '{r2}');
SELECT revision FROM pgmig.mig_apply();
ROLLBACK TO SAVEPOINT s;
SELECT revision FROM pgmig.mig_apply();
SELECT revision FROM pgmig.mig_heads();
COMMIT;
-- and in the next transaction too
SELECT revision FROM pgmig.mig_apply();
SELECT rev, count(*) FROM cache_exec GROUP BY rev ORDER BY rev;

-- An upload in an earlier transaction of this backend is seen.
SELECT revision, action FROM pgmig.mig_upload('r3', $b$INSERT INTO cache_exec VALUES ('r3')$b$, '{r2}');
SELECT revision FROM pgmig.mig_apply();

-- A replaced revision (delete plus insert, before it is applied) is read
-- again: the new body runs, not the cached checksum's.
SELECT revision, action FROM pgmig.mig_upload('r4', $b$INSERT INTO cache_exec VALUES ('r4-old')$b$, '{r3}');
SELECT revision, step FROM pgmig.mig_plan() ORDER BY step;
SELECT revision, action FROM pgmig.mig_upload('r4', $b$INSERT INTO cache_exec VALUES ('r4-new')$b$, '{r3}',
                                                replace => true);
SELECT revision FROM pgmig.mig_apply();
SELECT r.revision, r.checksum = a.checksum AS checksum_recorded
  FROM pgmig.revision r JOIN pgmig.applied a USING (project, revision) WHERE revision = 'r4';
SELECT rev, count(*) FROM cache_exec GROUP BY rev ORDER BY rev;

DROP EXTENSION pgmig;
DROP TABLE cache_exec;
