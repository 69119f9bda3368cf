-- stale_stats: the queries whose cost the docs promise keep it whatever
-- the planner's statistics.  The statistics below are taken while the
-- catalog is nearly empty; a second project then uploads 3,000 heads.
-- mig_heads must read them by primary key, never by a sequential scan of
-- pgmig.revision or pgmig.applied (a join let a stale planner loop over the
-- heads array for every revision: 5,000 heads took 3 s, 32,000 minutes).
-- The counts are this transaction's (pg_stat_xact_user_tables), not timings.
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

DROP EXTENSION pgmig;
