-- stale_stats: the queries whose cost the docs promise keep it whatever
-- the planner's statistics.  The statistics below are taken while the
-- catalog is nearly empty; a second project then uploads 3,000 heads.
-- mig_heads must read them by primary key, never by a sequential scan of
-- pgmig.revision or pgmig.applied (a join let a stale planner loop over the
-- heads array for every revision: 5,000 heads took 3 s, 32,000 minutes).
-- The counts are this transaction's (pg_stat_xact_user_tables), not timings.
-- (The same holds for an apply's record of what it changed: below.)
CREATE EXTENSION pgmig;
SET client_min_messages = warning;
SELECT count(*) FROM pgmig.mig_upload_batch('[{"revision": "a", "up": "SELECT 1;"}]', true, 'ss_small');
ANALYZE pgmig.revision;
ANALYZE pgmig.applied;
ANALYZE pgmig.project_state;
SELECT count(*) FROM pgmig.mig_upload_batch(
  (SELECT jsonb_agg(jsonb_build_object('revision', 'h' || lpad(g::text, 5, '0'), 'up', 'SELECT 1;'))
     FROM generate_series(1, 3000) g), true, 'ss_wide');
SELECT count(*) FROM pgmig.mig_stamp(ARRAY['h00002', 'h02999'], 'ss_wide');

-- a new session: the xact counters of PostgreSQL 15 also hold the earlier
-- transactions' counts until they are flushed
\c
BEGIN;
SELECT count(*) AS heads, count(*) FILTER (WHERE applied) AS applied,
       min(revision) AS first, max(revision) AS last
  FROM pgmig.mig_heads('ss_wide');
SELECT relname, seq_scan FROM pg_stat_xact_user_tables
 WHERE schemaname = 'pgmig' AND relname IN ('revision', 'applied') ORDER BY relname;
SELECT seq_scan <= 1 AS project_state_read_once FROM pg_stat_xact_user_tables
 WHERE schemaname = 'pgmig' AND relname = 'project_state';
COMMIT;

-- the heads come in the order the project keeps them, with their labels
-- and messages, as before
SELECT * FROM pgmig.mig_heads('ss_wide') ORDER BY revision LIMIT 3;
SELECT count(*) FROM pgmig.mig_upload_batch(
  '[{"revision": "m", "parents": ["a"], "up": "SELECT 1;", "message": "the merge", "branch_labels": ["x", "y"]}]',
  true, 'ss_small');
SELECT * FROM pgmig.mig_heads('ss_small');

-- An apply's record of what it changed (0.7) reads the recorded rows of the
-- objects it touched by index, and asks whether a base exists through
-- schema_change_full, whatever the statistics: taken here while
-- schema_object and schema_change were nearly empty, before 400 tables
-- (2,000 recorded objects) and 300 records.
SELECT objects FROM pgmig.mig_snapshot('ss_small');
ANALYZE pgmig.schema_object;
ANALYZE pgmig.schema_change;
DO $$
BEGIN
	FOR i IN 1 .. 400 LOOP
		EXECUTE format('CREATE TABLE ss_t%s (id int PRIMARY KEY, v text NOT NULL DEFAULT %L)', i, '');
	END LOOP;
END $$;
SELECT objects >= 2000 AS accepted FROM pgmig.mig_snapshot('ss_small');
SELECT count(*) FROM pgmig.mig_upload_batch(
  (SELECT jsonb_agg(jsonb_build_object('revision', 'n' || g, 'parents', jsonb_build_array(CASE WHEN g = 1 THEN 'm' ELSE 'n' || (g - 1) END),
                                       'up', 'SELECT 1;')) FROM generate_series(1, 300) g), true, 'ss_small');
SET client_min_messages = warning;
DO $$
BEGIN
	FOR i IN 1 .. 302 LOOP
		PERFORM pgmig.mig_apply('n300', 'ss_small', max_revisions => 1);
	END LOOP;
END $$;
SELECT count(*) >= 300 AS records FROM pgmig.schema_change;
SELECT count(*) FROM pgmig.mig_upload('r1', 'ALTER TABLE ss_t200 ADD COLUMN w int; CREATE TABLE ss_new (id int);',
                                      '{n300}', project => 'ss_small');
\c
SET client_min_messages = warning;
BEGIN;
SELECT revision FROM pgmig.mig_apply('r1', 'ss_small');
SELECT relname, seq_scan, idx_scan > 0 AS by_index FROM pg_stat_xact_user_tables
 WHERE schemaname = 'pgmig' AND relname IN ('schema_object', 'schema_change') ORDER BY relname;
COMMIT;
SELECT x.kind, x.identity FROM pgmig.schema_change c, jsonb_to_recordset(c.changes) AS x(kind text, identity text)
 WHERE c.event_id = (SELECT max(event_id) FROM pgmig.schema_change) ORDER BY 1, 2;
SELECT count(*) AS drift FROM pgmig.mig_drift();

DO $$
BEGIN
	FOR i IN 1 .. 400 LOOP
		EXECUTE format('DROP TABLE ss_t%s', i);
	END LOOP;
END $$;
DROP TABLE ss_new;
DROP EXTENSION pgmig;
