/*
 * extension/src/tamper.cpp
 *
 * The tamper guard (see tamper.hpp).  The hooks in the anonymous namespace
 * are called by PostgreSQL: plain data only, errors raised with ereport.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "tamper.hpp"

#include "boundary.hpp"
#include "errcodes.hpp"
#include "fingerprint.hpp"
#include "guards.hpp"
#include "safety.hpp"

extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_language.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_policy.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "catalog/pg_rewrite.h"
#include "catalog/pg_trigger.h"
#include "commands/extension.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "parser/parse_type.h"
#include "storage/proc.h"
#include "tcop/pquery.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

namespace {

object_access_hook_type prev_object_access = nullptr;
ExecutorCheckPerms_hook_type prev_check_perms = nullptr;
ProcessUtility_hook_type prev_process_utility = nullptr;
ExecutorStart_hook_type prev_executor_start = nullptr;

/* Whether a body's statements are running now. */
bool
InBody()
{
	return pgmig::BoundaryActive();
}

/* The OID of schema pgmig (InvalidOid when it does not exist). */
Oid
PgmigNamespace()
{
	return get_namespace_oid("pgmig", true);
}

/*
 * The value of by-value column `att` of the row of catalog classId whose
 * OID (column oidatt, index oidindex) is objectId, read with SnapshotSelf so
 * that a row created by the current command (an OAT_POST_CREATE event) is
 * seen.  *found is false when there is no such row or the value is null.
 */
