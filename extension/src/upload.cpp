/*
 * extension/src/upload.cpp
 *
 * Upload and its lint policy (see upload.hpp).  Upload goes in six steps,
 * numbered in its body: each revision on its own; against what is stored,
 * under the lock; the whole resulting graph; lint (but for the revisions
 * the caller stamps in the same transaction, held to it at commit by
 * stamp_due.cpp); write; the summary row.
 *
 * Locks: the project lock (taken after step 1); recovers a stale lease of a
 * revision it replaces (nontx_recovery.cpp).
 * Writes: pgmig.revision, pgmig.event (upload, replace), pgmig.project_state
 * (WriteState), pgmig.policy (SetPolicy).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "body.hpp"
#include "errcodes.hpp"
#include "events.hpp"
#include "graph.hpp"
#include "lint.hpp"
#include "lock.hpp"
#include "nontx.hpp"
#include "project_state.hpp"
#include "run.hpp"
#include "safety.hpp"
#include "spi.hpp"
#include "sqltext.hpp"
#include "stamp_due.hpp"
#include "upload.hpp"

extern "C" {
#include "access/xact.h"
#include "mb/pg_wchar.h"
}

namespace pgmig {

using core::Graph;
using core::Index;
using core::ProblemKind;

namespace {

/*
 * Refuses (42501) to replace a revision uploaded by a role the caller is not
 * a member of: a deployer may not swap a teammate's pending migration for
 * its own.  A revision whose uploader no longer exists may be replaced.
 */
void
CheckMayReplace(const std::string &project, const std::string &revision)
{
	std::vector<Row> rows;
	{
		CatalogScope scope;
		rows = SpiQuery("SELECT uploaded_by FROM pgmig.revision WHERE project = $1 AND revision = $2",
		                {SqlParam::Text(project), SqlParam::Text(revision)});
	}
	if (rows.empty() || !rows[0][0])
		return;
	std::string uploader = *rows[0][0];
	auto [role, member] = RoleAndMembership(uploader);
	if (OidIsValid(role) && !member)
		throw PgmigError(ERRCODE_INSUFFICIENT_PRIVILEGE,
		                 "permission denied to replace revision \"" + revision + "\" uploaded by role \"" + uploader +
		                     "\"",
		                 "Only a member of the role that uploaded a revision may replace it.",
		                 "Upload a new revision instead, or ask a member of \"" + uploader + "\" to replace it.");
}

} // namespace

/* True when two optional strings are equal. */
static bool
SameOpt(const std::optional<std::string> &a, const std::optional<std::string> &b)
{
	return a.has_value() == b.has_value() && (!a || *a == *b);
}

namespace {

/* The project's lint policy: off, warn (the default) or error. */
std::string
LintPolicy(const std::string &project)
{
	if (!SafetyNetInstalled())
		return "off";
	CatalogScope scope;
	std::vector<Row> rows = SpiQuery("SELECT lint FROM pgmig.policy WHERE project = $1", {SqlParam::Text(project)});
	return rows.empty() ? "warn" : *rows[0][0];
}

/*
 * Lints the up body of every revision an upload inserts or replaces, as the
 * uploader (the catalog it may see), before anything is written, but for
 * those marked in `unlinted` (revisions the caller stamps in the same
 * transaction, see Upload).  Under the policy 'warn' each finding is a
 * WARNING and a finding of severity error refuses the upload; under 'error'
 * any finding refuses it (PM042).
 */
void
LintUploads(const std::string &project, const std::vector<UploadInput> &inputs, const std::vector<UploadOutcome> &out,
            const std::vector<bool> &unlinted)
{
	std::string policy = LintPolicy(project);
	if (policy == "off")
		return;
	for (std::size_t k = 0; k < inputs.size(); k++) {
		if (out[k].action == "unchanged" || unlinted[k])
			continue;
		for (const LintFinding &f : LintBody(inputs[k].revision, "up", *inputs[k].up)) {
			std::string where = "revision \"" + inputs[k].revision + "\", line " + std::to_string(f.line) + ": ";
			if (policy == "error" || f.severity == "error")
				throw PgmigError(PGMIG_ERRCODE_LINT, where + f.message,
				                 "Lint rule " + f.rule + " (" + f.name + "), severity " + f.severity +
				                     ", project policy lint = " + policy + "; nothing was uploaded.",
				                 f.hint + " To accept it, put \"-- pgmig-lint: ignore " + f.rule +
				                     " <reason>\" on the line before the statement (docs/lint.md).");
			Notice(WARNING, "pgmig: " + where + f.message + " [" + f.rule + " " + f.name + "]", f.hint);
		}
	}
}

} // namespace

