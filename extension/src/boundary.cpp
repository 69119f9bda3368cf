/*
 * extension/src/boundary.cpp
 *
 * The uploader boundary (see boundary.hpp): what a body started is ended
 * before its identity switches back.
 *
 * State.  One boundary is open at a time per backend (a body cannot call
 * pgmig's functions, so bodies never nest; DropLeftovers opens its own
 * outside any body).  What the hooks report is kept in PostgreSQL Lists in
 * TopTransactionContext, stamped with the local transaction id, so a
 * boundary lost to an error is forgotten by the next transaction's first
 * look.  Close() reads and clears it.
 *
 * Cost.  A body that writes no table with triggers, opens no cursor and
 * creates no temporary object costs two reads of pgmig's sequences
 * (relation lookups by name, no SQL) and nothing else.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>
#include <utility>
#include <vector>

#include "boundary.hpp"
#include "errcodes.hpp"
#include "guards.hpp"
#include "spi.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_inherits.h"
#include "commands/portalcmds.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "tcop/pquery.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/rel.h"
#include "utils/syscache.h"
}

namespace pgmig {

namespace {

/* What the hooks reported for the open boundary (see the file header). */
struct BoundaryState {
	int depth = 0;
	LocalTransactionId lxid = InvalidLocalTransactionId;
	List *temp_objects = NIL; /* ObjectAddress * */
	List *written = NIL;      /* OIDs of relations with triggers the body wrote */
	List *portals = NIL;      /* names (char *) of the portals the body started */
	Portal outer_portal = nullptr;
};

BoundaryState state;

/* Forgets a boundary of an earlier transaction (its lists went with it). */
void
ForgetStale()
{
	if (state.lxid != MyProc->lxid) {
		state.depth = 0;
		state.temp_objects = NIL;
		state.written = NIL;
		state.portals = NIL;
		state.outer_portal = nullptr;
		state.lxid = MyProc->lxid;
	}
}

/*
 * pgmig's sequences, by name.  A body that moves one of them backwards could
 * make pgmig hand out an event id twice (events are ordered by it); moving
 * forward (nextval) is harmless.  The names are pgmig's own, so no catalog
 * scan is needed to find them.
 */
constexpr int kMaxFiringRounds = 100;

const char *const kSequences[] = {"revision_upload_seq_seq", "event_event_id_seq", "state_version_seq"};
constexpr int kSequenceCount = sizeof(kSequences) / sizeof(kSequences[0]);

/* One sequence's position: its last value, or "not called" (fresh, or reset
 * by setval(..., false)). */
struct SeqPosition {
	bool exists = false;
	bool called = false;
	int64 last = 0;
};

/* Reads the positions of pgmig's sequences, as the extension owner (the
 * function checks SELECT privilege), without SQL. */
void
ReadSequences(SeqPosition *out)
{
	Oid owner = ExtensionOwner();
	UserSwitch as_owner(owner, SECURITY_LOCAL_USERID_CHANGE);
	PgCall([&] {
		Oid nsp = get_namespace_oid("pgmig", true);
		for (int i = 0; i < kSequenceCount; i++) {
			out[i] = SeqPosition{};
			Oid seq = OidIsValid(nsp) ? get_relname_relid(kSequences[i], nsp) : InvalidOid;
			if (!OidIsValid(seq))
				continue;
			LOCAL_FCINFO(fcinfo, 1);
			InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
			fcinfo->args[0].value = ObjectIdGetDatum(seq);
			fcinfo->args[0].isnull = false;
			Datum d = pg_sequence_last_value(fcinfo);
			out[i].exists = true;
			out[i].called = !fcinfo->isnull;
			out[i].last = fcinfo->isnull ? 0 : DatumGetInt64(d);
		}
	});
}

SeqPosition sequences_before[kSequenceCount];

/* The relations whose pending events Close() looks at: each written one,
 * and for a partitioned table every partition (rows routed there carry
 * their events on the partition). */
List *
CandidateRelations(List *written)
{
	List *out = NIL;
	ListCell *lc;
	foreach (lc, written) {
		Oid relid = lfirst_oid(lc);
		if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
			out = list_concat_unique_oid(out, find_all_inheritors(relid, NoLock, NULL));
		else
			out = list_append_unique_oid(out, relid);
	}
	return out;
}

