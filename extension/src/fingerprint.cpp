/*
 * extension/src/fingerprint.cpp
 *
 * The fingerprint's query and the record of the objects a call touched (see
 * fingerprint.hpp).
 *
 * The query is the one mig_fingerprint ran as a SQL function until 0.7,
 * with markers (@REL@, ...) where the scoped form adds its filters: row for
 * row the two forms print the same text, so a change recorded from the
 * scoped form compares with rows recorded from the whole one.  Its joins
 * follow catalog indexes from the scoped relations and types (constraints
 * by conrelid and contypid), so the scoped form's cost follows the scope.
 *
 * The collection is plain data in this backend, tagged with the transaction
 * it belongs to; a non-transactional statement's collection spans the
 * transactions of its statement (CREATE INDEX CONCURRENTLY commits inside)
 * and is tagged with the session instead.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "fingerprint.hpp"

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "guards.hpp"

extern "C" {
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
}

namespace pgmig {

namespace {

/* The fingerprint's query; the markers are replaced by BuildQuery. */
const char *const kTemplate = R"sql(WITH ns AS (
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
	 WHERE c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'v', 'm', 'S', 'f', 'i', 'I', 'c']::"char"[])@REL@
	   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
	                    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
	                      AND d.objid OPERATOR(pg_catalog.=) c.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
),
typ AS (
	SELECT t.oid, t.typname, t.typtype, t.typbasetype, t.typtypmod, t.typnotnull, t.typdefault, t.typrelid,
	       t.typacl, pg_catalog.format('%I.%I', ns.nspname, t.typname) AS ident
	  FROM pg_catalog.pg_type t JOIN ns ON ns.oid OPERATOR(pg_catalog.=) t.typnamespace
	 WHERE t.typtype OPERATOR(pg_catalog.=) ANY (ARRAY['e', 'd', 'c', 'r']::"char"[])@TYP@
	   AND (t.typtype OPERATOR(pg_catalog.<>) 'c'
	        OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c')
	   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
	                    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
	                      AND d.objid OPERATOR(pg_catalog.=) t.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
),
fn AS (
	SELECT p.oid, p.prokind, p.proacl, p.oid::pg_catalog.regprocedure::pg_catalog.text AS ident
	  FROM pg_catalog.pg_proc p JOIN ns ON ns.oid OPERATOR(pg_catalog.=) p.pronamespace
	 WHERE@FN@ NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
	                    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
	                      AND d.objid OPERATOR(pg_catalog.=) p.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
)
SELECT 'schema', pg_catalog.quote_ident(ns.nspname), '' FROM ns WHERE true@NSP@
UNION ALL
SELECT 'extension', pg_catalog.quote_ident(e.extname),
       pg_catalog.format('version %s, schema %I', e.extversion, n.nspname)
  FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
 WHERE e.extname OPERATOR(pg_catalog.<>) 'pgmig'@EXT@
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
       crel.ident OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(co.conname),
       pg_catalog.pg_get_constraintdef(co.oid)
  FROM rel crel JOIN pg_catalog.pg_constraint co ON co.conrelid OPERATOR(pg_catalog.=) crel.oid
UNION ALL
SELECT 'constraint', ctyp.ident OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(co.conname),
       pg_catalog.pg_get_constraintdef(co.oid)
  FROM typ ctyp JOIN pg_catalog.pg_constraint co ON co.contypid OPERATOR(pg_catalog.=) ctyp.oid
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
                      AND d.objid OPERATOR(pg_catalog.=) et.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')@EVT@
UNION ALL
SELECT 'acl', 'schema ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(ns.nspname),
       (SELECT pg_catalog.string_agg(a::pg_catalog.text, ',' ORDER BY a::pg_catalog.text) FROM pg_catalog.unnest(ns.nspacl) a)
  FROM ns WHERE ns.nspacl IS NOT NULL@NSP@
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
)sql";

