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
 * Every refusal at once.  The server refuses the whole batch at its first
 * problem, so a folder with five problems would take five runs.  When the
 * upload is refused for one revision (the error names it: `revision "X"`,
 * or a character located in its file), push probes on: it sends the batch
 * again without X, and without the revisions that descend from X through
 * parents or depends_on when the server does not hold X (their parent would
 * be unknown: they are reported as not checked), each time in a transaction
 * it rolls back, until the server accepts the rest, or refuses it for no
 * revision (a lock timeout, a lost connection: that error ends the list), or
 * every file had its round.  Then it reports every refusal (errors.hpp:
 * Error::refusals, in file order) and stores nothing: the first call was
 * refused, and every probe is rolled back.  One refusal is reported as
 * before.  The probing costs nothing when the upload succeeds (one call, as
 * ever), and a lost connection is never retried: the first call's loss is
 * reported as it is.  A refused revision stored on the server (PM021, or an
 * unapplied one whose new text is refused) keeps its stored version during
 * the probes, so its descendants are still checked.  Graph problems the
 * server lists together (one error, the others in DETAIL) stay one refusal.
 *
 * Lint warnings name the file's line.  Under the lint policy 'warn' the
 * server sends each finding as a WARNING `pgmig: revision "X", line N: ...
 * [Lnnn name]`, N a line of X's up body.  While it uploads, push takes those
 * notices (a NoticeHook, conn.hpp) and prints them as `file:LINE: warning:
 * ... [Lnnn name]` with the safe alternative as DETAIL, LINE the line of the
 * migration file, and lists them in the JSON (push.warnings); a warning the
 * probes repeat is printed once.  Every other notice prints as before.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "push.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
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

/* The upload: every revision of the batch, replace = true. */
constexpr const char *kUploadSql = "SELECT revision, action, transactional, checksum "
								   "FROM pgmig.mig_upload_batch($1::pg_catalog.jsonb, true, $2::pg_catalog.text)";

/*
 * The mig_upload_batch argument: folder.files[i] for each i that `include`
 * allows (all when it is null), with the checksums of its bodies when
 * send_sums (up_sums[i] is that of the up body).
 */
Json
UploadBatch(const Folder &folder, const std::vector<std::string> &up_sums, bool send_sums,
			const std::vector<bool> *include)
{
	Json batch = Json::Array();
	for (std::size_t i = 0; i < folder.files.size(); i++) {
		if (include && !(*include)[i])
			continue;
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
			r.Set("checksum", up_sums[i]);
			if (f.down)
				r.Set("down_checksum", core::ChecksumBody(*f.down));
		}
		batch.Push(std::move(r));
	}
	return batch;
}

/*
 * Puts file, line and revision into a refused upload's error: a character
 * the encoding lacks (22P05) is searched in the files that were sent
 * (`sent`, a folder of just those), one stored differently (PM024) is read
 * back line by line, any other error is located by its message.
 */
void
LocateUploadError(Connection &conn, Error &e, const Folder &folder, const Folder &sent)
{
	if (e.sqlstate == "22P05")
		LocateUnrepresentable(e, sent);
	else if (e.sqlstate == "PM024" && !e.connection_lost)
		LocateChangedLine(conn, e, folder);
	else
		LocateInFolder(e, folder);
}

/*
 * The lint WARNINGs of an upload, as file lines (see the file header).
 * Take is the connection's NoticeHook while the upload runs.
 */
class LintWarnings {
public:
	LintWarnings(const Folder &folder, const ConnectOptions &options) : folder_(folder), options_(options) {}

	/* Takes a lint warning about a revision of the folder: prints it (once,
	 * unless quiet) as a file line and keeps it; leaves any other notice. */
	bool Take(const ServerNotice &n)
	{
		if (n.severity != "WARNING")
			return false;
		std::optional<LintWarning> w = ParseLintWarning(n.message);
		const MigrationFile *f = w ? folder_.Find(w->revision) : nullptr;
		if (f == nullptr || w->line < 1)
			return false;
		if (!seen_.emplace(w->revision, w->line, w->rule, w->message).second)
			return true;
		int line = f->up_line + w->line - 1;
		Json j = Json::Object();
		j.Set("file", f->path);
		j.Set("line", line);
		j.Set("revision", w->revision);
		j.Set("rule", w->rule);
		j.Set("name", w->name);
		j.Set("message", w->message);
		j.Set("hint", n.detail.empty() ? Json() : Json(n.detail));
		json_.Push(std::move(j));
		if (options_.quiet)
			return true;
		PrintNotice(f->path + ":" + std::to_string(line) + ": " + Paint("warning:", Style::kYellow, options_.color) +
						" " + w->message + " [" + w->rule + " " + w->name + "]\n",
					n);
		return true;
	}

