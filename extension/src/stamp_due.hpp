/*
 * extension/src/stamp_due.hpp
 *
 * Revisions an upload stored without linting them because its caller said
 * it stamps them as applied in the same transaction (mig_upload_batch's
 * stamp_targets, used by the client's baseline and import-history): lint
 * looks for what a body would break when it runs, and a stamped revision
 * never runs, its objects already exist.  The promise is held: when the
 * transaction commits (or is prepared), each such revision must be applied
 * by a stamp (pgmig.applied, how = 'stamp'), or the commit fails with
 * PM025 and nothing of the transaction is kept.  So skipping lint cannot
 * store a body that later runs unlinted.
 *
 * The check is a transaction callback registered on first use; the list it
 * checks lives in backend memory for the transaction and is cleared at its
 * end.  It reads the catalog, so a revision whose upload was rolled back
 * with a savepoint (its row is gone, or is the earlier row) is not held to
 * it.
 *
 * Locks: none beyond the reads at commit.  Writes: nothing.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_STAMP_DUE_HPP
#define PGMIG_STAMP_DUE_HPP

#include <string>

namespace pgmig {

/* Records that the revision (whose up body has `checksum`) was stored
 * unlinted and must be applied by a stamp when this transaction commits. */
void RequireStampBeforeCommit(const std::string &project, const std::string &revision, const std::string &checksum);

} // namespace pgmig

#endif /* PGMIG_STAMP_DUE_HPP */