/* The template with each marker replaced by its filter (scoped) or by nothing. */
std::string
BuildQuery(bool scoped)
{
	static const std::vector<std::pair<std::string, std::string>> filters = {
	    {"@NSP@", " AND ns.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])"},
	    {"@REL@", "\n\t   AND c.oid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[])"},
	    {"@TYP@", "\n\t   AND t.oid OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.oid[])"},
	    {"@FN@", " p.oid OPERATOR(pg_catalog.=) ANY ($4::pg_catalog.oid[]) AND"},
	    {"@EXT@", " AND e.oid OPERATOR(pg_catalog.=) ANY ($5::pg_catalog.oid[])"},
	    {"@EVT@", "\n   AND et.oid OPERATOR(pg_catalog.=) ANY ($6::pg_catalog.oid[])"},
	};
	std::string q = kTemplate;
	for (const auto &[marker, filter] : filters) {
		for (std::size_t at = q.find(marker); at != std::string::npos; at = q.find(marker, at))
			q.replace(at, marker.size(), scoped ? filter : "");
	}
	return q;
}

/* The whole form, built once. */
const std::string &
WholeQuery()
{
	static const std::string whole = BuildQuery(false);
	return whole;
}

/* The arrays of a scope, one bit each (which branches of the query they drive). */
enum : unsigned { kSchemas = 1, kRelations = 2, kTypes = 4, kFunctions = 8, kExtensions = 16, kEventTriggers = 32 };

/*
 * The scoped form for the arrays of a scope that are not empty (mask): the
 * CTEs, then only the top-level branches those arrays drive.  Starting the
 * executor on every branch was most of the scoped query's cost (perf: 44 %
 * of it in ExecInitNode for a call that created one table), and a call
 * usually touches relations only.  Built once per mask.
 */
const std::string &
ScopedQuery(unsigned mask)
{
	static std::map<unsigned, std::string> built;
	auto it = built.find(mask);
	if (it != built.end())
		return it->second;
	const std::string q = BuildQuery(true);
	const std::string sep = "\nUNION ALL\n";
	std::size_t first = q.find("\nSELECT 'schema'");
	std::string out = q.substr(0, first + 1);
	std::vector<std::string> chosen;
	std::size_t at = first + 1;
	while (at != std::string::npos) {
		std::size_t next = q.find(sep, at);
		std::string branch = q.substr(at, next == std::string::npos ? std::string::npos : next - at);
		unsigned driver = kRelations;
		if (branch.find("ns.oid OPERATOR(pg_catalog.=) ANY ($1") != std::string::npos)
			driver = kSchemas;
		else if (branch.find("e.oid OPERATOR(pg_catalog.=) ANY ($5") != std::string::npos)
			driver = kExtensions;
		else if (branch.find("et.oid OPERATOR(pg_catalog.=) ANY ($6") != std::string::npos)
			driver = kEventTriggers;
		else if (branch.find("FROM fn") != std::string::npos)
			driver = kFunctions;
		else if (branch.find("FROM typ") != std::string::npos || branch.find("typ ctyp") != std::string::npos)
			driver = kTypes;
		if (mask & driver)
			chosen.push_back(branch);
		at = next == std::string::npos ? next : next + sep.size();
	}
	for (std::size_t i = 0; i < chosen.size(); i++)
		out += (i ? sep : std::string()) + chosen[i];
	return built.emplace(mask, out).first->second;
}

} // namespace

/* See fingerprint.hpp. */
bool
FingerprintScope::Empty() const
{
	return schemas.empty() && relations.empty() && types.empty() && functions.empty() && extensions.empty() &&
	       event_triggers.empty();
}

/* See fingerprint.hpp. */
std::vector<Row>
FingerprintRows()
{
	return SpiQuery(WholeQuery().c_str(), {});
}

