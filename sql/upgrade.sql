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
BEGIN;
SELECT revision, xid = pg_current_xact_id() AS own_xid FROM pgmig.mig_apply('u2', max_revisions => 1);
COMMIT;
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
