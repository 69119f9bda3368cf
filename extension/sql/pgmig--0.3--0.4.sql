/*
 * extension/sql/pgmig--0.3--0.4.sql — upgrade pgmig 0.3 to 0.4.
 *
 * 0.4 closes an install-time hole: the 0.1 script accepts a schema "pgmig"
 * that already exists when the installing role owns it, and REVOKE ALL ...
 * FROM PUBLIC does not remove grants to named roles.  A role holding CREATE
 * on that schema could then add functions next to pgmig's (overloads that
 * make documented calls ambiguous, objects mig_fingerprint does not see).
 * CREATE EXTENSION at 0.4 runs the 0.1 script and every upgrade, so this
 * check runs at install time too, and at every ALTER EXTENSION ... UPDATE
 * from 0.3: while any role other than the schema's owner (or PUBLIC) holds
 * CREATE on schema pgmig, installing or upgrading fails with 42501 and
 * changes nothing.
 *
 * Same rules as the earlier scripts: the search_path is pinned, operators
 * are qualified, nothing is granted to PUBLIC.
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.4'" to load this file. \quit

SET LOCAL search_path = pg_catalog, pg_temp;

DO $check$
DECLARE
	intruders text;
BEGIN
	SELECT pg_catalog.string_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
	                                  ELSE pg_catalog.quote_ident(r.rolname) END, ', '
	                             ORDER BY r.rolname)
	  INTO intruders
	  FROM pg_catalog.pg_namespace n
	 CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) a
	  LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
	 WHERE n.nspname OPERATOR(pg_catalog.=) 'pgmig'
	   AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
	   AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner;
	IF intruders IS NOT NULL THEN
		RAISE EXCEPTION 'schema "pgmig" grants CREATE to %', intruders
		USING ERRCODE = '42501',
		      DETAIL = 'Only the owner of schema pgmig may create objects in it: another role could add functions '
		               'next to pgmig''s.',
		      HINT = pg_catalog.format('REVOKE CREATE ON SCHEMA pgmig FROM %s; then run the command again.', intruders);
	END IF;
END
$check$;