/* See fingerprint.hpp. */
std::vector<Row>
FingerprintRows(const FingerprintScope &scope)
{
	if (scope.Empty())
		return {};
	unsigned mask = 0;
	mask |= scope.schemas.empty() ? 0u : unsigned(kSchemas);
	mask |= scope.relations.empty() ? 0u : unsigned(kRelations);
	mask |= scope.types.empty() ? 0u : unsigned(kTypes);
	mask |= scope.functions.empty() ? 0u : unsigned(kFunctions);
	mask |= scope.extensions.empty() ? 0u : unsigned(kExtensions);
	mask |= scope.event_triggers.empty() ? 0u : unsigned(kEventTriggers);
	return SpiQuery(ScopedQuery(mask).c_str(),
	                {SqlParam::TextArray(scope.schemas), SqlParam::TextArray(scope.relations),
	                 SqlParam::TextArray(scope.types), SqlParam::TextArray(scope.functions),
	                 SqlParam::TextArray(scope.extensions), SqlParam::TextArray(scope.event_triggers)});
}

namespace {

/* The collection (see the file header). */
TouchedSet touched;
bool collecting = false;
bool across_transactions = false;
LocalTransactionId collect_lxid = InvalidLocalTransactionId;

/* Appends an object to the collection (C++ side of NoteTouchedObject). */
void
Append(Oid class_id, Oid object_id, char anchor, const char *identity)
{
	CppEntry([&]() -> Datum {
		if (anchor == '\0' && !touched.live.insert({class_id, object_id}).second)
			return (Datum) 0; /* touched already */
		touched.objects.push_back({class_id, object_id, anchor, identity ? std::string(identity) : std::string()});
		return (Datum) 0;
	});
}

/* The OID of a relation named by rv, or InvalidOid. */
Oid
RelationOf(RangeVar *rv)
{
	return rv ? RangeVarGetRelid(rv, NoLock, true) : InvalidOid;
}

/* The type a name list names, or InvalidOid. */
Oid
TypeOf(List *names)
{
	return LookupTypeNameOid(NULL, makeTypeNameFromNameList(names), true);
}

/* Targets of a statement, gathered in palloc'd lists before any C++ object
 * exists (the lookups may ereport). */
struct Targets {
	List *classes = NIL;
	List *objects = NIL;
};

/* Adds (class, object) when the object exists. */
void
AddTarget(Targets *t, Oid class_id, Oid object_id)
{
	if (!OidIsValid(object_id))
		return;
	t->classes = lappend_oid(t->classes, class_id);
	t->objects = lappend_oid(t->objects, object_id);
}

/* The objects a GRANT or REVOKE names, which its ACL change touches. */
void
GrantTargets(Targets *t, GrantStmt *stmt)
{
	if (stmt->targtype != ACL_TARGET_OBJECT)
		return;
	ListCell *lc;
	foreach (lc, stmt->objects) {
		Node *obj = (Node *) lfirst(lc);
		switch (stmt->objtype) {
		case OBJECT_TABLE:
		case OBJECT_SEQUENCE:
			AddTarget(t, RelationRelationId, RelationOf((RangeVar *) obj));
			break;
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
			AddTarget(t, ProcedureRelationId, LookupFuncWithArgs(stmt->objtype, (ObjectWithArgs *) obj, true));
			break;
		case OBJECT_SCHEMA:
			AddTarget(t, NamespaceRelationId, get_namespace_oid(strVal(obj), true));
			break;
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			AddTarget(t, TypeRelationId, LookupTypeNameOid(NULL, (TypeName *) obj, true));
			break;
		default:
			break; /* not part of the fingerprint */
		}
	}
}

/* The function CREATE OR REPLACE FUNCTION would replace (its name and the
 * types of its input arguments), or InvalidOid. */
Oid
ReplacedFunction(CreateFunctionStmt *stmt)
{
	Oid types[FUNC_MAX_ARGS];
	int n = 0;
	ListCell *lc;
	foreach (lc, stmt->parameters) {
		FunctionParameter *fp = (FunctionParameter *) lfirst(lc);
		if (fp->mode == FUNC_PARAM_OUT || fp->mode == FUNC_PARAM_TABLE)
			continue;
		if (n >= FUNC_MAX_ARGS)
			return InvalidOid;
		Oid type = LookupTypeNameOid(NULL, fp->argType, true);
		if (!OidIsValid(type))
			return InvalidOid;
		types[n++] = type;
	}
	return LookupFuncName(stmt->funcname, n, types, true);
}

/*
 * The existing objects a statement is about to change in part (an ALTER, a
 * trigger or policy added to a table, a GRANT, ...).  Objects it creates or
 * drops outright need no "before" (their rows change as a whole), and the
 * hook reports them.
 */
void
StatementTargets(Targets *t, Node *stmt)
{
	switch (nodeTag(stmt)) {
	case T_AlterTableStmt: {
		AlterTableStmt *s = (AlterTableStmt *) stmt;
		AddTarget(t, RelationRelationId, RelationOf(s->relation));
		ListCell *lc;
		foreach (lc, s->cmds) {
			AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
			if (cmd->subtype == AT_AttachPartition || cmd->subtype == AT_DetachPartition ||
			    cmd->subtype == AT_DetachPartitionFinalize)
				AddTarget(t, RelationRelationId, RelationOf(((PartitionCmd *) cmd->def)->name));
		}
		break;
	}
	case T_AlterSeqStmt:
		AddTarget(t, RelationRelationId, RelationOf(((AlterSeqStmt *) stmt)->sequence));
		break;
	case T_AlterEnumStmt:
		AddTarget(t, TypeRelationId, TypeOf(((AlterEnumStmt *) stmt)->typeName));
		break;
	case T_AlterDomainStmt:
		AddTarget(t, TypeRelationId, TypeOf(((AlterDomainStmt *) stmt)->typeName));
		break;
	case T_RenameStmt:
		AddTarget(t, RelationRelationId, RelationOf(((RenameStmt *) stmt)->relation));
		break;
	case T_CreateTrigStmt:
		AddTarget(t, RelationRelationId, RelationOf(((CreateTrigStmt *) stmt)->relation));
		break;
	case T_CreatePolicyStmt:
		AddTarget(t, RelationRelationId, RelationOf(((CreatePolicyStmt *) stmt)->table));
		break;
	case T_AlterPolicyStmt:
		AddTarget(t, RelationRelationId, RelationOf(((AlterPolicyStmt *) stmt)->table));
		break;
	case T_RuleStmt:
		AddTarget(t, RelationRelationId, RelationOf(((RuleStmt *) stmt)->relation));
		break;
	case T_ViewStmt:
		AddTarget(t, RelationRelationId, RelationOf(((ViewStmt *) stmt)->view));
		break;
	case T_CreateFunctionStmt:
		if (((CreateFunctionStmt *) stmt)->replace)
			AddTarget(t, ProcedureRelationId, ReplacedFunction((CreateFunctionStmt *) stmt));
		break;
	case T_CreateStmt: {
		/* a partition or child: its parents, which PostgreSQL may touch */
		ListCell *lc;
		foreach (lc, ((CreateStmt *) stmt)->inhRelations)
			AddTarget(t, RelationRelationId, RelationOf((RangeVar *) lfirst(lc)));
		break;
	}
	case T_AlterOwnerStmt: {
		/* a new owner is the grantor its grants print */
		AlterOwnerStmt *s = (AlterOwnerStmt *) stmt;
		switch (s->objectType) {
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			AddTarget(t, TypeRelationId, TypeOf(castNode(List, s->object)));
			break;
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
		case OBJECT_AGGREGATE:
			AddTarget(t, ProcedureRelationId, LookupFuncWithArgs(s->objectType, castNode(ObjectWithArgs, s->object), true));
			break;
		case OBJECT_SCHEMA:
			AddTarget(t, NamespaceRelationId, get_namespace_oid(strVal(s->object), true));
			break;
		default:
			break;
		}
		break;
	}
	case T_AlterFunctionStmt: {
		AlterFunctionStmt *s = (AlterFunctionStmt *) stmt;
		AddTarget(t, ProcedureRelationId, LookupFuncWithArgs(s->objtype, s->func, true));
		break;
	}
	case T_GrantStmt:
		GrantTargets(t, (GrantStmt *) stmt);
		break;
	default:
		break;
	}
}

} // namespace

