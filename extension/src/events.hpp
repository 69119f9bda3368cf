/*
 * extension/src/events.hpp
 *
 * The log of what pgmig did: pgmig.event rows (apply, downgrade, failure,
 * start, repair, stamp, baseline, snapshot, ...) and, with a run, the
 * pgmig.applied row it adds or removes.  Events are append-only; an event
 * that records a change of the schema carries the fingerprint taken for it
 * (safety.hpp).  Upload writes its upload and replace events itself, in the
 * statements that store the revisions (upload.cpp).
 *
 * Locks: none of its own (the callers that record runs hold the project
 * lock; RecordClientFailure takes none).
 * Writes: pgmig.event; pgmig.applied (RecordRun).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_EVENTS_HPP
#define PGMIG_EVENTS_HPP

#include <optional>
#include <string>
#include <vector>

#include "guards.hpp"
#include "safety.hpp"
#include "spi.hpp"

namespace pgmig {

/* The name of the current user (the caller, outside any CatalogScope). */
std::string CurrentUserName();

/* Inserts an event (call in a CatalogScope), with the fingerprint when one
 * was taken; `with` is a WITH clause put before the INSERT. */
void InsertEvent(const char *columns, const char *values, std::vector<SqlParam> params,
                 const std::optional<Fingerprint> &fp, const char *with = "");

/* Records a revision as applied (or no longer applied) plus its event. */
void RecordRun(const std::string &project, const std::string &revision, bool down, const std::string &who,
               const std::string &target, double seconds, const std::string &checksum, bool fingerprint);

/* Records a failure that the call survives (atomic => false). */
void RecordFailure(const std::string &project, const std::string &revision, const std::string &target,
                   const std::string &who, double seconds, const PgError &e);

/* Writes an event row with an optional message and SQLSTATE. */
void RecordEvent(const std::string &project, const char *kind, const std::string &revision, const std::string &target,
                 const std::string &message, const std::optional<std::string> &sqlstate = std::nullopt);

/* mig_record_failure: a failure of a revision's body that rolled back with
 * its transaction, as the client that ran it saw it (event kind failure). */
void RecordClientFailure(const std::string &project, const std::string &revision, bool down,
                         const std::string &sqlstate, const std::string &message);

} // namespace pgmig

#endif /* PGMIG_EVENTS_HPP */
