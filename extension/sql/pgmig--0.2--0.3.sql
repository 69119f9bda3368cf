/*
 * extension/sql/pgmig--0.2--0.3.sql - upgrade pgmig 0.2 to 0.3.
 *
 * 0.3 is the safety net:
 *  - mig_fingerprint: the user-visible schema, object by object, and its
 *    digest; every apply, downgrade and stamp call records it, and the
 *    objects each call changed (pgmig.schema_change);
 *  - mig_drift: what changed outside pgmig since then; the opt-in audit
 *    (mig_audit_enable) logs such DDL into pgmig.ddl_log as it happens;
 *  - mig_baseline: adopt an existing database (stamp plus fingerprint);
 *  - mig_roundtrip: up, down and up again for each pending revision,
 *    checking the schema each time, all rolled back (the CI check);
 *  - mig_lint: the server's parser and live catalog check a body for
 *    statements that lock or rewrite busy tables, break a running
 *    application, or cannot succeed (docs/lint.md); uploads run it too, as
 *    the project's policy says (pgmig.policy, mig_set_policy);
 *
 * Same rules as the earlier scripts: everything schema-qualified, nothing
 * granted to PUBLIC, the catalog written only by the C functions.
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.3'" to load this file. \quit

/* ---------------------------------------------------------------------------
 * Schema fingerprint.
 *
 * mig_fingerprint() lists the user-visible schema of the database, one row
 * per object: its kind, an identity unique within the kind, and a definition
 * in PostgreSQL's own words (pg_get_indexdef, pg_get_constraintdef,
 * pg_get_viewdef, pg_get_functiondef, pg_get_triggerdef, format_type, ...),
 * computed with search_path = pg_catalog so every name in it is
 * schema-qualified and the text does not depend on the caller's settings.
 * Left out: pg_catalog, information_schema, TOAST and temporary schemas,
 * pgmig's own schema, and every object that belongs to an extension (the
 * extension itself is listed with its version).  Ownership is left out (it
 * differs between environments that run the same migrations); grants are in,
 * as kind 'acl'.  OIDs never appear, so two databases built by the same
 * migrations give the same rows.
 * ------------------------------------------------------------------------- */
