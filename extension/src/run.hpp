/*
 * extension/src/run.hpp
 *
 * Running one body: fetching it (checked against its checksum), the right
 * to run it as its uploader, and running its statements.
 *
 * Bodies run statement by statement through SPI, one subtransaction per
 * revision (opened by the caller), as the role that uploaded the revision,
 * inside a GUC nest level (so SET in a body ends with the revision) with
 * lock_timeout set from pgmig.lock_timeout.  Errors in bodies keep
 * PostgreSQL's SQLSTATE, message, detail and hint, with the revision and
 * line put in front of the message and a context line naming the statement.
 *
 * Locks: none of its own (the body takes what its statements take, each
 * wait bounded by pgmig.lock_timeout).
 * Writes: nothing of pgmig's (reads pgmig.revision); the body writes what
 * it writes.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_RUN_HPP
#define PGMIG_RUN_HPP

#include <cstddef>
#include <string>
#include <utility>

#include "body.hpp"
#include "guards.hpp"

namespace pgmig {

/* pgmig.lock_timeout, in milliseconds (0: leave the session's setting). */
extern int lock_timeout_ms;

/* Sets pgmig.lock_timeout (when non-zero) as lock_timeout at `nest`, for a
 * body's statements and for the drops of a recovery. */
void SetBodyLockTimeout(GucNestLevel &nest);

/* The OID of role `name` (InvalidOid when it does not exist) and whether the
 * current user is a member of it. */
std::pair<Oid, bool> RoleAndMembership(const std::string &name);

/* The role OID of the uploader, checked for the right to run its body. */
Oid UploaderForExecution(const std::string &revision, const std::string &uploader);

/* Adds revision and line to a body error, and says what a lock timeout or a
 * full lock table means. */
void EnrichBodyError(PgError &e, const std::string &revision, const char *which, int line, std::size_t done,
                     std::size_t total);

/* Runs one parsed body as `uploader` in the current subtransaction. */
void RunStatements(const std::string &revision, const char *which, const std::string &body, const ParsedBody &parsed,
                   Oid uploader, int *failing_line);

/* Reads a body and its bookkeeping data. */
struct StoredBody {
	std::string body;
	std::string checksum;
	std::string uploader;
};

/* The stored up or down body of a revision, checked against its checksum. */
StoredBody FetchBody(const std::string &project, const std::string &revision, bool down);

} // namespace pgmig

#endif /* PGMIG_RUN_HPP */