/* See fingerprint.hpp.  across: a non-transactional statement's collection. */
void
StartTouching(bool across)
{
	touched.objects.clear();
	touched.live.clear();
	touched.captured.clear();
	touched.expand = false;
	touched.whole = false;
	collecting = true;
	across_transactions = across;
	collect_lxid = MyProc->lxid;
}

/* See fingerprint.hpp. */
void
StopTouching()
{
	collecting = false;
	across_transactions = false;
}

/* See fingerprint.hpp. */
bool
Touching()
{
	return collecting && (across_transactions || collect_lxid == MyProc->lxid);
}

/* See fingerprint.hpp. */
bool
TouchingAcross()
{
	return collecting && across_transactions;
}

/* See fingerprint.hpp. */
TouchedSet &
Touched()
{
	return touched;
}

namespace {

/* Whether the fingerprint lists objects of schema nsp (not pg_catalog,
 * information_schema, TOAST, temporary or pgmig's own). */
bool
UserSchema(Oid nsp)
{
	if (!OidIsValid(nsp) || IsCatalogNamespace(nsp) || IsToastNamespace(nsp) || isAnyTempNamespace(nsp))
		return false;
	char *name = get_namespace_name(nsp);
	return name != nullptr && strcmp(name, "information_schema") != 0 && strcmp(name, "pgmig") != 0;
}

/* What the catalog says of one touched object: its anchor class, its
 * identity as the fingerprint prints it, and the other object it brings
 * (a composite type's relation, or a relation's composite type). */
struct Looked {
	char anchor = '\0';
	char *identity = nullptr;
	Oid also_class = InvalidOid;
	Oid also = InvalidOid;
};

/* Looks one object up in the syscache (C only: may ereport). */
void
LookUp(Oid class_id, Oid object_id, Looked *out)
{
	switch (class_id) {
	case RelationRelationId: {
		HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(object_id));
		if (!HeapTupleIsValid(tup))
			return;
		Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);
		if (strchr("rpvmSfiIc", c->relkind) != nullptr && UserSchema(c->relnamespace)) {
			out->anchor = 'r';
			out->identity = quote_qualified_identifier(get_namespace_name(c->relnamespace), NameStr(c->relname));
			if (c->relkind == RELKIND_COMPOSITE_TYPE) {
				out->also_class = TypeRelationId;
				out->also = c->reltype;
			}
		}
		ReleaseSysCache(tup);
		return;
	}
	case TypeRelationId: {
		HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(object_id));
		if (!HeapTupleIsValid(tup))
			return;
		Form_pg_type t = (Form_pg_type) GETSTRUCT(tup);
		/* a composite type's relation may be gone already when the type is
		 * being dropped (DROP SCHEMA ... CASCADE): still a listed type */
		char relkind = t->typtype == TYPTYPE_COMPOSITE ? get_rel_relkind(t->typrelid) : '\0';
		bool listed = t->typtype == TYPTYPE_ENUM || t->typtype == TYPTYPE_DOMAIN || t->typtype == TYPTYPE_RANGE ||
		              (t->typtype == TYPTYPE_COMPOSITE && (relkind == RELKIND_COMPOSITE_TYPE || relkind == '\0'));
		if (listed && UserSchema(t->typnamespace)) {
			out->anchor = 't';
			out->identity = quote_qualified_identifier(get_namespace_name(t->typnamespace), NameStr(t->typname));
		}
		if (OidIsValid(t->typrelid)) {
			out->also_class = RelationRelationId;
			out->also = t->typrelid;
		}
		ReleaseSysCache(tup);
		return;
	}
	case ProcedureRelationId: {
		Oid nsp = get_func_namespace(object_id);
		if (!UserSchema(nsp))
			return;
		OverrideSearchPath path = {};
		path.schemas = NIL;
		path.addCatalog = true;
		path.addTemp = false;
		PushOverrideSearchPath(&path);
		out->identity = format_procedure(object_id);
		PopOverrideSearchPath();
		out->anchor = 'f';
		return;
	}
	case NamespaceRelationId:
		if (UserSchema(object_id)) {
			out->anchor = 'n';
			out->identity = pstrdup(quote_identifier(get_namespace_name(object_id)));
		}
		return;
	case ExtensionRelationId: {
		char *name = get_extension_name(object_id);
		if (name) {
			out->anchor = 'e';
			out->identity = pstrdup(quote_identifier(name));
		}
		return;
	}
	case EventTriggerRelationId: {
		HeapTuple tup = SearchSysCache1(EVENTTRIGGEROID, ObjectIdGetDatum(object_id));
		if (HeapTupleIsValid(tup)) {
			out->anchor = 'v';
			out->identity = pstrdup(quote_identifier(NameStr(((Form_pg_event_trigger) GETSTRUCT(tup))->evtname)));
			ReleaseSysCache(tup);
		}
		return;
	}
	default:
		return; /* not in the fingerprint */
	}
}