CREATE FUNCTION pgmig.mig_fingerprint(OUT kind text, OUT identity text, OUT definition text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fp$
WITH ns AS (
	SELECT n.oid, n.nspname, n.nspacl
	  FROM pg_catalog.pg_namespace n
	 WHERE n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast', 'pgmig']::pg_catalog.name[])
	   AND n.nspname OPERATOR(pg_catalog.!~) '^pg_(toast_)?temp_'
	   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
	                    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_namespace'::pg_catalog.regclass
	                      AND d.objid OPERATOR(pg_catalog.=) n.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
),
rel AS (
	SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relacl, c.reloptions, c.relispartition,
	       c.relrowsecurity, c.relforcerowsecurity, c.relpartbound,
	       pg_catalog.format('%I.%I', ns.nspname, c.relname) AS ident
	  FROM pg_catalog.pg_class c JOIN ns ON ns.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'v', 'm', 'S', 'f', 'i', 'I', 'c']::"char"[])
	   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
	                    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
	                      AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
),
typ AS (
	SELECT t.oid, t.typname, t.typtype, t.typbasetype, t.typtypmod, t.typnotnull, t.typdefault, t.typrelid,
	       t.typacl, pg_catalog.format('%I.%I', ns.nspname, t.typname) AS ident
	  FROM pg_catalog.pg_type t JOIN ns ON ns.oid OPERATOR(pg_catalog.=) t.typnamespace
	 WHERE t.typtype OPERATOR(pg_catalog.=) ANY (ARRAY['e', 'd', 'c', 'r']::"char"[])
	   AND (t.typtype OPERATOR(pg_catalog.<>) 'c'
	        OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c')
	   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
	                    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
	                      AND d.objid OPERATOR(pg_catalog.=) t.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
),
fn AS (
	SELECT p.oid, p.prokind, p.proacl, p.oid::pg_catalog.regprocedure::pg_catalog.text AS ident
	  FROM pg_catalog.pg_proc p JOIN ns ON ns.oid OPERATOR(pg_catalog.=) p.pronamespace
	 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
	                    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
	                      AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
)
SELECT 'schema', pg_catalog.quote_ident(ns.nspname), '' FROM ns
UNION ALL
SELECT 'extension', pg_catalog.quote_ident(e.extname),
       pg_catalog.format('version %s, schema %I', e.extversion, n.nspname)
  FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
 WHERE e.extname OPERATOR(pg_catalog.<>) 'pgmig'
UNION ALL
SELECT CASE rel.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'f' THEN 'foreign table' END, rel.ident,
       pg_catalog.concat_ws(' ',
           CASE rel.relkind WHEN 'p' THEN 'PARTITION BY ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_partkeydef(rel.oid) END,
           CASE WHEN rel.relispartition
                THEN 'PARTITION OF ' OPERATOR(pg_catalog.||)
                     (SELECT i.inhparent::pg_catalog.regclass::pg_catalog.text FROM pg_catalog.pg_inherits i
                       WHERE i.inhrelid OPERATOR(pg_catalog.=) rel.oid) OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||)
                     pg_catalog.pg_get_expr(rel.relpartbound, rel.oid) END,
           CASE WHEN NOT rel.relispartition
                THEN (SELECT 'INHERITS (' OPERATOR(pg_catalog.||)
                             pg_catalog.string_agg(i.inhparent::pg_catalog.regclass::pg_catalog.text, ', ' ORDER BY i.inhseqno)
                             OPERATOR(pg_catalog.||) ')'
                        FROM pg_catalog.pg_inherits i WHERE i.inhrelid OPERATOR(pg_catalog.=) rel.oid) END,
           CASE rel.relpersistence WHEN 'u' THEN 'UNLOGGED' END,
           CASE WHEN rel.reloptions IS NOT NULL THEN 'WITH (' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(rel.reloptions, ', ') OPERATOR(pg_catalog.||) ')' END,
           CASE WHEN rel.relrowsecurity THEN 'ROW LEVEL SECURITY' END,
           CASE WHEN rel.relforcerowsecurity THEN 'FORCE ROW LEVEL SECURITY' END)
  FROM rel WHERE rel.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'f']::"char"[])
UNION ALL
SELECT 'column', rel.ident OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(a.attname),
       pg_catalog.concat_ws(' ',
           'position ' OPERATOR(pg_catalog.||) pg_catalog.row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
           pg_catalog.format_type(a.atttypid, a.atttypmod),
           CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) 0
                 AND a.attcollation OPERATOR(pg_catalog.<>) (SELECT t.typcollation FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) a.atttypid)
                THEN 'COLLATE ' OPERATOR(pg_catalog.||) a.attcollation::pg_catalog.regcollation::pg_catalog.text END,
           CASE WHEN a.attnotnull THEN 'NOT NULL' END,
           CASE a.attidentity WHEN 'a' THEN 'GENERATED ALWAYS AS IDENTITY' WHEN 'd' THEN 'GENERATED BY DEFAULT AS IDENTITY' END,
           CASE WHEN a.attgenerated OPERATOR(pg_catalog.=) 's'
                THEN 'GENERATED ALWAYS AS (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) OPERATOR(pg_catalog.||) ') STORED'
                WHEN ad.adbin IS NOT NULL
                THEN 'DEFAULT ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END)
  FROM rel
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) rel.oid
  LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
 WHERE rel.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'f', 'v', 'm', 'c']::"char"[])
   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint',
       COALESCE(crel.ident, ctyp.ident) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(co.conname),
       pg_catalog.pg_get_constraintdef(co.oid)
  FROM pg_catalog.pg_constraint co
  LEFT JOIN rel crel ON crel.oid OPERATOR(pg_catalog.=) co.conrelid
  LEFT JOIN typ ctyp ON ctyp.oid OPERATOR(pg_catalog.=) co.contypid
 WHERE crel.oid IS NOT NULL OR ctyp.oid IS NOT NULL
