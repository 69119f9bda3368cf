-- boundary: nothing a body leaves behind runs as the applier (boundary.hpp).
--
-- Every attack of test/corpus/boundary/attacks.sql is uploaded by a deployer
-- (or, for the attacks on pgmig itself, by the superuser) and applied by the
-- superuser running this file, from psql, one project per attack, with
-- BEGIN / mig_apply / COMMIT so that anything deferred to COMMIT fires.
-- test/corpus/boundary/harness.sql checks after each: who ran the
-- attacker's trap (escalation), pgmig's rows and catalog footprint (rows
-- changed), and the session's temporary objects, prepared statements,
-- cursors, channels, advisory locks, settings and identity (state left).
-- bnd_summary() sums them; every count but "attacks" must be 0
-- ("unexpected" counts outcomes other than the corpus's expect).
--
-- One known trace is not counted: a body that SETs a custom setting
-- (bnd.x) leaves the name defined with an empty value (PostgreSQL cannot
-- forget a placeholder); its value ends with the revision.
CREATE EXTENSION pgmig;
CREATE ROLE bnd_mallory NOLOGIN IN ROLE pgmig_deployer;
CREATE SCHEMA bnd AUTHORIZATION bnd_mallory;
\set ECHO none
\i test/corpus/boundary/attacks.sql
\i test/corpus/boundary/harness.sql
\set ECHO all
SET client_min_messages = warning;
\set VERBOSITY terse
\pset tuples_only on

-- the attacker's tools, uploaded and applied like any revision
SELECT body AS prelude FROM bnd_attack WHERE n = 0 \gset
SET ROLE bnd_mallory;
SELECT action FROM pgmig.mig_upload('prelude', :'prelude', project => 'bnd_prelude');
RESET ROLE;
SELECT revision FROM pgmig.mig_apply('head', 'bnd_prelude');

-- the attacks
SELECT c.cmd
  FROM bnd_attack a,
       LATERAL unnest(ARRAY[
           format('SELECT bnd_before(%s, %L)', a.n, 'bnd_mallory'),
           format('SELECT bnd_snapshot(%s)', a.n),
           CASE WHEN a.uploader = 'deployer' THEN 'SET ROLE bnd_mallory' ELSE 'RESET ROLE' END,
           format('SELECT action FROM pgmig.mig_upload(''x'', %L, parents => ''{r}'', project => %L)',
                  a.body, 'bnd_' || a.n),
           'RESET ROLE',
           'BEGIN',
           format('SELECT revision FROM pgmig.mig_apply(''head'', %L)', 'bnd_' || a.n),
           'COMMIT',
           format('SELECT * FROM bnd_after(%s)', a.n)]) WITH ORDINALITY AS c(cmd, k)
 WHERE a.n > 0
 ORDER BY a.n, c.k
\gexec

\pset tuples_only off
SELECT r.n, a.name, a.uploader, r.outcome, r.escalation, r.rows_changed, r.state_left
  FROM bnd_run r JOIN bnd_attack a USING (n) ORDER BY r.n;
SELECT * FROM bnd_summary();

-- a body that sets a pgmig sequence back and then fails: the failure is
-- reported and the sequence stands where it stood (setval is not rolled back)
SELECT last_value >= 50 AS event_ids_kept FROM pgmig.event_event_id_seq;

-- pgmig.allow_catalog_writes: superuser only, and a body cannot set it
SET ROLE bnd_mallory;
SET pgmig.allow_catalog_writes = on;
RESET ROLE;
SELECT action FROM pgmig.mig_upload('y', 'SET pgmig.allow_catalog_writes = on', project => 'bnd_set');
SELECT revision FROM pgmig.mig_apply('head', 'bnd_set');
-- set by the superuser applying, a body may write a catalog (the old way of
-- changing an enum label, say)
CREATE TYPE bnd_mood AS ENUM ('sad', 'ok');
SELECT action FROM pgmig.mig_upload('z', $$UPDATE pg_catalog.pg_enum SET enumlabel = 'happy' WHERE enumlabel = 'ok' AND enumtypid = 'bnd_mood'::regtype$$, project => 'bnd_cat');
SELECT revision FROM pgmig.mig_apply('head', 'bnd_cat');
SET pgmig.allow_catalog_writes = on;
SELECT revision FROM pgmig.mig_apply('head', 'bnd_cat');
RESET pgmig.allow_catalog_writes;
SELECT enum_range(NULL::bnd_mood);

DROP EXTENSION pgmig;
DROP SCHEMA pgmig CASCADE;
DROP SCHEMA bnd CASCADE;
DROP TABLE bnd_canary, accounts, bnd_run, bnd_attack;
DROP FUNCTION bnd_state(), bnd_digest(text), bnd_sequences(), bnd_before(int, text), bnd_snapshot(int), bnd_after(int),
              bnd_summary();
DROP TYPE bnd_mood;
DROP ROLE bnd_mallory;
