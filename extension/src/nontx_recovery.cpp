/*
 * extension/src/nontx_recovery.cpp
 *
 * What the server knows about a non-transactional statement it did not run
 * (see nontx.hpp): its postcondition, checked on finish and abort, and the
 * recovery of a lease whose client was lost.
 *
 * The rules of recovery:
 *  - A lease whose backend is alive makes the project busy (PM033), unless
 *    that backend has sat idle outside a transaction for longer than
 *    pgmig.lease_idle_timeout: then its session is ended and the caller told
 *    to retry, when the lease is stale.
 *  - A stale lease (its backend, named by pid and start time, is gone) is
 *    recovered by the next writer of the project, or by mig_recover:
 *     * the postcondition holds and the object was not there before the
 *       lease: the statement completed, the revision is recorded;
 *     * an interrupted run left INVALID indexes: they are dropped (as the
 *       uploader) and the revision will run again;
 *     * otherwise the lease is released and the revision will run again.
 *    Each recovery writes a 'repair' event saying which.
 *  - The statement's relation is resolved as the uploader through the
 *    schemas the lease recorded, never through this session's search_path.
 *
 * Locks: the project lock (held by the caller: LockAndLoad, Upload, or
 * mig_recover, which takes it); DropLeftovers takes what DROP INDEX takes,
 * bounded by pgmig.lock_timeout.
 * Writes: pgmig.nontx_lease (delete), pgmig.event (repair; apply or
 * downgrade when the revision is recorded), pgmig.applied and
 * pgmig.project_state's applied version when recorded.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "body.hpp"
#include "boundary.hpp"
#include "errcodes.hpp"
#include "events.hpp"
#include "lock.hpp"
#include "nontx.hpp"
#include "project_state.hpp"
#include "run.hpp"
#include "safety.hpp"
#include "spi.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace pgmig {

int lease_idle_timeout_ms = 5 * 60 * 1000;

/*
 * Checks the postcondition of a non-transactional statement (see
 * NontxObject).  The statement's relation is resolved the way the client ran
 * the statement: as the uploader, through the schemas the lease recorded
 * when it was taken (path; without one, the session's search_path).  That
 * lookup is done in C (LookupRelation), so no SQL of pgmig's runs under that
 * path; everything after it reads the catalogs by OID in a CatalogScope,
 * whose search_path is pinned, so a hostile schema's functions, operators
 * and views are never reached (RELIABILITY D1).
 */
