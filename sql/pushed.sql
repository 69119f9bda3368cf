-- pushed: a caller applies exactly the bodies it pushed (0.5).  With
-- `expected` ({revision: checksum of the up body}), mig_apply and
-- mig_begin_nontx refuse (PM023, nothing run) a revision whose stored body
-- is not the one the caller pushed (another release replaced it in between)
-- or that the caller did not list (its folder does not have it).  The pgmig
-- client passes it on every step; NULL checks nothing.
CREATE EXTENSION pgmig;
CREATE TABLE pu_items (id int);
SELECT revision, action FROM pgmig.mig_upload_batch($j$[
  {"revision": "p1", "up": "CREATE TABLE pu_a (id int);"},
  {"revision": "p2", "parents": ["p1"], "up": "CREATE TABLE pu_b (id int);"},
  {"revision": "p3", "parents": ["p2"], "up": "CREATE INDEX CONCURRENTLY pu_items_idx ON pu_items (id)"}
]$j$) ORDER BY 1;
SELECT pg_catalog.jsonb_object_agg(revision, checksum) AS pushed FROM pgmig.mig_revisions() \gset
\set VERBOSITY terse

-- what this caller pushed runs
SELECT revision FROM pgmig.mig_apply('p1', expected => :'pushed');

-- another release replaces p2 (not applied yet): this caller's next step is refused
SELECT revision, action FROM pgmig.mig_upload('p2', 'CREATE TABLE pu_b_old (id int);', parents => '{p1}', replace => true);
SELECT revision FROM pgmig.mig_apply('p2', expected => :'pushed');
SELECT to_regclass('pu_b') AS pu_b, to_regclass('pu_b_old') AS pu_b_old, count(*) AS applied FROM pgmig.applied;

-- a revision the caller did not list (its folder does not have it)
SELECT revision FROM pgmig.mig_apply('p2', expected => '{"p1": "x"}');
SELECT revision FROM pgmig.mig_apply('p2', expected => '{}');

-- the argument must be an object of strings
SELECT revision FROM pgmig.mig_apply('p2', expected => '["p2"]');
SELECT revision FROM pgmig.mig_apply('p2', expected => '{"p2": 1}');

-- with the body the caller now expects, and with no expectation at all
SELECT pg_catalog.jsonb_object_agg(revision, checksum) AS pushed FROM pgmig.mig_revisions() \gset
SELECT revision FROM pgmig.mig_apply('p2', expected => :'pushed', max_revisions => 1);
SELECT count(*) AS applied FROM pgmig.applied;

-- the non-transactional protocol checks the same before taking the lease
SELECT revision FROM pgmig.mig_begin_nontx('p3', expected => '{"p3": "0000"}');
SELECT count(*) AS leases FROM pgmig.mig_lease();
SELECT revision FROM pgmig.mig_begin_nontx('p3', expected => :'pushed');
SELECT count(*) AS leases FROM pgmig.mig_lease();
SELECT pgmig.mig_abort_nontx('p3', '', 'not run');

DROP EXTENSION pgmig;
DROP TABLE pu_items, pu_a, pu_b_old;