UNION ALL
SELECT 'index', rel.ident,
       pg_catalog.pg_get_indexdef(rel.oid) OPERATOR(pg_catalog.||)
       CASE WHEN i.indisvalid THEN '' ELSE ' (INVALID)' END
  FROM rel JOIN pg_catalog.pg_index i ON i.indexrelid OPERATOR(pg_catalog.=) rel.oid
 WHERE rel.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['i', 'I']::"char"[])
UNION ALL
SELECT 'sequence', rel.ident,
       pg_catalog.concat_ws(' ',
           'AS ' OPERATOR(pg_catalog.||) pg_catalog.format_type(s.seqtypid, NULL),
           'START ' OPERATOR(pg_catalog.||) s.seqstart, 'INCREMENT ' OPERATOR(pg_catalog.||) s.seqincrement,
           'MINVALUE ' OPERATOR(pg_catalog.||) s.seqmin, 'MAXVALUE ' OPERATOR(pg_catalog.||) s.seqmax,
           'CACHE ' OPERATOR(pg_catalog.||) s.seqcache, CASE WHEN s.seqcycle THEN 'CYCLE' END,
           (SELECT 'OWNED BY ' OPERATOR(pg_catalog.||) d.refobjid::pg_catalog.regclass::pg_catalog.text
                   OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(a.attname)
              FROM pg_catalog.pg_depend d
              JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.objid OPERATOR(pg_catalog.=) rel.oid
               AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
               AND d.deptype OPERATOR(pg_catalog.=) ANY (ARRAY['a', 'i']::"char"[]) LIMIT 1))
  FROM rel JOIN pg_catalog.pg_sequence s ON s.seqrelid OPERATOR(pg_catalog.=) rel.oid
UNION ALL
SELECT CASE rel.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, rel.ident,
       pg_catalog.pg_get_viewdef(rel.oid, true)
  FROM rel WHERE rel.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['v', 'm']::"char"[])
UNION ALL
SELECT 'type', typ.ident,
       CASE typ.typtype
       WHEN 'e' THEN 'ENUM (' OPERATOR(pg_catalog.||)
                     (SELECT pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                        FROM pg_catalog.pg_enum e WHERE e.enumtypid OPERATOR(pg_catalog.=) typ.oid) OPERATOR(pg_catalog.||) ')'
       WHEN 'd' THEN pg_catalog.concat_ws(' ', 'DOMAIN AS ' OPERATOR(pg_catalog.||) pg_catalog.format_type(typ.typbasetype, typ.typtypmod),
                                         CASE WHEN typ.typnotnull THEN 'NOT NULL' END,
                                         CASE WHEN typ.typdefault IS NOT NULL THEN 'DEFAULT ' OPERATOR(pg_catalog.||) typ.typdefault END)
       WHEN 'c' THEN 'COMPOSITE'
       ELSE 'RANGE (SUBTYPE = ' OPERATOR(pg_catalog.||)
            (SELECT pg_catalog.format_type(r.rngsubtype, NULL) FROM pg_catalog.pg_range r WHERE r.rngtypid OPERATOR(pg_catalog.=) typ.oid)
            OPERATOR(pg_catalog.||) ')'
       END
  FROM typ
