-- stamp: the applied set becomes exactly the ancestors of the targets, no SQL runs
CREATE EXTENSION pgmig;

SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "s1", "up": "CREATE TABLE st_never (id int);"},
  {"revision": "s2", "parents": ["s1"], "up": "CREATE TABLE st_never2 (id int);"},
  {"revision": "s3", "parents": ["s1"], "up": "CREATE TABLE st_never3 (id int);"},
  {"revision": "s4", "parents": ["s2", "s3"], "up": "CREATE TABLE st_never4 (id int);"}
]$j$);

SELECT revision, action FROM pgmig.mig_stamp('s2');
SELECT revision, how FROM pgmig.applied ORDER BY revision;
-- nothing ran
SELECT count(*) AS tables FROM pg_tables WHERE tablename LIKE 'st\_%';

-- several targets at once
SELECT revision, action FROM pgmig.mig_stamp(ARRAY['s2', 's3']);
SELECT current FROM pgmig.mig_status();
-- moving back removes, children first
SELECT revision, action FROM pgmig.mig_stamp('s1');
-- stamping the same state again changes nothing but is still recorded
SELECT revision, action FROM pgmig.mig_stamp('s1');
-- head, then base clears
SELECT revision, action FROM pgmig.mig_stamp('head');
SELECT revision, action FROM pgmig.mig_stamp('base');
SELECT count(*) AS applied FROM pgmig.applied;

-- every stamp is in the history, with its target
SELECT kind, target, who, message FROM pgmig.mig_history() WHERE kind = 'stamp' ORDER BY event_id;

-- bad targets write nothing
SELECT revision FROM pgmig.mig_stamp('s4');
SELECT * FROM pgmig.mig_stamp(ARRAY['s1', 'nope']);
SELECT * FROM pgmig.mig_stamp(ARRAY[]::text[]);
SELECT * FROM pgmig.mig_stamp(NULL::text[]);
SELECT count(*) AS applied FROM pgmig.applied;

-- the stamp is committed with the caller's transaction: read it back from a new connection
SELECT revision, action FROM pgmig.mig_stamp('s3');
\c
SELECT current FROM pgmig.mig_status();

DROP EXTENSION pgmig;
