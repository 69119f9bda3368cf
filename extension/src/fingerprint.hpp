/*
 * extension/src/fingerprint.hpp
 *
 * The schema fingerprint's query, for the whole schema or for the objects a
 * call touched, and the record of what those objects are.
 *
 * One query text (fingerprint.cpp) lists the user-visible schema, one row
 * per object (kind, identity, definition in PostgreSQL's own words): for the
 * whole database (mig_fingerprint, baseline, snapshot, drift), or scoped to
 * sets of schemas, relations, types, functions, extensions and event
 * triggers, with the same row for each object it lists.  The scoped form is
 * what makes recording a call's change cost what the call changed
 * (issue 17): on a schema of 10,000 tables the whole fingerprint takes
 * seconds, the rows of the few objects a revision touched take
 * milliseconds.
 *
 * Which objects a call touched comes from PostgreSQL itself, not from
 * parsing bodies: while a body runs, the object-access hook (tamper.cpp)
 * reports every object created, altered or dropped, whatever path the
 * statement took (plain SQL, EXECUTE in a DO block, a function, a trigger).
 * An object being dropped no longer exists when the call records its
 * change, so its identity is taken in the hook, while its catalog rows are
 * still there.  A few statements change objects the hook does not name, or
 * change the identity of objects other than their target:
 *
 *   - renaming a column, constraint, trigger, policy or enum value changes
 *     the text of the objects that depend on it (views, indexes, foreign
 *     keys, defaults): the call then also covers the objects that depend on
 *     what it touched (pg_depend, one level);
 *   - GRANT and REVOKE, and ALTER TABLE's target and the partitions it
 *     attaches or detaches, are added from the statement itself;
 *   - renaming or moving any other object, DROP OWNED, REASSIGN OWNED,
 *     ALTER EXTENSION and GRANT ON ALL ... IN SCHEMA change identities (or
 *     objects) wholesale: the call falls back to the whole fingerprint,
 *     taken just before that statement runs, with what the call changed
 *     before it put back to the recorded state.
 *
 * A record compares each object's live rows with its "before": the
 * recorded rows, or, for an existing object that a statement is about to
 * change in part for the first time in the call (ALTER TABLE, SEQUENCE,
 * DOMAIN, TYPE or FUNCTION, CREATE TRIGGER, POLICY or RULE, CREATE OR
 * REPLACE VIEW or FUNCTION, ALTER ... OWNER TO, GRANT, and the parents of a
 * CREATE TABLE ... PARTITION OF or INHERITS), its live rows read just
 * before that statement
 * (CaptureFirstTouch): what was changed by hand on that table stays drift,
 * not the revision's change.  Objects created or dropped outright change as
 * a whole, and a DROP ... CASCADE's dependents are compared with their
 * recorded rows.
 *
 * The record errs on the side of covering more: an object covered but not
 * changed records nothing; an object changed but not covered would show up
 * as drift (a false alarm, never a hidden change).  A check (mig_check)
 * records nothing.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_FINGERPRINT_HPP
#define PGMIG_FINGERPRINT_HPP

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "spi.hpp"

extern "C" {
#include "postgres.h"

#include "nodes/nodes.h"
}

namespace pgmig {

/* The scope of a fingerprint: OIDs (as text) per class of object. */
struct FingerprintScope {
	std::vector<std::string> schemas, relations, types, functions, extensions, event_triggers;

	bool Empty() const;
};

/* The whole schema's rows (kind, identity, definition).  Runs under the
 * caller's search_path: callers pin it (CatalogScope, or mig_fingerprint's
 * SET clause). */
std::vector<Row> FingerprintRows();

/* The rows of the objects in scope, exactly as FingerprintRows lists them. */
std::vector<Row> FingerprintRows(const FingerprintScope &scope);

/* An object a call touched, as the hook reported it: its catalog and OID,
 * or (dropped objects) the class of its rows and its identity. */
struct TouchedObject {
	Oid class_id = InvalidOid;
	Oid object_id = InvalidOid;
	char anchor = '\0'; /* 'r' relation, 't' type, 'f' function, 'n' schema, 'e' extension, 'v' event trigger */
	std::string identity;
};

/* What the current call touched so far. */
struct TouchedSet {
	std::vector<TouchedObject> objects;
	std::set<std::pair<Oid, Oid>> live; /* (class, OID) of the objects above that have no anchor */
	bool expand = false; /* also cover the objects that depend on them */
	bool whole = false;  /* a statement needs the whole fingerprint */
	/* the live rows of objects an ALTER (or the like) changed for the first
	 * time in the call, taken just before it ran, by anchor ("r" + identity,
	 * ...): their "before", where the recorded rows would also hold what
	 * was changed by hand (CaptureFirstTouch) */
	std::map<std::string, std::vector<Row>> captured;
};

/*
 * Called (through CppEntry) before a statement that changes existing
 * objects runs, with those objects (class, OID): the live rows of each one
 * the call has not touched yet are kept as its "before" (in safety.cpp,
 * which owns the recording); then they join the touched set.
 */
void CaptureFirstTouch(const std::vector<std::pair<Oid, Oid>> &targets);

/* Whether row (kind, identity) belongs to the anchor (class, identity), by
 * the rules KnownRows (safety.cpp) follows in SQL. */
bool RowOfAnchor(char anchor_class, const std::string &anchor, const std::string &kind, const std::string &identity);

/* Starts collecting for a new call, or (across) for a non-transactional
 * statement, whose collection spans its transactions. */
void StartTouching(bool across = false);

/* Stops collecting. */
void StopTouching();

/* Whether a collection is under way (in this transaction, or across). */
bool Touching();

/* Whether the collection under way is a non-transactional statement's. */
bool TouchingAcross();

/* The collection so far. */
TouchedSet &Touched();

/*
 * Called by the object-access hook for every object created, altered or
 * dropped while collecting, with a column, constraint, trigger, policy,
 * default or rule already replaced by its table or type; dropped when the
 * object itself is being dropped (its identity is read now).  For C
 * callers: may ereport, never throws.
 */
void NoteTouchedObject(Oid class_id, Oid object_id, bool dropped);

/* Called by the ProcessUtility hook before a statement runs while
 * collecting; may ereport, never throws. */
void NoteUtilityBefore(Node *stmt);

/* Called by the ProcessUtility hook after a statement ran. */
void NoteUtilityAfter(Node *stmt);

/* Whether the statement (before it runs) needs the whole fingerprint. */
bool UtilityNeedsWhole(Node *stmt);

/* The scope covering the touched objects (and their dependents when the set
 * says so), and the anchors (class, identity) whose recorded rows the scope
 * replaces: those of the touched objects that exist and of the dropped ones. */
struct ResolvedScope {
	FingerprintScope scope;
	std::vector<std::string> anchor_classes, anchor_identities;
};
ResolvedScope ResolveTouched(const TouchedSet &set);

} // namespace pgmig

#endif /* PGMIG_FINGERPRINT_HPP */