UNION ALL
SELECT CASE fn.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END, fn.ident,
       CASE WHEN fn.prokind OPERATOR(pg_catalog.=) 'a'
            THEN (SELECT pg_catalog.concat_ws(' ', 'SFUNC ' OPERATOR(pg_catalog.||) ag.aggtransfn::pg_catalog.text,
                                              'STYPE ' OPERATOR(pg_catalog.||) pg_catalog.format_type(ag.aggtranstype, NULL),
                                              CASE WHEN ag.aggfinalfn OPERATOR(pg_catalog.<>) 0 THEN 'FINALFUNC ' OPERATOR(pg_catalog.||) ag.aggfinalfn::pg_catalog.text END,
                                              CASE WHEN ag.agginitval IS NOT NULL THEN 'INITCOND ' OPERATOR(pg_catalog.||) pg_catalog.quote_literal(ag.agginitval) END)
                    FROM pg_catalog.pg_aggregate ag WHERE ag.aggfnoid OPERATOR(pg_catalog.=) fn.oid)
            ELSE pg_catalog.pg_get_functiondef(fn.oid) END
  FROM fn
UNION ALL
SELECT 'trigger', rel.ident OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(tg.tgname),
       pg_catalog.pg_get_triggerdef(tg.oid) OPERATOR(pg_catalog.||)
       CASE tg.tgenabled WHEN 'O' THEN '' WHEN 'D' THEN ' (DISABLED)' WHEN 'R' THEN ' (ENABLE REPLICA)' ELSE ' (ENABLE ALWAYS)' END
  FROM rel JOIN pg_catalog.pg_trigger tg ON tg.tgrelid OPERATOR(pg_catalog.=) rel.oid
 WHERE NOT tg.tgisinternal
UNION ALL
SELECT 'policy', rel.ident OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(po.polname),
       pg_catalog.concat_ws(' ',
           CASE WHEN po.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
           'FOR ' OPERATOR(pg_catalog.||) CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
           'TO ' OPERATOR(pg_catalog.||)
           (SELECT pg_catalog.string_agg(CASE WHEN r.oid OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.oid)) END, ', ' ORDER BY 1)
              FROM pg_catalog.unnest(po.polroles) AS r(oid)),
           CASE WHEN po.polqual IS NOT NULL THEN 'USING (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(po.polqual, po.polrelid) OPERATOR(pg_catalog.||) ')' END,
           CASE WHEN po.polwithcheck IS NOT NULL THEN 'WITH CHECK (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid) OPERATOR(pg_catalog.||) ')' END)
  FROM rel JOIN pg_catalog.pg_policy po ON po.polrelid OPERATOR(pg_catalog.=) rel.oid
UNION ALL
SELECT 'event trigger', pg_catalog.quote_ident(et.evtname),
       pg_catalog.concat_ws(' ', 'ON ' OPERATOR(pg_catalog.||) et.evtevent,
                            CASE WHEN et.evttags IS NOT NULL THEN 'WHEN TAG IN (' OPERATOR(pg_catalog.||) pg_catalog.array_to_string(et.evttags, ', ') OPERATOR(pg_catalog.||) ')' END,
                            'EXECUTE FUNCTION ' OPERATOR(pg_catalog.||) et.evtfoid::pg_catalog.regproc::pg_catalog.text,
                            CASE et.evtenabled WHEN 'D' THEN '(DISABLED)' END)
  FROM pg_catalog.pg_event_trigger et
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_event_trigger'::pg_catalog.regclass
                      AND d.objid OPERATOR(pg_catalog.=) et.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
UNION ALL
SELECT 'acl', 'schema ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(ns.nspname),
       (SELECT pg_catalog.string_agg(a::pg_catalog.text, ',' ORDER BY a::pg_catalog.text) FROM pg_catalog.unnest(ns.nspacl) a)
  FROM ns WHERE ns.nspacl IS NOT NULL
UNION ALL
SELECT 'acl', 'relation ' OPERATOR(pg_catalog.||) rel.ident,
       (SELECT pg_catalog.string_agg(a::pg_catalog.text, ',' ORDER BY a::pg_catalog.text) FROM pg_catalog.unnest(rel.relacl) a)
  FROM rel WHERE rel.relacl IS NOT NULL
