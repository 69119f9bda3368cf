-- apply: order, one row per revision, progress notices, idempotence, execution as the uploader
CREATE EXTENSION pgmig;
CREATE TABLE apply_log (rev text, at_user text);
GRANT INSERT ON apply_log TO PUBLIC;

SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "r1", "up": "CREATE TABLE ap_users (id int PRIMARY KEY, email text NOT NULL); INSERT INTO apply_log VALUES ('r1', current_user);"},
  {"revision": "r2", "parents": ["r1"], "up": "CREATE TYPE ap_mood AS ENUM ('sad', 'ok'); ALTER TABLE ap_users ADD COLUMN mood ap_mood; INSERT INTO apply_log VALUES ('r2', current_user);"},
  {"revision": "r3", "parents": ["r2"], "up": "INSERT INTO ap_users VALUES (1, 'a@example.com', 'ok'); INSERT INTO apply_log VALUES ('r3', current_user);"}
]$j$);

-- one row per revision applied, parents first, with its statement count
SELECT revision, statements, duration >= '0'::interval AS timed FROM pgmig.mig_apply('r2');
SELECT revision, statements FROM pgmig.mig_apply();
-- nothing pending: no rows, no notice
SELECT revision, statements FROM pgmig.mig_apply();
SELECT rev, at_user FROM apply_log ORDER BY rev;
SELECT * FROM ap_users;

-- applied rows and events
SELECT revision, applied_by, how, checksum = (SELECT checksum FROM pgmig.revision r WHERE r.revision = a.revision) AS checksum_ok
  FROM pgmig.applied a ORDER BY applied_at, revision;
SELECT kind, revision, target, who FROM pgmig.mig_history() WHERE kind <> 'upload';

-- bodies run as the role that uploaded them, not as the (superuser) caller
CREATE ROLE ap_dev NOLOGIN;
GRANT pgmig_deployer TO ap_dev;
GRANT CREATE ON SCHEMA public TO ap_dev;
SET ROLE ap_dev;
SELECT revision FROM pgmig.mig_upload('r4', $b$
CREATE TABLE ap_owned (id int);
INSERT INTO apply_log VALUES ('r4', current_user);
$b$, parents => '{r3}');
RESET ROLE;
SELECT revision FROM pgmig.mig_apply();
SELECT rev, at_user FROM apply_log WHERE rev = 'r4';
SELECT tableowner FROM pg_tables WHERE tablename = 'ap_owned';
SELECT uploaded_by FROM pgmig.revision WHERE revision = 'r4';

-- ... so a low-privileged upload cannot borrow the applier's superuser rights
SET ROLE ap_dev;
SELECT revision FROM pgmig.mig_upload('r5', 'ALTER ROLE ap_dev SUPERUSER;', parents => '{r4}');
RESET ROLE;
SELECT * FROM pgmig.mig_apply();
SELECT rolsuper FROM pg_roles WHERE rolname = 'ap_dev';
-- and a role that is not a member of the uploader cannot run its body at all
CREATE ROLE ap_other NOLOGIN;
GRANT pgmig_deployer TO ap_other;
SET ROLE ap_other;
SELECT * FROM pgmig.mig_apply();
RESET ROLE;
SELECT revision FROM pgmig.mig_stamp('r4');

-- a pending non-transactional revision stops the call before anything runs
SELECT revision, transactional FROM pgmig.mig_upload('r6', 'CREATE INDEX CONCURRENTLY ap_users_email ON ap_users (email);', parents => '{r4}');
SELECT revision FROM pgmig.mig_upload('r7', 'CREATE TABLE ap_after (id int);', parents => '{r6}');
SELECT * FROM pgmig.mig_apply('r7');
SELECT count(*) AS ap_after_tables FROM pg_tables WHERE tablename = 'ap_after';
SELECT nontransactional_pending FROM pgmig.mig_status();

-- REPEATABLE READ and SERIALIZABLE are refused (their snapshot predates the lock)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM pgmig.mig_apply();
ROLLBACK;
BEGIN ISOLATION LEVEL SERIALIZABLE;
SELECT * FROM pgmig.mig_stamp('base');
ROLLBACK;

-- apply inside an explicit transaction commits with it, or not at all
SELECT revision FROM pgmig.mig_stamp('r2');
DELETE FROM ap_users;
BEGIN;
SELECT revision FROM pgmig.mig_apply('r3');
SELECT count(*) AS users_inside FROM ap_users;
ROLLBACK;
SELECT current FROM pgmig.mig_status();
SELECT count(*) AS users_after FROM ap_users;
SELECT revision FROM pgmig.mig_stamp('r4');

DROP EXTENSION pgmig;
DROP TABLE ap_owned, ap_users, apply_log;
DROP TYPE ap_mood;
REVOKE CREATE ON SCHEMA public FROM ap_dev;
DROP ROLE ap_dev, ap_other;