Datum
CatalogColumn(Oid classId, AttrNumber oidatt, Oid oidindex, Oid objectId, AttrNumber att, bool *found)
{
	Relation rel = table_open(classId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, oidatt, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(objectId));
	SysScanDesc scan = systable_beginscan(rel, oidindex, true, SnapshotSelf, 1, &key);
	Datum result = (Datum) 0;
	*found = false;
	HeapTuple tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple)) {
		bool isnull = false;
		result = heap_getattr(tuple, att, RelationGetDescr(rel), &isnull);
		*found = !isnull;
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/* CatalogColumn of an OID column; InvalidOid when there is no such row. */
Oid
CatalogOidColumn(Oid classId, AttrNumber oidatt, Oid oidindex, Oid objectId, AttrNumber att)
{
	bool found = false;
	Datum d = CatalogColumn(classId, oidatt, oidindex, objectId, att, &found);
	return found ? DatumGetObjectId(d) : InvalidOid;
}

/* Whether trigger trigId is internal (a constraint's). */
bool
TriggerIsInternal(Oid trigId)
{
	bool found = false;
	Datum d = CatalogColumn(TriggerRelationId, Anum_pg_trigger_oid, TriggerOidIndexId, trigId,
	                        Anum_pg_trigger_tgisinternal, &found);
	return found && DatumGetBool(d);
}

/*
 * The schema an object lives in: its own namespace column, or for a
 * trigger, policy, rule or column default the namespace of its table.
 * InvalidOid for objects that live in no schema.
 */
Oid
ObjectNamespace(Oid classId, Oid objectId, int subId)
{
	Oid rel = InvalidOid;
	if (classId == TriggerRelationId)
		rel = CatalogOidColumn(classId, Anum_pg_trigger_oid, TriggerOidIndexId, objectId, Anum_pg_trigger_tgrelid);
	else if (classId == PolicyRelationId)
		rel = CatalogOidColumn(classId, Anum_pg_policy_oid, PolicyOidIndexId, objectId, Anum_pg_policy_polrelid);
	else if (classId == RewriteRelationId)
		rel = CatalogOidColumn(classId, Anum_pg_rewrite_oid, RewriteOidIndexId, objectId, Anum_pg_rewrite_ev_class);
	else if (classId == AttrDefaultRelationId && subId != 0)
		rel = objectId; /* StoreAttrDefault reports (pg_attrdef, table, column) */
	else if (classId == AttrDefaultRelationId)
		rel = CatalogOidColumn(classId, Anum_pg_attrdef_oid, AttrDefaultOidIndexId, objectId, Anum_pg_attrdef_adrelid);
	else if (classId == RelationRelationId)
		return CatalogOidColumn(classId, Anum_pg_class_oid, ClassOidIndexId, objectId, Anum_pg_class_relnamespace);
	else {
		if (classId == NamespaceRelationId || !is_objectclass_supported(classId))
			return InvalidOid;
		AttrNumber nsatt = get_object_attnum_namespace(classId);
		if (nsatt == InvalidAttrNumber)
			return InvalidOid;
		return CatalogOidColumn(classId, get_object_attnum_oid(classId), get_object_oid_index(classId), objectId,
		                        nsatt);
	}
	if (!OidIsValid(rel))
		return InvalidOid;
	return CatalogOidColumn(RelationRelationId, Anum_pg_class_oid, ClassOidIndexId, rel, Anum_pg_class_relnamespace);
}

/* Whether (classId, objectId), living in schema nsp, is pgmig's schema,
 * extension, an object in the schema, a trigger, policy, rule or default of
 * one of its tables, or another member of the extension (its event
 * triggers). */
bool
IsPgmigObject(Oid classId, Oid objectId, Oid nsp)
{
	Oid pgmig = PgmigNamespace();
	if (!OidIsValid(pgmig))
		return false;
	if (classId == NamespaceRelationId)
		return objectId == pgmig;
	if (OidIsValid(nsp) && nsp == pgmig)
		return true;
	Oid extension = get_extension_oid("pgmig", true);
	if (classId == ExtensionRelationId)
		return OidIsValid(extension) && objectId == extension;
	return OidIsValid(extension) && getExtensionOfObject(classId, objectId) == extension;
}

/* Whether a GRANT / REVOKE names an object of pgmig (resolved as PostgreSQL
 * will resolve it, search_path included). */
bool
GrantTouchesPgmig(GrantStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->objects) {
		Node *object = (Node *) lfirst(lc);
		if (stmt->targtype == ACL_TARGET_ALL_IN_SCHEMA || stmt->objtype == OBJECT_SCHEMA) {
			if (IsA(object, String) && strcmp(strVal(object), "pgmig") == 0)
				return true;
			continue;
		}
		Oid classId = InvalidOid;
		Oid objectId = InvalidOid;
		switch (stmt->objtype) {
		case OBJECT_TABLE:
		case OBJECT_SEQUENCE:
			if (IsA(object, RangeVar)) {
				classId = RelationRelationId;
				objectId = RangeVarGetRelid((RangeVar *) object, NoLock, true);
			}
			break;
		case OBJECT_FUNCTION:
		case OBJECT_PROCEDURE:
		case OBJECT_ROUTINE:
			if (IsA(object, ObjectWithArgs)) {
				classId = ProcedureRelationId;
				objectId = LookupFuncWithArgs(stmt->objtype, (ObjectWithArgs *) object, true);
			}
			break;
		case OBJECT_TYPE:
		case OBJECT_DOMAIN:
			if (IsA(object, List)) {
				classId = TypeRelationId;
				objectId = LookupTypeNameOid(NULL, makeTypeNameFromNameList((List *) object), true);
			}
			break;
		default:
			break;
		}
		if (OidIsValid(objectId) && IsPgmigObject(classId, objectId, ObjectNamespace(classId, objectId, 0)))
			return true;
	}
	return false;
}

/* Whether ALTER DEFAULT PRIVILEGES names schema pgmig. */
bool
DefaultPrivilegesTouchPgmig(AlterDefaultPrivilegesStmt *stmt)
{
	ListCell *lc;
	foreach (lc, stmt->options) {
		DefElem *option = (DefElem *) lfirst(lc);
		if (strcmp(option->defname, "schemas") != 0 || option->arg == NULL || !IsA(option->arg, List))
			continue;
		ListCell *name;
		foreach (name, (List *) option->arg)
			if (IsA(lfirst(name), String) && strcmp(strVal(lfirst(name)), "pgmig") == 0)
				return true;
	}
	return false;
}

