-- roundtrip: up, down and up again for each pending revision, with the
-- schema compared after each step, all rolled back (mig_roundtrip).
CREATE EXTENSION pgmig;
SET client_min_messages = warning;

-- rt1: the down body drops the table but leaves the enum type behind, so
--      the second up fails on CREATE TYPE
-- rt2: a clean revision
-- rt3: no down body
-- rt4: a down body that removes more than the up body added
-- rt5: a down body that fails
-- rt6: a non-transactional revision (run in its transactional form)
-- rt7: an up body that fails
SELECT count(*) FROM pgmig.mig_upload_batch($j$[
  {"revision": "rt1", "up": "CREATE TYPE rt_status AS ENUM ('new', 'done');\nCREATE TABLE rt_task (id int PRIMARY KEY, s rt_status);",
   "down": "DROP TABLE rt_task;"},
  {"revision": "rt2", "parents": ["rt1"], "up": "CREATE TABLE rt_good (id int PRIMARY KEY);", "down": "DROP TABLE rt_good;"},
  {"revision": "rt3", "parents": ["rt2"], "up": "ALTER TABLE rt_good ADD COLUMN note text;"},
  {"revision": "rt4", "parents": ["rt3"], "up": "ALTER TABLE rt_good ADD COLUMN extra int;",
   "down": "ALTER TABLE rt_good DROP COLUMN extra;\nALTER TABLE rt_good DROP COLUMN note;"},
  {"revision": "rt5", "parents": ["rt4"], "up": "CREATE INDEX rt_good_extra ON rt_good (extra);",
   "down": "DROP INDEX rt_no_such_index;"},
  {"revision": "rt6", "parents": ["rt5"], "up": "CREATE INDEX CONCURRENTLY rt_good_note ON rt_good (note);"},
  {"revision": "rt7", "parents": ["rt6"], "up": "ALTER TABLE rt_missing ADD COLUMN x int;", "down": "SELECT 1;"}
]$j$);
CREATE TEMP TABLE before AS
SELECT (SELECT count(*) FROM pgmig.event) AS events, pgmig.mig_fingerprint_digest() AS digest;

SELECT revision, step, result, kind, identity, detail FROM pgmig.mig_roundtrip();

-- nothing stays: no object, nothing applied, no event
SELECT to_regclass('rt_task') IS NULL AS no_task, to_regtype('rt_status') IS NULL AS no_type,
       (SELECT count(*) FROM pgmig.applied) AS applied,
       (SELECT count(*) FROM pgmig.event) = events AS no_event,
       pgmig.mig_fingerprint_digest() = digest AS same_schema
  FROM before;

-- revisions: check just rt2 (rt1 is applied on the way, without checks)
SELECT revision, step, result FROM pgmig.mig_roundtrip('rt2', revisions => '{rt2}');

-- applied revisions are not round-tripped: only pending ones
SELECT revision FROM pgmig.mig_apply('rt2');
SELECT revision, step, result FROM pgmig.mig_roundtrip('rt3');

-- privileges: deployers may run it, readers not
CREATE ROLE rt_reader IN ROLE pgmig_reader;
SET ROLE rt_reader;
DO $$ BEGIN PERFORM pgmig.mig_roundtrip(); EXCEPTION WHEN insufficient_privilege THEN RAISE WARNING 'denied: %', SQLERRM; END $$;
RESET ROLE;
DROP ROLE rt_reader;

DROP EXTENSION pgmig;
DROP TABLE rt_task, rt_good;
DROP TYPE rt_status;
