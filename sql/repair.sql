-- repair: the down body and metadata of applied revisions change on purpose
-- and on the record (mig_repair); everything else about them stays immutable
CREATE EXTENSION pgmig;

-- r2's down body names a table that does not exist; r3 is not applied
SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "r1", "up": "CREATE TABLE rp_a (id int);", "down": "DROP TABLE rp_a;"},
  {"revision": "r2", "parents": ["r1"], "message": "add rp_b",
   "up": "CREATE TABLE rp_b (id int);", "down": "DROP TABLE rp_bb;"},
  {"revision": "r3", "parents": ["r2"], "up": "CREATE TABLE rp_c (id int);", "down": "DROP TABLE rp_c;"}
]$j$);
-- r0: another root, never applied
SELECT revision FROM pgmig.mig_upload('r0', 'CREATE TABLE rp_z (id int);');
SELECT revision FROM pgmig.mig_apply('r2');
SELECT digest AS digest_before FROM pgmig.mig_sync() \gset

-- the fixed down body cannot be uploaded: r2 is applied (PM021)
SELECT * FROM pgmig.mig_upload_batch($j$[
  {"revision": "r2", "parents": ["r1"], "message": "add rp_b",
   "up": "CREATE TABLE rp_b (id int);", "down": "DROP TABLE rp_b;"}]$j$, true);
-- nor updated by hand, even by its owner (PM020)
UPDATE pgmig.revision SET down_body = 'DROP TABLE rp_b;' WHERE revision = 'r2';
-- the downgrade fails on it
SELECT * FROM pgmig.mig_downgrade('r1');

-- repair: the down body and the message; the row, the summary and the
-- history say so
SELECT * FROM pgmig.mig_repair($j$[
  {"revision": "r2", "parents": ["r1"], "message": "add table rp_b",
   "up": "CREATE TABLE rp_b (id int);", "down": "DROP TABLE rp_b;"}]$j$,
  reason => 'the down body dropped a table that does not exist');
SELECT down_body, message, checksum = encode(sha256('CREATE TABLE rp_b (id int);'), 'hex') AS up_checksum_kept,
       down_checksum = encode(sha256('DROP TABLE rp_b;'), 'hex') AS down_checksum_new
  FROM pgmig.revision WHERE revision = 'r2';
SELECT kind, revision, who = current_user AS by_me, message FROM pgmig.mig_history() WHERE kind = 'repair';
SELECT digest <> :'digest_before' AS digest_changed,
       digest = (SELECT encode(sha256(convert_to(string_agg(concat_ws(E'\x1f', revision,
                   array_to_string(parents, ','), array_to_string(depends_on, ','),
                   array_to_string(branch_labels, ','), COALESCE(message, E'\x1e'), checksum,
                   COALESCE(down_checksum, '')), E'\n' ORDER BY revision COLLATE "C"), 'UTF8')), 'hex')
                   FROM pgmig.revision) AS digest_matches_rows
  FROM pgmig.mig_sync();
-- the same repair again changes nothing and records nothing
SELECT * FROM pgmig.mig_repair($j$[
  {"revision": "r2", "parents": ["r1"], "message": "add table rp_b",
   "up": "CREATE TABLE rp_b (id int);", "down": "DROP TABLE rp_b;"}]$j$,
  reason => 'again');
SELECT count(*) AS repair_events FROM pgmig.event WHERE kind = 'repair';
-- now the downgrade runs
SELECT revision FROM pgmig.mig_downgrade('r1');
SELECT count(*) AS rp_b FROM pg_tables WHERE tablename = 'rp_b';
SELECT revision FROM pgmig.mig_apply('r2');

-- a label and a removed down body
SELECT * FROM pgmig.mig_repair($j$[
  {"revision": "r1", "up": "CREATE TABLE rp_a (id int);", "branch_labels": ["core"]}]$j$,
  reason => 'label the root; its down body dropped data');
SELECT revision, branch_labels, down_body IS NULL AS no_down FROM pgmig.revision WHERE revision = 'r1';
SELECT revision FROM pgmig.mig_plan('core@head');