/* A deferrable, non-RI trigger's constraint with pending events. */
struct DeferredConstraint {
	Oid conoid;
	bool initially_deferred;
	char *name; /* schema-qualified, quoted */
};

/*
 * The constraints (constraint triggers, deferrable unique and exclusion
 * constraints) whose triggers have events pending on the written relations.
 * RI triggers are left out: they switch to the table owner to run.
 */
std::vector<DeferredConstraint>
PendingDeferred(List *written)
{
	DeferredConstraint *found = nullptr;
	int nfound = 0;
	PgCall([&] {
		List *rels = CandidateRelations(written);
		found = (DeferredConstraint *) palloc0(sizeof(DeferredConstraint) * 8);
		int cap = 8;
		ListCell *lc;
		foreach (lc, rels) {
			Oid relid = lfirst_oid(lc);
			if (!AfterTriggerPendingOnRel(relid))
				continue;
			Relation rel = relation_open(relid, NoLock);
			TriggerDesc *td = rel->trigdesc;
			for (int i = 0; td != NULL && i < td->numtriggers; i++) {
				Trigger *t = &td->triggers[i];
				if (!t->tgdeferrable || !OidIsValid(t->tgconstraint) ||
				    RI_FKey_trigger_type(t->tgfoid) != RI_TRIGGER_NONE)
					continue;
				bool seen = false;
				for (int k = 0; k < nfound; k++)
					seen = seen || found[k].conoid == t->tgconstraint;
				if (seen)
					continue;
				if (nfound == cap) {
					cap *= 2;
					found = (DeferredConstraint *) repalloc(found, sizeof(DeferredConstraint) * cap);
				}
				HeapTuple tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(t->tgconstraint));
				if (!HeapTupleIsValid(tup))
					continue;
				Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
				found[nfound].conoid = t->tgconstraint;
				found[nfound].initially_deferred = t->tginitdeferred;
				found[nfound].name =
				    pstrdup(quote_qualified_identifier(get_namespace_name(con->connamespace), NameStr(con->conname)));
				ReleaseSysCache(tup);
				nfound++;
			}
			relation_close(rel, NoLock);
		}
	});
	std::vector<DeferredConstraint> out(found, found + nfound);
	return out;
}

/*
 * Whether SET CONSTRAINTS by these names would also reach a constraint that
 * is not deferrable (constraint names are unique per table, not per schema),
 * which makes the command fail.
 */
bool
NameCollides(const std::vector<DeferredConstraint> &cons)
{
	bool collides = false;
	PgCall([&] {
		Relation conrel = table_open(ConstraintRelationId, AccessShareLock);
		for (const DeferredConstraint &c : cons) {
			HeapTuple tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(c.conoid));
			if (!HeapTupleIsValid(tup))
				continue;
			Form_pg_constraint con = (Form_pg_constraint) GETSTRUCT(tup);
			ScanKeyData key[2];
			ScanKeyInit(&key[0], Anum_pg_constraint_conname, BTEqualStrategyNumber, F_NAMEEQ,
			            NameGetDatum(&con->conname));
			ScanKeyInit(&key[1], Anum_pg_constraint_connamespace, BTEqualStrategyNumber, F_OIDEQ,
			            ObjectIdGetDatum(con->connamespace));
			SysScanDesc scan = systable_beginscan(conrel, ConstraintNameNspIndexId, true, NULL, 2, key);
			HeapTuple other;
			while (HeapTupleIsValid(other = systable_getnext(scan)))
				if (!((Form_pg_constraint) GETSTRUCT(other))->condeferrable)
					collides = true;
			systable_endscan(scan);
			ReleaseSysCache(tup);
		}
		table_close(conrel, AccessShareLock);
	});
	return collides;
}

/* Runs one utility statement of pgmig's own (SET CONSTRAINTS) as the current user. */
void
RunUtility(const std::string &sql)
{
	const char *text = sql.c_str();
	PgCall([&] {
		int rc = SPI_execute(text, false, 0);
		if (rc < 0)
			elog(ERROR, "pgmig: \"%s\" failed: %s", text, SPI_result_code_string(rc));
	});
}