ObjectCheck
CheckObject(const NontxObject &o, Oid uploader, const std::optional<std::vector<std::string>> &path)
{
	using Kind = NontxObject::Kind;
	ObjectCheck c;
	if (o.kind == Kind::kNone)
		return c;
	Oid relid = InvalidOid;
	{
		UserSwitch as_uploader(uploader, SECURITY_LOCAL_USERID_CHANGE);
		if (o.schema.empty() && path) {
			/* the schemas the session that ran the statement named it
			 * through, not this session's (a recovery runs elsewhere) */
			for (const std::string &nsp : *path) {
				relid = LookupRelationIn(nsp, o.relation);
				if (OidIsValid(relid))
					break;
			}
		} else
			relid = LookupRelation(o.schema, o.relation);
	}
	std::string named = (o.schema.empty() ? "" : o.schema + ".") + o.relation;
	SqlParam rel = SqlParam::Text(std::to_string(relid));
	CatalogScope scope;
	if (o.kind == Kind::kCreateIndex) {
		if (relid == InvalidOid) {
			c.state = ObjectState::kNotDone;
			c.detail = "table " + named + " does not exist";
			return c;
		}
		std::vector<Row> rows =
		    SpiQuery("SELECT n.nspname, ic.oid IS NOT NULL, i.indisvalid, i.indisready "
		             "  FROM pg_catalog.pg_class t "
		             "  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
		             "  LEFT JOIN pg_catalog.pg_class ic ON ic.relnamespace = t.relnamespace AND ic.relname = $2 "
		             "  LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = ic.oid "
		             " WHERE t.oid = $1::pg_catalog.oid",
		             {rel, SqlParam::Text(o.index)});
		if (rows.empty()) {
			c.state = ObjectState::kNotDone;
			c.detail = "table " + named + " does not exist";
		} else if (*rows[0][1] == "f") {
			c.state = ObjectState::kNotDone;
			c.detail = "index " + *rows[0][0] + "." + o.index + " does not exist";
		} else if (!rows[0][2]) {
			c.state = ObjectState::kNotDone;
			c.detail = "relation " + *rows[0][0] + "." + o.index + " exists but is not an index";
		} else if (*rows[0][2] == "t" && *rows[0][3] == "t") {
			c.state = ObjectState::kDone;
			c.detail = "index " + *rows[0][0] + "." + o.index + " exists and is valid and ready";
		} else {
			c.state = ObjectState::kLeftover;
			c.detail = "index " + *rows[0][0] + "." + o.index + " is INVALID (indisvalid = " + *rows[0][2] +
			           ", indisready = " + *rows[0][3] + ")";
			std::vector<Row> q = SpiQuery("SELECT pg_catalog.format('DROP INDEX %I.%I', $1, $2)",
			                              {SqlParam::Text(*rows[0][0]), SqlParam::Text(o.index)});
			c.drop_sql.push_back(*q[0][0]);
		}
		return c;
	}
	if (o.kind == Kind::kDropIndex) {
		c.state = relid == InvalidOid ? ObjectState::kDone : ObjectState::kNotDone;
		c.detail = "index " + named + (c.state == ObjectState::kDone ? " no longer exists" : " still exists");
		return c;
	}
	/* REINDEX ... CONCURRENTLY: an interruption leaves INVALID *_ccnew / *_ccold indexes. */
	if (relid == InvalidOid)
		return c;
	std::vector<Row> rows =
	    SpiQuery("WITH tab AS (SELECT CASE WHEN $2 THEN $1::pg_catalog.oid "
	             "                         ELSE (SELECT i.indrelid FROM pg_catalog.pg_index i "
	             "                                WHERE i.indexrelid = $1::pg_catalog.oid) END AS oid) "
	             "SELECT pg_catalog.format('DROP INDEX %I.%I', n.nspname, c.relname) "
	             "  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
	             "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, tab "
	             " WHERE i.indrelid = tab.oid AND NOT i.indisvalid "
	             "   AND (c.relname ~ '_ccnew[0-9]*$' OR c.relname ~ '_ccold[0-9]*$') ORDER BY c.relname",
	             {rel, SqlParam::Bool(o.reindex_table)});
	for (const auto &r : rows)
		c.drop_sql.push_back(*r[0]);
	if (!c.drop_sql.empty()) {
		c.state = ObjectState::kLeftover;
		c.detail = std::to_string(c.drop_sql.size()) + " INVALID index(es) left by an interrupted REINDEX CONCURRENTLY";
	}
	return c;
}

/* Drops what an interrupted statement left, as the uploader, with the body's lock_timeout. */
void
DropLeftovers(const ObjectCheck &c, Oid uploader)
{
	PgmigDdlScope own_ddl;
	BodyBoundary boundary;
	UserSwitch as_uploader(uploader, SECURITY_LOCAL_USERID_CHANGE);
	GucNestLevel nest;
	SetBodyLockTimeout(nest);
	for (const auto &sql : c.drop_sql)
		SpiQueryOnce(sql.c_str(), {});
	boundary.Close();
	nest.Close();
}

/*
 * Recovers the lease of a backend that is gone.  If the statement's
 * postcondition holds and the object was not there before the lease (the
 * statement completed but its client never reported back), the revision is
 * recorded; if an INVALID index was left behind it is dropped; either way the
 * lease is released and the event log says what was done.  Returns that
 * sentence.
 */