/* Whether every argument type of function fn still exists: a base type and
 * its I/O functions depend on each other, and a drop may remove the type
 * first; the function's identity cannot be printed then. */
bool
ArgumentTypesExist(Oid fn)
{
	HeapTuple tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
	if (!HeapTupleIsValid(tup))
		return false;
	Form_pg_proc p = (Form_pg_proc) GETSTRUCT(tup);
	bool exist = true;
	for (int i = 0; i < p->pronargs; i++)
		exist = exist && SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(p->proargtypes.values[i]));
	ReleaseSysCache(tup);
	return exist;
}

} // namespace

/*
 * See fingerprint.hpp.  A dropped object's identity is the text the
 * fingerprint prints for it: format('%I.%I') for relations and types, the
 * regprocedure text under search_path pg_catalog for functions, quote_ident
 * for the others.
 */
void
NoteTouchedObject(Oid class_id, Oid object_id, bool dropped)
{
	if (!Touching())
		return;
	char anchor = '\0';
	char *identity = nullptr;
	if (dropped) {
		/* an extension's members are not in the fingerprint (and an
		 * extension drops its types before their functions) */
		if (class_id != ExtensionRelationId && OidIsValid(getExtensionOfObject(class_id, object_id)))
			return;
		/* a function whose identity cannot be printed keeps its recorded
		 * row, which then shows as drift */
		if (class_id == ProcedureRelationId && !ArgumentTypesExist(object_id))
			return;
		Looked l;
		LookUp(class_id, object_id, &l);
		anchor = l.anchor;
		identity = l.identity;
		if (anchor == '\0')
			return; /* nothing of it is in the fingerprint */
	}
	Append(class_id, object_id, anchor, identity);
}

