/*
 * client/src/push.cpp
 *
 * Push (see push.hpp): the folder uploaded to the server in one call.
 *
 * Design.  A no-op `up` on a long history must not send every body, so one
 * query first compares the sync digest the server keeps for the project
 * (mig_sync, extension/core/sync.hpp) with the same digest of the folder;
 * only on a difference (or a server that does not know its digest) is the
 * whole folder sent, in one mig_upload_batch call in its own transaction,
 * whose rows say per revision whether it was new, changed or unchanged.
 * baseline and import-history push in the transaction in which they then
 * stamp, and name the stamp's targets to the upload (stamp_targets, server
 * 0.6): the revisions the stamp covers never run, so the server does not
 * lint them (an adopted database has their objects: every CREATE would be
 * L015 "object exists"), and it fails the commit unless they are stamped.  An
 * applied revision whose file changed is refused by the server (PM021).  A
 * body the server refuses for its characters is located in its file: a
 * character the database's encoding lacks (22P05), or one it would store
 * differently (PM024, found by reading the body's lines back).  The up
 * bodies are checksummed in parallel once, for the digest, for the rows and
 * for up's `expected`.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "push.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "output.hpp"
#include "parallel.hpp"
#include "project_state.hpp"
#include "sha256.hpp"
#include "sync.hpp"
#include "verb_context.hpp"

namespace pgmig::client {

namespace {

/* One revision as push reports it. */
struct PushRow {
	std::string revision;
	std::string action; /* inserted, replaced, unchanged */
	bool transactional;
	std::string checksum;
};

/*
 * The sync digest (extension/core/sync.hpp) of the folder.  up_sums[i] is
 * the checksum of folder.files[i]'s up body (computed once, also for push's
 * rows).
 */
std::string
FolderSyncDigest(const Folder &folder, const std::vector<std::string> &up_sums)
{
	std::vector<std::pair<std::string, std::string>> lines;
	lines.reserve(folder.files.size());
	for (std::size_t i = 0; i < folder.files.size(); i++) {
		const MigrationFile &f = folder.files[i];
		std::optional<std::string> down_sum;
		if (f.down)
			down_sum = core::ChecksumBody(*f.down);
		lines.emplace_back(f.revision, core::SyncLine(f.revision, f.parents, f.depends_on, f.branch_labels, f.message,
													  up_sums[i], down_sum));
	}
	return core::SyncDigest(std::move(lines));
}

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
};

/* Reads the ServerSync of the project (above). */
ServerSync
ReadServerSync(Connection &conn, const Globals &g)
{
	std::optional<Result> r;
	try {
		r = conn.Exec("SELECT digest, pending, pg_catalog.array_to_string(nontransactional, ' ') AS nontx "
					  "FROM pgmig.mig_sync($1::pg_catalog.text)",
					  {g.project});
	} catch (Error &e) {
		if (e.sqlstate != "42883")
			throw;
		r = conn.Exec("SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to("
					  "COALESCE(pg_catalog.string_agg(pg_catalog.concat_ws(E'\\x1f', revision, "
					  "pg_catalog.array_to_string(parents, ','), pg_catalog.array_to_string(depends_on, ','), "
					  "pg_catalog.array_to_string(branch_labels, ','), COALESCE(message, E'\\x1e'), checksum, "
					  "COALESCE(down_checksum, '')), E'\\n' ORDER BY revision COLLATE pg_catalog.\"C\"), ''), 'UTF8')), 'hex') "
					  "AS digest, pg_catalog.count(*) FILTER (WHERE NOT applied) AS pending, "
					  "COALESCE(pg_catalog.string_agg(revision, ' ') FILTER (WHERE NOT transactional), '') AS nontx "
					  "FROM pgmig.mig_revisions($1::pg_catalog.text)",
					  {g.project});
	}
	ServerSync s;
	s.digest = r->Get(0, "digest");
	s.pending = static_cast<std::int64_t>(r->Number(0, "pending"));
	std::string ids = r->Get(0, "nontx").value_or("");
	for (std::size_t at = 0, end; at < ids.size(); at = end + 1) {
		end = std::min(ids.find(' ', at), ids.size());
		s.nontx.insert(ids.substr(at, end - at));
	}
	return s;
}

