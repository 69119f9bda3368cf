/*
 * extension/src/schema.cpp
 *
 * The queries of mig_schema and the assembly of their rows into ordered
 * blocks (see schema.hpp).  The queries run under the SQL function's pinned
 * settings, search_path = pg_catalog, pg_temp among them: every name a
 * pg_get_*def function prints is schema-qualified, and no operator or
 * function can resolve to a user's object.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "schema.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "schema_order.hpp"

namespace pgmig {

namespace {

/*
 * The blocks: (class, object, phase, kind, identity, statement).  The
 * phases order kinds for a reader: schemas, extensions, collations and
 * types, domains, composite types, routines, sequences, tables,
 * constraints, indexes and extended statistics, foreign keys, views,
 * materialized views, triggers and rules, policies, event triggers.  The
 * statement carries the object's privileges (a table's, its columns' too)
 * and its replica identity.
 */
const char *const kBlocks = R"sql(WITH ns AS (
	SELECT n.oid, n.nspname, n.nspacl, n.nspowner
	  FROM pg_namespace n
	 WHERE n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema', 'pg_toast', 'pgmig']::name[])
	   AND n.nspname !~ '^pg_(toast_)?temp_'
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d
	                    WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
),
rel AS (
	SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.relacl, c.relowner, c.reloptions, c.relispartition,
	       c.relrowsecurity, c.relforcerowsecurity, c.relpartbound, c.relreplident,
	       format('%I.%I', ns.nspname, c.relname) AS ident
	  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
	 WHERE c.relkind = ANY (ARRAY['r', 'p', 'v', 'm', 'S', 'f', 'i', 'I']::"char"[])
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d
	                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
),
typ AS (
	SELECT t.oid, t.typtype, t.typbasetype, t.typtypmod, t.typnotnull, t.typdefault, t.typrelid, t.typcollation,
	       t.typacl, t.typowner, format('%I.%I', ns.nspname, t.typname) AS ident
	  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
	 WHERE t.typtype = ANY (ARRAY['e', 'd', 'c', 'r']::"char"[])
	   AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d
	                    WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
),
fn AS (
	SELECT p.oid, p.prokind, p.proacl, p.proowner, p.proname, ns.nspname, p.oid::regprocedure::text AS ident
	  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
	 WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
	                    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
	                      AND d.deptype = ANY (ARRAY['e', 'i']::"char"[]))
),
acl AS (
	SELECT 'pg_namespace'::regclass::oid AS cls, ns.oid AS obj, format('SCHEMA %I', ns.nspname) AS target,
	       ns.nspowner AS owner, ns.nspacl AS acl,
	       CASE WHEN ns.nspname = 'public' THEN 'USAGE' END AS dflt
	  FROM ns
	UNION ALL
	SELECT 'pg_class'::regclass::oid, rel.oid, CASE rel.relkind WHEN 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END || rel.ident,
	       rel.relowner, rel.relacl, NULL
	  FROM rel WHERE rel.relkind <> ALL (ARRAY['i', 'I']::"char"[])
	UNION ALL
	SELECT 'pg_proc'::regclass::oid, fn.oid, CASE fn.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END || fn.ident,
	       fn.proowner, fn.proacl, 'EXECUTE'
	  FROM fn
	UNION ALL
	SELECT 'pg_type'::regclass::oid, typ.oid, 'TYPE ' || typ.ident, typ.typowner, typ.typacl, 'USAGE'
	  FROM typ
),
grants AS (
	SELECT acl.cls, acl.obj,
	       concat_ws(E'\n',
	           CASE WHEN acl.dflt IS NOT NULL
	                 AND NOT EXISTS (SELECT 1 FROM aclexplode(acl.acl) x
	                                  WHERE x.grantee = 0 AND x.privilege_type = acl.dflt)
	                THEN format('REVOKE ALL ON %s FROM PUBLIC;', acl.target) END,
	           (SELECT string_agg(format('GRANT %s ON %s TO %s%s;', g.privs, acl.target, g.who, g.opt), E'\n'
	                              ORDER BY g.who, g.opt)
	              FROM (SELECT CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END AS who,
	                           CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS opt,
	                           string_agg(x.privilege_type, ', ' ORDER BY x.privilege_type) AS privs
	                      FROM aclexplode(acl.acl) x
	                     WHERE x.grantee <> acl.owner
	                       AND NOT (x.grantee = 0 AND x.privilege_type = acl.dflt AND NOT x.is_grantable)
	                     GROUP BY 1, 2) g)) AS stmt
	  FROM acl WHERE acl.acl IS NOT NULL
),
cols AS (
	SELECT a.attrelid,
	       string_agg(format('    %I %s', a.attname, format_type(a.atttypid, a.atttypmod)) ||
	                  CASE WHEN a.attcollation <> 0
	                        AND a.attcollation <> (SELECT t.typcollation FROM pg_type t WHERE t.oid = a.atttypid)
	                       THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END ||
	                  CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
	                       WHEN ad.adbin IS NOT NULL THEN ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END ||
	                  CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END ||
	                  CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'
	                                     WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END ||
	                  CASE WHEN a.attidentity <> '' THEN coalesce((
	                      SELECT ' (' || nullif(concat_ws(' ',
	                                 CASE WHEN s.seqincrement <> 1 THEN 'INCREMENT BY ' || s.seqincrement END,
	                                 CASE WHEN s.seqmin <> CASE WHEN s.seqincrement > 0 THEN 1 ELSE lim.lo END
	                                      THEN 'MINVALUE ' || s.seqmin END,
	                                 CASE WHEN s.seqmax <> CASE WHEN s.seqincrement > 0 THEN lim.hi ELSE -1 END
	                                      THEN 'MAXVALUE ' || s.seqmax END,
	                                 CASE WHEN s.seqstart <> CASE WHEN s.seqincrement > 0 THEN s.seqmin ELSE s.seqmax END
	                                      THEN 'START WITH ' || s.seqstart END,
	                                 CASE WHEN s.seqcache <> 1 THEN 'CACHE ' || s.seqcache END,
	                                 CASE WHEN s.seqcycle THEN 'CYCLE' END), '') || ')'
	                        FROM pg_depend d
	                        JOIN pg_sequence s ON s.seqrelid = d.objid,
	                        LATERAL (SELECT CASE s.seqtypid WHEN 'int2'::regtype THEN -32768
	                                                        WHEN 'int4'::regtype THEN -2147483648
	                                                        ELSE -9223372036854775808 END AS lo,
	                                        CASE s.seqtypid WHEN 'int2'::regtype THEN 32767
	                                                        WHEN 'int4'::regtype THEN 2147483647
	                                                        ELSE 9223372036854775807 END AS hi) lim
	                       WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
	                         AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'i'), '')
	                       ELSE '' END,
	                  E',\n' ORDER BY a.attnum) AS list
	  FROM pg_attribute a
	  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	 WHERE a.attrelid IN (SELECT rel.oid FROM rel WHERE rel.relkind = ANY (ARRAY['r', 'p', 'f']::"char"[])
	                      UNION ALL SELECT typ.typrelid FROM typ WHERE typ.typtype = 'c')
	   AND a.attnum > 0 AND NOT a.attisdropped AND a.attislocal
	 GROUP BY a.attrelid
),
blocks AS (
	SELECT 'pg_namespace'::regclass::oid AS cls, ns.oid AS obj, 0 AS phase, 'schema' AS kind,
	       quote_ident(ns.nspname) AS ident,
	       CASE WHEN ns.nspname <> 'public' THEN format('CREATE SCHEMA %I;', ns.nspname) END AS stmt
	  FROM ns
	UNION ALL
	SELECT 'pg_extension'::regclass::oid, e.oid, 1, 'extension', quote_ident(e.extname),
	       format('CREATE EXTENSION IF NOT EXISTS %I WITH SCHEMA %I VERSION %L;', e.extname, n.nspname, e.extversion)
	  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
	 WHERE e.extname <> ALL (ARRAY['pgmig', 'plpgsql']::name[])
	UNION ALL
	SELECT 'pg_collation'::regclass::oid, co.oid, 2, 'collation', format('%I.%I', ns.nspname, co.collname),
	       format('CREATE COLLATION %I.%I (provider = %s, %s%s);', ns.nspname, co.collname,
	              CASE co.collprovider WHEN 'i' THEN 'icu' WHEN 'c' THEN 'libc' ELSE 'default' END,
	              CASE WHEN co.collprovider = 'i' THEN format('locale = %L', co.colliculocale)
	                   WHEN co.collcollate = co.collctype THEN format('locale = %L', co.collcollate)
	                   ELSE format('lc_collate = %L, lc_ctype = %L', co.collcollate, co.collctype) END,
	              CASE WHEN co.collisdeterministic THEN '' ELSE ', deterministic = false' END)
	  FROM pg_collation co JOIN ns ON ns.oid = co.collnamespace
	 WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
	                    WHERE d.classid = 'pg_collation'::regclass AND d.objid = co.oid AND d.deptype = 'e')
	UNION ALL
	SELECT 'pg_type'::regclass::oid, typ.oid,
	       CASE typ.typtype WHEN 'd' THEN 3 WHEN 'c' THEN 4 ELSE 2 END,
	       CASE typ.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, typ.ident,
	       CASE typ.typtype
	       WHEN 'e' THEN format('CREATE TYPE %s AS ENUM (%s);', typ.ident,
	                            (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
	                               FROM pg_enum e WHERE e.enumtypid = typ.oid))
	       WHEN 'r' THEN (SELECT format('CREATE TYPE %s AS RANGE (SUBTYPE = %s%s);', typ.ident,
	                                    format_type(r.rngsubtype, NULL),
	                                    CASE WHEN r.rngsubdiff <> 0 THEN ', SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text ELSE '' END)
	                        FROM pg_range r WHERE r.rngtypid = typ.oid)
	       WHEN 'c' THEN format(E'CREATE TYPE %s AS (\n%s\n);', typ.ident, tcols.list)
	       ELSE concat_ws(E'\n',
	                format('CREATE DOMAIN %s AS %s', typ.ident, format_type(typ.typbasetype, typ.typtypmod)) ||
	                CASE WHEN typ.typcollation <> 0
	                      AND typ.typcollation <> (SELECT t.typcollation FROM pg_type t WHERE t.oid = typ.typbasetype)
	                     THEN ' COLLATE ' || typ.typcollation::regcollation::text ELSE '' END ||
	                CASE WHEN typ.typdefault IS NOT NULL THEN ' DEFAULT ' || typ.typdefault ELSE '' END ||
	                CASE WHEN typ.typnotnull THEN ' NOT NULL' ELSE '' END || ';',
	                (SELECT string_agg(format('ALTER DOMAIN %s ADD CONSTRAINT %I %s;', typ.ident, co.conname,
	                                          pg_get_constraintdef(co.oid)), E'\n' ORDER BY co.conname)
	                   FROM pg_constraint co WHERE co.contypid = typ.oid AND co.contype = 'c'))
	       END
	  FROM typ LEFT JOIN cols tcols ON tcols.attrelid = typ.typrelid
	UNION ALL
	SELECT 'pg_proc'::regclass::oid, fn.oid, 5,
	       CASE fn.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END, fn.ident,
	       CASE WHEN fn.prokind = 'a'
	            THEN (SELECT format('CREATE AGGREGATE %I.%I(%s) (%s);', fn.nspname, fn.proname,
	                                pg_get_function_identity_arguments(fn.oid),
	                                concat_ws(', ', 'SFUNC = ' || ag.aggtransfn::text,
	                                          'STYPE = ' || format_type(ag.aggtranstype, NULL),
	                                          CASE WHEN ag.aggfinalfn <> 0 THEN 'FINALFUNC = ' || ag.aggfinalfn::text END,
	                                          CASE WHEN ag.agginitval IS NOT NULL THEN 'INITCOND = ' || quote_literal(ag.agginitval) END))
	                    FROM pg_aggregate ag WHERE ag.aggfnoid = fn.oid)
	            ELSE rtrim(pg_get_functiondef(fn.oid), E'\n') || ';' END
	  FROM fn
	UNION ALL
	SELECT 'pg_class'::regclass::oid, rel.oid, 6, 'sequence', rel.ident,
	       (SELECT format('CREATE %sSEQUENCE %s AS %s START WITH %s INCREMENT BY %s MINVALUE %s MAXVALUE %s CACHE %s%s;',
	                      CASE rel.relpersistence WHEN 'u' THEN 'UNLOGGED ' ELSE '' END, rel.ident,
	                      format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
	                      CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END)
	          FROM pg_sequence s WHERE s.seqrelid = rel.oid)
	  FROM rel
	 WHERE rel.relkind = 'S'
	   AND NOT EXISTS (SELECT 1 FROM pg_depend d
	                    WHERE d.classid = 'pg_class'::regclass AND d.objid = rel.oid AND d.deptype = 'i')
	UNION ALL
	SELECT 'pg_class'::regclass::oid, rel.oid, 7, CASE rel.relkind WHEN 'f' THEN 'foreign table' ELSE 'table' END, rel.ident,
	       concat_ws(E'\n',
	           format('CREATE %s%s %s', CASE rel.relpersistence WHEN 'u' THEN 'UNLOGGED ' ELSE '' END,
	                  CASE rel.relkind WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, rel.ident) ||
	           CASE WHEN rel.relispartition
	                THEN ' PARTITION OF ' ||
	                     (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = rel.oid) ||
	                     E'\n' || pg_get_expr(rel.relpartbound, rel.oid)
	                ELSE coalesce(E' (\n' || rcols.list || E'\n)', ' ()') ||
	                     coalesce((SELECT E'\nINHERITS (' || string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno) || ')'
	                                 FROM pg_inherits i WHERE i.inhrelid = rel.oid), '') END ||
	           CASE rel.relkind WHEN 'p' THEN E'\nPARTITION BY ' || pg_get_partkeydef(rel.oid) ELSE '' END ||
	           coalesce((SELECT E'\nSERVER ' || quote_ident(srv.srvname) ||
	                            coalesce(' OPTIONS (' ||
	                                     (SELECT string_agg(quote_ident(split_part(o, '=', 1)) || ' ' ||
	                                                        quote_literal(substr(o, strpos(o, '=') + 1)), ', ')
	                                        FROM unnest(ft.ftoptions) o) || ')', '')
	                       FROM pg_foreign_table ft JOIN pg_foreign_server srv ON srv.oid = ft.ftserver
	                      WHERE ft.ftrelid = rel.oid), '') ||
	           coalesce(E'\nWITH (' || array_to_string(rel.reloptions, ', ') || ')', '') || ';',
	           CASE WHEN rel.relrowsecurity THEN format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY;', rel.ident) END,
	           CASE WHEN rel.relforcerowsecurity THEN format('ALTER TABLE %s FORCE ROW LEVEL SECURITY;', rel.ident) END,
	           CASE rel.relreplident WHEN 'f' THEN format('ALTER TABLE %s REPLICA IDENTITY FULL;', rel.ident)
	                                 WHEN 'n' THEN format('ALTER TABLE %s REPLICA IDENTITY NOTHING;', rel.ident) END,
	           (SELECT string_agg(format('GRANT %s ON TABLE %s TO %s%s;', g.privs, rel.ident, g.who, g.opt), E'\n'
	                              ORDER BY g.attnum, g.who, g.opt)
	              FROM (SELECT a.attnum,
	                           CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(x.grantee)) END AS who,
	                           CASE WHEN x.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END AS opt,
	                           string_agg(x.privilege_type || ' (' || quote_ident(a.attname) || ')', ', '
	                                      ORDER BY x.privilege_type) AS privs
	                      FROM pg_attribute a, LATERAL aclexplode(a.attacl) x
	                     WHERE a.attrelid = rel.oid AND a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
	                       AND x.grantee <> rel.relowner
	                     GROUP BY a.attnum, 2, 3) g),
	           (SELECT string_agg(format('ALTER SEQUENCE %s OWNED BY %s.%I;', s.oid::regclass::text, rel.ident, a.attname),
	                              E'\n' ORDER BY s.oid::regclass::text)
	              FROM pg_depend d
	              JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
	              JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
	             WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
	               AND d.refobjid = rel.oid AND d.deptype = 'a'))
	  FROM rel LEFT JOIN cols rcols ON rcols.attrelid = rel.oid
	 WHERE rel.relkind = ANY (ARRAY['r', 'p', 'f']::"char"[])
	UNION ALL
	SELECT 'pg_constraint'::regclass::oid, co.oid, CASE co.contype WHEN 'f' THEN 10 ELSE 8 END,
	       CASE co.contype WHEN 'f' THEN 'foreign key' ELSE 'constraint' END,
	       rel.ident || '.' || quote_ident(co.conname),
	       concat_ws(E'\n', format('ALTER TABLE %s ADD CONSTRAINT %I %s;', rel.ident, co.conname, pg_get_constraintdef(co.oid)),
	                 (SELECT format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I;', rel.ident, ic.relname)
	                    FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid
	                   WHERE ix.indexrelid = co.conindid AND ix.indisreplident AND co.contype <> 'f'))
	  FROM rel JOIN pg_constraint co ON co.conrelid = rel.oid
	 WHERE co.contype = ANY (ARRAY['p', 'u', 'c', 'x', 'f']::"char"[]) AND co.conislocal AND co.conparentid = 0
	UNION ALL
	SELECT 'pg_class'::regclass::oid, rel.oid, 9, 'index', rel.ident,
	       CASE WHEN NOT i.indisvalid THEN E'-- INVALID: a CREATE INDEX CONCURRENTLY that failed left it\n' ELSE '' END ||
	       pg_get_indexdef(rel.oid) || ';' ||
	       CASE WHEN i.indisreplident
	            THEN format(E'\nALTER TABLE %s REPLICA IDENTITY USING INDEX %I;', i.indrelid::regclass::text, rel.relname)
	            ELSE '' END
	  FROM rel JOIN pg_index i ON i.indexrelid = rel.oid
	 WHERE rel.relkind = ANY (ARRAY['i', 'I']::"char"[]) AND NOT rel.relispartition
	   AND rel.oid NOT IN (SELECT co.conindid FROM pg_constraint co
	                        WHERE co.contype = ANY (ARRAY['p', 'u', 'x']::"char"[]) AND co.conindid <> 0)
	UNION ALL
	SELECT 'pg_class'::regclass::oid, rel.oid, CASE rel.relkind WHEN 'v' THEN 11 ELSE 12 END,
	       CASE rel.relkind WHEN 'v' THEN 'view' ELSE 'materialized view' END, rel.ident,
	       CASE rel.relkind
	       WHEN 'v' THEN format(E'CREATE VIEW %s%s AS\n%s', rel.ident,
	                            coalesce(' WITH (' || array_to_string(rel.reloptions, ', ') || ')', ''),
	                            pg_get_viewdef(rel.oid, true))
	       ELSE format(E'CREATE MATERIALIZED VIEW %s%s AS\n%s\nWITH NO DATA;', rel.ident,
	                   coalesce(' WITH (' || array_to_string(rel.reloptions, ', ') || ')', ''),
	                   rtrim(pg_get_viewdef(rel.oid, true), ';'))
	       END
	  FROM rel WHERE rel.relkind = ANY (ARRAY['v', 'm']::"char"[])
	UNION ALL
	SELECT 'pg_statistic_ext'::regclass::oid, st.oid, 9, 'statistics', format('%I.%I', ns.nspname, st.stxname),
	       pg_get_statisticsobjdef(st.oid) || ';'
	  FROM pg_statistic_ext st JOIN ns ON ns.oid = st.stxnamespace
	 WHERE st.stxrelid IN (SELECT rel.oid FROM rel)
	UNION ALL
	SELECT 'pg_rewrite'::regclass::oid, ru.oid, 13, 'rule', rel.ident || '.' || quote_ident(ru.rulename),
	       concat_ws(E'\n', pg_get_ruledef(ru.oid, true),
	                 CASE ru.ev_enabled WHEN 'O' THEN NULL
	                                    WHEN 'D' THEN format('ALTER TABLE %s DISABLE RULE %I;', rel.ident, ru.rulename)
	                                    WHEN 'R' THEN format('ALTER TABLE %s ENABLE REPLICA RULE %I;', rel.ident, ru.rulename)
	                                    ELSE format('ALTER TABLE %s ENABLE ALWAYS RULE %I;', rel.ident, ru.rulename) END)
	  FROM rel JOIN pg_rewrite ru ON ru.ev_class = rel.oid
	 WHERE ru.rulename <> '_RETURN'
	UNION ALL
	SELECT 'pg_trigger'::regclass::oid, tg.oid, 13, 'trigger', rel.ident || '.' || quote_ident(tg.tgname),
	       concat_ws(E'\n', pg_get_triggerdef(tg.oid) || ';',
	                 CASE tg.tgenabled WHEN 'O' THEN NULL
	                                   WHEN 'D' THEN format('ALTER TABLE %s DISABLE TRIGGER %I;', rel.ident, tg.tgname)
	                                   WHEN 'R' THEN format('ALTER TABLE %s ENABLE REPLICA TRIGGER %I;', rel.ident, tg.tgname)
	                                   ELSE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I;', rel.ident, tg.tgname) END)
	  FROM rel JOIN pg_trigger tg ON tg.tgrelid = rel.oid
	 WHERE NOT tg.tgisinternal AND tg.tgparentid = 0
	UNION ALL
	SELECT 'pg_policy'::regclass::oid, po.oid, 14, 'policy', rel.ident || '.' || quote_ident(po.polname),
	       format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s;', po.polname, rel.ident,
	              CASE WHEN po.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
	              CASE po.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
	                             WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
	              (SELECT string_agg(CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.oid)) END,
	                                 ', ' ORDER BY 1)
	                 FROM unnest(po.polroles) AS r(oid)),
	              CASE WHEN po.polqual IS NOT NULL THEN ' USING (' || pg_get_expr(po.polqual, po.polrelid) || ')' ELSE '' END,
	              CASE WHEN po.polwithcheck IS NOT NULL
	                   THEN ' WITH CHECK (' || pg_get_expr(po.polwithcheck, po.polrelid) || ')' ELSE '' END)
	  FROM rel JOIN pg_policy po ON po.polrelid = rel.oid
	UNION ALL
	SELECT 'pg_event_trigger'::regclass::oid, et.oid, 15, 'event trigger', quote_ident(et.evtname),
	       concat_ws(E'\n',
	           format('CREATE EVENT TRIGGER %I ON %s%s EXECUTE FUNCTION %s();', et.evtname, et.evtevent,
	                  CASE WHEN et.evttags IS NOT NULL
	                       THEN ' WHEN TAG IN (' || (SELECT string_agg(quote_literal(t), ', ') FROM unnest(et.evttags) t) || ')'
	                       ELSE '' END,
	                  et.evtfoid::regproc::text),
	           CASE et.evtenabled WHEN 'O' THEN NULL
	                              WHEN 'D' THEN format('ALTER EVENT TRIGGER %I DISABLE;', et.evtname)
	                              WHEN 'R' THEN format('ALTER EVENT TRIGGER %I ENABLE REPLICA;', et.evtname)
	                              ELSE format('ALTER EVENT TRIGGER %I ENABLE ALWAYS;', et.evtname) END)
	  FROM pg_event_trigger et
	 WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
	                    WHERE d.classid = 'pg_event_trigger'::regclass AND d.objid = et.oid AND d.deptype = 'e')
)
SELECT b.cls, b.obj, b.phase, b.kind, b.ident, concat_ws(E'\n', b.stmt, g.stmt)
  FROM blocks b LEFT JOIN grants g ON g.cls = b.cls AND g.obj = b.obj)sql";