-- an up body only when the caller states the schema is the same, and the
-- history says the caller stated it
SELECT * FROM pgmig.mig_repair($j$[
  {"revision": "r2", "parents": ["r1"], "message": "add table rp_b",
   "up": "-- the rp_b table\nCREATE TABLE rp_b (id int);", "down": "DROP TABLE rp_b;"}]$j$,
  reason => 'a comment');
SELECT * FROM pgmig.mig_repair($j$[
  {"revision": "r2", "parents": ["r1"], "message": "add table rp_b",
   "up": "-- the rp_b table\nCREATE TABLE rp_b (id int);", "down": "DROP TABLE rp_b;"}]$j$,
  reason => 'a comment', schema_unchanged => true);
SELECT message FROM pgmig.mig_history() WHERE kind = 'repair' ORDER BY event_id DESC LIMIT 1;
CREATE TABLE rp_seen AS SELECT r::text AS r FROM pgmig.mig_revisions() r;

-- refusals, each writing nothing
SELECT count(*) AS events_before FROM pgmig.event \gset
-- not applied: an upload replaces it
SELECT * FROM pgmig.mig_repair('[{"revision": "r3", "parents": ["r2"], "up": "CREATE TABLE rp_c (id bigint);"}]',
  reason => 'x');
-- not stored
SELECT * FROM pgmig.mig_repair('[{"revision": "r9", "up": "SELECT 1;"}]', reason => 'x');
-- no reason
SELECT * FROM pgmig.mig_repair('[{"revision": "r1", "up": "CREATE TABLE rp_a (id int);"}]', reason => ' ');
SELECT * FROM pgmig.mig_repair('[{"revision": "r1", "up": "CREATE TABLE rp_a (id int);"}]', reason => NULL);
-- a broken new down body
SELECT * FROM pgmig.mig_repair('[{"revision": "r1", "up": "CREATE TABLE rp_a (id int);", "down": "DROP TABEL rp_a;"}]',
  reason => 'x');
-- a cycle: r1's parent r2
SELECT * FROM pgmig.mig_repair('[{"revision": "r1", "up": "CREATE TABLE rp_a (id int);", "parents": ["r2"]}]',
  reason => 'x');
-- an applied revision whose new parent is not applied
SELECT * FROM pgmig.mig_repair('[{"revision": "r1", "up": "CREATE TABLE rp_a (id int);", "parents": ["r0"]}]',
  reason => 'x');
-- a label another revision has
SELECT * FROM pgmig.mig_repair($j$[
  {"revision": "r2", "parents": ["r1"], "up": "-- the rp_b table\nCREATE TABLE rp_b (id int);",
   "down": "DROP TABLE rp_b;", "branch_labels": ["core"]}]$j$, reason => 'x');
SELECT count(*) - :events_before AS new_events FROM pgmig.event;
SELECT revision, parents, branch_labels FROM pgmig.revision ORDER BY revision;

-- a new backend reads what this backend answered from its cache right
-- after its repairs (the refusals above changed nothing)
\c
SELECT count(*) AS differ FROM ((SELECT r::text FROM pgmig.mig_revisions() r) EXCEPT (SELECT r FROM rp_seen)) d;
DROP TABLE rp_seen;

-- mig_repair needs pgmig_admin; a deployer is refused
CREATE ROLE rp_deployer LOGIN;
GRANT pgmig_deployer TO rp_deployer;
SET ROLE rp_deployer;
SELECT * FROM pgmig.mig_repair('[{"revision": "r1", "up": "CREATE TABLE rp_a (id int);"}]', reason => 'x');
RESET ROLE;
DROP ROLE rp_deployer;

-- r1 has no down body now: stamp past it, as the hint says
SELECT revision FROM pgmig.mig_downgrade('base');
SELECT revision, action FROM pgmig.mig_stamp('base');
DROP TABLE rp_a, rp_b;
DROP EXTENSION pgmig;
