/*
 * extension/src/repair.hpp
 *
 * mig_repair: changing what is stored of applied revisions, on purpose and
 * on the record.  An applied revision never changes through an upload
 * (PM021): its up body is what built the schema.  But its down body can be
 * wrong (a syntax error, a table it forgets), and its message, parents and
 * labels are bookkeeping; Diesel's and Flyway's users fix those and move
 * on.  Repair replaces them for applied revisions, checks the result as an
 * upload checks a batch (bodies parsed, the whole graph valid) and also
 * that every applied revision's parents and dependencies stay applied, and
 * records who, why and what changed as a "repair" event.  A different up
 * body is refused unless the caller states that it builds the same schema
 * (schema_unchanged), and the event says that the caller stated it.
 *
 * The rows of pgmig.revision are immutable to everyone else: the trigger
 * revision_immutable refuses every UPDATE unless this backend is inside a
 * repair (RepairingRevisions; a flag of the library, which no SQL can set).
 *
 * Locks: the project lock (lock.hpp).
 * Writes: pgmig.revision (update of the repaired rows), pgmig.event
 * (repair), pgmig.project_state (the summary row and a new graph version).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_REPAIR_HPP
#define PGMIG_REPAIR_HPP

#include <string>
#include <vector>

#include "upload.hpp"

namespace pgmig {

/* What repair did with one revision: the fields it changed, in a fixed
 * order (up, down, message, parents, depends_on, branch_labels); none when
 * the revision was already stored so. */
struct RepairOutcome {
	std::string revision;
	std::vector<std::string> changed;
};

/* Repairs the revisions (each entry the whole revision, as mig_upload_batch
 * takes it); all or nothing. */
std::vector<RepairOutcome> Repair(const std::string &project, std::vector<UploadInput> inputs,
                                  const std::string &reason, bool schema_unchanged);

/* Whether this backend is inside Repair's update of pgmig.revision (for the
 * trigger revision_immutable). */
bool RepairingRevisions();

} // namespace pgmig

#endif /* PGMIG_REPAIR_HPP */
