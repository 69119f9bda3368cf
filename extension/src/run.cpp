/*
 * extension/src/run.cpp
 *
 * Running one body (see run.hpp): as its uploader, statement by statement
 * through SPI, in a GUC nest level with the body's lock_timeout, with an
 * error context naming the statement and errors enriched with the revision
 * and line.
 *
 * Locks: none of its own; the body's statements wait for theirs at most
 * pgmig.lock_timeout.
 * Writes: nothing of pgmig's (reads pgmig.revision in a CatalogScope).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstdio>
#include <string>
#include <vector>

#include "blockers.hpp"
#include "body.hpp"
#include "boundary.hpp"
#include "errcodes.hpp"
#include "guards.hpp"
#include "run.hpp"
#include "safety.hpp"
#include "spi.hpp"

extern "C" {
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
}

namespace pgmig {

int lock_timeout_ms = 2000;

/* The OID of role `name` (InvalidOid when it does not exist) and whether the
 * current user is a member of it. */
std::pair<Oid, bool>
RoleAndMembership(const std::string &name)
{
	Oid role = InvalidOid;
	bool member = false;
	const char *n = name.c_str();
	PgCall([&] {
		role = get_role_oid(n, true);
		if (OidIsValid(role))
			member = is_member_of_role(GetUserId(), role);
	});
	return {role, member};
}

/* The role OID of the uploader, checked for the right to run its body. */
Oid
UploaderForExecution(const std::string &revision, const std::string &uploader)
{
	auto [role, member] = RoleAndMembership(uploader);
	if (!OidIsValid(role))
		throw PgmigError(ERRCODE_UNDEFINED_OBJECT,
		                 "role \"" + uploader + "\" that uploaded revision \"" + revision + "\" does not exist",
		                 "pgmig runs a body as the role that uploaded it.",
		                 "Re-create the role, or replace the revision (if not applied) by uploading it again.");
	if (!member)
		throw PgmigError(ERRCODE_INSUFFICIENT_PRIVILEGE,
		                 "permission denied to run revision \"" + revision + "\" uploaded by role \"" + uploader + "\"",
		                 "pgmig runs a body as the role that uploaded it; the current role must be a member of it.",
		                 "GRANT \"" + uploader + "\" TO the applying role, or apply as the uploader.");
	return role;
}

namespace {

/* What the error context callback reports about the running statement
 * (index 0: the end of the body, boundary.hpp). */
struct StatementContext {
	const char *revision;
	const char *which;
	int index;
	int count;
	int line;
};

/* errcontext line for a failing statement; C-only, cannot throw. */
extern "C" void
StatementErrorCallback(void *arg)
{
	auto *c = static_cast<StatementContext *>(arg);
	if (c->index == 0)
		errcontext("pgmig revision \"%s\" (%s), end of body (deferred triggers, cursors and temporary objects "
		           "the body left)",
		           c->revision, c->which);
	else
		errcontext("pgmig revision \"%s\" (%s), statement %d of %d, line %d", c->revision, c->which, c->index,
		           c->count, c->line);
}

} // namespace

/* Adds revision and line to a body error, and says what a lock timeout or a
 * full lock table means. */
void
EnrichBodyError(PgError &e, const std::string &revision, const char *which, int line, std::size_t done,
                std::size_t total)
{
	ErrorData *ed = e.data();
	std::string where = "revision \"" + revision + "\"";
	if (std::string(which) != "up")
		where += std::string(" (") + which + " body)";
	where += ", line " + std::to_string(line) + ": ";
	std::string message = where + (ed->message ? ed->message : "error");
	if (ed->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE) {
		char setting[64];
		snprintf(setting, sizeof(setting), "%dms", lock_timeout_ms);
		/* C-only reads of the lock manager: legal before the rollback */
		std::string holders = DescribeAwaitedLockHolders();
		if (holders.empty())
			holders = "The session that held the lock is no longer visible.";
		e.SetDetail((std::string("The statement waited longer than lock_timeout (pgmig.lock_timeout = ") + setting +
		             ") for a lock another session holds; pgmig bounds lock waits so that a migration never "
		             "queues behind a long query while blocking all traffic.\n" + holders)
		                .c_str());
		e.SetHint("Retry when the blocking session has finished, or raise pgmig.lock_timeout (the client's "
		          "--lock-timeout).");
	} else if (ed->sqlerrcode == ERRCODE_OUT_OF_MEMORY && ed->message &&
	           std::string(ed->message).find("shared memory") != std::string::npos) {
		std::size_t step = done > 1 ? done / 2 : 1;
		message = "pgmig: the lock table is full after applying " + std::to_string(done) + " of " +
		          std::to_string(total) + " revisions in one transaction (" + where + ed->message + ")";
		e.SetDetail("Every table a revision creates or alters, and every revision's subtransaction, stays locked "
		            "until the transaction ends; the shared lock table holds about max_locks_per_transaction "
		            "locks per server process (max_connections, background workers and prepared transactions "
		            "included).");
		e.SetHint(("Apply in steps of at most " + std::to_string(step) + " revisions, each in its own transaction: "
		          "SELECT * FROM pgmig.mig_apply('+" + std::to_string(step) + "') until nothing is pending (the "
		          "pgmig client commits one revision per transaction by default); or raise "
		          "max_locks_per_transaction.")
		              .c_str());
	}
	e.SetMessage(message.c_str());
}