/* Raises PM015 for an attempt to `what`. */
void
Refuse(const char *what)
{
	ereport(ERROR, (errcode(PGMIG_ERRCODE_TAMPER), errmsg("a revision body may not %s", what),
	                errdetail("Bodies run inside pgmig while it holds the project lock and records what ran; "
	                          "a body that changes pgmig's catalog, schema, extension or functions, or the "
	                          "session's advisory locks, would falsify that record."),
	                errhint("Use pgmig's functions outside a migration: mig_stamp to change the applied set, "
	                        "mig_upload(..., replace => true) to change a revision, ALTER EXTENSION pgmig "
	                        "UPDATE to upgrade pgmig.")));
}

/* "verb the object" with the object's description, when it can be had. */
void
RefuseObject(const char *verb, Oid classId, Oid objectId, int subId)
{
	ObjectAddress addr;
	addr.classId = classId;
	addr.objectId = objectId;
	addr.objectSubId = subId;
	char *description = getObjectDescription(&addr, true);
	char *what = psprintf("%s %s", verb, description ? description : "an object in schema pgmig");
	Refuse(what);
}

/* Raises PM016 for an attempt to `what`, which would leave state behind. */
void
RefuseLeftover(const char *what, const char *hint)
{
	ereport(ERROR, (errcode(PGMIG_ERRCODE_LEFTOVER), errmsg("a revision body may not %s", what),
	                errdetail("A body runs as the role that uploaded it, inside the applier's session; what it "
	                          "leaves in the session would outlive it and run later as another role."),
	                errhint("%s", hint)));
}

/* Raises PM015 for an attempt to create, alter or drop an object of
 * schema pg_catalog. */
void
RefuseCatalogObject(const char *verb, Oid classId, Oid objectId, int subId)
{
	ObjectAddress addr = {classId, objectId, subId};
	char *description = getObjectDescription(&addr, true);
	ereport(ERROR, (errcode(PGMIG_ERRCODE_TAMPER),
	                errmsg("a revision body may not %s %s of schema pg_catalog", verb,
	                       description ? description : "an object"),
	                errdetail("pgmig's own queries call pg_catalog's functions and operators (the advisory lock "
	                          "that serializes appliers among them); a body that replaces one changes pgmig."),
	                errhint("Create the object in a schema of the application; extensions may still be created "
	                        "and updated.")));
}

/* Whether an object of schema nsp is one a body may not create, alter or
 * drop: pg_catalog's (pgmig's own SQL relies on them), except from the
 * script of an extension being created or updated. */
bool
IsProtectedCatalogObject(Oid classId, Oid objectId, Oid nsp)
{
	if (creating_extension)
		return false;
	return nsp == PG_CATALOG_NAMESPACE || (classId == NamespaceRelationId && objectId == PG_CATALOG_NAMESPACE);
}

/*
 * What the function `funcid` is, for the advisory-lock rules: 1 for a
 * session-level lock (it outlives the transaction), 2 for an unlock (it
 * could release a lock pgmig or the applier holds), 0 otherwise.  Told by
 * the internal function it runs, so a renamed copy (LANGUAGE internal AS
 * 'pg_advisory_lock_int8') is caught as well.
 */
int
AdvisoryKind(Oid funcid)
{
	HeapTuple tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(tup))
		return 0;
	int kind = 0;
	if (((Form_pg_proc) GETSTRUCT(tup))->prolang == INTERNALlanguageId) {
		bool isnull = false;
		Datum src = SysCacheGetAttr(PROCOID, tup, Anum_pg_proc_prosrc, &isnull);
		if (!isnull) {
			char *name = TextDatumGetCString(src);
			if (strncmp(name, "pg_advisory_unlock", 18) == 0)
				kind = 2;
			else if (strncmp(name, "pg_advisory_lock", 16) == 0 || strncmp(name, "pg_try_advisory_lock", 20) == 0)
				kind = 1;
			pfree(name);
		}
	}
	ReleaseSysCache(tup);
	return kind;
}