/*
 * Fires the deferred events of non-RI triggers that the body's writes
 * queued, as the uploader, then gives the initially deferred constraints
 * their default back.  When a name would reach a non-deferrable constraint
 * too, all constraints are made immediate instead (and stay so for the rest
 * of the transaction; the NOTICE says so).
 */
void
FireDeferred(List *written)
{
	std::vector<DeferredConstraint> cons = PendingDeferred(written);
	if (cons.empty())
		return;
	if (NameCollides(cons)) {
		Notice(NOTICE, "pgmig: a deferrable constraint's name is also used by a constraint that is not deferrable; "
		               "all constraints are immediate for the rest of this transaction",
		       "pgmig fires the deferred trigger events a body queued before the body ends (SET CONSTRAINTS ALL "
		       "IMMEDIATE), so that they run as the role that uploaded it.");
		RunUtility("SET CONSTRAINTS ALL IMMEDIATE");
		return;
	}
	std::string immediate, deferred;
	for (const DeferredConstraint &c : cons) {
		immediate += (immediate.empty() ? "" : ", ") + std::string(c.name);
		if (c.initially_deferred)
			deferred += (deferred.empty() ? "" : ", ") + std::string(c.name);
	}
	RunUtility("SET CONSTRAINTS " + immediate + " IMMEDIATE");
	if (!deferred.empty())
		RunUtility("SET CONSTRAINTS " + deferred + " DEFERRED");
}

/* Closes the cursors the body opened that are still open. */
void
CloseCursors(List *portals)
{
	PgCall([&] {
		ListCell *lc;
		foreach (lc, portals) {
			const char *name = (const char *) lfirst(lc);
			Portal p = GetPortalByName(name);
			if (PortalIsValid(p) && p->status != PORTAL_ACTIVE)
				PerformPortalClose(name);
		}
	});
}

/* Drops the temporary objects the body created that still exist (with
 * what depends on them, as the end of the session would). */
void
DropTempObjects(List *objects)
{
	PgCall([&] {
		ObjectAddresses *drop = new_object_addresses();
		ListCell *lc;
		foreach (lc, objects) {
			ObjectAddress *a = (ObjectAddress *) lfirst(lc);
			if (getObjectDescription(a, true) != NULL)
				add_exact_object_address(a, drop);
		}
		performMultipleDeletions(drop, DROP_CASCADE, PERFORM_DELETION_INTERNAL | PERFORM_DELETION_QUIETLY);
		free_object_addresses(drop);
	});
}

/*
 * Puts back each of pgmig's sequences that stands behind where it stood
 * before the body (setval is not undone by a rollback, so this is done
 * whether the body then fails or not); returns the index of the first one
 * moved, or -1.  after receives the positions found.
 */
int
RepairSequences(const SeqPosition *before, SeqPosition *after)
{
	ReadSequences(after);
	int first = -1;
	for (int i = 0; i < kSequenceCount; i++) {
		if (!before[i].exists || !before[i].called)
			continue;
		if (after[i].exists && after[i].called && after[i].last >= before[i].last)
			continue;
		CatalogScope scope;
		SpiQuery("SELECT pg_catalog.setval(pg_catalog.quote_ident('pgmig') OPERATOR(pg_catalog.||) '.' "
		         "OPERATOR(pg_catalog.||) pg_catalog.quote_ident($1), $2, true)",
		         {SqlParam::Text(kSequences[i]), SqlParam::Int8(before[i].last)});
		if (first < 0)
			first = i;
	}
	return first;
}

/* Refuses (PM015) a body that moved one of pgmig's sequences backwards,
 * after putting it back. */
void
CheckSequences(const SeqPosition *before)
{
	SeqPosition after[kSequenceCount];
	int i = RepairSequences(before, after);
	{
		if (i >= 0)
			throw PgmigError(PGMIG_ERRCODE_TAMPER,
			                 std::string("a revision body may not set sequence pgmig.") + kSequences[i] + " back",
			                 "It stood at " + std::to_string(before[i].last) + " before the body and at " +
			                     (after[i].exists && after[i].called ? std::to_string(after[i].last)
			                                                         : std::string("its start")) +
			                     " after it (pgmig put it back); pgmig would have handed out its values a second "
			                     "time.",
			                 "Use pgmig's functions outside a migration; a body has no business with pgmig's sequences.");
	}
}