	/* The warnings taken, as push.warnings. */
	Json json() const { return json_; }

private:
	const Folder &folder_;
	const ConnectOptions &options_;
	std::set<std::tuple<std::string, int, std::string, std::string>> seen_;
	Json json_ = Json::Array();
};

/* Installs a notice hook for its lifetime and restores the previous one. */
class NoticeHookScope {
public:
	NoticeHookScope(Connection &conn, NoticeHook hook) : conn_(conn), previous_(conn.SetNoticeHook(std::move(hook))) {}
	~NoticeHookScope() { conn_.SetNoticeHook(std::move(previous_)); }
	NoticeHookScope(const NoticeHookScope &) = delete;
	NoticeHookScope &operator=(const NoticeHookScope &) = delete;

private:
	Connection &conn_;
	NoticeHook previous_;
};

/*
 * The ids of the project's stored revisions, for the probes: a refused
 * revision the server holds keeps its stored version, so its descendants
 * can still be checked.  Empty when they cannot be read (every descendant
 * of a refused revision is then left unchecked).
 */
std::set<std::string>
StoredRevisions(Connection &conn, const Globals &g)
{
	std::set<std::string> ids;
	try {
		Result r = conn.Exec("SELECT revision FROM pgmig.mig_revisions($1::pg_catalog.text)", {g.project});
		for (int i = 0; i < r.rows(); i++)
			ids.insert(r.Text(i, "revision"));
	} catch (Error &e) {
		if (e.connection_lost)
			throw;
		RollbackQuietly(conn);
	}
	return ids;
}

/*
 * After the upload was refused with `first`, the refusal of one revision of
 * the folder: probes for every other refusal (see the file header) and
 * returns the error to report, `first` itself when it stays the only one.
 * Each probe is BEGIN, the upload without the refused revisions, ROLLBACK;
 * at most one per file.
 */