/* See upload.hpp. */
PolicyInfo
SetPolicy(const std::string &project, const std::optional<std::string> &lint)
{
	CheckProject(project);
	if (lint && *lint != "off" && *lint != "warn" && *lint != "error")
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid lint policy \"" + *lint + "\"",
		                 "", "The lint policy is off, warn or error.");
	CatalogScope scope;
	std::vector<Row> rows = SpiQuery(
	    "INSERT INTO pgmig.policy AS p (project, lint) VALUES ($1, COALESCE($2, 'warn')) "
	    "ON CONFLICT (project) DO UPDATE SET lint = COALESCE($2, p.lint) "
	    "RETURNING p.project, p.lint",
	    {SqlParam::Text(project), SqlParam::TextOrNull(lint)});
	return {*rows.at(0).at(0), *rows.at(0).at(1)};
}

/*
 * The checks of mig_upload_batch's stamp_targets made before anything is
 * read: at least one target; a transaction block, in which the stamp can
 * follow before the commit check (stamp_due.hpp) runs; and a caller who may
 * stamp (EXECUTE on mig_stamp, pgmig_admin), who would otherwise only learn
 * at COMMIT that the promised stamp cannot come.
 */
static void
CheckStampTargets(const std::vector<std::string> &targets)
{
	if (targets.empty())
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "stamp_targets must name at least one target", "",
		                 "Pass NULL (the default) to lint every revision the upload stores.");
	bool in_block = false;
	PgCall([&] { in_block = IsTransactionBlock(); });
	if (!in_block)
		throw PgmigError(
		    ERRCODE_NO_ACTIVE_SQL_TRANSACTION,
		    "pgmig.mig_upload_batch with stamp_targets must be called inside a transaction block",
		    "The revisions it stores among the targets and their ancestors are not linted, so they must "
		    "be stamped as applied in the same transaction; a call in autocommit commits before any "
		    "stamp.",
		    "BEGIN; SELECT pgmig.mig_upload_batch(..., stamp_targets => ...); SELECT pgmig.mig_baseline(...) "
		    "or pgmig.mig_stamp(...); COMMIT;");
	std::vector<Row> may = SpiQuery("SELECT pg_catalog.has_function_privilege("
	                                "'pgmig.mig_stamp(pg_catalog.text[], pg_catalog.text)', 'EXECUTE')");
	if (may.empty() || !may[0][0] || *may[0][0] != "t")
		throw PgmigError(ERRCODE_INSUFFICIENT_PRIVILEGE,
		                 "permission denied to upload revisions without lint for a stamp",
		                 "stamp_targets skips the lint of revisions the caller stamps in the same transaction, and "
		                 "the caller may not call pgmig.mig_stamp.",
		                 "Upload without stamp_targets, or ask a member of pgmig_admin to adopt the database.");
}

/*
 * Refuses (PM024) a body that did not arrive as the client read it: the
 * client's checksum (of its UTF-8 file) differs from the checksum of the
 * text as stored, converted back to UTF-8.  Only a database encoding in
 * which some character has no exact round trip through UTF-8 gets here (a
 * character with no equivalent at all is refused by PostgreSQL, 22P05,
 * before pgmig sees the text).
 */
static void
CheckArrived(const std::string &revision, const char *which, const std::optional<std::string> &client,
             const std::string &stored)
{
	if (!client || *client == stored)
		return;
	const char *encoding = "";
	PgCall([&] { encoding = GetDatabaseEncodingName(); });
	throw PgmigError(PGMIG_ERRCODE_ENCODING,
	                 "revision \"" + revision + "\": its " + which + " body would not be stored as written: the "
	                     "database's encoding " + encoding + " changes some of its characters",
	                 "The client's checksum of the body is " + *client + "; the body as stored, read back as UTF-8, "
	                     "has " + stored + ".  Nothing was uploaded.",
	                 "Use characters the database's encoding represents exactly (the pgmig client names the line), "
	                 "or a UTF8 database.");
}