bool sequences_noted = false;

} // namespace

/* See boundary.hpp. */
void
BoundaryRepair()
{
	if (!sequences_noted)
		return;
	SeqPosition after[kSequenceCount];
	RepairSequences(sequences_before, after);
}

/* See boundary.hpp. */
bool
BoundaryActive()
{
	return state.depth > 0 && state.lxid == MyProc->lxid;
}

/* See boundary.hpp.  Only objects in this backend's temporary schemas. */
void
BoundaryNoteTempObject(Oid classId, Oid objectId)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	ObjectAddress *a = (ObjectAddress *) palloc(sizeof(ObjectAddress));
	a->classId = classId;
	a->objectId = objectId;
	a->objectSubId = 0;
	state.temp_objects = lappend(state.temp_objects, a);
	MemoryContextSwitchTo(old);
}

/* See boundary.hpp. */
void
BoundaryNoteWrite(Oid relid)
{
	if (list_member_oid(state.written, relid))
		return;
	HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		return;
	Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);
	bool wanted = c->relhastriggers || c->relkind == RELKIND_PARTITIONED_TABLE;
	ReleaseSysCache(tup);
	if (!wanted)
		return;
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	state.written = lappend_oid(state.written, relid);
	MemoryContextSwitchTo(old);
}

/* Called by the ExecutorStart hook: a portal other than the one running the
 * body is starting, i.e. the body opened a cursor (DECLARE, or OPEN in
 * PL/pgSQL). */
void
BoundaryNotePortal(Portal portal)
{
	if (portal == NULL || portal == state.outer_portal || portal->name == NULL)
		return;
	ListCell *lc;
	foreach (lc, state.portals)
		if (strcmp((const char *) lfirst(lc), portal->name) == 0)
			return;
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	state.portals = lappend(state.portals, pstrdup(portal->name));
	MemoryContextSwitchTo(old);
}

/* See boundary.hpp. */
bool
BoundaryCursorPredates(const char *name)
{
	ListCell *lc;
	foreach (lc, state.portals)
		if (strcmp((const char *) lfirst(lc), name) == 0)
			return false;
	return true;
}

/* Opens the boundary: the mark, empty lists, the sequences' positions. */
BodyBoundary::BodyBoundary()
{
	ForgetStale();
	outermost_ = state.depth == 0;
	if (outermost_) {
		ReadSequences(sequences_before);
		sequences_noted = true;
		state.temp_objects = NIL;
		state.written = NIL;
		state.portals = NIL;
		state.outer_portal = ActivePortal;
	}
	state.depth++;
}

/* Ends the mark (also on the error path). */
BodyBoundary::~BodyBoundary()
{
	if (state.lxid == MyProc->lxid && state.depth > 0)
		state.depth--;
}

/* See boundary.hpp.  Each step may let user code run (a trigger, a cursor's
 * clean-up), which may report more: the lists are read after each step. */
void
BodyBoundary::Close()
{
	if (closed_ || !outermost_)
		return;
	closed_ = true;
	/* a trigger fired here may write another table and queue more: go on
	 * until a round writes nothing new (bounded, as a trigger may queue
	 * itself forever) */
	for (int round = 0; state.written != NIL; round++) {
		if (round == kMaxFiringRounds)
			throw PgmigError(PGMIG_ERRCODE_LEFTOVER,
			                 "deferred triggers queued by the body kept queuing more after " +
			                     std::to_string(kMaxFiringRounds) + " rounds of firing",
			                 "pgmig fires, before a body ends, the deferred trigger events it queued; these "
			                 "triggers queue new events each time they fire.",
			                 "Make the triggers stop queuing events, or fire them in the body with SET CONSTRAINTS "
			                 "... IMMEDIATE.");
		List *written = state.written;
		state.written = NIL;
		FireDeferred(written);
	}
	if (state.portals != NIL)
		CloseCursors(state.portals);
	if (state.temp_objects != NIL) {
		List *objects = state.temp_objects;
		state.temp_objects = NIL;
		DropTempObjects(objects);
	}
	CheckSequences(sequences_before);
}

} // namespace pgmig