std::string
RecoverStale(const std::string &project, const LeaseInfo &l)
{
	bool down = l.direction == "down";
	NontxBody b = LoadNontxBody(project, l.revision, down);
	const NontxObject &o = b.parsed.statements.at(0).object;
	ObjectCheck c = CheckObject(o, b.uploader, l.search_path);
	std::string action;
	bool trustworthy = c.state == ObjectState::kDone &&
	                   !(o.kind == NontxObject::Kind::kCreateIndex && l.object_existed);
	if (trustworthy) {
		double seconds = LeaseSeconds(project);
		/* for up, the stored checksum is the up body's, which applied records */
		RecordRun(project, l.revision, down, l.started_by, l.revision, seconds, b.stored.checksum, true);
		BumpApplied(project, down ? -1 : 1);
		action = "recorded as " + std::string(down ? "downgraded" : "applied") +
		         ": the statement completed before its client was lost (" + c.detail + ")";
	} else if (c.state == ObjectState::kLeftover) {
		DropLeftovers(c, b.uploader);
		action = "dropped what the interrupted run left (" + c.detail + "); the revision will run again";
	} else
		action = "released; the revision will run again" + (c.detail.empty() ? "" : " (" + c.detail + ")");
	std::string message = "stale lease of backend " + std::to_string(l.backend_pid) + ": " + action;
	RecordEvent(project, "repair", l.revision, "", message);
	DropLease(project);
	Notice(WARNING, "pgmig: revision \"" + l.revision + "\": " + message);
	return action;
}

namespace {

/*
 * A live lease whose backend has sat idle (outside any transaction, its
 * statement not running) for longer than pgmig.lease_idle_timeout belongs
 * to a client that stalled (stopped, or lost with its host) before or after
 * its statement: nothing bounds that otherwise, the transactional path's
 * idle_in_transaction_session_timeout does not apply.  Its session is ended
 * (as the extension owner), and the caller is told to come back: by then the
 * lease is stale and the next writer recovers it.
 */
void
EndIdleLeaseHolder(const std::string &project, const LeaseInfo &l)
{
	if (lease_idle_timeout_ms <= 0 || !l.idle_seconds || *l.idle_seconds * 1000 < lease_idle_timeout_ms)
		return;
	{
		CatalogScope scope;
		SpiQuery("SELECT pg_catalog.pg_terminate_backend($1)", {SqlParam::Int4(l.backend_pid)});
	}
	char idle[32];
	snprintf(idle, sizeof(idle), "%.1f", *l.idle_seconds);
	throw PgmigError(PGMIG_ERRCODE_LOCK_BUSY,
	                 "project \"" + project + "\" is busy: revision \"" + l.revision +
	                     "\" is being run outside a transaction",
	                 "Backend " + std::to_string(l.backend_pid) + " (role " + l.started_by + ") holds the lease and " +
	                     "has been idle for " + idle + " s, longer than pgmig.lease_idle_timeout (" +
	                     std::to_string(lease_idle_timeout_ms) + " ms): its client stalled; pgmig ended its session.",
	                 "Retry: the lease is then stale and is recovered (the pgmig client retries by itself).");
}

} // namespace

/* After the lock: a live lease makes the project busy, a stale one is recovered. */
void
HandleLease(const std::string &project)
{
	std::optional<LeaseInfo> l = ReadLease(project);
	if (!l)
		return;
	if (l->alive) {
		EndIdleLeaseHolder(project, *l);
		ThrowBusy(project, *l);
	}
	RecoverStale(project, *l);
}

/* See nontx.hpp. */
std::optional<std::pair<std::string, std::string>>
Recover(const std::string &project)
{
	CheckProject(project);
	CheckIsolation("mig_recover");
	LockProject(project);
	std::optional<LeaseInfo> l = ReadLease(project);
	if (!l)
		return std::nullopt;
	if (l->alive)
		ThrowBusy(project, *l);
	return std::make_pair(l->revision, RecoverStale(project, *l));
}

} // namespace pgmig
