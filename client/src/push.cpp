/*
 * client/src/push.cpp
 *
 * Push (see push.hpp): the folder uploaded to the server in one call.
 *
 * Design.  A no-op `up` on a long history must not send every body, so one
 * query first compares the sync digest the server keeps for the project
 * (mig_sync, extension/core/sync.hpp) with the same digest of the folder;
 * only on a difference (or a server that does not know its digest) is
 * anything sent.  Then a second query (mig_sync_lines, server 0.7; rebuilt
 * from mig_revisions on 0.2 to 0.6) gives each stored revision's line of
 * that digest, hashed, and only the files whose line the server lacks or
 * holds otherwise go into one mig_upload_batch call in its own transaction:
 * one new file on a 10,000-revision history sends one body.  The server's
 * upload always took a partial batch: it checks what it receives against
 * the stored graph, refuses a changed applied revision (PM021), replaces a
 * changed unapplied one, lints what it receives and rewrites its digest over
 * everything it then holds, which is the folder's digest again, so the next
 * run is a no-op.  Its rows say per sent revision whether it was new or
 * changed; the others are reported unchanged.  A revision the server holds
 * but the folder lacks stays stored (as when every file was sent), and
 * makes each later run ask for the lines; then nothing is sent.  Another
 * deploy that changes a revision between the two queries and the upload is
 * not seen here; up still applies only the bodies this client checksummed
 * (`expected`, PM023).  Every file is still read and checksummed on every
 * run, once, on a few threads (folder_sums.hpp), for the digest, the lines
 * and up's `expected`; `up` and `push` hash each file as it is read, while
 * the session opens and mig_sync answers (FolderAndSession,
 * verb_context.hpp, hands both over in PushPrefetch).  The table and the
 * JSON rows are built only when they are printed.  baseline and import-history push in the transaction in
 * which they then stamp, and name the stamp's targets to the upload
 * (stamp_targets, server 0.6): the revisions the stamp covers never run, so
 * the server does not lint them (an adopted database has their objects:
 * every CREATE would be L015 "object exists"), and it fails the commit
 * unless they are stamped.  A body the server refuses for its characters is
 * located in its file: a character the database's encoding lacks (22P05),
 * or one it would store differently (PM024, found by reading the body's
 * lines back).
 *
 * Every refusal at once.  The server refuses the whole batch at its first
 * problem, so a folder with five problems would take five runs.  When the
 * upload (of the files that differ) is refused for one revision (the error names it: `revision "X"`,
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
#include "folder_sums.hpp"
#include "parallel.hpp"
#include "project_state.hpp"
#include "sync.hpp"
#include "verb_context.hpp"

namespace pgmig::client {

namespace {

/* What the server did with one file, as push reports it. */
struct PushRow {
	std::string action = "unchanged"; /* inserted, replaced, unchanged */
	bool transactional = true;
	std::string checksum; /* the server's, when it was sent; else the file's */
};

/* An action as push shows it: new, changed, unchanged. */
std::string
Shown(const std::string &action)
{
	return action == "inserted" ? "new" : action == "replaced" ? "changed" : action;
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
 * allows (all when it is null), with the checksums of its bodies (from
 * sums) when send_sums.
 */
Json
UploadBatch(const Folder &folder, const FolderSums &sums, bool send_sums, const std::vector<bool> *include)
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
			r.Set("checksum", sums.up[i]);
			if (sums.down[i])
				r.Set("down_checksum", *sums.down[i]);
		}
		batch.Push(std::move(r));
	}
	return batch;
}

/* The files of the folder that `include` allows, as a folder of their own. */
Folder
SubFolder(const Folder &folder, const std::vector<bool> &include)
{
	Folder sub;
	for (std::size_t i = 0; i < folder.files.size(); i++)
		if (include[i])
			sub.files.push_back(folder.files[i]);
	return sub;
}

/*
 * What the server holds of each revision of the project, by id, for
 * leaving out of the upload the files it holds identically (see the file
 * header): mig_sync_lines (0.7), else each line rebuilt from mig_revisions
 * (0.2 to 0.6, which costs the server more: it returns every revision's
 * fields and applied state); nullopt on an older server, which then gets
 * every file.  The functions are looked up first rather than tried, so that
 * a missing one does not abort the caller's transaction (baseline's).
 */
} // namespace

