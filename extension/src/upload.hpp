/*
 * extension/src/upload.hpp
 *
 * mig_upload and mig_upload_batch: storing revisions after checking each
 * one on its own (id, bodies parsed and classified, arrived as the client
 * read them), against what is stored (an applied revision never changes; a
 * replaced one must be the caller's to replace) and as a whole graph; the
 * new bodies are linted as the project's policy (mig_set_policy) says, but
 * for those the caller stamps as applied in the same transaction
 * (stamp_targets; they never run).
 *
 * Locks: the project lock (lock.hpp); nothing is locked before the batch
 * has been checked on its own.
 * Writes: pgmig.revision (insert, delete of a replaced one), pgmig.event
 * (upload, replace), pgmig.project_state (the summary row and a new graph
 * version), pgmig.policy (SetPolicy).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_UPLOAD_HPP
#define PGMIG_UPLOAD_HPP

#include <optional>
#include <string>
#include <vector>

#include "body.hpp"
#include "project_state.hpp"

namespace pgmig {

/* One revision as given to upload. */
struct UploadInput {
	std::string revision;
	std::optional<std::string> up;
	std::optional<std::string> down;
	std::vector<std::string> parents;
	std::vector<std::string> depends_on;
	std::vector<std::string> branch_labels;
	std::optional<std::string> message;
	/* the checksums of the bodies as the client read them (mig_upload_batch's
	 * "checksum" and "down_checksum"): given, the body must arrive as the
	 * client sent it, i.e. survive the database's encoding (PM024) */
	std::optional<std::string> client_checksum;
	std::optional<std::string> client_down_checksum;
};

/* What upload did with one revision. */
struct UploadOutcome {
	std::string revision;
	std::string action; /* inserted, unchanged, replaced */
	bool transactional = true;
	std::string checksum;
};

/*
 * Stores the revisions (in one call: one lock, one check of the graph).
 * stamp_targets (mig_upload_batch's, 0.6): targets the caller stamps as
 * applied in the same transaction; the stored revisions among them and
 * their ancestors are not linted, and must be stamped before the commit
 * (stamp_due.hpp).  lint false skips the upload's lint: only for mig_check,
 * whose upload is rolled back with everything else it does (it lints each
 * body itself, in the schema the body will meet).
 */
std::vector<UploadOutcome> Upload(const std::string &project, std::vector<UploadInput> inputs, bool replace,
                                  const std::optional<std::vector<std::string>> &stamp_targets = std::nullopt,
                                  bool lint = true);

/*
 * The entries of a mig_upload_batch JSON array (its text), checked: every
 * entry an object with known keys of the right JSON types; the first
 * problem is raised (22023) with the entry's position and revision.
 */
std::vector<UploadInput> ParseUploadBatch(const std::string &json_text);

/* One revision's bodies checked on their own: parsed and classified, and
 * their checksums, which must be the ones the client computed from its file
 * when it sent them (PM024: the database's encoding changed a character). */
struct PreparedRevision {
	ParsedBody up;
	std::optional<ParsedBody> down;
	std::string checksum;
	std::optional<std::string> down_checksum;
};
PreparedRevision PrepareRevision(const UploadInput &in);

/* PrepareRevision for each entry of a batch, after its ids (revision,
 * parents, depends_on) are checked and no revision comes twice (`what`
 * names the batch in that message: "upload", "repair"). */
std::vector<PreparedRevision> PrepareBatch(const std::vector<UploadInput> &inputs, const std::string &what);

/* What LoadProject reads back of a revision stored from in and p. */
RevisionMeta MetaOf(const UploadInput &in, const PreparedRevision &p);

/* mig_set_policy: a project's policy (lint: off, warn or error). */
struct PolicyInfo {
	std::string project;
	std::string lint;
};
PolicyInfo SetPolicy(const std::string &project, const std::optional<std::string> &lint);

} // namespace pgmig

#endif /* PGMIG_UPLOAD_HPP */
