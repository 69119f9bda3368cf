-- install: CREATE EXTENSION, catalog, roles, grants, immutability
CREATE EXTENSION pgmig;
-- the schema is created when absent
SELECT nspname, pg_get_userbyid(nspowner) = current_user AS owned_by_installer FROM pg_namespace WHERE nspname = 'pgmig';

SELECT extname, extversion, extrelocatable, n.nspname AS schema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE extname = 'pgmig';

-- the control file: fixed schema, not relocatable, not trusted, superuser only;
-- 0.1 is installable, later versions through the upgrade scripts
SELECT name, version, superuser, trusted, relocatable, schema
  FROM pg_available_extension_versions WHERE name = 'pgmig' ORDER BY version;

-- catalog tables, dumped by pg_dump (pg_extension_config_dump); not the
-- lease of a non-transactional revision, which describes a live backend
SELECT c.relname, c.relkind, c.oid = ANY (e.extconfig) AS dumped
  FROM pg_class c JOIN pg_extension e ON e.extname = 'pgmig'
 WHERE c.relnamespace = 'pgmig'::regnamespace AND c.relkind IN ('r', 'S')
 ORDER BY 1;

-- roles exist, cannot log in, are not superusers, and nest reader < deployer < admin
SELECT rolname, rolcanlogin, rolsuper FROM pg_roles WHERE rolname LIKE 'pgmig\_%' ORDER BY 1;
SELECT pg_has_role('pgmig_admin', 'pgmig_deployer', 'MEMBER') AS admin_is_deployer,
       pg_has_role('pgmig_deployer', 'pgmig_reader', 'MEMBER') AS deployer_is_reader,
       pg_has_role('pgmig_reader', 'pgmig_deployer', 'MEMBER') AS reader_is_deployer;

-- nothing is granted to PUBLIC: no function, no table, not even schema usage
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args
  FROM pg_proc p
 WHERE p.pronamespace = 'pgmig'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
 ORDER BY 1, 2;
SELECT c.relname FROM pg_class c
 WHERE c.relnamespace = 'pgmig'::regnamespace
   AND (has_table_privilege('public', c.oid, 'SELECT') OR has_table_privilege('public', c.oid, 'INSERT'));
SELECT has_schema_privilege('public', 'pgmig', 'USAGE') AS public_usage,
       has_schema_privilege('pgmig_reader', 'pgmig', 'USAGE') AS reader_usage,
       has_schema_privilege('pgmig_admin', 'pgmig', 'CREATE') AS admin_create;

-- which role may call what
SELECT p.proname,
       has_function_privilege('pgmig_reader', p.oid, 'EXECUTE') AS reader,
       has_function_privilege('pgmig_deployer', p.oid, 'EXECUTE') AS deployer,
       has_function_privilege('pgmig_admin', p.oid, 'EXECUTE') AS admin
  FROM pg_proc p WHERE p.pronamespace = 'pgmig'::regnamespace AND p.proname LIKE 'mig\_%'
 ORDER BY 1, pg_get_function_identity_arguments(p.oid);

-- no SECURITY DEFINER function; every mig_ function is VOLATILE but the
-- read-only fingerprint functions and mig_schema, which are STABLE
SELECT proname FROM pg_proc WHERE pronamespace = 'pgmig'::regnamespace AND (prosecdef OR (proname LIKE 'mig\_%' AND provolatile <> 'v'));

-- bodies and checksums are immutable, even for the owner
SELECT action FROM pgmig.mig_upload('r1', 'CREATE TABLE inst_t (id int);');
UPDATE pgmig.revision SET up_body = 'DROP TABLE important;' WHERE revision = 'r1';
UPDATE pgmig.revision SET checksum = 'x' WHERE revision = 'r1';
UPDATE pgmig.revision SET message = 'note' WHERE revision = 'r1';
-- the event log is append-only
UPDATE pgmig.event SET who = 'nobody';
DELETE FROM pgmig.event;
SELECT count(*) AS events FROM pgmig.event;

DROP EXTENSION pgmig;

-- a pre-existing role with LOGIN is refused: it may belong to someone else
ALTER ROLE pgmig_reader LOGIN;
CREATE EXTENSION pgmig;
ALTER ROLE pgmig_reader NOLOGIN SUPERUSER;
CREATE EXTENSION pgmig;
ALTER ROLE pgmig_reader NOSUPERUSER;

-- a non-superuser cannot install it (the extension is not trusted)
CREATE ROLE inst_user LOGIN;
GRANT CREATE ON DATABASE contrib_regression TO inst_user;
SET ROLE inst_user;
CREATE EXTENSION pgmig;
RESET ROLE;
REVOKE CREATE ON DATABASE contrib_regression FROM inst_user;
DROP ROLE inst_user;

-- a schema "pgmig" owned by someone else is refused (PostgreSQL keeps the schema after DROP EXTENSION)
CREATE ROLE inst_squatter NOLOGIN;
ALTER SCHEMA pgmig OWNER TO inst_squatter;
CREATE EXTENSION pgmig;
ALTER SCHEMA pgmig OWNER TO CURRENT_USER;
-- ... and so is one of ours on which another role may create objects (0.4):
-- installing fails, and so does updating a 0.3 install, until it is revoked
GRANT CREATE ON SCHEMA pgmig TO inst_squatter;
CREATE EXTENSION pgmig;
SELECT count(*) AS pgmig_objects FROM pg_proc WHERE pronamespace = 'pgmig'::regnamespace;
REVOKE CREATE ON SCHEMA pgmig FROM inst_squatter;
CREATE EXTENSION pgmig VERSION '0.3';
GRANT CREATE ON SCHEMA pgmig TO inst_squatter;
ALTER EXTENSION pgmig UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pgmig';
REVOKE CREATE ON SCHEMA pgmig FROM inst_squatter;
ALTER EXTENSION pgmig UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'pgmig';
DROP EXTENSION pgmig;
DROP ROLE inst_squatter;

-- reinstall works with the roles already present
CREATE EXTENSION pgmig;
SELECT count(*) AS revisions FROM pgmig.revision;
DROP EXTENSION pgmig;