std::optional<StoredLines>
ReadStoredLines(Connection &conn, const Globals &g)
{
	Result has = conn.Exec("SELECT pg_catalog.to_regprocedure('pgmig.mig_sync_lines(pg_catalog.text)') IS NOT NULL "
						   "AS lines, pg_catalog.to_regprocedure('pgmig.mig_revisions(pg_catalog.text)') IS NOT NULL "
						   "AS revisions");
	StoredLines stored;
	if (has.Bool(0, "lines")) {
		Result r = conn.Exec("SELECT revision, line_digest, transactional FROM pgmig.mig_sync_lines($1::pg_catalog.text)",
							 {g.project});
		stored.reserve(static_cast<std::size_t>(r.rows()));
		for (int i = 0; i < r.rows(); i++)
			stored.emplace(r.Text(i, "revision"), StoredLine{r.Text(i, "line_digest"), r.Bool(i, "transactional")});
		return stored;
	}
	if (!has.Bool(0, "revisions"))
		return std::nullopt;
	Result r = conn.Exec("SELECT revision, parents, depends_on, branch_labels, message, transactional, checksum, "
						 "down_checksum FROM pgmig.mig_revisions($1::pg_catalog.text)",
						 {g.project});
	stored.reserve(static_cast<std::size_t>(r.rows()));
	for (int i = 0; i < r.rows(); i++) {
		std::string id = r.Text(i, "revision");
		std::string line = core::SyncLine(id, r.Array(i, "parents"), r.Array(i, "depends_on"),
										  r.Array(i, "branch_labels"), r.Get(i, "message"), r.Text(i, "checksum"),
										  r.Get(i, "down_checksum"));
		stored.emplace(std::move(id), StoredLine{Sha256Hex(line), r.Bool(i, "transactional")});
	}
	return stored;
}

namespace {

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
 * After the upload of the files `sent` allows was refused with `first`, the
 * refusal of one revision of the folder: probes for every other refusal (see
 * the file header) among the files sent and returns the error to report,
 * `first` itself when it stays the only one.  Each probe is BEGIN, the
 * upload without the refused revisions, ROLLBACK; at most one per file.
 */
Error
EveryRefusal(Connection &conn, const Folder &folder, const FolderSums &sums, bool send_sums, const Globals &g,
			 Error first, const std::vector<bool> &sent)
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