/* See fingerprint.hpp. */
bool
UtilityNeedsWhole(Node *stmt)
{
	switch (nodeTag(stmt)) {
	case T_RenameStmt:
		switch (((RenameStmt *) stmt)->renameType) {
		case OBJECT_COLUMN:
		case OBJECT_ATTRIBUTE:
		case OBJECT_TABCONSTRAINT:
		case OBJECT_DOMCONSTRAINT:
		case OBJECT_TRIGGER:
		case OBJECT_POLICY:
			return false; /* identities keep their prefix: the dependents are covered */
		default:
			return true;
		}
	case T_AlterObjectSchemaStmt:
	case T_DropOwnedStmt:
	case T_ReassignOwnedStmt:
	case T_AlterExtensionStmt:
	case T_AlterExtensionContentsStmt:
		return true;
	case T_GrantStmt:
		return ((GrantStmt *) stmt)->targtype == ACL_TARGET_ALL_IN_SCHEMA;
	default:
		return false;
	}
}

/* See fingerprint.hpp. */
void
NoteUtilityBefore(Node *stmt)
{
	if (!Touching())
		return;
	if (IsA(stmt, RenameStmt) || (IsA(stmt, AlterEnumStmt) && ((AlterEnumStmt *) stmt)->oldVal))
		touched.expand = true; /* a name the dependents print changes */
	Targets t;
	StatementTargets(&t, stmt);
	if (t.objects == NIL)
		return;
	CppEntry([&]() -> Datum {
		std::vector<std::pair<Oid, Oid>> targets;
		for (int i = 0; i < list_length(t.objects); i++)
			targets.emplace_back(list_nth_oid(t.classes, i), list_nth_oid(t.objects, i));
		CaptureFirstTouch(targets);
		for (const auto &[cls, obj] : targets)
			if (touched.live.insert({cls, obj}).second)
				touched.objects.push_back({cls, obj, '\0', {}});
		return (Datum) 0;
	});
}

