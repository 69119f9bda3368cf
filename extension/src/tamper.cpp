/*
 * extension/src/tamper.cpp
 *
 * The tamper guard (see tamper.hpp).  The hooks in the anonymous namespace
 * are called by PostgreSQL: plain data only, errors raised with ereport.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "tamper.hpp"

#include "errcodes.hpp"

extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_extension.h"
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
#include "tcop/utility.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace {

/* Depth of BodyGuard and the transaction it was opened in. */
int body_depth = 0;
LocalTransactionId body_lxid = InvalidLocalTransactionId;

object_access_hook_type prev_object_access = nullptr;
ExecutorCheckPerms_hook_type prev_check_perms = nullptr;
ProcessUtility_hook_type prev_process_utility = nullptr;

/* Whether a body's statements are running now. */
bool
InBody()
{
	return body_depth > 0 && body_lxid == MyProc->lxid;
}

/* The OID of schema pgmig (InvalidOid when it does not exist). */
Oid
PgmigNamespace()
{
	return get_namespace_oid("pgmig", true);
}

/*
 * The value of OID column `att` of the row of catalog classId whose OID
 * (column oidatt, index oidindex) is objectId, read with SnapshotSelf so that
 * a row created by the current command (an OAT_POST_CREATE event) is seen.
 * InvalidOid when there is no such row.
 */
Oid
CatalogOidColumn(Oid classId, AttrNumber oidatt, Oid oidindex, Oid objectId, AttrNumber att)
{
	Relation rel = table_open(classId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, oidatt, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(objectId));
	SysScanDesc scan = systable_beginscan(rel, oidindex, true, SnapshotSelf, 1, &key);
	Oid result = InvalidOid;
	HeapTuple tuple = systable_getnext(scan);
	if (HeapTupleIsValid(tuple)) {
		bool isnull = false;
		Datum d = heap_getattr(tuple, att, RelationGetDescr(rel), &isnull);
		if (!isnull)
			result = DatumGetObjectId(d);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/* Whether (classId, objectId) is pgmig's schema, extension, an object in the
 * schema, a trigger, policy, rule or default of one of its tables, or another
 * member of the extension (its event triggers). */
bool
IsPgmigObject(Oid classId, Oid objectId, int subId = 0)
{
	Oid pgmig = PgmigNamespace();
	if (!OidIsValid(pgmig))
		return false;
	if (classId == NamespaceRelationId)
		return objectId == pgmig;
	Oid extension = get_extension_oid("pgmig", true);
	if (classId == ExtensionRelationId)
		return OidIsValid(extension) && objectId == extension;
	if (OidIsValid(extension) && getExtensionOfObject(classId, objectId) == extension)
		return true;
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
	else {
		if (!is_objectclass_supported(classId))
			return false;
		AttrNumber nsatt = get_object_attnum_namespace(classId);
		if (nsatt == InvalidAttrNumber)
			return false;
		return CatalogOidColumn(classId, get_object_attnum_oid(classId), get_object_oid_index(classId), objectId,
		                        nsatt) == pgmig;
	}
	return OidIsValid(rel) && get_rel_namespace(rel) == pgmig;
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
		if (OidIsValid(objectId) && IsPgmigObject(classId, objectId))
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

/* object_access_hook: see tamper.hpp. */
extern "C" void
TamperObjectAccess(ObjectAccessType access, Oid classId, Oid objectId, int subId, void *arg)
{
	if (prev_object_access)
		prev_object_access(access, classId, objectId, subId, arg);
	if (!InBody())
		return;
	switch (access) {
	case OAT_POST_CREATE:
		if (classId == AttrDefaultRelationId && subId != 0) {
			if (IsPgmigObject(classId, objectId, subId))
				RefuseObject("set the default of", RelationRelationId, objectId, subId);
		} else if (IsPgmigObject(classId, objectId, subId))
			RefuseObject("create", classId, objectId, subId);
		break;
	case OAT_POST_ALTER:
		if (IsPgmigObject(classId, objectId, subId))
			RefuseObject("alter", classId, objectId, subId);
		break;
	case OAT_DROP:
		if (IsPgmigObject(classId, objectId, subId))
			RefuseObject("drop", classId, objectId, subId);
		break;
	case OAT_TRUNCATE:
		if (IsPgmigObject(RelationRelationId, objectId))
			RefuseObject("truncate", RelationRelationId, objectId, 0);
		break;
	case OAT_FUNCTION_EXECUTE:
		if (objectId == F_PG_ADVISORY_UNLOCK_INT8 || objectId == F_PG_ADVISORY_UNLOCK_INT4_INT4 ||
		    objectId == F_PG_ADVISORY_UNLOCK_SHARED_INT8 || objectId == F_PG_ADVISORY_UNLOCK_SHARED_INT4_INT4 ||
		    objectId == F_PG_ADVISORY_UNLOCK_ALL)
			RefuseObject("call", ProcedureRelationId, objectId, 0);
		else if (get_func_namespace(objectId) == PgmigNamespace())
			RefuseObject("call", ProcedureRelationId, objectId, 0);
		break;
	default:
		break;
	}
}

/* ExecutorCheckPerms_hook: refuses writes to pgmig's tables during a body. */
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
		if (rte->rtekind != RTE_RELATION || (rte->requiredPerms & (ACL_INSERT | ACL_UPDATE | ACL_DELETE)) == 0)
			continue;
		if (OidIsValid(pgmig) && get_rel_namespace(rte->relid) == pgmig)
			RefuseObject("write to", RelationRelationId, rte->relid, 0);
	}
	return true;
}

/* ProcessUtility_hook: GRANT / REVOKE and default privileges on pgmig's
 * objects, which no object access event reports. */
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
	}
	if (prev_process_utility)
		prev_process_utility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
	else
		standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
}

} // namespace

namespace pgmig {

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
}

/* Opens the mark (a stale depth from an earlier transaction is dropped). */
BodyGuard::BodyGuard()
{
	if (body_lxid != MyProc->lxid)
		body_depth = 0;
	body_lxid = MyProc->lxid;
	body_depth++;
}

/* Closes it. */
BodyGuard::~BodyGuard()
{
	if (body_depth > 0)
		body_depth--;
}

} // namespace pgmig