/* Whether the fingerprint's collection takes what happens now: a body's
 * objects, or a non-transactional statement's (fingerprint.hpp). */
bool
Collecting()
{
	return pgmig::Touching() && (InBody() || pgmig::TouchingAcross());
}

/*
 * Reports an object created, altered or dropped to the fingerprint's
 * collection: a column, constraint, trigger, policy, default or rule as
 * the table (or domain) it belongs to, which is altered, not dropped.
 */
void
NoteForFingerprint(ObjectAccessType access, Oid classId, Oid objectId, int subId)
{
	bool dropped = access == OAT_DROP;
	Oid cls = classId;
	Oid obj = objectId;
	if (classId == RelationRelationId && subId != 0) {
		dropped = false;
	} else if (classId == ConstraintRelationId) {
		obj = CatalogOidColumn(classId, Anum_pg_constraint_oid, ConstraintOidIndexId, objectId,
		                       Anum_pg_constraint_conrelid);
		cls = RelationRelationId;
		if (!OidIsValid(obj)) {
			obj = CatalogOidColumn(classId, Anum_pg_constraint_oid, ConstraintOidIndexId, objectId,
			                       Anum_pg_constraint_contypid);
			cls = TypeRelationId;
		}
		dropped = false;
	} else if (classId == TriggerRelationId) {
		/* a foreign key's internal triggers on the table it references are
		 * not in the fingerprint: that table is not touched */
		if (TriggerIsInternal(objectId))
			return;
		obj = CatalogOidColumn(classId, Anum_pg_trigger_oid, TriggerOidIndexId, objectId, Anum_pg_trigger_tgrelid);
		cls = RelationRelationId;
		dropped = false;
	} else if (classId == PolicyRelationId) {
		obj = CatalogOidColumn(classId, Anum_pg_policy_oid, PolicyOidIndexId, objectId, Anum_pg_policy_polrelid);
		cls = RelationRelationId;
		dropped = false;
	} else if (classId == RewriteRelationId) {
		obj = CatalogOidColumn(classId, Anum_pg_rewrite_oid, RewriteOidIndexId, objectId, Anum_pg_rewrite_ev_class);
		cls = RelationRelationId;
		dropped = false;
	} else if (classId == AttrDefaultRelationId) {
		if (subId == 0)
			obj = CatalogOidColumn(classId, Anum_pg_attrdef_oid, AttrDefaultOidIndexId, objectId,
			                       Anum_pg_attrdef_adrelid);
		cls = RelationRelationId;
		dropped = false;
	}
	if (OidIsValid(obj))
		pgmig::NoteTouchedObject(cls, obj, dropped);
}