/* See fingerprint.hpp.  The objects a GRANT named are touched again after
 * it ran, in case PostgreSQL's own hook did not report its ACL change. */
void
NoteUtilityAfter(Node *stmt)
{
	if (!Touching() || !IsA(stmt, GrantStmt))
		return;
	Targets t;
	GrantTargets(&t, (GrantStmt *) stmt);
	for (int i = 0; i < list_length(t.objects); i++)
		Append(list_nth_oid(t.classes, i), list_nth_oid(t.objects, i), '\0', nullptr);
}

/* See fingerprint.hpp. */
bool
RowOfAnchor(char anchor_class, const std::string &anchor, const std::string &kind, const std::string &identity)
{
	auto prefixed = [&]() {
		return identity.size() > anchor.size() + 1 && identity.compare(0, anchor.size(), anchor) == 0 &&
		       identity[anchor.size()] == '.';
	};
	switch (anchor_class) {
	case 'r':
		if (kind == "table" || kind == "foreign table" || kind == "view" || kind == "materialized view" ||
		    kind == "sequence" || kind == "index")
			return identity == anchor;
		if (kind == "column" || kind == "constraint" || kind == "trigger" || kind == "policy")
			return prefixed();
		return kind == "acl" && identity == "relation " + anchor;
	case 't':
		if (kind == "type")
			return identity == anchor;
		if (kind == "constraint")
			return prefixed();
		return kind == "acl" && identity == "type " + anchor;
	case 'f':
		if (kind == "function" || kind == "procedure" || kind == "aggregate")
			return identity == anchor;
		return kind == "acl" && identity == "function " + anchor;
	case 'n':
		if (kind == "schema")
			return identity == anchor;
		return kind == "acl" && identity == "schema " + anchor;
	case 'e':
		return kind == "extension" && identity == anchor;
	case 'v':
		return kind == "event trigger" && identity == anchor;
	default:
		return false;
	}
}

namespace {

/* Adds an object found in the catalog to the scope and its anchors. */
void
AddResolved(ResolvedScope *out, char anchor, Oid object_id, const char *identity)
{
	std::string oid = std::to_string(object_id);
	switch (anchor) {
	case 'r':
		out->scope.relations.push_back(oid);
		break;
	case 't':
		out->scope.types.push_back(oid);
		break;
	case 'f':
		out->scope.functions.push_back(oid);
		break;
	case 'n':
		out->scope.schemas.push_back(oid);
		break;
	case 'e':
		out->scope.extensions.push_back(oid);
		break;
	default:
		out->scope.event_triggers.push_back(oid);
		break;
	}
	out->anchor_classes.emplace_back(1, anchor);
	out->anchor_identities.emplace_back(identity);
}

/* ResolveTouched without dependents: the syscache, no query. */
ResolvedScope
ResolveDirect(const TouchedSet &set)
{
	ResolvedScope out;
	std::set<std::pair<Oid, Oid>> done;
	std::vector<std::pair<Oid, Oid>> todo;
	for (const auto &o : set.objects) {
		if (o.anchor != '\0') {
			out.anchor_classes.emplace_back(1, o.anchor);
			out.anchor_identities.push_back(o.identity);
		} else {
			todo.emplace_back(o.class_id, o.object_id);
		}
	}
	while (!todo.empty()) {
		Oid cls = todo.back().first;
		Oid obj = todo.back().second;
		todo.pop_back();
		if (!done.insert({cls, obj}).second)
			continue;
		Looked l;
		PgCall([&] { LookUp(cls, obj, &l); });
		if (l.anchor != '\0')
			AddResolved(&out, l.anchor, obj, l.identity);
		if (OidIsValid(l.also))
			todo.emplace_back(l.also_class, l.also);
	}
	return out;
}

} // namespace