/*
 * Catalog rows that belong to another object's block: (class, object,
 * block class, block object).  Resolved transitively (an array of a
 * table's row type belongs to the row type, which belongs to the table).
 */
const char *const kMembers = R"sql(
SELECT 'pg_attrdef'::regclass::oid, ad.oid, 'pg_class'::regclass::oid, ad.adrelid
  FROM pg_attrdef ad WHERE ad.adrelid >= 16384
UNION ALL
SELECT 'pg_rewrite'::regclass::oid, r.oid, 'pg_class'::regclass::oid, r.ev_class
  FROM pg_rewrite r WHERE r.ev_class >= 16384
UNION ALL
SELECT 'pg_type'::regclass::oid, t.oid, 'pg_class'::regclass::oid, t.typrelid
  FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid WHERE t.oid >= 16384 AND c.relkind <> 'c'
UNION ALL
SELECT 'pg_class'::regclass::oid, t.typrelid, 'pg_type'::regclass::oid, t.oid
  FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid WHERE t.oid >= 16384 AND c.relkind = 'c'
UNION ALL
SELECT 'pg_type'::regclass::oid, t.typarray, 'pg_type'::regclass::oid, t.oid
  FROM pg_type t WHERE t.typarray <> 0 AND t.oid >= 16384
UNION ALL
SELECT 'pg_type'::regclass::oid, r.rngmultitypid, 'pg_type'::regclass::oid, r.rngtypid
  FROM pg_range r WHERE r.rngtypid >= 16384