/*
 * PM024: a body would not be stored as written (the database's encoding
 * changes a character).  Finds its first such line by sending the body's
 * lines to the server and reading them back, and puts file, line and the
 * line's text into the error.
 */
void
LocateChangedLine(Connection &conn, Error &e, const Folder &folder)
{
	LocateInFolder(e, folder);
	const MigrationFile *f = folder.Find(e.revision);
	if (f == nullptr)
		return;
	bool down = e.message.find("its down body") != std::string::npos;
	const std::string &body = down && f->down ? *f->down : f->up;
	std::vector<std::string> lines;
	for (std::size_t at = 0; at <= body.size();) {
		std::size_t end = std::min(body.find('\n', at), body.size());
		lines.push_back(body.substr(at, end - at));
		at = end + 1;
	}
	try {
		Result r = conn.Exec("SELECT l FROM pg_catalog.unnest($1::pg_catalog.text[]) WITH ORDINALITY AS x(l, n) "
							 "ORDER BY n",
							 {PgArrayLiteral(lines)});
		for (int i = 0; i < r.rows() && static_cast<std::size_t>(i) < lines.size(); i++)
			if (r.Text(i, "l") != lines[static_cast<std::size_t>(i)]) {
				e.file = f->path;
				e.line = (down ? f->down_line : f->up_line) + i;
				e.detail = "The line reads back from the database as: " + r.Text(i, "l");
				return;
			}
	} catch (Error &) {
		RollbackQuietly(conn);
	}
}

} // namespace

/*
 * The folder as mig_upload_batch's JSON array.  In a database whose
 * encoding is neither UTF8 nor SQL_ASCII the server converts each body: it
 * is sent with the file's checksums (up_sums[i] is folder.files[i]'s up
 * body's), and a body that would not be stored as written is refused
 * (PM024, server 0.5) instead of being stored with other characters.
 */
Json
UploadBatch(Connection &conn, const Folder &folder, const std::vector<std::string> &up_sums)
{
	std::string encoding = conn.server_encoding();
	bool send_sums = encoding != "UTF8" && encoding != "SQL_ASCII" && ServerChecksBodies(conn);
	Json batch = Json::Array();
	for (std::size_t i = 0; i < folder.files.size(); i++) {
		const MigrationFile &f = folder.files[i];
		Json r = Json::Object();
		r.Set("revision", f.revision);
		r.Set("up", f.up);
		r.Set("parents", Json::Strings(f.parents));
		if (f.down)
			r.Set("down", *f.down);
		r.Set("depends_on", Json::Strings(f.depends_on));
		r.Set("branch_labels", Json::Strings(f.branch_labels));
		if (f.message)
			r.Set("message", *f.message);
		if (send_sums) {
			r.Set("checksum", up_sums.at(i));
			if (f.down)
				r.Set("down_checksum", core::ChecksumBody(*f.down));
		}
		batch.Push(std::move(r));
	}
	return batch;
}

/*
 * Uploads every file of the folder in one mig_upload_batch call (replace =
 * true: an unapplied revision whose file changed is replaced; an applied one
 * is refused by the server with PM021).  Prints one line per file when
 * `all_lines`, else only the new and changed ones; puts "push" in the JSON.
 * With `stamp_targets` the call runs in the caller's open transaction and,
 * on a server that takes them, passes them on (see push.hpp).
 *
 * First, one query compares the sync digest the server keeps for the
 * project (mig_sync: ids, parents, labels, messages and the checksums of
 * both bodies, core/sync.hpp) with the same digest of the folder, whose files
 * were just read and checksummed.  When they are equal the upload would
 * change nothing, so nothing is sent: a no-op `up` on a long history costs
 * one row instead of sending every body.  Any difference, or a server that
 * does not know its digest yet, falls back to the upload.
 */