	std::vector<bool> left = sent;
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
			conn.Exec(kUploadSql, {UploadBatch(folder, sums, send_sums, &left).Dump(-1), g.project});
			RollbackQuietly(conn);
			break; /* the rest would be accepted */
		} catch (Error &e) {
			if (!e.connection_lost)
				RollbackQuietly(conn);
			if (e.sqlstate == "22P05")
				LocateUploadError(conn, e, folder, SubFolder(folder, left));
			else
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

/* See push.hpp: mig_sync, or the same from mig_revisions on a server before 0.4. */
ServerSync
ReadServerSync(Connection &conn, const Globals &g)
{
	std::optional<Result> r;
	try {
		r = conn.Exec("SELECT digest, pending, pg_catalog.array_to_string(nontransactional, ' ') AS nontx, "
					  "revisions FROM pgmig.mig_sync($1::pg_catalog.text)",
					  {g.project});
	} catch (Error &e) {
		if (e.sqlstate != "42883")
			throw;
		r = conn.Exec("SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to("
					  "COALESCE(pg_catalog.string_agg(pg_catalog.concat_ws(E'\\x1f', revision, "
					  "pg_catalog.array_to_string(parents, ','), pg_catalog.array_to_string(depends_on, ','), "
					  "pg_catalog.array_to_string(branch_labels, ','), COALESCE(message, E'\\x1e'), checksum, "
					  "COALESCE(down_checksum, '')), E'\\n' ORDER BY revision COLLATE pg_catalog.\"C\"), ''), 'UTF8')), 'hex') "
					  "AS digest, pg_catalog.count(*) FILTER (WHERE NOT applied) AS pending, pg_catalog.count(*) AS revisions, "
					  "COALESCE(pg_catalog.string_agg(revision, ' ') FILTER (WHERE NOT transactional), '') AS nontx "
					  "FROM pgmig.mig_revisions($1::pg_catalog.text)",
					  {g.project});
	}
	ServerSync s;
	s.digest = r->Get(0, "digest");
	s.pending = static_cast<std::int64_t>(r->Number(0, "pending"));
	if (r->Has("revisions"))
		s.revisions = static_cast<std::int64_t>(r->Number(0, "revisions"));
	std::string ids = r->Get(0, "nontx").value_or("");
	for (std::size_t at = 0, end; at < ids.size(); at = end + 1) {
		end = std::min(ids.find(' ', at), ids.size());
		s.nontx.insert(ids.substr(at, end - at));
	}
	return s;
}

/*
 * The folder as mig_upload_batch's JSON array, for a caller that sends it
 * itself (mig_check).  In a database whose encoding is neither UTF8 nor
 * SQL_ASCII the bodies go with the file's checksums, as push sends them.
 */
Json
FolderUploadBatch(Connection &conn, const Folder &folder, const FolderSums &sums, const std::vector<bool> *include)
{
	std::string encoding = conn.server_encoding();
	bool send_sums = encoding != "UTF8" && encoding != "SQL_ASCII" && ServerChecksBodies(conn);
	return UploadBatch(folder, sums, send_sums, include);
}

/*
 * Uploads the files of the folder that the server does not hold identically
 * in one mig_upload_batch call (replace = true: an unapplied revision whose
 * file changed is replaced; an applied one is refused by the server with
 * PM021).  Prints one line per file when `all_lines`, else only the new and
 * changed ones; puts "push" in the JSON.  With `stamp_targets` the call runs
 * in the caller's open transaction and, on a server that takes them, passes
 * them on (see push.hpp).
 *
 * First, one query compares the sync digest the server keeps for the
 * project (mig_sync: ids, parents, labels, messages and the checksums of
 * both bodies, core/sync.hpp) with the same digest of the folder, whose files
 * were just read and checksummed.  When they are equal the upload would
 * change nothing, so nothing is sent: a no-op `up` on a long history costs
 * one row instead of sending every body.  On a difference, a second query
 * (ReadStoredLines) tells which revisions differ, and only those are sent;
 * the others are reported unchanged.  When none differs (the server holds
 * revisions the folder lacks) nothing is sent, unless the server does not
 * know its digest yet: an empty batch then makes it write the digest, so
 * that the next run is a no-op again.
 */
PushCounts
Push(Connection &conn, const Folder &folder, const Globals &g, Out &out, bool all_lines,
	 const std::vector<std::string> *stamp_targets, PushPrefetch *pre)
{
	const std::size_t n = folder.files.size();
	PushCounts counts;
	ServerSync sync = pre && pre->sync ? std::move(*pre->sync) : ReadServerSync(conn, g);
	FolderSums sums = pre && pre->sums ? std::move(*pre->sums) : ChecksumFolder(folder);
	/* rows[i]: what the server did with folder.files[i] (action, transactional, checksum) */
	std::vector<PushRow> rows(n);
	Json push_warnings = Json::Array();
	if (sync.digest && *sync.digest == sums.digest) {
		for (std::size_t i = 0; i < n; i++)
			rows[i] = {"unchanged", sync.nontx.empty() || sync.nontx.count(folder.files[i].revision) == 0, ""};
		counts.pending = sync.pending;
	} else {
		/* Which files to send: those the server lacks or holds otherwise. */
		std::vector<bool> send(n, true);
		std::optional<StoredLines> stored =
			pre && pre->lines ? std::move(*pre->lines) : ReadStoredLines(conn, g);
		if (stored) {
			std::vector<char> held(n, 0); /* not vector<bool>: each thread writes its own elements */
			ParallelFor(n, [&](std::size_t i) {
				auto it = stored->find(folder.files[i].revision);
				if (it != stored->end() && it->second.digest == Sha256Hex(SyncLineOf(folder, sums, i))) {
					held[i] = 1;
					rows[i] = {"unchanged", it->second.transactional, ""};
				}
			});
			for (std::size_t i = 0; i < n; i++)
				send[i] = !held[i];
		}
		std::size_t sending = static_cast<std::size_t>(std::count(send.begin(), send.end(), true));
		if (sending > 0 || !sync.digest) {
			/* In a database whose encoding is neither UTF8 nor SQL_ASCII the
			 * server converts each body: it is sent with the file's checksums,
			 * and a body that would not be stored as written is refused (PM024,
			 * server 0.5) instead of being stored with other characters. */
			std::string encoding = conn.server_encoding();
			bool send_sums = encoding != "UTF8" && encoding != "SQL_ASCII" && ServerChecksBodies(conn);
			LintWarnings warnings(folder, conn.options());
			NoticeHookScope hook(conn, [&warnings](const ServerNotice &notice) { return warnings.Take(notice); });
			std::string sql = kUploadSql;
			std::vector<std::optional<std::string>> params{UploadBatch(folder, sums, send_sums, &send).Dump(-1),
														   g.project};
			if (stamp_targets && ServerTakesStampTargets(conn)) {
				sql = "SELECT revision, action, transactional, checksum FROM pgmig.mig_upload_batch("
					  "$1::pg_catalog.jsonb, true, $2::pg_catalog.text, $3::pg_catalog.text[])";
				params.push_back(PgArrayLiteral(*stamp_targets));
			}
			try {
				Result res = stamp_targets ? conn.Exec(sql, params) : conn.ExecTx(sql, params);
				std::unordered_map<std::string, std::size_t> index;
				index.reserve(sending);
				for (std::size_t i = 0; i < n; i++)
					if (send[i])
						index.emplace(folder.files[i].revision, i);
				for (int r = 0; r < res.rows(); r++) {
					auto it = index.find(res.Text(r, "revision"));
					if (it != index.end())
						rows[it->second] = {res.Text(r, "action"), res.Bool(r, "transactional"),
											res.Text(r, "checksum")};
				}
			} catch (Error &e) {
				if (stamp_targets)
					RollbackQuietly(conn); /* the caller's transaction: before the queries that locate the error */
				LocateUploadError(conn, e, folder, e.sqlstate == "22P05" ? SubFolder(folder, send) : folder);
				/* an adoption's push reports its first refusal: the probes would
				 * upload without its stamp targets, and lint what it stamps */
				Error report = e.connection_lost || stamp_targets
								   ? std::move(e)
								   : EveryRefusal(conn, folder, sums, send_sums, g, std::move(e), send);
				Json push = Json::Object();
				if (!report.connection_lost) /* else a lost COMMIT may have stored it */
					push.Set("uploaded", false);
				push.Set("warnings", warnings.json());
				out.doc.Set("push", std::move(push));
				throw report;
			}
			counts.uploaded = true;
			counts.sent = static_cast<int>(sending);
			push_warnings = warnings.json();
		} else
			counts.pending = sync.pending;
	}

	/* The report: counts always, the table and the JSON only when printed. */
	for (std::size_t i = 0; i < n; i++) {
		const std::string &action = rows[i].action;
		if (action == "inserted")
			counts.inserted++;
		else if (action == "replaced")
			counts.replaced++;
		else
			counts.unchanged++;
		const MigrationFile &f = folder.files[i];
		if (f.nontransactional && rows[i].transactional)
			out.Note("warning: " + f.path + ": declared non-transactional, but the server runs " + f.revision +
					 " in a transaction");
	}
	if (out.text()) {
		Table table({"action", "revision", "file"});
		for (std::size_t i = 0; i < n; i++) {
			const std::string &action = rows[i].action;
			if (all_lines || action != "unchanged")
				table.AddRow({Paint(Shown(action), action == "unchanged" ? Style::kDim : Style::kGreen, out.color),
							  folder.files[i].revision, folder.files[i].path});
		}
		out.Text(table.Render(out.color, false, "  "));
		out.Line(Plural(static_cast<std::int64_t>(n), "revision", "revisions") + " pushed: " +
				 std::to_string(counts.inserted) + " new, " + std::to_string(counts.replaced) + " changed, " +
				 std::to_string(counts.unchanged) + " unchanged");
	}
	if (out.json) {
		Json json_rows = Json::Array();
		for (std::size_t i = 0; i < n; i++) {
			Json r = Json::Object();
			r.Set("revision", folder.files[i].revision);
			r.Set("file", folder.files[i].path);
			r.Set("action", Shown(rows[i].action));
			r.Set("transactional", rows[i].transactional);
			r.Set("checksum", rows[i].checksum.empty() ? sums.up[i] : rows[i].checksum);
			json_rows.Push(std::move(r));
		}
		Json push = Json::Object();
		push.Set("revisions", std::move(json_rows));
		push.Set("new", counts.inserted);
		push.Set("changed", counts.replaced);
		push.Set("unchanged", counts.unchanged);
		push.Set("uploaded", counts.uploaded);
		push.Set("sent", counts.sent);
		push.Set("warnings", std::move(push_warnings));
		out.doc.Set("push", std::move(push));
	}
	counts.up_sums = std::move(sums.up);
	return counts;
}

/* See push.hpp. */
const std::string *
PushCounts::Checksum(const Folder &folder, const std::string &revision) const
{
	const MigrationFile *f = folder.Find(revision);
	if (f == nullptr || up_sums.size() != folder.files.size())
		return nullptr;
	return &up_sums[static_cast<std::size_t>(f - folder.files.data())];
}

} // namespace pgmig::client