UNION ALL
SELECT 'acl', 'function ' OPERATOR(pg_catalog.||) fn.ident,
       (SELECT pg_catalog.string_agg(a::pg_catalog.text, ',' ORDER BY a::pg_catalog.text) FROM pg_catalog.unnest(fn.proacl) a)
  FROM fn WHERE fn.proacl IS NOT NULL
UNION ALL
SELECT 'acl', 'type ' OPERATOR(pg_catalog.||) typ.ident,
       (SELECT pg_catalog.string_agg(a::pg_catalog.text, ',' ORDER BY a::pg_catalog.text) FROM pg_catalog.unnest(typ.typacl) a)
  FROM typ WHERE typ.typacl IS NOT NULL
$fp$;
COMMENT ON FUNCTION pgmig.mig_fingerprint()
	IS 'pgmig: the user-visible schema, one row per object (kind, identity, definition), without pgmig''s own objects';

/*
 * The digest of a fingerprint: sha-256 of its rows as a jsonb array of
 * {kind, identity, definition} in byte order of (kind, identity), so that it
 * does not depend on the database's collation.  pgmig.schema_change stores the
 * same array, and its digests are computed the same way (safety.cpp).
 */
CREATE FUNCTION pgmig.mig_fingerprint_digest()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off
AS $fp$
SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(COALESCE(pg_catalog.jsonb_agg(
           pg_catalog.jsonb_build_object('kind', f.kind, 'identity', f.identity, 'definition', f.definition)
           ORDER BY f.kind COLLATE "C", f.identity COLLATE "C"), '[]'::pg_catalog.jsonb)::pg_catalog.text, 'UTF8')), 'hex')
  FROM pgmig.mig_fingerprint() f
$fp$;
COMMENT ON FUNCTION pgmig.mig_fingerprint_digest()
	IS 'pgmig: sha-256 of mig_fingerprint(), in hex';

/*
 * The schema as pgmig knows it, database-wide, is what mig_drift compares
 * the live schema with: the latest 'full' row of pgmig.schema_change plus
 * the 'delta' rows after it.
 *
 *  - 'full': the live schema accepted as it is, by a baseline, by the first
 *    fingerprint ever taken, or by mig_snapshot in a session that changed
 *    nothing; changes holds every object.
 *  - 'delta': what one apply or downgrade call (or one client run, recorded
 *    by mig_snapshot at its end) changed itself, found by comparing the
 *    fingerprint before and after its work inside its own transaction;
 *    changes holds the objects added or changed (with their definition) and
 *    removed (definition null).
 *
 * changes is a jsonb array of {kind, identity, definition}; digest is the
 * digest of the whole live schema when the row was written (the event with
 * the same event_id carries it too).  Rows are only ever inserted, so calls
 * on different projects never wait for each other here, and drift found
 * earlier is never absorbed by a later pgmig change.
 */
CREATE TABLE pgmig.schema_change (
	event_id    bigint      PRIMARY KEY,
	project     text        NOT NULL,
	kind        text        NOT NULL CHECK (kind IN ('full', 'delta')),
	taken_at    timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	digest      text        NOT NULL,
	changes     jsonb       NOT NULL
);
COMMENT ON TABLE pgmig.schema_change IS 'pgmig: the schema as accepted (full) and as changed by each pgmig call since (delta); mig_drift compares with it';
SELECT pg_catalog.pg_extension_config_dump('pgmig.schema_change', '');

ALTER TABLE pgmig.event ADD COLUMN fingerprint text;
ALTER TABLE pgmig.event DROP CONSTRAINT event_kind_check;
ALTER TABLE pgmig.event ADD CONSTRAINT event_kind_check
	CHECK (kind IN ('upload', 'replace', 'apply', 'downgrade', 'stamp', 'failure', 'start', 'repair',
	                'snapshot', 'baseline'));

