/*
 * client/src/push.hpp
 *
 * Push: the folder's files uploaded to the project's revisions on the server,
 * so that the server (which plans and runs every revision) holds exactly the
 * folder.  push, up, plan, baseline, test and import-history start with it;
 * up also uses its counts and checksums to decide what the run will run
 * (verbs_deploy.cpp).  The design is at the top of push.cpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_PUSH_HPP
#define PGMIG_CLIENT_PUSH_HPP

#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <string>
#include <vector>

#include "conn.hpp"
#include "folder_sums.hpp"
#include "migfile.hpp"
#include "verbs.hpp"

namespace pgmig::client {

/* Counts of one push. */
struct PushCounts {
	int inserted = 0;
	int replaced = 0;
	int unchanged = 0;
	int sent = 0;          /* files sent to mig_upload_batch: those the server did not hold identically */
	bool uploaded = false; /* false: the server already held every file, nothing was sent */
	std::int64_t pending = -1; /* revisions stored but not applied, when nothing was uploaded */
	std::vector<std::string> up_sums; /* up_sums[i]: checksum of folder.files[i]'s up body */

	/* The checksum of the folder's up body of `revision`, or nullptr when
	 * the folder lacks it. */
	const std::string *Checksum(const Folder &folder, const std::string &revision) const;
};

/*
 * What the server holds of the project, for the sync check: its sync digest
 * (nullopt when it does not know it), the number of pending revisions and
 * the non-transactional ones.  mig_sync (0.4) reads one row; an older
 * server computes the same from mig_revisions.
 */
struct ServerSync {
	std::optional<std::string> digest;
	std::int64_t pending = 0;
	std::set<std::string> nontx;
	std::optional<std::int64_t> revisions; /* how many it holds (mig_sync) */
};

/* Reads the ServerSync of the project. */
ServerSync ReadServerSync(Connection &conn, const Globals &g);

/* What the server holds of one revision: its line of the sync digest, hashed, and how it runs. */
struct StoredLine {
	std::string digest;
	bool transactional = true;
};
using StoredLines = std::unordered_map<std::string, StoredLine>;

/* Each stored revision's StoredLine, by id; nullopt on a server before
 * 0.2 (see push.cpp). */
std::optional<StoredLines> ReadStoredLines(Connection &conn, const Globals &g);

/*
 * What a caller may have made before it calls Push, while it read the
 * folder (FolderAndSession, verb_context.hpp): the folder's sums, the
 * server's sync row and, when the folder certainly differs from what the
 * server holds, its stored lines; Push makes what is missing.
 */
struct PushPrefetch {
	std::optional<FolderSums> sums;
	std::optional<ServerSync> sync;
	std::optional<std::optional<StoredLines>> lines;
};

/* The folder as mig_upload_batch's JSON array (see push.cpp); only the
 * files whose element of include is set, when given. */
Json FolderUploadBatch(Connection &conn, const Folder &folder, const FolderSums &sums,
					   const std::vector<bool> *include = nullptr);

/*
 * Uploads the folder unless the server already holds it (see push.cpp);
 * reports one line per file when all_lines, else the new and changed ones.
 *
 * stamp_targets: given by baseline and import-history, which have opened a
 * transaction (Connection::Begin) in which they stamp these targets after
 * the push and then commit.  The upload runs in that transaction, and a 0.6
 * server does not lint the revisions the stamp covers (they never run; it
 * fails the commit unless they are stamped); an older server lints them as
 * before.  When the upload fails, the transaction has been rolled back.
 */
PushCounts Push(Connection &conn, const Folder &folder, const Globals &g, Out &out, bool all_lines,
				const std::vector<std::string> *stamp_targets = nullptr, PushPrefetch *pre = nullptr);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_PUSH_HPP */