/* See upload.hpp. */
PreparedRevision
PrepareRevision(const UploadInput &in)
{
	if (!in.up)
		throw PgmigError(PGMIG_ERRCODE_EMPTY_BODY, "revision \"" + in.revision + "\" has no up body");
	PreparedRevision p;
	p.up = ParseBody(in.revision, "up", *in.up, false);
	p.checksum = BodyChecksum(*in.up);
	if (in.down) {
		p.down = ParseBody(in.revision, "down", *in.down, true);
		p.down_checksum = BodyChecksum(*in.down);
	}
	CheckArrived(in.revision, "up", in.client_checksum, p.checksum);
	if (in.down)
		CheckArrived(in.revision, "down", in.client_down_checksum, *p.down_checksum);
	return p;
}

/* See upload.hpp. */
RevisionMeta
MetaOf(const UploadInput &in, const PreparedRevision &p)
{
	return {in.revision, p.up.transactional, in.down.has_value(), p.down ? p.down->transactional : true,
	        p.checksum, p.down_checksum, in.message, in.parents, in.depends_on, in.branch_labels};
}

/* See upload.hpp. */
std::vector<PreparedRevision>
PrepareBatch(const std::vector<UploadInput> &inputs, const std::string &what)
{
	std::vector<PreparedRevision> prepared;
	prepared.reserve(inputs.size());
	std::unordered_map<std::string, std::size_t> batch_index;
	for (std::size_t k = 0; k < inputs.size(); k++) {
		const UploadInput &in = inputs[k];
		std::string why = core::CheckRevisionId(in.revision);
		if (!why.empty())
			throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid revision id " + core::QuoteForMessage(in.revision, 200, false) + ": " + why,
			                 "A revision id has 1 to 128 characters: an ASCII letter or digit, then letters, digits, "
			                 "'_', '.' or '-'; head, heads and base are reserved.");
		for (const std::vector<std::string> *list : {&in.parents, &in.depends_on})
			for (const std::string &ref : *list) {
				std::string bad = core::CheckRevisionId(ref);
				if (!bad.empty())
					throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE,
					                 "revision \"" + in.revision + "\": invalid " +
					                     (list == &in.parents ? "parent" : "depends_on") + " id " + core::QuoteForMessage(ref, 200, false) + ": " + bad,
					                 "A revision id has 1 to 128 characters: an ASCII letter or digit, then letters, "
					                 "digits, '_', '.' or '-'; head, heads and base are reserved.");
			}
		if (!batch_index.emplace(in.revision, k).second)
			throw PgmigError(PGMIG_ERRCODE_DUPLICATE_REVISION,
			                 "revision \"" + in.revision + "\" appears twice in the " + what,
			                 "Entries " + std::to_string(batch_index[in.revision] + 1) + " and " +
			                     std::to_string(k + 1) + " of the batch have the same id.");
		prepared.push_back(PrepareRevision(in));
	}
	return prepared;
}