UNION ALL
SELECT 'pg_constraint'::regclass::oid, co.oid, 'pg_type'::regclass::oid, co.contypid
  FROM pg_constraint co WHERE co.contypid <> 0 AND co.oid >= 16384
UNION ALL
SELECT 'pg_class'::regclass::oid, co.conindid, 'pg_constraint'::regclass::oid, co.oid
  FROM pg_constraint co
 WHERE co.contype = ANY (ARRAY['p', 'u', 'x']::"char"[]) AND co.conindid <> 0 AND co.oid >= 16384
UNION ALL
SELECT 'pg_constraint'::regclass::oid, co.oid,
       CASE WHEN co.conparentid <> 0 THEN 'pg_constraint'::regclass::oid ELSE 'pg_class'::regclass::oid END,
       CASE WHEN co.conparentid <> 0 THEN co.conparentid ELSE co.conrelid END
  FROM pg_constraint co
 WHERE co.conrelid <> 0 AND co.oid >= 16384 AND (co.conparentid <> 0 OR NOT co.conislocal)
UNION ALL
SELECT 'pg_class'::regclass::oid, i.inhrelid, 'pg_class'::regclass::oid, i.inhparent
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE c.relkind = ANY (ARRAY['i', 'I']::"char"[])
UNION ALL
SELECT 'pg_trigger'::regclass::oid, tg.oid, 'pg_trigger'::regclass::oid, tg.tgparentid
  FROM pg_trigger tg WHERE tg.tgparentid <> 0
