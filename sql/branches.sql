-- branches: one branch up or down (X@+N, X@-N, X@base), the others untouched
CREATE EXTENSION pgmig;

-- main: m1 - m2 - m3; billing (label on b1): m1 - b1 - b2 - b3;
-- m4 continues main and depends on b2.
SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "m1", "up": "CREATE TABLE br_m1 (id int);", "down": "DROP TABLE br_m1;"},
  {"revision": "m2", "parents": ["m1"], "up": "CREATE TABLE br_m2 (id int);", "down": "DROP TABLE br_m2;"},
  {"revision": "m3", "parents": ["m2"], "up": "CREATE TABLE br_m3 (id int);", "down": "DROP TABLE br_m3;"},
  {"revision": "b1", "parents": ["m1"], "branch_labels": ["billing"],
   "up": "CREATE TABLE br_b1 (id int);", "down": "DROP TABLE br_b1;"},
  {"revision": "b2", "parents": ["b1"], "up": "CREATE TABLE br_b2 (id int);", "down": "DROP TABLE br_b2;"},
  {"revision": "b3", "parents": ["b2"], "up": "CREATE TABLE br_b3 (id int);", "down": "DROP TABLE br_b3;"},
  {"revision": "m4", "parents": ["m3"], "depends_on": ["b2"],
   "up": "CREATE TABLE br_m4 (id int);", "down": "DROP TABLE br_m4;"}
]$j$);
CREATE FUNCTION br_tables() RETURNS text LANGUAGE sql AS
$$ SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE tablename LIKE 'br\_%' $$;

-- up one branch: billing@+1 applies b1 (and its ancestor m1), nothing of main
SELECT revision FROM pgmig.mig_apply('billing@+1');
SELECT current, pending_revisions FROM pgmig.mig_status();
-- billing@+2: b2 and b3
SELECT revision FROM pgmig.mig_apply('billing@+2');
-- past the branch's end
SELECT revision FROM pgmig.mig_apply('billing@+1');
SELECT revision FROM pgmig.mig_apply('heads');
SELECT br_tables();

-- down one branch: billing@-1 undoes b3 only; plain "b2" would also undo
-- main's m2, m3 and m4 (they are not ancestors of b2)
SELECT step, revision FROM pgmig.mig_plan('billing@-1', direction => 'down') GROUP BY step, revision ORDER BY step;
SELECT step, revision FROM pgmig.mig_plan('b2', direction => 'down') GROUP BY step, revision ORDER BY step;
SELECT revision FROM pgmig.mig_downgrade('billing@-1');
SELECT current FROM pgmig.mig_status();
SELECT br_tables();

-- undoing b2 undoes m4, which depends on it; main's m1 to m3 stay
SELECT revision FROM pgmig.mig_downgrade('billing@-1');
SELECT current FROM pgmig.mig_status();
-- the whole branch; one revision per call, as the client runs it
SELECT revision FROM pgmig.mig_downgrade('billing@base', max_revisions => 1);
SELECT revision FROM pgmig.mig_downgrade('billing@base', max_revisions => 1);
SELECT current FROM pgmig.mig_status();
SELECT br_tables();
SELECT kind, revision FROM pgmig.mig_history() WHERE kind = 'downgrade' ORDER BY event_id;

-- by revision id too, and a revision in the middle of the branch
SELECT revision FROM pgmig.mig_apply('heads');
SELECT revision FROM pgmig.mig_downgrade('b2@base');
SELECT current FROM pgmig.mig_status();
SELECT revision FROM pgmig.mig_apply('heads');

-- refusals: nothing runs
SELECT * FROM pgmig.mig_downgrade('billing@-4');
SELECT * FROM pgmig.mig_downgrade('billing@-0');
SELECT * FROM pgmig.mig_downgrade('billing@+1');
SELECT * FROM pgmig.mig_downgrade('nobranch@-1');
SELECT * FROM pgmig.mig_downgrade('@base');
SELECT * FROM pgmig.mig_apply('billing@+1');
SELECT current FROM pgmig.mig_status();

SELECT revision FROM pgmig.mig_downgrade('base');
DROP FUNCTION br_tables();
DROP EXTENSION pgmig;
