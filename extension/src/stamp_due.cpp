/*
 * extension/src/stamp_due.cpp
 *
 * The commit check of revisions stored unlinted for a stamp (see
 * stamp_due.hpp).  A transaction callback, registered the first time a
 * backend needs it, reads at XACT_EVENT_PRE_COMMIT (and PRE_PREPARE) which
 * of this transaction's such revisions are still stored with the body that
 * skipped lint and are not applied by a stamp, and fails the commit with
 * PM025 naming them.  Every other end of the transaction clears the list.
 *
 * Why a commit check and not a check in mig_baseline / mig_stamp: the risk
 * is a stamp that never comes (the caller commits the upload alone), and
 * only the end of the transaction can see that.  Reading the catalog rather
 * than tracking stamps in memory keeps savepoints right for free (a rolled
 * back upload or stamp leaves no row) and also catches a stamp that was
 * undone in the same transaction, or a revision applied by running its
 * body (how = 'apply') after such an undo.
 *
 * Locks: none (reads of pgmig.revision and pgmig.applied at commit).
 * Writes: nothing.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>
#include <vector>

#include "errcodes.hpp"
#include "spi.hpp"
#include "stamp_due.hpp"

extern "C" {
#include "postgres.h"

#include "access/xact.h"
#include "utils/snapmgr.h"
}

namespace pgmig {
namespace {

/* One revision stored unlinted in this transaction. */
struct Due {
	std::string project;
	std::string revision;
	std::string checksum;
};

/* This transaction's revisions stored unlinted for a stamp. */
std::vector<Due> due;

/* Whether StampDueCallback is registered in this backend. */
bool callback_registered = false;

/*
 * Fails (PM025) when a revision of `due` is still stored with the body
 * whose lint was skipped and is not applied by a stamp.  Nothing to check
 * when the extension was dropped in the same transaction: its rows went
 * with it.
 */
void
CheckDue()
{
	std::vector<std::string> projects, revisions, checksums;
	for (const Due &d : due) {
		projects.push_back(d.project);
		revisions.push_back(d.revision);
		checksums.push_back(d.checksum);
	}
	/* the statement's portal is closed by now: SPI needs a snapshot of its
	 * own (popped below; on an error the abort drops it) */
	PgCall([] { PushActiveSnapshot(GetTransactionSnapshot()); });
	SpiConnection spi;
	std::vector<Row> rows;
	if (!SpiQuery("SELECT 1 FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pgmig'").empty()) {
		CatalogScope scope;
		rows = SpiQuery(
		    "SELECT DISTINCT u.project, u.revision "
		    "  FROM unnest($1::text[], $2::text[], $3::text[]) AS u(project, revision, checksum) "
		    " WHERE EXISTS (SELECT FROM pgmig.revision r "
		    "                WHERE r.project = u.project AND r.revision = u.revision AND r.checksum = u.checksum) "
		    "   AND NOT EXISTS (SELECT FROM pgmig.applied a "
		    "                    WHERE a.project = u.project AND a.revision = u.revision AND a.how = 'stamp') "
		    " ORDER BY 1, 2",
		    {SqlParam::TextArray(projects), SqlParam::TextArray(revisions), SqlParam::TextArray(checksums)});
	}
	spi.Finish();
	PgCall([] { PopActiveSnapshot(); });
	if (rows.empty())
		return;
	std::string names;
	for (std::size_t i = 0; i < rows.size() && i < 10; i++)
		names += (i ? ", " : "") + *rows[i][1];
	if (rows.size() > 10)
		names += ", ...";
	const std::string &project = *rows[0][0];
	throw PgmigError(PGMIG_ERRCODE_NOT_STAMPED,
	                 "revision \"" + *rows[0][1] + "\" of project \"" + project +
	                     "\" was uploaded without lint to be stamped, but is not stamped as applied at commit",
	                 "mig_upload_batch(..., stamp_targets => ...) does not lint the revisions it stores among the "
	                 "targets and their ancestors, so each must be applied by mig_baseline or mig_stamp in the same "
	                 "transaction; " +
	                     std::to_string(rows.size()) + " revision(s) are not: " + names +
	                     ".  The transaction was rolled back.",
	                 "Call pgmig.mig_baseline or pgmig.mig_stamp with the same targets before COMMIT, or upload "
	                 "without stamp_targets so that the bodies are linted.");
}

/*
 * The transaction callback: runs CheckDue before a commit or a PREPARE
 * TRANSACTION (an error there aborts the transaction), and forgets the list
 * at every end.  C++ errors become ereport through CppEntry, after its
 * handlers have exited.
 */
extern "C" void
StampDueCallback(XactEvent event, void *arg)
{
	switch (event) {
	case XACT_EVENT_PRE_COMMIT:
	case XACT_EVENT_PRE_PREPARE:
		if (!due.empty())
			CppEntry([]() -> Datum {
				CheckDue();
				return (Datum) 0;
			});
		break;
	case XACT_EVENT_PARALLEL_PRE_COMMIT:
		break;
	case XACT_EVENT_COMMIT:
	case XACT_EVENT_PARALLEL_COMMIT:
	case XACT_EVENT_ABORT:
	case XACT_EVENT_PARALLEL_ABORT:
	case XACT_EVENT_PREPARE:
		due.clear();
		break;
	}
}

} // namespace

/* See stamp_due.hpp.  Registers the callback before the first entry, so
 * that every entry is cleared at the end of its transaction. */
void
RequireStampBeforeCommit(const std::string &project, const std::string &revision, const std::string &checksum)
{
	if (!callback_registered) {
		PgCall([] { RegisterXactCallback(StampDueCallback, nullptr); });
		callback_registered = true;
	}
	due.push_back({project, revision, checksum});
}

} // namespace pgmig
