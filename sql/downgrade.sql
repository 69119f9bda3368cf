-- downgrade: down bodies of applied revisions that are not ancestors of the target, children first
CREATE EXTENSION pgmig;

SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "d1", "up": "CREATE TABLE dg_a (id int);", "down": "DROP TABLE dg_a;"},
  {"revision": "d2", "parents": ["d1"], "up": "CREATE TYPE dg_mood AS ENUM ('sad', 'ok'); CREATE TABLE dg_b (m dg_mood);",
   "down": "DROP TABLE dg_b; DROP TYPE dg_mood;"},
  {"revision": "d3", "parents": ["d1"], "up": "CREATE TABLE dg_c (id int);", "down": "DROP TABLE dg_c;"},
  {"revision": "d4", "parents": ["d2", "d3"], "up": "INSERT INTO dg_a VALUES (1);", "down": "DELETE FROM dg_a WHERE id = 1;"}
]$j$);
SELECT revision FROM pgmig.mig_apply();

-- children first; the ancestors of the target stay
SELECT revision, statements FROM pgmig.mig_downgrade('d2');
SELECT current FROM pgmig.mig_status();
SELECT count(*) AS dg_c_tables FROM pg_tables WHERE tablename = 'dg_c';

-- -1 undoes the last applied revision in order; base undoes everything
SELECT revision FROM pgmig.mig_downgrade('-1');
SELECT revision FROM pgmig.mig_downgrade('base');
SELECT count(*) AS leftovers FROM pg_tables WHERE tablename LIKE 'dg\_%';
SELECT count(*) AS leftover_types FROM pg_type WHERE typname = 'dg_mood';
-- nothing applied: nothing to do
SELECT revision FROM pgmig.mig_downgrade('base');

-- re-apply after the downgrade works (the enum was dropped by the down body)
SELECT revision FROM pgmig.mig_apply();
SELECT kind, revision FROM pgmig.mig_history() WHERE kind IN ('apply', 'downgrade') ORDER BY event_id;

-- a revision without a down body stops the downgrade before anything runs
SELECT revision FROM pgmig.mig_upload('d5', 'CREATE TABLE dg_e (id int);', parents => '{d4}');
SELECT revision FROM pgmig.mig_apply();
SELECT * FROM pgmig.mig_downgrade('d1');
SELECT current FROM pgmig.mig_status();

-- a failing down body rolls the whole downgrade back
SELECT revision FROM pgmig.mig_upload('d6', 'SELECT 1;', down => 'DROP TABLE dg_missing;', parents => '{d5}');
SELECT revision FROM pgmig.mig_apply();
SELECT revision FROM pgmig.mig_downgrade('d5');
SELECT current FROM pgmig.mig_status();

-- the target of a downgrade stays applied, so it must be applied: a pending
-- one is refused (PM009) with nothing run, whatever it would have undone
SELECT revision FROM pgmig.mig_upload('d8', 'SELECT 1;', down => 'SELECT 1;', parents => '{d5}');
SELECT revision FROM pgmig.mig_downgrade('d8');
SELECT current FROM pgmig.mig_status();

-- a non-transactional down body must be run by the client
SELECT revision FROM pgmig.mig_stamp('d1');
SELECT revision FROM pgmig.mig_upload('d7', 'SELECT 1;', down => 'DROP INDEX CONCURRENTLY nothing;', parents => '{d1}');
SELECT revision FROM pgmig.mig_stamp('d7');
SELECT * FROM pgmig.mig_downgrade('d1');

DROP EXTENSION pgmig;
DROP TABLE dg_a, dg_b, dg_c, dg_e;
DROP TYPE dg_mood;
