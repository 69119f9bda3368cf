-- upgrade: a database at 0.1 keeps working with the current library, and
-- ALTER EXTENSION ... UPDATE (through every upgrade script) keeps its history
-- while adding the later versions' functions.
CREATE EXTENSION pgmig VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'pgmig';
SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "u1", "up": "CREATE TABLE up_a (id int);", "down": "DROP TABLE up_a;"},
  {"revision": "u2", "parents": ["u1"], "up": "CREATE TABLE up_b (id int);", "down": "DROP TABLE up_b;"}
]$j$) ORDER BY 1;
-- 0.1's mig_apply (three arguments, three result columns) on the new library
SELECT * FROM pgmig.mig_apply('u1') \gset
SELECT :'revision' AS revision, :statements AS statements;

ALTER EXTENSION pgmig UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pgmig';
-- history survived; the new signature returns the transaction id
SELECT revision, applied FROM pgmig.mig_revisions() ORDER BY 1;
-- 0.4's pgmig.project_state has no row for a project stored before it:
-- mig_sync says the digest is unknown (the client then uploads, which writes
-- the row) and mig_heads reads the graph; the next apply writes the row
SELECT digest IS NULL AS digest_unknown, revisions, pending, nontransactional FROM pgmig.mig_sync();
SELECT revision, applied FROM pgmig.mig_heads();
SELECT count(*) AS state_rows FROM pgmig.project_state;
BEGIN;
SELECT revision, xid = pg_current_xact_id() AS own_xid FROM pgmig.mig_apply('u2', max_revisions => 1);
COMMIT;
SELECT project, revisions, applied, heads FROM pgmig.project_state;
SELECT digest = (SELECT encode(sha256(convert_to(string_agg(concat_ws(E'\x1f', revision,
                   array_to_string(parents, ','), array_to_string(depends_on, ','),
                   array_to_string(branch_labels, ','), COALESCE(message, E'\x1e'), checksum,
                   COALESCE(down_checksum, '')), E'\n' ORDER BY revision COLLATE "C"), 'UTF8')), 'hex')
                   FROM pgmig.mig_revisions()) AS digest_matches, revisions, pending
  FROM pgmig.mig_sync();
SELECT count(*) FILTER (WHERE kind = 'upload') AS uploads, count(*) FILTER (WHERE kind = 'apply') AS applies
  FROM pgmig.mig_history();

-- the upgraded extension has exactly the objects of a fresh install
CREATE TEMP VIEW inventory AS
SELECT 'function' AS kind, p.proname || '(' || pg_get_function_arguments(p.oid) || ') -> ' ||
       pg_get_function_result(p.oid) AS object
  FROM pg_proc p WHERE p.pronamespace = 'pgmig'::regnamespace
UNION ALL
SELECT 'column', c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'pgmig'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint', conrelid::regclass || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'pgmig'::regnamespace
UNION ALL
SELECT 'grant', p.proname || ' ' || r.rolname
  FROM pg_proc p CROSS JOIN pg_roles r
 WHERE p.pronamespace = 'pgmig'::regnamespace AND r.rolname LIKE 'pgmig\_%'
   AND has_function_privilege(r.oid, p.oid, 'EXECUTE');
CREATE TEMP TABLE upgraded AS SELECT * FROM inventory;
DROP EXTENSION pgmig;
DROP TABLE up_a, up_b;
CREATE EXTENSION pgmig;
CREATE TEMP TABLE fresh AS SELECT * FROM inventory;
SELECT count(*) > 40 AS compared FROM fresh;
(SELECT 'only upgraded' AS side, * FROM upgraded EXCEPT SELECT 'only upgraded', * FROM fresh)
UNION ALL
(SELECT 'only fresh', * FROM fresh EXCEPT SELECT 'only fresh', * FROM upgraded);
DROP EXTENSION pgmig;
