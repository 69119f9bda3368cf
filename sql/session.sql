-- session state: SET in a body ends with the revision; role changes are refused;
-- lock_timeout inside bodies comes from pgmig.lock_timeout
CREATE EXTENSION pgmig;
CREATE TABLE ss_seen (rev text, setting text, value text);
CREATE SCHEMA ss_evil;

SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "g1", "up": "SET search_path = ss_evil, public; SET work_mem = '7MB'; SET LOCAL statement_timeout = '3s'; CREATE TABLE ss_t (id int); INSERT INTO public.ss_seen VALUES ('g1', 'search_path', current_setting('search_path'));"},
  {"revision": "g2", "parents": ["g1"], "up": "INSERT INTO ss_seen VALUES ('g2', 'search_path', current_setting('search_path')), ('g2', 'work_mem', current_setting('work_mem')), ('g2', 'lock_timeout', current_setting('lock_timeout'));"}
]$j$);
SHOW search_path;
SHOW work_mem;
SELECT revision FROM pgmig.mig_apply();
-- the body's settings did not leak into the session, nor into the next revision
SHOW search_path;
SHOW work_mem;
SHOW statement_timeout;
SELECT rev, setting, value FROM ss_seen ORDER BY rev, setting;
-- the table went where the body's search_path said
SELECT schemaname FROM pg_tables WHERE tablename = 'ss_t';

-- pgmig.lock_timeout is what bodies run with; the session's own setting is untouched
SET pgmig.lock_timeout = '150ms';
SET lock_timeout = '9s';
SELECT revision FROM pgmig.mig_upload('g3', 'INSERT INTO ss_seen VALUES (''g3'', ''lock_timeout'', current_setting(''lock_timeout''));', parents => '{g2}');
SELECT revision FROM pgmig.mig_apply();
SELECT value FROM ss_seen WHERE rev = 'g3';
SHOW lock_timeout;
-- 0 keeps the session's setting
SET pgmig.lock_timeout = 0;
SELECT revision FROM pgmig.mig_upload('g4', 'INSERT INTO ss_seen VALUES (''g4'', ''lock_timeout'', current_setting(''lock_timeout''));', parents => '{g3}');
SELECT revision FROM pgmig.mig_apply();
SELECT value FROM ss_seen WHERE rev = 'g4';
RESET lock_timeout;
RESET pgmig.lock_timeout;
SHOW pgmig.lock_timeout;
-- the prefix is reserved
SET pgmig.no_such_setting = 1;

-- a role change that the parser cannot see is refused at run time
SELECT revision FROM pgmig.mig_upload('g5', 'SELECT set_config(''role'', ''pgmig_admin'', false);', parents => '{g4}');
\set VERBOSITY terse
SELECT revision FROM pgmig.mig_apply();
\set VERBOSITY default
SELECT current_user, session_user;

DROP EXTENSION pgmig;
DROP TABLE ss_seen, ss_evil.ss_t;
DROP SCHEMA ss_evil;