/* See upload.hpp. */
std::vector<UploadOutcome>
Upload(const std::string &project, std::vector<UploadInput> inputs, bool replace,
       const std::optional<std::vector<std::string>> &stamp_targets, bool lint)
{
	CheckProject(project);
	CheckIsolation("mig_upload");
	if (stamp_targets)
		CheckStampTargets(*stamp_targets);
	std::string who = CurrentUserName();

	/* 1. Each revision on its own: id, bodies. */
	std::vector<PreparedRevision> prepared = PrepareBatch(inputs, "upload");

	/* 2. Against what is stored, under the lock. */
	LockProject(project);
	ProjectState st = LoadProject(project, true);
	std::unordered_map<std::string, Index> stored;
	for (Index i = 0; i < st.meta.size(); i++)
		stored.emplace(st.meta[i].id, i);

	std::vector<UploadOutcome> out(inputs.size());
	std::vector<core::RevisionInput> graph_inputs;
	graph_inputs.reserve(st.meta.size() + inputs.size());
	std::vector<bool> replaced_stored(st.meta.size(), false);
	for (std::size_t k = 0; k < inputs.size(); k++) {
		const UploadInput &in = inputs[k];
		out[k] = {in.revision, "inserted", prepared[k].up.transactional, prepared[k].checksum};
		auto it = stored.find(in.revision);
		if (it == stored.end())
			continue;
		const RevisionMeta &m = st.meta[it->second];
		bool same = m.checksum == prepared[k].checksum && SameOpt(m.down_checksum, prepared[k].down_checksum) &&
		            m.parents == in.parents && m.depends_on == in.depends_on &&
		            m.branch_labels == in.branch_labels && SameOpt(m.message, in.message);
		if (same) {
			out[k].action = "unchanged";
			continue;
		}
		std::string difference = m.checksum != prepared[k].checksum
		                             ? "Stored checksum " + m.checksum + ", uploaded " + prepared[k].checksum + "."
		                             : "Its down body, parents, dependencies, branch labels or message differ.";
		if (st.applied[it->second])
			throw PgmigError(PGMIG_ERRCODE_CHECKSUM_MISMATCH,
			                 "revision \"" + in.revision + "\" is applied and differs from the uploaded one", difference,
			                 m.checksum != prepared[k].checksum
			                     ? "An applied revision's up body never changes: write a new revision that makes the "
			                       "change."
			                     : "An upload never changes an applied revision; its down body, message, parents and "
			                       "labels are changed on purpose with pgmig.mig_repair (pgmig repair --reason ...).");
		if (!replace)
			throw PgmigError(PGMIG_ERRCODE_REVISION_EXISTS,
			                 "revision \"" + in.revision + "\" already exists with different content", difference,
			                 "It is not applied; pass replace => true to replace it.");
		CheckMayReplace(project, in.revision);
		out[k].action = "replaced";
		replaced_stored[it->second] = true;
	}
	bool replacing = std::find(replaced_stored.begin(), replaced_stored.end(), true) != replaced_stored.end();
	if (std::optional<LeaseInfo> l = replacing ? ReadLease(project) : std::nullopt) {
		for (std::size_t k = 0; k < inputs.size(); k++)
			if (out[k].action == "replaced" && inputs[k].revision == l->revision) {
				if (l->alive)
					ThrowBusy(project, *l);
				RecoverStale(project, *l);
			}
	}

	/* 3. The whole resulting graph must be valid.  What is stored is taken
	 * out of the loaded project when this call will replace it (TakeStored),
	 * copied otherwise: st.meta and st.graph are not used below. */
	bool changes = !st.version.exists ||
	               std::any_of(out.begin(), out.end(), [](const UploadOutcome &o) { return o.action != "unchanged"; });
	StoredGraph old = changes ? TakeStored(project, st) : *st.stored;
	std::vector<core::RevisionInput> old_inputs = std::move(old.graph).TakeRevisions();
	std::vector<bool> graph_applied; /* the applied set, by index in the resulting graph */
	std::size_t applied = 0;
	for (Index i = 0; i < old.meta.size(); i++)
		if (!replaced_stored[i]) {
			graph_inputs.push_back(std::move(old_inputs[i]));
			graph_applied.push_back(st.applied[i]);
			applied += st.applied[i] ? 1 : 0;
		}
	old_inputs.clear();
	for (std::size_t k = 0; k < inputs.size(); k++)
		if (out[k].action != "unchanged") {
			graph_inputs.push_back({inputs[k].revision, inputs[k].parents, inputs[k].depends_on,
			                        inputs[k].branch_labels});
			graph_applied.push_back(false);
		}
	auto built = Graph::Build(std::move(graph_inputs));
	if (!built.problems.empty()) {
		const auto &first = built.problems.front();
		std::string detail;
		if (built.problems.size() > 1) {
			detail = std::to_string(built.problems.size() - 1) + " more problem(s): ";
			for (std::size_t j = 1; j < built.problems.size() && j <= 10; j++)
				detail += (j > 1 ? "; " : "") + built.problems[j].message;
			if (built.problems.size() > 11)
				detail += "; ...";
		} else
			detail = "Nothing was uploaded.";
		throw PgmigError(ProblemSqlstate(first.kind), first.message, detail,
		                 first.kind == ProblemKind::kUnknownParent || first.kind == ProblemKind::kUnknownDependency
		                     ? "Upload the missing revision in the same batch or before this one."
		                     : "");
	}

	/*
	 * 4. Lint what is new, as the project's policy says, but for what the
	 * caller stamps in this transaction: the stamp_targets, resolved as
	 * mig_stamp will resolve them in the resulting graph, and their
	 * ancestors.  Lint asks what a body breaks when it runs; a stamped
	 * revision never runs, and on the database being adopted its objects
	 * exist (L015 on every CREATE).  The commit check (stamp_due.hpp) holds
	 * the caller to the stamp, so no body stored here runs unlinted.
	 */
	std::vector<bool> unlinted(inputs.size(), false);
	if (stamp_targets) {
		std::vector<bool> stamped =
		    built.graph.Ancestors(ResolveOrThrow(built.graph, graph_applied, project, *stamp_targets));
		for (std::size_t k = 0; k < inputs.size(); k++)
			if (out[k].action != "unchanged")
				unlinted[k] = stamped[static_cast<Index>(built.graph.Find(inputs[k].revision))];
	}
	if (lint)
		LintUploads(project, inputs, out, unlinted);

	/* 5. Write. */
	CatalogScope scope;
	for (std::size_t k = 0; k < inputs.size(); k++) {
		if (out[k].action == "unchanged")
			continue;
		const UploadInput &in = inputs[k];
		const PreparedRevision &p = prepared[k];
		if (out[k].action == "replaced")
			SpiQuery("DELETE FROM pgmig.revision WHERE project = $1 AND revision = $2",
			      {SqlParam::Text(project), SqlParam::Text(in.revision)});
		SpiQuery("INSERT INTO pgmig.revision (project, revision, parents, depends_on, branch_labels, message, up_body, "
		      "down_body, transactional, down_transactional, up_statements, down_statements, checksum, "
		      "down_checksum, uploaded_by) "
		      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
		      "        CASE WHEN $8 IS NULL THEN NULL ELSE $10 END, $11, CASE WHEN $8 IS NULL THEN NULL ELSE $12 END, "
		      "        $13, $14, $15)",
		      {SqlParam::Text(project), SqlParam::Text(in.revision), SqlParam::TextArray(in.parents),
		       SqlParam::TextArray(in.depends_on), SqlParam::TextArray(in.branch_labels), SqlParam::TextOrNull(in.message),
		       SqlParam::Text(*in.up), SqlParam::TextOrNull(in.down), SqlParam::Bool(p.up.transactional),
		       SqlParam::Bool(p.down ? p.down->transactional : true), SqlParam::Int4((int) p.up.statements.size()),
		       SqlParam::Int4(p.down ? (int) p.down->statements.size() : 0), SqlParam::Text(p.checksum),
		       SqlParam::TextOrNull(p.down_checksum), SqlParam::Text(who)});
		SpiQuery("INSERT INTO pgmig.event (project, kind, revision, who, message) VALUES ($1, $2, $3, $4, $5)",
		         {SqlParam::Text(project), SqlParam::Text(out[k].action == "replaced" ? "replace" : "upload"),
		          SqlParam::Text(in.revision), SqlParam::Text(who),
		          SqlParam::TextOrNull(
		              unlinted[k] ? std::optional<std::string>("not linted: stamped as applied in the same transaction")
		                          : std::nullopt)});
		if (unlinted[k])
			RequireStampBeforeCommit(project, in.revision, p.checksum);
	}

	/* 6. The project's summary row, in the graph's input order (step 3). */
	if (changes) {
		/* What LoadProject would now read back, for the calls that follow. */
		auto written = std::make_shared<StoredGraph>();
		written->meta.reserve(old.meta.size() + inputs.size());
		for (Index i = 0; i < old.meta.size(); i++)
			if (!replaced_stored[i])
				written->meta.push_back(std::move(old.meta[i]));
		for (std::size_t k = 0; k < inputs.size(); k++)
			if (out[k].action != "unchanged")
				written->meta.push_back(MetaOf(inputs[k], prepared[k]));
		StateKey key = WriteState(project, StateRevisionsOf(written->meta), built.graph, applied);
		written->graph = std::move(built.graph);
		CacheUploaded(project, std::move(written), std::move(graph_applied), key);
	}
	return out;
}

} // namespace pgmig