PushCounts
Push(Connection &conn, const Folder &folder, const Globals &g, Out &out, bool all_lines,
	 const std::vector<std::string> *stamp_targets)
{
	PushCounts counts;
	std::vector<PushRow> rows;
	ServerSync sync = ReadServerSync(conn, g);
	std::vector<std::string> up_sums(folder.files.size());
	ParallelFor(folder.files.size(), [&](std::size_t i) { up_sums[i] = core::ChecksumBody(folder.files[i].up); });
	for (std::size_t i = 0; i < folder.files.size(); i++)
		counts.checksums.emplace(folder.files[i].revision, up_sums[i]);
	if (sync.digest && *sync.digest == FolderSyncDigest(folder, up_sums)) {
		for (std::size_t i = 0; i < folder.files.size(); i++)
			rows.push_back({folder.files[i].revision, "unchanged", sync.nontx.count(folder.files[i].revision) == 0,
							up_sums[i]});
		counts.pending = sync.pending;
	} else {
		/* In a database whose encoding is neither UTF8 nor SQL_ASCII the
		 * server converts each body: it is sent with the file's checksums,
		 * and a body that would not be stored as written is refused (PM024,
		 * server 0.5) instead of being stored with other characters. */
		Json batch = UploadBatch(conn, folder, up_sums);
		std::string sql = "SELECT revision, action, transactional, checksum "
						  "FROM pgmig.mig_upload_batch($1::pg_catalog.jsonb, true, $2::pg_catalog.text)";
		std::vector<std::optional<std::string>> params{batch.Dump(-1), g.project};
		if (stamp_targets && ServerTakesStampTargets(conn)) {
			sql = "SELECT revision, action, transactional, checksum FROM pgmig.mig_upload_batch("
				  "$1::pg_catalog.jsonb, true, $2::pg_catalog.text, $3::pg_catalog.text[])";
			params.push_back(PgArrayLiteral(*stamp_targets));
		}
		try {
			Result res = stamp_targets ? conn.Exec(sql, params) : conn.ExecTx(sql, params);
			for (int i = 0; i < res.rows(); i++)
				rows.push_back({res.Text(i, "revision"), res.Text(i, "action"), res.Bool(i, "transactional"),
								res.Text(i, "checksum")});
		} catch (Error &e) {
			if (stamp_targets)
				RollbackQuietly(conn); /* the caller's transaction: before the queries that locate the error */
			if (e.sqlstate == "22P05")
				LocateUnrepresentable(e, folder);
			else if (e.sqlstate == "PM024" && !e.connection_lost)
				LocateChangedLine(conn, e, folder);
			else
				LocateInFolder(e, folder);
			throw;
		}
		counts.uploaded = true;
	}

	Table table({"action", "revision", "file"});
	Json json_rows = Json::Array();
	for (const PushRow &row : rows) {
		const MigrationFile *f = folder.Find(row.revision);
		const std::string &action = row.action;
		std::string shown = action == "inserted" ? "new" : action == "replaced" ? "changed" : action;
		if (action == "inserted")
			counts.inserted++;
		else if (action == "replaced")
			counts.replaced++;
		else
			counts.unchanged++;
		if (f && f->nontransactional && row.transactional)
			out.Note("warning: " + f->path + ": declared non-transactional, but the server runs " + row.revision +
					 " in a transaction");
		if (all_lines || action != "unchanged")
			table.AddRow({Paint(shown, action == "unchanged" ? Style::kDim : Style::kGreen, out.color), row.revision,
						  f ? f->path : ""});
		Json r = Json::Object();
		r.Set("revision", row.revision);
		r.Set("file", f ? Json(f->path) : Json());
		r.Set("action", shown);
		r.Set("transactional", row.transactional);
		r.Set("checksum", row.checksum);
		json_rows.Push(std::move(r));
	}
	out.Text(table.Render(out.color, false, "  "));
	std::string summary = Plural(static_cast<std::int64_t>(rows.size()), "revision", "revisions") + " pushed: " +
		std::to_string(counts.inserted) + " new, " + std::to_string(counts.replaced) + " changed, " +
		std::to_string(counts.unchanged) + " unchanged";
	out.Line(summary);
	Json push = Json::Object();
	push.Set("revisions", std::move(json_rows));
	push.Set("new", counts.inserted);
	push.Set("changed", counts.replaced);
	push.Set("unchanged", counts.unchanged);
	push.Set("uploaded", counts.uploaded);
	out.doc.Set("push", std::move(push));
	return counts;
}

} // namespace pgmig::client