/* See run.hpp. */
void
SetBodyLockTimeout(GucNestLevel &nest)
{
	if (lock_timeout_ms > 0) {
		std::string value = std::to_string(lock_timeout_ms) + "ms";
		nest.Set("lock_timeout", value.c_str());
	}
}

/*
 * Runs one body (already parsed) as `uploader` in the current
 * subtransaction: GUC nest level with lock_timeout, one SPI call per
 * statement.
 */
void
RunStatements(const std::string &revision, const char *which, const std::string &body, const ParsedBody &parsed,
              Oid uploader, int *failing_line)
{
	/* first: it notes the caller (not the uploader) as the viewer */
	AwaitedLockSampler sampler(lock_timeout_ms);
	PgmigDdlScope own_ddl;
	BodyBoundary boundary;
	UserSwitch as_uploader(uploader, SECURITY_LOCAL_USERID_CHANGE);
	GucNestLevel nest;
	SetBodyLockTimeout(nest);
	StatementContext ctx{revision.c_str(), which, 0, (int) parsed.statements.size(), 0};
	for (std::size_t i = 0; i < parsed.statements.size(); i++) {
		const BodyStatement &s = parsed.statements[i];
		std::string sql = body.substr(s.offset, s.length);
		ctx.index = (int) i + 1;
		ctx.line = s.line;
		*failing_line = s.line;
		sampler.NextStatement();
		ErrorContextScope scope(StatementErrorCallback, &ctx);
		int rc = 0;
		const char *text = sql.c_str();
		PgCall([&] {
			CHECK_FOR_INTERRUPTS();
			rc = SPI_execute(text, false, 0);
			if (rc >= 0 && SPI_tuptable != NULL)
				SPI_freetuptable(SPI_tuptable);
			if (rc < 0)
				ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				                errmsg("statement cannot run inside pgmig: %s", SPI_result_code_string(rc))));
		});
	}
	/* still as the uploader and under the body's settings: what the body
	 * left for later runs now, or is ended */
	ctx.index = 0;
	try {
		ErrorContextScope scope(StatementErrorCallback, &ctx);
		boundary.Close();
	} catch (PgmigError &e) {
		throw PgmigError(e.sqlstate(), "revision \"" + revision + "\" (" + which + " body): " + e.message(), e.detail(),
		                 e.hint());
	}
	nest.Close();
}

/* Reads a body and its bookkeeping data; a body that no longer matches its
 * checksum is refused. */
StoredBody
FetchBody(const std::string &project, const std::string &revision, bool down)
{
	std::vector<Row> rows;
	{
		CatalogScope scope;
		rows = SpiQuery(down ? "SELECT down_body, down_checksum, uploaded_by FROM pgmig.revision "
		                    "WHERE project = $1 AND revision = $2"
		                  : "SELECT up_body, checksum, uploaded_by FROM pgmig.revision "
		                    "WHERE project = $1 AND revision = $2",
		             {SqlParam::Text(project), SqlParam::Text(revision)});
	}
	if (rows.empty() || !rows[0][0] || !rows[0][1])
		throw PgmigError(PGMIG_ERRCODE_UNKNOWN_REVISION, "revision \"" + revision + "\" has no stored body");
	StoredBody b{*rows[0][0], *rows[0][1], *rows[0][2]};
	if (BodyChecksum(b.body) != b.checksum && LegacyBodyChecksum(b.body) != b.checksum)
		throw PgmigError(PGMIG_ERRCODE_CHECKSUM_MISMATCH,
		                 "stored " + std::string(down ? "down" : "up") + " body of revision \"" + revision +
		                     "\" does not match its checksum",
		                 "The body was changed in the catalog after it was uploaded (stored checksum " + b.checksum +
		                     ").",
		                 "Restore the catalog from a backup, or investigate who changed pgmig.revision directly.");
	return b;
}

} // namespace pgmig
