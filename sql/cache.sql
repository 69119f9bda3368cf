-- cache: each backend keeps the graph and applied set it last read of a
-- project, keyed by the versions pgmig.project_state shows (project_state.cpp, "The
-- graph cache").  These cases would read a stale graph or applied set if a
-- part of that key or of its rules were missing; the cases with two sessions
-- are in test/specs/graph_cache.spec.  After each case, pg_temp.state_ok()
-- compares the project's row of pgmig.project_state with what it summarises,
-- computed from the tables.
CREATE EXTENSION pgmig;
SET client_min_messages = warning;
CREATE TABLE cache_exec (rev text NOT NULL);
CREATE FUNCTION pg_temp.state_ok(p text DEFAULT 'default') RETURNS text LANGUAGE sql AS $$
SELECT CASE WHEN s.project IS NULL THEN 'no row'
            WHEN s.revisions <> (SELECT count(*) FROM pgmig.revision r WHERE r.project = p) THEN 'revisions'
            WHEN s.applied <> (SELECT count(*) FROM pgmig.applied a WHERE a.project = p) THEN 'applied'
            WHEN s.heads <> (SELECT heads FROM pgmig.mig_status(p)) THEN 'heads'
            -- the heads and applied heads computed from the tables, as sets
            -- (mig_status answers from the row when every revision is applied)
            WHEN (SELECT COALESCE(array_agg(h ORDER BY h), '{}') FROM unnest(s.heads) h) <>
                 (SELECT COALESCE(array_agg(r.revision ORDER BY r.revision), '{}') FROM pgmig.revision r
                   WHERE r.project = p AND NOT EXISTS (SELECT FROM pgmig.revision c
                                                        WHERE c.project = p AND r.revision = ANY (c.parents)))
                 THEN 'heads (tables)'
            WHEN (SELECT COALESCE(array_agg(h ORDER BY h), '{}') FROM pgmig.mig_status(p) st, unnest(st.current) h) <>
                 (SELECT COALESCE(array_agg(a.revision ORDER BY a.revision), '{}') FROM pgmig.applied a
                   WHERE a.project = p AND NOT EXISTS (
                         SELECT FROM pgmig.revision c JOIN pgmig.applied ca ON ca.project = c.project
                                                                          AND ca.revision = c.revision
                          WHERE c.project = p AND (a.revision = ANY (c.parents) OR a.revision = ANY (c.depends_on))))
                 THEN 'current (tables)'
            WHEN (SELECT pending FROM pgmig.mig_status(p)) <>
                 (SELECT count(*) FROM pgmig.revision r WHERE r.project = p) -
                 (SELECT count(*) FROM pgmig.applied a WHERE a.project = p) THEN 'pending (tables)'
            WHEN s.nontransactional IS DISTINCT FROM
                 (SELECT COALESCE(array_agg(revision ORDER BY revision), '{}') FROM pgmig.revision r
                   WHERE r.project = p AND NOT transactional) THEN 'nontransactional'
            WHEN s.sync_digest <> (SELECT encode(sha256(convert_to(COALESCE(string_agg(concat_ws(E'\x1f', revision,
                   array_to_string(parents, ','), array_to_string(depends_on, ','),
                   array_to_string(branch_labels, ','), COALESCE(message, E'\x1e'), checksum,
                   COALESCE(down_checksum, '')), E'\n' ORDER BY revision COLLATE "C"), ''), 'UTF8')), 'hex')
                   FROM pgmig.mig_revisions(p)) THEN 'sync_digest'
            WHEN s.sync_digest <> (SELECT digest FROM pgmig.mig_sync(p)) THEN 'mig_sync'
            ELSE 'ok' END
  FROM (SELECT) AS one LEFT JOIN pgmig.project_state s ON s.project = p
$$;

-- DROP and CREATE EXTENSION start the sequence again: after the same
-- number of uploads it stands where it stood before, so the key also names
-- the sequence.  a1, a2 applied: the graph {a1, a2} is cached under 2.
SELECT revision, action FROM pgmig.mig_upload('a1', $b$INSERT INTO cache_exec VALUES ('a1')$b$);
SELECT revision, action FROM pgmig.mig_upload('a2', $b$INSERT INTO cache_exec VALUES ('a2')$b$, '{a1}');
SELECT revision FROM pgmig.mig_apply();
DROP EXTENSION pgmig;
CREATE EXTENSION pgmig;
SELECT last_value FROM pgmig.revision_upload_seq_seq;
SELECT revision, action FROM pgmig.mig_upload('r1', $b$INSERT INTO cache_exec VALUES ('r1')$b$);
SELECT revision, action FROM pgmig.mig_upload('r2', $b$INSERT INTO cache_exec VALUES ('r2')$b$, '{r1}');
SELECT revision FROM pgmig.mig_apply();
SELECT rev, count(*) FROM cache_exec GROUP BY rev ORDER BY rev;

-- An upload rolled back to a savepoint leaves the sequence where it moved
-- to; a transaction that uploaded must not cache what it read, or the
-- rolled-back r3 would be planned again after the rollback.
BEGIN;
SAVEPOINT s;
SELECT revision, action FROM pgmig.mig_upload('r3', $b$INSERT INTO cache_exec VALUES ('r3')$b$, '{r2}');
SELECT revision FROM pgmig.mig_apply();
ROLLBACK TO SAVEPOINT s;
SELECT revision FROM pgmig.mig_apply();
SELECT revision FROM pgmig.mig_heads();
COMMIT;
-- and in the next transaction too
SELECT revision FROM pgmig.mig_apply();
SELECT rev, count(*) FROM cache_exec GROUP BY rev ORDER BY rev;

-- An upload in an earlier transaction of this backend is seen.
SELECT revision, action FROM pgmig.mig_upload('r3', $b$INSERT INTO cache_exec VALUES ('r3')$b$, '{r2}');
SELECT revision FROM pgmig.mig_apply();

-- A replaced revision (delete plus insert, before it is applied) is read
-- again: the new body runs, not the cached checksum's.
SELECT revision, action FROM pgmig.mig_upload('r4', $b$INSERT INTO cache_exec VALUES ('r4-old')$b$, '{r3}');
SELECT revision, step FROM pgmig.mig_plan() ORDER BY step;
SELECT revision, action FROM pgmig.mig_upload('r4', $b$INSERT INTO cache_exec VALUES ('r4-new')$b$, '{r3}',
                                                replace => true);
SELECT revision FROM pgmig.mig_apply();
SELECT r.revision, r.checksum = a.checksum AS checksum_recorded
  FROM pgmig.revision r JOIN pgmig.applied a USING (project, revision) WHERE revision = 'r4';
SELECT rev, count(*) FROM cache_exec GROUP BY rev ORDER BY rev;
SELECT pg_temp.state_ok();

-- An apply rolled back: the row goes back to the applied version before it,
-- not the one this backend stored its new applied set under, so r5 is
-- pending again and runs again.
SELECT revision, action FROM pgmig.mig_upload('r5', $b$INSERT INTO cache_exec VALUES ('r5')$b$, '{r4}',
                                                down => $b$INSERT INTO cache_exec VALUES ('r5 down')$b$);
BEGIN;
SELECT revision FROM pgmig.mig_apply();
ROLLBACK;
SELECT pending FROM pgmig.mig_status();
SELECT revision FROM pgmig.mig_apply();
-- the same with a savepoint, inside one transaction
SELECT revision, action FROM pgmig.mig_upload('r6', $b$INSERT INTO cache_exec VALUES ('r6')$b$, '{r5}',
                                                down => $b$INSERT INTO cache_exec VALUES ('r6 down')$b$);
BEGIN;
SAVEPOINT s;
SELECT revision FROM pgmig.mig_apply();
ROLLBACK TO SAVEPOINT s;
SELECT revision FROM pgmig.mig_apply();
COMMIT;
SELECT rev, count(*) FROM cache_exec WHERE rev LIKE 'r5%' OR rev LIKE 'r6%' GROUP BY rev ORDER BY rev;
SELECT pg_temp.state_ok();

-- A downgrade, a failed revision (atomic => false keeps what ran before it)
-- and a stamp each move the applied version.
SELECT revision FROM pgmig.mig_downgrade('r4', atomic => false);
SELECT revision FROM pgmig.mig_plan() ORDER BY step;
SELECT pg_temp.state_ok();
SELECT revision FROM pgmig.mig_apply();
SELECT revision, action FROM pgmig.mig_upload('r7', $b$SELECT 1/0$b$, '{r6}');
SELECT revision FROM pgmig.mig_apply(atomic => false);
SELECT revision FROM pgmig.mig_plan() ORDER BY step;
SELECT pg_temp.state_ok();
SELECT revision, action FROM pgmig.mig_stamp('r3');
SELECT revision FROM pgmig.mig_plan() ORDER BY step;
SELECT pg_temp.state_ok();
SELECT revision, action FROM pgmig.mig_stamp('r6');
SELECT pg_temp.state_ok();

-- A row deleted by hand (as a project stored by 0.3 has none): mig_sync
-- does not know the digest, mig_heads reads the graph, and the next call
-- that takes the project lock writes the row again.
DELETE FROM pgmig.project_state;
SELECT digest IS NULL AS digest_unknown, revisions, pending FROM pgmig.mig_sync();
SELECT revision, applied FROM pgmig.mig_heads();
SELECT revision FROM pgmig.mig_plan() ORDER BY step;
SELECT revision FROM pgmig.mig_apply(atomic => false);
SELECT pg_temp.state_ok();
-- an empty project has a known digest (of nothing) and no row
SELECT digest = encode(sha256(''), 'hex') AS empty_digest, revisions, pending FROM pgmig.mig_sync('nothing_here');

-- Heads with labels, messages and several branches come from the row.
SELECT count(*) FROM pgmig.mig_upload_batch($j$[
  {"revision": "b1", "up": "SELECT 1", "branch_labels": ["left"], "message": "left branch"},
  {"revision": "b2", "up": "SELECT 1", "branch_labels": ["right"]},
  {"revision": "b3", "up": "CREATE INDEX CONCURRENTLY cache_exec_idx ON cache_exec (rev)", "parents": ["b2"]}
]$j$, project => 'branches');
SELECT revision, applied, branch_labels, message FROM pgmig.mig_heads('branches');
SELECT revision, action FROM pgmig.mig_stamp('b1', 'branches');
SELECT revision, applied FROM pgmig.mig_heads('branches');
SELECT pg_temp.state_ok('branches');
SELECT revisions, pending, nontransactional FROM pgmig.mig_sync('branches');

-- An upload leaves the graph it wrote in the cache (upload.cpp, step 6), so
-- the status and apply that follow in the same backend do not read the
-- history again.  What this backend answers from that entry must be what a
-- new backend reads from the tables: the same revisions with the same
-- metadata, in the same order (a replaced revision moves to the end, as its
-- row is inserted again), the same plan and the same lines.  The upload
-- replaces an unapplied revision, adds revisions with a down body, a
-- non-transactional body, labels, a message and a dependency; one batch is
-- rolled back, and its entry must not be used afterwards; another is
-- refused.
SELECT count(*) FROM pgmig.mig_upload_batch($j$[
  {"revision": "u1", "up": "INSERT INTO cache_exec VALUES ('u1')"},
  {"revision": "u2", "up": "INSERT INTO cache_exec VALUES ('u2')", "parents": ["u1"]},
  {"revision": "u3", "up": "INSERT INTO cache_exec VALUES ('u3')", "parents": ["u1"]}
]$j$, project => 'uploaded');
SELECT revision FROM pgmig.mig_apply('u1', 'uploaded');
SELECT revision, action FROM pgmig.mig_upload_batch($j$[
  {"revision": "u2", "up": "INSERT INTO cache_exec VALUES ('u2 again')", "parents": ["u1"], "message": "replaced"},
  {"revision": "u4", "up": "INSERT INTO cache_exec VALUES ('u4')", "down": "DELETE FROM cache_exec WHERE rev = 'u4'",
   "parents": ["u3"], "depends_on": ["u2"], "branch_labels": ["four"], "message": "fourth"},
  {"revision": "u5", "up": "CREATE INDEX CONCURRENTLY cache_u5 ON cache_exec (rev)", "parents": ["u2"]}
]$j$, true, 'uploaded') ORDER BY revision;
-- (a plain function: the session ends at the reconnect below)
CREATE FUNCTION cache_answers() RETURNS TABLE (what text, n bigint, answer text) LANGUAGE sql AS $$
SELECT 'revisions', row_number() OVER (), r::text FROM pgmig.mig_revisions('uploaded') r
UNION ALL SELECT 'plan', step, revision FROM pgmig.mig_plan('heads', 'uploaded')
UNION ALL SELECT 'lines', row_number() OVER (), l::text FROM pgmig.mig_sync_lines('uploaded') l
UNION ALL SELECT 'status', 1, s::text FROM pgmig.mig_status('uploaded') s
$$;
CREATE TABLE cache_seen AS SELECT 'after upload' AS at, * FROM cache_answers();
BEGIN;
SELECT revision, action FROM pgmig.mig_upload('u6', 'SELECT 6', '{u4}', project => 'uploaded');
ROLLBACK;
INSERT INTO cache_seen SELECT 'after rollback', * FROM cache_answers();
-- An upload refused after it took the cached revisions to build the new
-- graph (an unknown parent): the entry it took must not be used afterwards.
SELECT revision, action FROM pgmig.mig_upload('u7', 'SELECT 7', '{nope}', project => 'uploaded');
INSERT INTO cache_seen SELECT 'after refusal', * FROM cache_answers();
SELECT at, what, count(*) FROM cache_seen GROUP BY at, what ORDER BY at, what;
\c
SET client_min_messages = warning;
CREATE TEMP TABLE cache_fresh AS SELECT * FROM cache_answers();
-- no row differs either way, at either point
SELECT at, 'only in the uploading backend' AS side, what, n, answer
  FROM (SELECT at, what, n, answer FROM cache_seen EXCEPT SELECT a.at, f.* FROM cache_fresh f,
        (VALUES ('after upload'), ('after rollback'), ('after refusal')) AS a (at)) d
UNION ALL
SELECT a.at, 'only in a new backend', f.* FROM cache_fresh f, (VALUES ('after upload'), ('after rollback'), ('after refusal')) AS a (at)
 WHERE (a.at, f.what, f.n, f.answer) NOT IN (SELECT * FROM cache_seen);
SELECT revision FROM pgmig.mig_plan('heads', 'uploaded') ORDER BY step;
DROP TABLE cache_seen;
DROP FUNCTION cache_answers();

DROP EXTENSION pgmig;
DROP TABLE cache_exec;