/* object_access_hook: see tamper.hpp and boundary.hpp. */
extern "C" void
TamperObjectAccess(ObjectAccessType access, Oid classId, Oid objectId, int subId, void *arg)
{
	if (prev_object_access)
		prev_object_access(access, classId, objectId, subId, arg);
	if ((access == OAT_POST_CREATE || access == OAT_POST_ALTER || access == OAT_DROP) && Collecting())
		NoteForFingerprint(access, classId, objectId, subId);
	if (!InBody())
		return;
	switch (access) {
	case OAT_POST_CREATE: {
		Oid nsp = ObjectNamespace(classId, objectId, subId);
		if (IsPgmigObject(classId, objectId, nsp)) {
			if (classId == AttrDefaultRelationId && subId != 0)
				RefuseObject("set the default of", RelationRelationId, objectId, subId);
			RefuseObject("create", classId, objectId, subId);
		}
		if (IsProtectedCatalogObject(classId, objectId, nsp))
			RefuseCatalogObject("create or replace", classId, objectId, subId);
		if (subId == 0 && OidIsValid(nsp) && isTempOrTempToastNamespace(nsp))
			pgmig::BoundaryNoteTempObject(classId, objectId);
		break;
	}
	case OAT_POST_ALTER:
	case OAT_DROP: {
		Oid nsp = ObjectNamespace(classId, objectId, subId);
		const char *verb = access == OAT_DROP ? "drop" : "alter";
		if (IsPgmigObject(classId, objectId, nsp))
			RefuseObject(verb, classId, objectId, subId);
		if (IsProtectedCatalogObject(classId, objectId, nsp))
			RefuseCatalogObject(verb, classId, objectId, subId);
		break;
	}
	case OAT_TRUNCATE:
		if (IsPgmigObject(RelationRelationId, objectId, get_rel_namespace(objectId)))
			RefuseObject("truncate", RelationRelationId, objectId, 0);
		break;
	case OAT_FUNCTION_EXECUTE:
		switch (AdvisoryKind(objectId)) {
		case 1:
			RefuseLeftover("take a session-level advisory lock",
			               "Use pg_advisory_xact_lock (and its _shared and try_ forms): it ends with the transaction.");
			break;
		case 2:
			RefuseObject("call", ProcedureRelationId, objectId, 0);
			break;
		default:
			if (get_func_namespace(objectId) == PgmigNamespace())
				RefuseObject("call", ProcedureRelationId, objectId, 0);
			break;
		}
		break;
	default:
		break;
	}
}

/*
 * ExecutorCheckPerms_hook: refuses writes to pgmig's tables and, unless
 * pgmig.allow_catalog_writes is on, to system catalogs during a body;
 * reports the tables a body writes to the boundary (their deferred trigger
 * events).  Called after PostgreSQL's own checks passed.
 */
extern "C" bool
TamperCheckPerms(List *range_table, bool ereport_on_violation)
{
	if (prev_check_perms && !prev_check_perms(range_table, ereport_on_violation))
		return false;
	if (!InBody())
		return true;
	Oid pgmig = PgmigNamespace();
	ListCell *lc;
	foreach (lc, range_table) {
		RangeTblEntry *rte = (RangeTblEntry *) lfirst(lc);
		if (rte->rtekind != RTE_RELATION)
			continue;
		bool writes = (rte->requiredPerms & (ACL_INSERT | ACL_UPDATE | ACL_DELETE)) != 0;
		if (!writes && rte->rellockmode < RowExclusiveLock)
			continue;
		if (writes && OidIsValid(pgmig) && get_rel_namespace(rte->relid) == pgmig)
			RefuseObject("write to", RelationRelationId, rte->relid, 0);
		if (writes && IsCatalogRelationOid(rte->relid) && !pgmig::allow_catalog_writes && !creating_extension) {
			ObjectAddress addr = {RelationRelationId, rte->relid, 0};
			char *description = getObjectDescription(&addr, true);
			ereport(ERROR,
			        (errcode(PGMIG_ERRCODE_TAMPER),
			         errmsg("a revision body may not write %s", description ? description : "a system catalog"),
			         errdetail("Writing system catalogs directly bypasses PostgreSQL's checks, and with them "
			                   "pgmig's: a body could disable pgmig's triggers or detach its tables."),
			         errhint("Use DDL instead.  A superuser who trusts the bodies may SET "
			                 "pgmig.allow_catalog_writes = on for the apply (docs/errors.md).")));
		}
		pgmig::BoundaryNoteWrite(rte->relid);
	}
	return true;
}

/* ProcessUtility_hook: GRANT / REVOKE and default privileges on pgmig's
 * objects, which no object access event reports; the statements that
 * would leave state in the session (boundary.hpp). */