/*
 * DDL run outside pgmig, when the audit is enabled (mig_audit_enable): one
 * row per command, written by the event triggers below.  DDL that pgmig runs
 * (a body inside mig_apply and its kin, or the statement of a
 * non-transactional revision while its lease is held) is not logged.
 */
CREATE TABLE pgmig.ddl_log (
	log_id          bigserial   PRIMARY KEY,
	at              timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	command_tag     text        NOT NULL,
	object_type     text,
	object_identity text,
	role_name       name        NOT NULL,
	session_user_name name      NOT NULL,
	application     text,
	backend_pid     integer     NOT NULL,
	statement       text,
	xid             xid8        NOT NULL DEFAULT pg_catalog.pg_current_xact_id()
);
COMMENT ON TABLE pgmig.ddl_log IS 'pgmig: DDL run outside pgmig while the audit is enabled';
SELECT pg_catalog.pg_extension_config_dump('pgmig.ddl_log', '');
SELECT pg_catalog.pg_extension_config_dump('pgmig.ddl_log_log_id_seq', '');
REVOKE ALL ON pgmig.schema_change, pgmig.ddl_log FROM PUBLIC;
REVOKE ALL ON SEQUENCE pgmig.ddl_log_log_id_seq FROM PUBLIC;
GRANT SELECT ON pgmig.ddl_log TO pgmig_reader;

CREATE FUNCTION pgmig.audit_ddl()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'pgmig_audit_ddl' LANGUAGE C;
COMMENT ON FUNCTION pgmig.audit_ddl() IS 'pgmig: event trigger logging DDL run outside pgmig into pgmig.ddl_log';
REVOKE EXECUTE ON FUNCTION pgmig.audit_ddl() FROM PUBLIC;

/* Created disabled: mig_audit_enable turns them on. */
CREATE EVENT TRIGGER pgmig_audit_ddl ON ddl_command_end EXECUTE FUNCTION pgmig.audit_ddl();
CREATE EVENT TRIGGER pgmig_audit_drop ON sql_drop EXECUTE FUNCTION pgmig.audit_ddl();
ALTER EVENT TRIGGER pgmig_audit_ddl DISABLE;
ALTER EVENT TRIGGER pgmig_audit_drop DISABLE;

CREATE FUNCTION pgmig.mig_snapshot(
	project text DEFAULT 'default',
	OUT digest text, OUT objects integer)
RETURNS record
AS 'MODULE_PATHNAME', 'pgmig_snapshot' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_snapshot(text)
	IS 'pgmig: record the schema now (event kind snapshot): what this session''s calls changed, or else the live schema as accepted';