UNION ALL
SELECT 'pg_class'::regclass::oid, d.objid, 'pg_class'::regclass::oid, d.refobjid
  FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'i')sql";

/* The comments: (class, object, statement), by sub-object. */
const char *const kComments = R"sql(
SELECT d.classoid, d.objoid,
       format('COMMENT ON %s IS %L;',
              CASE WHEN d.classoid = 'pg_constraint'::regclass
                   THEN (SELECT CASE WHEN co.contypid <> 0
                                     THEN format('CONSTRAINT %I ON DOMAIN %s', co.conname, co.contypid::regtype::text)
                                     ELSE format('CONSTRAINT %I ON %s', co.conname, co.conrelid::regclass::text) END
                           FROM pg_constraint co WHERE co.oid = d.objoid)
                   WHEN o.type LIKE '% column' THEN 'COLUMN ' || o.identity
                   WHEN o.type = 'composite type' THEN 'TYPE ' || o.identity
                   ELSE upper(o.type) || ' ' || o.identity END,
              d.description)
  FROM pg_description d, LATERAL pg_identify_object(d.classoid, d.objoid, d.objsubid) o
 WHERE d.objoid >= 16384
 ORDER BY d.classoid, d.objoid, d.objsubid)sql";

/*
 * pg_depend's edges that can order blocks: normal and automatic ones, but
 * not a serial sequence's ownership by its column (the table's default
 * needs the sequence first; OWNED BY is part of the table's block).
 */
