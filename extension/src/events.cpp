/*
 * extension/src/events.cpp
 *
 * Writing the event log and the applied set's rows for a run (see
 * events.hpp).
 *
 * Locks: none (RecordRun, RecordFailure and RecordEvent run under the
 * caller's project lock; RecordClientFailure only appends an event).
 * Writes: pgmig.event; pgmig.applied (RecordRun: one statement with the
 * event, as a data-modifying WITH).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <optional>
#include <string>
#include <vector>

#include "errcodes.hpp"
#include "events.hpp"
#include "lock.hpp"
#include "safety.hpp"
#include "spi.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace pgmig {

/* The name of the current user (the caller, outside any CatalogScope). */
std::string
CurrentUserName()
{
	const char *name = nullptr;
	PgCall([&] { name = GetUserNameFromId(GetUserId(), false); });
	return name;
}

/*
 * Inserts an event (call in a CatalogScope): the given columns and values,
 * plus event_id and fingerprint when a fingerprint was taken for the event.
 * Only then: a database still at 0.1 or 0.2 has no fingerprint column, and
 * takes no fingerprints.  `with` is put before the INSERT: a WITH clause
 * whose data-modifying statement belongs with the event (one statement
 * instead of two).
 */
void
InsertEvent(const char *columns, const char *values, std::vector<SqlParam> params,
            const std::optional<Fingerprint> &fp, const char *with)
{
	std::string sql = std::string(with) + "INSERT INTO pgmig.event (" + columns;
	std::string vals = values;
	if (fp) {
		std::size_t n = params.size();
		sql += ", event_id, fingerprint";
		vals += ", $" + std::to_string(n + 1) + "::bigint, $" + std::to_string(n + 2);
		params.push_back(SqlParam::Text(fp->event_id));
		/* a record of the touched objects only has no digest of the schema */
		params.push_back(SqlParam::TextOrNull(fp->digest.empty() ? std::nullopt : std::optional(fp->digest)));
	}
	sql += ") VALUES (" + vals + ")";
	SpiQuery(sql.c_str(), params);
}

/*
 * Records a revision as applied (or no longer applied) plus its event; with
 * fingerprint, the event carries the schema's fingerprint (when
 * pgmig.fingerprint is on).  The caller draws the applied version
 * (BumpApplied), once per call.
 */
void
RecordRun(const std::string &project, const std::string &revision, bool down, const std::string &who,
          const std::string &target, double seconds, const std::string &checksum, bool fingerprint)
{
	std::optional<Fingerprint> fp =
	    fingerprint ? FingerprintIfEnabled(FingerprintMode::kChange, project) : std::nullopt;
	CatalogScope scope;
	/* one statement: the change of pgmig.applied as a data-modifying WITH */
	InsertEvent("project, kind, revision, target, who, duration",
	            "$1, $6, $2, $7, $3, pg_catalog.make_interval(secs => $4)",
	            {SqlParam::Text(project), SqlParam::Text(revision), SqlParam::Text(who), SqlParam::Float8(seconds),
	             SqlParam::Text(checksum), SqlParam::Text(down ? "downgrade" : "apply"), SqlParam::Text(target)},
	            fp,
	            !down ? "WITH w AS (INSERT INTO pgmig.applied (project, revision, applied_by, duration, checksum, how) "
	                    "VALUES ($1, $2, $3, pg_catalog.make_interval(secs => $4), $5, 'apply')) "
	                  : "WITH w AS (DELETE FROM pgmig.applied WHERE project = $1 AND revision = $2) ");
}

/* Records a failure that the call survives (atomic => false), with the
 * fingerprint of the schema the call leaves. */
void
RecordFailure(const std::string &project, const std::string &revision, const std::string &target,
              const std::string &who, double seconds, const PgError &e)
{
	std::optional<Fingerprint> fp = FingerprintIfEnabled(FingerprintMode::kChange, project);
	char state[6];
	int code = e.sqlerrcode();
	for (int i = 0; i < 5; i++) {
		state[i] = PGUNSIXBIT(code);
		code >>= 6;
	}
	state[5] = '\0';
	CatalogScope scope;
	InsertEvent("project, kind, revision, target, who, duration, sqlstate, message",
	            "$1, 'failure', $2, $3, $4, pg_catalog.make_interval(secs => $5), $6, $7",
	            {SqlParam::Text(project), SqlParam::Text(revision), SqlParam::Text(target), SqlParam::Text(who),
	             SqlParam::Float8(seconds), SqlParam::Text(state), SqlParam::Text(e.what())},
	            fp);
}

/* Writes an event row with an optional message and SQLSTATE. */
void
RecordEvent(const std::string &project, const char *kind, const std::string &revision, const std::string &target,
            const std::string &message, const std::optional<std::string> &sqlstate)
{
	std::string who = CurrentUserName();
	CatalogScope scope;
	SpiQuery("INSERT INTO pgmig.event (project, kind, revision, target, who, sqlstate, message) "
	         "VALUES ($1, $2, $3, $4, $5, $6, $7)",
	         {SqlParam::Text(project), SqlParam::Text(kind), SqlParam::Text(revision), SqlParam::Text(target),
	          SqlParam::Text(who), SqlParam::TextOrNull(sqlstate), SqlParam::Text(message)});
}

/* See events.hpp.  No lock: it only appends an event, about a revision that
 * must exist. */
void
RecordClientFailure(const std::string &project, const std::string &revision, bool down,
                    const std::string &sqlstate, const std::string &message)
{
	CheckProject(project);
	bool exists;
	{
		CatalogScope scope;
		exists = !SpiQuery("SELECT 1 FROM pgmig.revision WHERE project = $1 AND revision = $2",
		                   {SqlParam::Text(project), SqlParam::Text(revision)})
		              .empty();
	}
	if (!exists)
		throw PgmigError(PGMIG_ERRCODE_UNKNOWN_REVISION,
		                 "revision \"" + revision + "\" does not exist in project \"" + project + "\"");
	if (sqlstate.size() != 5)
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid SQLSTATE \"" + sqlstate + "\"",
		                 "A SQLSTATE has five characters.");
	RecordEvent(project, "failure", revision, down ? "down" : "", message, sqlstate);
}

} // namespace pgmig