CREATE FUNCTION pgmig.mig_drift(
	OUT change text, OUT kind text, OUT identity text, OUT recorded text, OUT live text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_drift' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION pgmig.mig_drift()
	IS 'pgmig: what differs between the live schema and the fingerprint recorded at the last pgmig change';

CREATE FUNCTION pgmig.mig_baseline(
	target  text,
	project text DEFAULT 'default',
	OUT revision text, OUT digest text, OUT objects integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_baseline' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_baseline(text, text)
	IS 'pgmig: adopt an existing database: stamp target (nothing may be applied yet) and record the schema fingerprint as the starting point';

CREATE FUNCTION pgmig.mig_audit_enable()
RETURNS boolean
AS 'MODULE_PATHNAME', 'pgmig_audit_enable' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION pgmig.mig_audit_enable() IS 'pgmig: start logging DDL run outside pgmig into pgmig.ddl_log';
CREATE FUNCTION pgmig.mig_audit_disable()
RETURNS boolean
AS 'MODULE_PATHNAME', 'pgmig_audit_disable' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION pgmig.mig_audit_disable() IS 'pgmig: stop logging DDL run outside pgmig';

REVOKE EXECUTE ON FUNCTION pgmig.mig_fingerprint(), pgmig.mig_fingerprint_digest(), pgmig.mig_snapshot(text),
                           pgmig.mig_drift(), pgmig.mig_baseline(text, text), pgmig.mig_audit_enable(),
                           pgmig.mig_audit_disable() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_fingerprint(), pgmig.mig_fingerprint_digest(), pgmig.mig_drift() TO pgmig_reader;
GRANT EXECUTE ON FUNCTION pgmig.mig_snapshot(text) TO pgmig_deployer;
GRANT EXECUTE ON FUNCTION pgmig.mig_baseline(text, text), pgmig.mig_audit_enable(), pgmig.mig_audit_disable() TO pgmig_admin;


/*
 * The round trip, for CI: for each pending revision towards target, up,
 * then down and up again, comparing the schema after each with the one it
 * should give back (objects a down body leaves behind, such as an enum type
 * after its table was dropped; objects it removes that were there before; a
 * second up that fails or differs).  Runs in a subtransaction that is rolled
 * back: nothing stays, nothing is recorded.  revisions: check just these
 * (the others on the way are applied without checks).
 */
CREATE FUNCTION pgmig.mig_roundtrip(
	target    text   DEFAULT 'head',
	project   text   DEFAULT 'default',
	revisions text[] DEFAULT NULL,
	OUT revision text, OUT step text, OUT result text, OUT kind text, OUT identity text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_roundtrip' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_roundtrip(text, text, text[])
	IS 'pgmig: up, down and up again for each pending revision towards target, checking the schema; everything is rolled back';
REVOKE EXECUTE ON FUNCTION pgmig.mig_roundtrip(text, text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_roundtrip(text, text, text[]) TO pgmig_deployer;

/*
 * Per-project policy.  lint: what an upload does with the linter's findings
 * for the up bodies it stores: 'warn' (the default: a WARNING per finding,
 * findings of severity error refuse the upload), 'error' (any finding
 * refuses it, PM042) or 'off'.
 */
CREATE TABLE pgmig.policy (
	project text PRIMARY KEY,
	lint    text NOT NULL DEFAULT 'warn' CHECK (lint IN ('off', 'warn', 'error'))
);
COMMENT ON TABLE pgmig.policy IS 'pgmig: per-project policy (what uploads do with lint findings)';
SELECT pg_catalog.pg_extension_config_dump('pgmig.policy', '');
REVOKE ALL ON pgmig.policy FROM PUBLIC;
GRANT SELECT ON pgmig.policy TO pgmig_reader;

CREATE FUNCTION pgmig.mig_set_policy(
	project text DEFAULT 'default',
	lint    text DEFAULT NULL,
	OUT project text, OUT lint text)
RETURNS record
AS 'MODULE_PATHNAME', 'pgmig_set_policy' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_set_policy(text, text)
	IS 'pgmig: set a project''s policy (lint: off, warn or error); NULL keeps the current value; returns the policy';
REVOKE EXECUTE ON FUNCTION pgmig.mig_set_policy(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_set_policy(text, text) TO pgmig_admin;

/*
 * The linter: parses the body with the server's grammar and reads the live
 * catalog as the caller (lock-free for user tables); never executes it.
 * revision only names the body in a parse error (the client passes the
 * revision id, so that it can point at the file and line).
 */
CREATE FUNCTION pgmig.mig_lint(
	sql      text,
	revision text DEFAULT '(mig_lint)',
	OUT rule text, OUT name text, OUT severity text, OUT statement integer, OUT line integer,
	OUT message text, OUT hint text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_lint' LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION pgmig.mig_lint(text, text)
	IS 'pgmig: check a migration body for statements that lock or rewrite busy tables, break a running application or cannot succeed (docs/lint.md); never runs it';

REVOKE EXECUTE ON FUNCTION pgmig.mig_lint(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_lint(text, text) TO pgmig_reader;