extern "C" void
TamperProcessUtility(PlannedStmt *pstmt, const char *query_string, bool read_only_tree,
                     ProcessUtilityContext context, ParamListInfo params, QueryEnvironment *query_env,
                     DestReceiver *dest, QueryCompletion *qc)
{
	if (InBody() && pstmt->utilityStmt != NULL) {
		Node *stmt = pstmt->utilityStmt;
		if (IsA(stmt, GrantStmt) && GrantTouchesPgmig((GrantStmt *) stmt))
			Refuse(((GrantStmt *) stmt)->is_grant ? "grant privileges on pgmig's objects"
			                                      : "revoke privileges on pgmig's objects");
		if (IsA(stmt, AlterDefaultPrivilegesStmt) && DefaultPrivilegesTouchPgmig((AlterDefaultPrivilegesStmt *) stmt))
			Refuse("alter default privileges in schema pgmig");
		switch (nodeTag(stmt)) {
		case T_PrepareStmt:
		case T_DeallocateStmt:
			RefuseLeftover(IsA(stmt, PrepareStmt) ? "prepare a statement" : "deallocate a prepared statement",
			               "A prepared statement belongs to the session, not the migration: write the SQL out.");
			break;
		case T_ListenStmt:
		case T_UnlistenStmt:
			RefuseLeftover(IsA(stmt, ListenStmt) ? "LISTEN" : "UNLISTEN",
			               "Listening belongs to the session, not the migration (NOTIFY is allowed).");
			break;
		case T_DiscardStmt:
			RefuseLeftover("DISCARD session state", "The session is the applier's, not the migration's.");
			break;
		case T_LoadStmt:
			RefuseLeftover("LOAD a library into the session",
			               "A library stays loaded for the rest of the session; use CREATE EXTENSION.");
			break;
		case T_DeclareCursorStmt:
			if (((DeclareCursorStmt *) stmt)->options & CURSOR_OPT_HOLD)
				RefuseLeftover("declare a cursor WITH HOLD",
				               "A held cursor's query runs at COMMIT, as the applier; declare it without HOLD "
				               "(pgmig closes the body's cursors when the body ends).");
			break;
		case T_ClosePortalStmt: {
			const char *name = ((ClosePortalStmt *) stmt)->portalname;
			if (name == NULL || pgmig::BoundaryCursorPredates(name))
				RefuseLeftover(name == NULL ? "CLOSE ALL cursors" : "close a cursor it did not open",
				               "The applier's cursors are not the migration's.");
			break;
		}
		default:
			break;
		}
	}
	bool collect = pstmt->utilityStmt != NULL && Collecting();
	if (collect) {
		Node *stmt = pstmt->utilityStmt;
		if (pgmig::UtilityNeedsWhole(stmt) && !pgmig::Touched().whole)
			pgmig::CppEntry([]() -> Datum {
				pgmig::NoteWholeBefore();
				return (Datum) 0;
			});
		pgmig::NoteUtilityBefore(stmt);
	}
	if (prev_process_utility)
		prev_process_utility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
	else
		standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
	if (collect)
		pgmig::NoteUtilityAfter(pstmt->utilityStmt);
}

/* ExecutorStart_hook: a portal other than the body's own starting during a
 * body is a cursor the body opened (boundary.hpp closes it). */
extern "C" void
TamperExecutorStart(QueryDesc *queryDesc, int eflags)
{
	if (InBody())
		pgmig::BoundaryNotePortal(ActivePortal);
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

} // namespace

namespace pgmig {

bool allow_catalog_writes = false;

/* See tamper.hpp. */
void
InstallTamperGuard()
{
	prev_object_access = object_access_hook;
	object_access_hook = TamperObjectAccess;
	prev_check_perms = ExecutorCheckPerms_hook;
	ExecutorCheckPerms_hook = TamperCheckPerms;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = TamperProcessUtility;
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = TamperExecutorStart;
}

} // namespace pgmig