const char *const kDepends = R"sql(
SELECT d.classid, d.objid, d.refclassid, d.refobjid
  FROM pg_depend d
 WHERE d.objid >= 16384 AND d.refobjid >= 16384 AND d.deptype = ANY (ARRAY['n', 'a']::"char"[])
   AND NOT (d.deptype = 'a' AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
            AND d.refobjsubid <> 0
            AND EXISTS (SELECT 1 FROM pg_class s WHERE s.oid = d.objid AND s.relkind = 'S')))sql";

/* A catalog row's address. */
using Address = std::pair<std::string, std::string>;

} // namespace

/* See schema.hpp. */
std::vector<Row>
SchemaRows()
{
	std::vector<core::SchemaBlock> blocks;
	std::map<Address, std::size_t> block_of;
	SpiForEachRow(kBlocks, {}, [&](Row &r) {
		block_of.emplace(Address{r[0].value_or(""), r[1].value_or("")}, blocks.size());
		core::SchemaBlock b;
		b.phase = std::stoi(r[2].value_or("0"));
		b.kind = r[3].value_or("");
		b.identity = r[4].value_or("");
		b.statement = r[5].value_or("");
		blocks.push_back(std::move(b));
	});
	std::map<Address, Address> member;
	SpiForEachRow(kMembers, {}, [&](Row &r) {
		member.emplace(Address{r[0].value_or(""), r[1].value_or("")}, Address{r[2].value_or(""), r[3].value_or("")});
	});
	/* the block a catalog row belongs to, or none */
	auto find = [&](Address a) -> std::optional<std::size_t> {
		for (int hops = 0; hops < 8; hops++) {
			auto b = block_of.find(a);
			if (b != block_of.end())
				return b->second;
			auto m = member.find(a);
			if (m == member.end())
				return std::nullopt;
			a = m->second;
		}
		return std::nullopt;
	};
	SpiForEachRow(kComments, {}, [&](Row &r) {
		std::optional<std::size_t> b = find({r[0].value_or(""), r[1].value_or("")});
		if (!b || !r[2])
			return;
		std::string &s = blocks[*b].statement;
		s += (s.empty() ? "" : "\n") + *r[2];
	});
	std::vector<std::pair<std::size_t, std::size_t>> needs;
	SpiForEachRow(kDepends, {}, [&](Row &r) {
		std::optional<std::size_t> a = find({r[0].value_or(""), r[1].value_or("")});
		std::optional<std::size_t> b = a ? find({r[2].value_or(""), r[3].value_or("")}) : std::nullopt;
		if (a && b && *a != *b)
			needs.emplace_back(*a, *b);
	});
	std::vector<Row> rows;
	for (std::size_t i : core::LoadOrder(blocks, needs)) {
		core::SchemaBlock &b = blocks[i];
		if (b.statement.empty()) /* the public schema as every database has it */
			continue;
		rows.push_back({std::move(b.kind), std::move(b.identity), std::move(b.statement)});
	}
	return rows;
}

} // namespace pgmig