Error
EveryRefusal(Connection &conn, const Folder &folder, const std::vector<std::string> &up_sums, bool send_sums,
			 const Globals &g, Error first)
{
	const std::size_t n = folder.files.size();
	std::unordered_map<std::string, std::size_t> index;
	for (std::size_t i = 0; i < n; i++)
		index.emplace(folder.files[i].revision, i);
	/* children[i]: the files naming files[i] as parent or dependency */
	std::vector<std::vector<std::size_t>> children(n);
	for (std::size_t i = 0; i < n; i++)
		for (const std::vector<std::string> *refs : {&folder.files[i].parents, &folder.files[i].depends_on})
			for (const std::string &ref : *refs)
				if (auto it = index.find(ref); it != index.end())
					children[it->second].push_back(i);

	std::vector<bool> left(n, true);
	std::vector<std::pair<std::size_t, Error>> refused; /* (file index, error); n = names no revision */
	std::vector<std::pair<std::size_t, Unchecked>> unchecked;
	std::optional<std::set<std::string>> stored;
	bool stopped = false;
	/* The file a refusal is about, when it is one still being sent. */
	auto attributed = [&](const Error &e) -> std::optional<std::size_t> {
		auto it = e.revision.empty() ? index.end() : index.find(e.revision);
		if (it == index.end() || !left[it->second])
			return std::nullopt;
		return it->second;
	};
	/* Leaves out files[x] and, when the server does not hold it, its descendants. */
	auto refuse = [&](std::size_t x, Error e) {
		left[x] = false;
		refused.emplace_back(x, std::move(e));
		if (!stored)
			stored = StoredRevisions(conn, g);
		if (stored->count(folder.files[x].revision) > 0)
			return;
		std::deque<std::size_t> queue(children[x].begin(), children[x].end());
		while (!queue.empty()) {
			std::size_t c = queue.front();
			queue.pop_front();
			if (!left[c])
				continue;
			left[c] = false;
			const MigrationFile &f = folder.files[c];
			unchecked.emplace_back(c, Unchecked{f.path, f.revision, folder.files[x].revision});
			queue.insert(queue.end(), children[c].begin(), children[c].end());
		}
	};

	std::optional<std::size_t> x = attributed(first);
	if (!x)
		return first;
	try {
		refuse(*x, first);
	} catch (Error &) {
		return first; /* the connection was lost reading the stored ids */
	}
	for (std::size_t round = 0; round < n && std::count(left.begin(), left.end(), true) > 0; round++) {
		try {
			conn.Begin();
			conn.Exec(kUploadSql, {UploadBatch(folder, up_sums, send_sums, &left).Dump(-1), g.project});
			RollbackQuietly(conn);
			break; /* the rest would be accepted */
		} catch (Error &e) {
			if (!e.connection_lost)
				RollbackQuietly(conn);
			if (e.sqlstate == "22P05") {
				Folder sent;
				for (std::size_t i = 0; i < n; i++)
					if (left[i])
						sent.files.push_back(folder.files[i]);
				LocateUploadError(conn, e, folder, sent);
			} else
				LocateUploadError(conn, e, folder, folder);
			std::optional<std::size_t> next = e.connection_lost ? std::nullopt : attributed(e);
			if (!next) {
				refused.emplace_back(n, std::move(e));
				stopped = true;
				break;
			}
			try {
				refuse(*next, std::move(e));
			} catch (Error &lost) {
				refused.emplace_back(n, std::move(lost));
				stopped = true;
				break;
			}
		}
	}
	if (refused.size() == 1 && unchecked.empty()) {
		first.refusals.push_back(first);
		return first;
	}

	auto by_file = [](const auto &a, const auto &b) { return a.first < b.first; };
	std::stable_sort(refused.begin(), refused.end(), by_file);
	std::stable_sort(unchecked.begin(), unchecked.end(), by_file);
	std::int64_t revisions = static_cast<std::int64_t>(refused.size()) - (stopped ? 1 : 0);
	std::string message = "the server refused " + Plural(revisions, "revision", "revisions");
	if (!unchecked.empty())
		message += "; " + Plural(static_cast<std::int64_t>(unchecked.size()), "revision was", "revisions were") +
			" not checked because an ancestor was refused";
	if (stopped)
		message += "; checking stopped at the last error, which names no revision";
	Error summary(message + "; nothing was stored", first.exit_code);
	for (auto &r : refused)
		summary.refusals.push_back(std::move(r.second));
	for (auto &u : unchecked)
		summary.unchecked.push_back(std::move(u.second));
	return summary;
}

} // namespace

/*
 * The folder as mig_upload_batch's JSON array, for a caller that sends it
 * itself (mig_check).  In a database whose encoding is neither UTF8 nor
 * SQL_ASCII the bodies go with the file's checksums, as push sends them.
 */
Json
FolderUploadBatch(Connection &conn, const Folder &folder, const std::vector<std::string> &up_sums)
{
	std::string encoding = conn.server_encoding();
	bool send_sums = encoding != "UTF8" && encoding != "SQL_ASCII" && ServerChecksBodies(conn);
	return UploadBatch(folder, up_sums, send_sums, nullptr);
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
	Json push_warnings = Json::Array();
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
		std::string encoding = conn.server_encoding();
		bool send_sums = encoding != "UTF8" && encoding != "SQL_ASCII" && ServerChecksBodies(conn);
		LintWarnings warnings(folder, conn.options());
		NoticeHookScope hook(conn, [&warnings](const ServerNotice &n) { return warnings.Take(n); });
		std::string sql = kUploadSql;
		std::vector<std::optional<std::string>> params{UploadBatch(folder, up_sums, send_sums, nullptr).Dump(-1),
													   g.project};
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
			LocateUploadError(conn, e, folder, folder);
			/* an adoption's push reports its first refusal: the probes would
			 * upload without its stamp targets, and lint what it stamps */
			Error report = e.connection_lost || stamp_targets
							   ? std::move(e)
							   : EveryRefusal(conn, folder, up_sums, send_sums, g, std::move(e));
			Json push = Json::Object();
			if (!report.connection_lost) /* else a lost COMMIT may have stored it */
				push.Set("uploaded", false);
			push.Set("warnings", warnings.json());
			out.doc.Set("push", std::move(push));
			throw report;
		}
		counts.uploaded = true;
		push_warnings = warnings.json();
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
	push.Set("warnings", std::move(push_warnings));
	out.doc.Set("push", std::move(push));
	return counts;
}

} // namespace pgmig::client