/*
 * See fingerprint.hpp.  Runs under CatalogScope (search_path pg_catalog):
 * the identities are printed as the fingerprint prints them.  Objects the
 * fingerprint never lists (TOAST tables, array and row types, objects in
 * pg_catalog or a temporary schema) are left out of the scope.  The
 * syscache answers (ResolveDirect); to cover dependents, one query first
 * adds the objects that depend on the touched ones (pg_depend, one level),
 * a constraint, trigger, policy, default or rule as its table or type, as
 * the hook reports them.
 */
ResolvedScope
ResolveTouched(const TouchedSet &set)
{
	if (!set.expand)
		return ResolveDirect(set);
	std::vector<std::string> classes, objects;
	for (const auto &o : set.objects)
		if (o.anchor == '\0') {
			classes.push_back(std::to_string(o.class_id));
			objects.push_back(std::to_string(o.object_id));
		}
	std::vector<Row> rows = SpiQuery(
	    "WITH t AS (SELECT DISTINCT u.classid, u.objid "
	    "             FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.oid[]), "
	    "                             pg_catalog.unnest($2::pg_catalog.oid[])) AS u(classid, objid) "
	    "            WHERE u.classid <> 'pg_catalog.pg_namespace'::pg_catalog.regclass) "
	    "SELECT DISTINCT CASE WHEN co.contypid <> 0 THEN 'pg_catalog.pg_type'::pg_catalog.regclass "
	    "                     WHEN co.oid IS NOT NULL OR tg.oid IS NOT NULL OR po.oid IS NOT NULL "
	    "                          OR ad.oid IS NOT NULL OR rw.oid IS NOT NULL "
	    "                     THEN 'pg_catalog.pg_class'::pg_catalog.regclass ELSE d.classid END::pg_catalog.oid::text, "
	    "       COALESCE(NULLIF(co.conrelid, 0), NULLIF(co.contypid, 0), tg.tgrelid, po.polrelid, ad.adrelid, "
	    "                rw.ev_class, d.objid)::text "
	    "  FROM pg_catalog.pg_depend d JOIN t ON d.refclassid = t.classid AND d.refobjid = t.objid "
	    "  LEFT JOIN pg_catalog.pg_constraint co "
	    "         ON d.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND co.oid = d.objid "
	    "  LEFT JOIN pg_catalog.pg_trigger tg "
	    "         ON d.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND tg.oid = d.objid "
	    "  LEFT JOIN pg_catalog.pg_policy po "
	    "         ON d.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass AND po.oid = d.objid "
	    "  LEFT JOIN pg_catalog.pg_attrdef ad "
	    "         ON d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND ad.oid = d.objid "
	    "  LEFT JOIN pg_catalog.pg_rewrite rw "
	    "         ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND rw.oid = d.objid "
	    " WHERE d.deptype <> 'e'",
	    {SqlParam::TextArray(classes), SqlParam::TextArray(objects)});
	TouchedSet all;
	all.objects = set.objects;
	for (const auto &r : rows)
		all.objects.push_back(
		    {(Oid) std::stoul(*r[0]), (Oid) std::stoul(*r[1]), '\0', std::string()});
	return ResolveDirect(all);
}

} // namespace pgmig
