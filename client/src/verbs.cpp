/*
 * client/src/verbs.cpp
 *
 * The pgmig verbs (see verbs.hpp and docs/cli.md).  Each verb is a short
 * sequence: read the folder (helper A's reader), connect, call one or a few
 * SQL functions of the extension, print.  The one verb with a loop is
 * up/down (Applier below):
 *
 *   repeat
 *     BEGIN; SELECT * FROM pgmig.mig_apply(target, project, true, 1);  -- one round trip
 *     COMMIT;
 *   until it returns no row
 *
 * so every revision commits on its own (locks are held for one revision, a
 * failure leaves the last good revision).  The loop reacts to the SQLSTATEs
 * of options.hpp's ReactionFor: PM030 (the next revision is non-transactional)
 * runs the begin / run / finish protocol with the statement executed by the
 * client in autocommit; PM033 (another session is running one) polls, outside
 * any transaction, within --wait; a lock timeout inside a body retries the
 * revision with jittered back-off within --retry-budget; a lost connection is
 * reported truthfully (after a reconnect, pg_xact_status of the transaction
 * whose COMMIT was in flight).  --atomic makes it one call in one transaction.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "verbs.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "conn.hpp"
#include "errors.hpp"
#include "importers.hpp"
#include "migfile.hpp"
#include "options.hpp"
#include "parallel.hpp"
#include "render.hpp"
#include "sha256.hpp"
#include "sync.hpp"

namespace pgmig::client {

namespace {

using Clock = std::chrono::steady_clock;

/* Milliseconds since a time point. */
std::int64_t
MsSince(Clock::time_point start)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

/* Seconds since a time point. */
double
SecondsSince(Clock::time_point start)
{
	return std::chrono::duration<double>(Clock::now() - start).count();
}

/* Sleeps for ms milliseconds. */
void
SleepMs(std::int64_t ms)
{
	std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

/* Connection options from the globals: the conninfo choice and the settings. */
ConnectOptions
ConnectOptionsFor(const Globals &g)
{
	ConnectOptions o;
	o.conninfo = ResolveConnString(g.dbname, [](const char *name) { return std::getenv(name); });
	o.quiet = g.quiet;
	o.color = g.stderr_color;
	o.idle_timeout = std::to_string(g.idle_timeout_ms) + "ms";
	/* One revision per call: the client prints each revision as it completes,
	 * so the server's "applying X (1/1)" progress would only repeat it. */
	o.hide_progress = !g.atomic;
	/* Bounds the wait for the project lock (the server then raises PM035). */
	o.settings.emplace_back("lock_timeout", std::to_string(g.wait_ms) + "ms");
	if (g.lock_timeout_ms)
		o.settings.emplace_back("pgmig.lock_timeout", std::to_string(*g.lock_timeout_ms));
	if (g.nowait)
		o.settings.emplace_back("pgmig.nowait", "on");
	return o;
}

/* Reads the folder; any problem is an Error listing all of them. */
Folder
ReadFolderOrThrow(const Globals &g)
{
	Folder folder = ReadFolder(g.dir);
	if (!folder.ok())
		throw FolderError(folder, g.dir);
	return folder;
}

/* The folder's single head, the default target of up and plan. */
std::string
SingleHead(const Folder &folder, const Globals &g)
{
	std::vector<std::string> heads = folder.Heads();
	if (heads.empty()) {
		Error e("no migrations in " + g.dir);
		e.hint = "create one with `pgmig new \"message\"`, or point --dir (PGMIG_DIR) at the folder";
		throw e;
	}
	if (heads.size() > 1) {
		Error e("the migrations in " + g.dir + " have " + std::to_string(heads.size()) + " heads: " + Join(heads, ", "));
		e.hint = "join them with `pgmig merge`, or name the target (`pgmig up ID`, or `heads` for all of them)";
		throw e;
	}
	return heads[0];
}

/* "ROLLBACK" when a transaction is open; never throws. */
void
RollbackQuietly(Connection &conn)
{
	if (conn.ok() && conn.InTransaction())
		conn.TryExec("ROLLBACK");
}

/* The applied heads, for "at X" lines. */
std::vector<std::string>
CurrentHeads(Connection &conn, const Globals &g)
{
	Result r = conn.Exec("SELECT current FROM pgmig.mig_status($1::pg_catalog.text)", {g.project});
	return r.rows() > 0 ? r.Array(0, "current") : std::vector<std::string>{};
}

/* "at X, Y" or "at base (nothing applied)". */
std::string
AtText(const std::vector<std::string> &current)
{
	return current.empty() ? "at base (nothing applied)" : "at " + Join(current, ", ");
}

/* Counts of one push. */
struct PushCounts {
	int inserted = 0;
	int replaced = 0;
	int unchanged = 0;
	bool uploaded = false; /* false: the server already held the folder, nothing was sent */
	std::int64_t pending = -1; /* revisions stored but not applied, when the sync check saw them */
	std::map<std::string, std::string> checksums; /* revision -> checksum of the folder's up body */
};

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

bool ServerChecksBodies(Connection &conn);

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

/*
 * Uploads every file of the folder in one mig_upload_batch call (replace =
 * true: an unapplied revision whose file changed is replaced; an applied one
 * is refused by the server with PM021).  Prints one line per file when
 * `all_lines`, else only the new and changed ones; puts "push" in the JSON.
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
Push(Connection &conn, const Folder &folder, const Globals &g, Out &out, bool all_lines)
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
				r.Set("checksum", up_sums[i]);
				if (f.down)
					r.Set("down_checksum", core::ChecksumBody(*f.down));
			}
			batch.Push(std::move(r));
		}
		try {
			Result res = conn.ExecTx("SELECT revision, action, transactional, checksum "
									 "FROM pgmig.mig_upload_batch($1::pg_catalog.jsonb, true, $2::pg_catalog.text)",
									 {batch.Dump(-1), g.project});
			for (int i = 0; i < res.rows(); i++)
				rows.push_back({res.Text(i, "revision"), res.Text(i, "action"), res.Bool(i, "transactional"),
								res.Text(i, "checksum")});
		} catch (Error &e) {
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

/* Applies or downgrades, one revision per transaction or --atomic; see the file header. */
class Applier {
public:
	Applier(Connection &conn, const Folder &folder, const Globals &g, Out &out, std::string target, bool down)
		: conn_(conn), folder_(folder), g_(g), out_(out), target_(std::move(target)), down_(down),
		  rng_(std::random_device{}())
	{
		for (const MigrationFile &f : folder_.files)
			id_width_ = std::max(id_width_, std::min<std::size_t>(f.revision.size(), 48));
		relative_ = RelativeCount(target_);
	}

	/*
	 * What the steps tell the server they expect to run (mig_apply's and
	 * mig_begin_nontx's `expected`, 0.5): the checksums of the pushed up
	 * bodies of the revisions to apply.  Not called: the server is older
	 * and checks nothing.
	 */
	void ExpectBodies(std::map<std::string, std::string> expected) { expected_ = std::move(expected); }
	/* Runs exactly these revisions, one step each, in this order: each step
	 * targets the revision itself and expects only it, so a step costs the
	 * same whatever the number of revisions (--atomic: one call expecting
	 * them all). */
	void RunOnly(std::vector<std::string> steps) { steps_ = std::move(steps); }

	/* Runs to the target; returns the number of revisions done. */
	int Run();
	/* Revisions done so far (also after Run threw). */
	int count() const { return count_; }

	Json revisions = Json::Array();
	double seconds = 0;

private:
	void TransactionalStep(bool &done);
	void NontxStep();
	Connection &NontxConnection();
	void Report(const std::string &rev, int statements, double secs, bool nontx);
	void HandleLeaseWait(Error &e);
	void HandleRetry(Error &e);
	void CheckAtomicPlan();
	std::string StepTarget() const;
	void RecordFailure(const Error &e, const std::string &original_message);

	Connection &conn_;
	const Folder &folder_;
	const Globals &g_;
	Out &out_;
	std::string target_;
	bool down_;
	std::size_t id_width_ = 8;
	int count_ = 0;
	std::mt19937_64 rng_;
	std::optional<RetrySchedule> retry_;
	Clock::time_point retry_start_;
	std::optional<PollSchedule> poll_;
	Clock::time_point poll_start_;
	std::string last_waiting_for_;
	bool nontx_next_ = false;
	std::unique_ptr<Connection> direct_; /* --direct-dbname, opened for the first nontx step */
	std::optional<int> relative_; /* N of a "+N" / "-N" target */
	std::optional<std::map<std::string, std::string>> expected_;
	std::optional<std::vector<std::string>> steps_;
	std::size_t next_step_ = 0; /* index into steps_ */
	std::string ExpectedSql() const;
	/* After a step of steps_: the next one; true when there is none. */
	bool AdvanceStep();
};

/*
 * The target of the next one-revision step.  A relative target is resolved
 * again by every call, so "+3" is sent once (the server checks it is in
 * range) and followed by "+1" until three revisions are done.
 */
std::string
Applier::StepTarget() const
{
	if (steps_ && !g_.atomic)
		return next_step_ < steps_->size() ? (*steps_)[next_step_] : target_;
	if (!relative_ || count_ == 0 || g_.atomic)
		return target_;
	return down_ ? "-1" : "+1";
}

/* `expected` as an SQL literal: the current step's revision only, or
 * (--atomic, or no steps) every expected revision. */
std::string
Applier::ExpectedSql() const
{
	if (!expected_)
		return "NULL::pg_catalog.jsonb";
	Json j = Json::Object();
	if (steps_ && !g_.atomic && next_step_ < steps_->size()) {
		auto it = expected_->find((*steps_)[next_step_]);
		if (it != expected_->end())
			j.Set(it->first, it->second);
	} else
		for (const auto &[rev, sum] : *expected_)
			j.Set(rev, sum);
	return conn_.QuoteLiteral(j.Dump(-1)) + "::pg_catalog.jsonb";
}

/* See the declaration. */
bool
Applier::AdvanceStep()
{
	next_step_++;
	return next_step_ >= steps_->size();
}

/* Prints one completed revision and adds it to the JSON. */
void
Applier::Report(const std::string &rev, int statements, double secs, bool nontx)
{
	count_++;
	if (out_.text()) {
		std::string id = rev;
		if (DisplayWidth(id) < id_width_)
			id.append(id_width_ - DisplayWidth(id), ' ');
		std::string stmts = Plural(statements, "statement", "statements");
		if (stmts.size() < 13)
			stmts.insert(0, 13 - stmts.size(), ' ');
		std::string line = "  " + Paint(down_ ? "reverted" : "applied ", Style::kGreen, out_.color) + "  " + id +
			"  " + stmts + "  " + FormatSeconds(secs);
		if (nontx)
			line += "  " + Paint("(non-transactional, run by the client)", Style::kYellow, out_.color);
		out_.Line(line);
	}
	Json r = Json::Object();
	r.Set("revision", rev);
	r.Set("statements", statements);
	r.Set("seconds", secs);
	r.Set("transactional", !nontx);
	revisions.Push(std::move(r));
}

/*
 * One transaction: BEGIN, mig_apply/mig_downgrade (one revision, or all with
 * --atomic), COMMIT.  Rows are reported after COMMIT succeeded.  A lost
 * connection is turned into the truth about the transaction.
 */
void
Applier::TransactionalStep(bool &done)
{
	/* one round trip for BEGIN, the settings and the call, so the values are
	 * literals; COMMIT is sent on its own, so that a connection lost before
	 * it is known not to have committed */
	std::string sql = std::string("SELECT revision, statements, extract(epoch FROM duration)::pg_catalog.float8 AS seconds, "
								  "xid::pg_catalog.text AS xid FROM pgmig.") +
		(down_ ? "mig_downgrade" : "mig_apply") + "(" + conn_.QuoteLiteral(StepTarget()) +
		"::pg_catalog.text, " + conn_.QuoteLiteral(g_.project) + "::pg_catalog.text, true, " + (g_.atomic ? "NULL" : "1") + "::pg_catalog.int4" +
		(!down_ && expected_ ? ", " + ExpectedSql() : std::string()) + ")";
	bool commit_sent = false;
	std::optional<std::string> xid;
	std::vector<std::string> revs;
	try {
		Result r = conn_.BeginWith(sql);
		for (int i = 0; i < r.rows(); i++)
			revs.push_back(r.Text(i, "revision"));
		if (r.rows() > 0)
			xid = r.Get(0, "xid");
		commit_sent = true;
		conn_.Exec("COMMIT");
		for (int i = 0; i < r.rows(); i++)
			Report(r.Text(i, "revision"), static_cast<int>(r.Number(i, "statements")), r.Number(i, "seconds"), false);
		/* with steps, a step that ran nothing (another applier got there
		 * first) is done all the same */
		done = steps_ && !g_.atomic ? AdvanceStep() : r.rows() == 0 || g_.atomic;
	} catch (Error &e) {
		if (!e.connection_lost) {
			RollbackQuietly(conn_);
			throw;
		}
		std::string what = revs.empty() ? "the transaction" : "the transaction of " + Join(revs, ", ");
		if (!commit_sent)
			e.message = "the connection was lost before COMMIT was sent: " + what + " did not commit (" + e.message + ")";
		else if (!xid)
			e.message = "the connection was lost during COMMIT of " + what + "; whether it committed is unknown";
		else {
			std::string status = "unknown (could not reconnect)";
			try {
				conn_.Reconnect();
				Result s = conn_.Exec("SELECT pg_catalog.pg_xact_status($1::pg_catalog.xid8)::pg_catalog.text AS s", {*xid});
				status = s.Get(0, "s").value_or("unknown (too old)");
			} catch (Error &) {
			}
			e.message = "the connection was lost during COMMIT of " + what + "; the server says transaction " + *xid +
				" is " + status;
		}
		e.hint = "run `pgmig status` to see where the database stands";
		throw;
	}
}

/*
 * The session a non-transactional step runs on.  The protocol needs one
 * server session from mig_begin_nontx (whose lease names the backend) through
 * SET ROLE, the statement and RESET ROLE to mig_finish_nontx; behind a pooler
 * in transaction mode each of those may reach another server connection, so
 * the statement would run as the wrong role and SET ROLE would stay on a
 * connection the next client of the pool gets.  The client's own connection
 * is used when it reaches its backend directly; else --direct-dbname, which
 * must; else the step is refused before anything is written.
 */
Connection &
Applier::NontxConnection()
{
	std::optional<int> pooled = conn_.PooledBackend();
	if (!pooled)
		return conn_;
	auto refuse = [](const std::string &what, int announced, int server) {
		Error e("a non-transactional revision is next, and " + what +
				" goes through a connection pooler (PgBouncer or similar): libpq was given backend pid " +
				std::to_string(announced) + " but the statements run in backend " + std::to_string(server) +
				"; the revision needs one server session from mig_begin_nontx to mig_finish_nontx, which transaction "
				"pooling does not keep, so nothing of it was started");
		e.hint = "pass --direct-dbname (or $PGMIG_DIRECT_DBNAME) with a connection string that reaches PostgreSQL "
				 "itself; the transactional revisions keep going through the pooler";
		return e;
	};
	if (!g_.direct_dbname)
		throw refuse("the connection", conn_.announced_pid(), *pooled);
	if (!direct_) {
		ConnectOptions o = conn_.options();
		o.conninfo = g_.direct_dbname;
		direct_ = std::make_unique<Connection>(std::move(o));
		if (std::optional<int> p = direct_->PooledBackend())
			throw refuse("--direct-dbname also", direct_->announced_pid(), *p);
		out_.Note("non-transactional revisions run over --direct-dbname");
	}
	return *direct_;
}

/*
 * The non-transactional protocol: mig_begin_nontx takes the lease (and commits),
 * the client runs the body as one simple query in autocommit (as run_as),
 * mig_finish_nontx checks and records it; on failure mig_abort_nontx cleans up.
 */
void
Applier::NontxStep()
{
	Connection &conn = NontxConnection();
	/* The statement runs outside any transaction, so the settings (lock_timeout
	 * = --wait, pgmig's GUCs) are pinned to the session until the step ends. */
	struct Unpin {
		Connection &conn;
		~Unpin() { conn.UnpinSessionSettings(); }
	} unpin{conn};
	conn.PinSessionSettings();
	Result b = !down_ && expected_
		? conn.Exec("SELECT revision, body, run_as::pg_catalog.text AS run_as, checksum "
					"FROM pgmig.mig_begin_nontx($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text, " + ExpectedSql() + ")",
					{StepTarget(), g_.project, std::string("up")})
		: conn.Exec("SELECT revision, body, run_as::pg_catalog.text AS run_as, checksum "
					"FROM pgmig.mig_begin_nontx($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text)",
					{StepTarget(), g_.project, std::string(down_ ? "down" : "up")});
	if (b.rows() == 0)
		return; /* another applier ran what was pending while we waited; the next step finds out */
	std::string rev = b.Text(0, "revision");
	std::string body = b.Text(0, "body");
	std::string run_as = b.Text(0, "run_as");
	out_.Note("running " + rev + " (non-transactional, run by the client)");
	Result u = conn.Exec("SELECT current_user::pg_catalog.text AS u");
	bool switch_role = !run_as.empty() && run_as != u.Text(0, "u");
	auto abort = [&](const Error &e) {
		try {
			Result a = conn.ExecTx("SELECT action FROM pgmig.mig_abort_nontx($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text, $4::pg_catalog.text)",
								  {rev, e.sqlstate, e.message, g_.project});
			for (int i = 0; i < a.rows(); i++)
				out_.Note(rev + ": " + a.Text(i, "action"));
		} catch (Error &abort_error) {
			out_.Note("warning: mig_abort_nontx failed: " + abort_error.message);
		}
	};
	try {
		if (switch_role)
			conn.ExecSimple("SET ROLE " + conn.QuoteIdent(run_as));
		conn.ExecSimple(body);
		if (switch_role)
			conn.ExecSimple("RESET ROLE");
	} catch (Error &e) {
		if (e.connection_lost) {
			e.message = "the connection was lost while running the non-transactional revision " + rev + ": " + e.message;
			e.hint = "the next pgmig run recovers its lease and cleans up (see `pgmig status`)";
			throw;
		}
		if (switch_role)
			conn.TryExec("RESET ROLE");
		abort(e);
		e.message = NontxBodyMessage(rev, down_, body, e.position, e.message);
		throw;
	}
	try {
		Result f = conn.ExecTx("SELECT revision, statements, extract(epoch FROM duration)::pg_catalog.float8 AS seconds "
								"FROM pgmig.mig_finish_nontx($1::pg_catalog.text, $2::pg_catalog.text)",
							  {rev, g_.project});
		for (int i = 0; i < f.rows(); i++)
			Report(f.Text(i, "revision"), static_cast<int>(f.Number(i, "statements")), f.Number(i, "seconds"), true);
	} catch (Error &e) {
		if (e.sqlstate == "PM037")
			abort(e);
		throw;
	}
	/* the step's revision may be a descendant of the one just run; the
	 * next transactional step of the same target finds out */
}

/* PM033: note who holds the lease, sleep by the poll schedule within --wait. */
void
Applier::HandleLeaseWait(Error &e)
{
	if (g_.nowait)
		throw e;
	if (!poll_) {
		poll_.emplace(200, 5000, g_.wait_ms);
		poll_start_ = Clock::now();
	}
	std::optional<std::int64_t> sleep = poll_->Next(MsSince(poll_start_));
	if (!sleep) {
		e.message = "gave up waiting after " + FormatSeconds(g_.wait_ms / 1000.0) + " (--wait): " + e.message;
		throw e;
	}
	std::string who = e.message;
	try {
		Result l = conn_.Exec("SELECT revision, backend_pid FROM pgmig.mig_lease($1::pg_catalog.text)", {g_.project});
		if (l.rows() > 0)
			who = l.Text(0, "revision") + " (pid " + l.Text(0, "backend_pid") + ")";
	} catch (Error &) {
		RollbackQuietly(conn_);
	}
	if (who != last_waiting_for_)
		out_.Note("waiting for " + who + ", a non-transactional revision another session is running");
	last_waiting_for_ = who;
	SleepMs(*sleep);
}

/* 55P03/40P01 in a body: jittered back-off within --retry-budget. */
void
Applier::HandleRetry(Error &e)
{
	if (!retry_) {
		std::uniform_real_distribution<double> dist(0.0, 1.0);
		retry_.emplace(500, 30000, g_.retry_budget_ms, [this, dist]() mutable { return dist(rng_); });
		retry_start_ = Clock::now();
	}
	std::optional<std::int64_t> sleep = retry_->Next(MsSince(retry_start_));
	std::string where = e.file.empty() ? "" : e.file + ":" + std::to_string(e.line) + ": ";
	if (!sleep) {
		e.message += " (gave up after " + Plural(retry_->attempts() + 1, "attempt", "attempts") +
			" within the retry budget)";
		throw e;
	}
	out_.Note(where + e.message + "; attempt " + std::to_string(retry_->attempts() + 1) + " starts in " +
			  FormatSeconds(*sleep / 1000.0));
	SleepMs(*sleep);
}

/*
 * Records a body's failure in the server's history (mig_record_failure,
 * 0.5): only for errors raised by a body (the message names the revision;
 * pgmig's own refusals such as PM023 are not about the body), never for a
 * lost connection, and silently not on an older server.
 */
void
Applier::RecordFailure(const Error &e, const std::string &original_message)
{
	const std::string prefix = "revision \"";
	if (e.connection_lost || e.revision.empty() || original_message.compare(0, prefix.size(), prefix) != 0 ||
		(e.sqlstate.compare(0, 2, "PM") == 0 && e.sqlstate != "PM015" && e.sqlstate != "PM016"))
		return;
	try {
		conn_.ExecTx("SELECT pgmig.mig_record_failure($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text, "
					 "$4::pg_catalog.text, $5::pg_catalog.text)",
					 {e.revision, std::string(down_ ? "down" : "up"), e.sqlstate, original_message, g_.project});
	} catch (Error &) {
		RollbackQuietly(conn_);
	}
}

/* --atomic cannot include a revision the client must run outside a transaction. */
void
Applier::CheckAtomicPlan()
{
	Result p = conn_.Exec("SELECT DISTINCT revision FROM pgmig.mig_plan($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text) "
						  "WHERE NOT transactional ORDER BY 1",
						  {target_, g_.project, std::string(down_ ? "down" : "up")});
	if (p.rows() == 0)
		return;
	std::vector<std::string> revs;
	for (int i = 0; i < p.rows(); i++)
		revs.push_back(p.Text(i, "revision"));
	Error e("--atomic cannot include the non-transactional " +
			std::string(revs.size() == 1 ? "revision " : "revisions ") + Join(revs, ", "));
	e.hint = "run without --atomic (one transaction per revision), or stop at a target before it";
	throw e;
}

/* The loop of the file header. */
int
Applier::Run()
{
	Clock::time_point start = Clock::now();
	if (g_.atomic)
		CheckAtomicPlan();
	bool done = false;
	while (!done) {
		/* the first call always goes out: the server checks N ("+0" is PM008) */
		if (relative_ && !g_.atomic && count_ > 0 && count_ >= *relative_)
			break;
		if (steps_ && !g_.atomic && next_step_ >= steps_->size())
			break;
		bool tx_step = !nontx_next_;
		try {
			if (nontx_next_) {
				NontxStep();
				nontx_next_ = false;
			} else
				TransactionalStep(done);
			retry_.reset();
			poll_.reset();
			last_waiting_for_.clear();
		} catch (Error &e) {
			if (e.sqlstate == "PM036" && nontx_next_) {
				/* another applier ran the non-transactional revision meanwhile:
				 * the next one is transactional again */
				nontx_next_ = false;
				continue;
			}
			Reaction reaction = ReactionFor(e.sqlstate, e.message);
			std::string original = e.message;
			LocateInFolder(e, folder_);
			/* a body that failed in its transaction left nothing in the
			 * history: record it once the client gives up on it */
			if (tx_step && reaction == Reaction::kFail)
				RecordFailure(e, original);
			if (tx_step && reaction == Reaction::kRetryWithBackoff) {
				try {
					HandleRetry(e);
				} catch (Error &) {
					RecordFailure(e, original);
					throw;
				}
				continue;
			}
			switch (reaction) {
			case Reaction::kRunNontx:
				if (g_.atomic || nontx_next_) {
					if (g_.atomic)
						e.hint = "run without --atomic: the client runs non-transactional revisions itself";
					throw;
				}
				nontx_next_ = true;
				break;
			case Reaction::kWaitForLease:
				HandleLeaseWait(e);
				break;
			case Reaction::kRetryWithBackoff:
				HandleRetry(e);
				break;
			default:
				throw;
			}
		}
	}
	seconds = SecondsSince(start);
	return count_;
}

/* 128 random bits in hex: the id of one client run (pgmig.run_id). */
std::string
NewRunId()
{
	std::random_device rd;
	std::string id;
	static const char kHex[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++) {
		unsigned v = rd();
		for (int j = 0; j < 4; j++, v >>= 4)
			id += kHex[v & 15];
	}
	return id;
}

/*
 * Turns pgmig.fingerprint off for the run's transactions; false on a server
 * without mig_snapshot.  On 0.4 or later (mig_sync exists, and with it the
 * library that knows pgmig.run_id) every transaction also names the run, so
 * the schema before the run is kept in the database, not in one backend's
 * memory: behind a transaction pooler the run's calls and its closing
 * mig_snapshot may each reach another server connection.
 */
bool
TurnOffFingerprint(Connection &conn)
{
	try {
		conn.SetLocal("pgmig.fingerprint", "off");
		Result r = conn.Exec("SELECT pg_catalog.to_regprocedure('pgmig.mig_snapshot(pg_catalog.text)') IS NOT NULL AS has, "
							 "pg_catalog.to_regprocedure('pgmig.mig_sync(pg_catalog.text)') IS NOT NULL AS has_run_id");
		if (r.Bool(0, "has_run_id"))
			conn.SetLocal("pgmig.run_id", NewRunId());
		return r.Bool(0, "has");
	} catch (Error &e) {
		if (e.connection_lost)
			throw;
		RollbackQuietly(conn);
		return false;
	}
}

/* The revisions pending on the server, in apply order (mig_status). */
std::vector<std::string>
PendingRevisions(Connection &conn, const Globals &g)
{
	Result r = conn.Exec("SELECT pending_revisions FROM pgmig.mig_status($1::pg_catalog.text)", {g.project});
	return r.rows() > 0 ? r.Array(0, "pending_revisions") : std::vector<std::string>{};
}

/* Whether the server's mig_apply takes `expected` (0.5). */
bool
ServerChecksBodies(Connection &conn)
{
	Result r = conn.Exec("SELECT pg_catalog.to_regprocedure('pgmig.mig_apply(pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.jsonb)') "
						 "IS NOT NULL AS has");
	return r.Bool(0, "has");
}

/* Records the schema after a run (mig_snapshot); a failure is reported, not fatal. */
void
RecordSnapshot(Connection &conn, const Globals &g)
{
	try {
		conn.ExecTx("SELECT digest FROM pgmig.mig_snapshot($1::pg_catalog.text)", {g.project});
	} catch (Error &e) {
		RollbackQuietly(conn);
		std::cerr << "pgmig: warning: the schema fingerprint was not recorded: " << e.message << "\n";
	}
}

/* "up"/"down" and the summary line. */
void
ApplySummary(Connection &conn, const Globals &g, Out &out, const Applier &a, int n, bool down)
{
	std::vector<std::string> current = CurrentHeads(conn, g);
	if (n == 0)
		out.Line(std::string(down ? "nothing to downgrade; " : "nothing to apply; ") + AtText(current));
	else
		out.Line(Plural(n, "revision", "revisions") + (down ? " reverted in " : " applied in ") +
				 FormatSeconds(a.seconds) + "; " + AtText(current));
	out.doc.Set("current", Json::Strings(current));
}

/* A folder for mapping error locations when it can be read; empty otherwise. */
Folder
FolderForMessages(const Globals &g)
{
	std::error_code ec;
	if (!std::filesystem::is_directory(g.dir, ec))
		return Folder{};
	return ReadFolder(g.dir);
}

/* Writes a new migration file; refuses to overwrite. */
void
WriteNewFile(const std::string &path, const std::string &text)
{
	std::FILE *fp = std::fopen(path.c_str(), "wx");
	if (fp == nullptr)
		throw Error("could not create " + path + ": " + std::strerror(errno));
	bool ok = std::fwrite(text.data(), 1, text.size(), fp) == text.size();
	ok = (std::fclose(fp) == 0) && ok;
	if (!ok)
		throw Error("could not write " + path + ": " + std::strerror(errno));
}

/* True when an id starts with the "YYYYMMDD_HHMMSS" of MakeRevisionId. */
bool
HasTimePrefix(const std::string &id)
{
	if (id.size() < 15 || id[8] != '_')
		return false;
	for (std::size_t i = 0; i < 15; i++)
		if (i != 8 && !std::isdigit(static_cast<unsigned char>(id[i])))
			return false;
	return true;
}

/*
 * A new id that sorts after every time-stamped id already in the folder, so
 * that creation order is id order even for two revisions made within one
 * second (or after a clock step back): the time is moved forward a second at
 * a time until its prefix is past the newest one.
 */
std::string
NewRevisionId(const std::string &dir, const std::string &message)
{
	std::string newest;
	std::error_code ec;
	if (std::filesystem::is_directory(dir, ec))
		for (const auto &f : ReadFolder(dir).files)
			if (HasTimePrefix(f.revision) && f.revision.compare(0, 15, newest, 0, 15) > 0)
				newest = f.revision.substr(0, 15);
	std::time_t t = std::time(nullptr);
	std::string id = MakeRevisionId(t, message);
	while (!newest.empty() && id.compare(0, 15, newest) <= 0)
		id = MakeRevisionId(++t, message);
	return id;
}

/* new and merge: the file, its report. */
int
CreateRevision(const Globals &g, Out &out, MigrationFile m)
{
	std::error_code ec;
	std::filesystem::create_directories(g.dir, ec);
	if (m.revision.empty())
		m.revision = NewRevisionId(g.dir, m.message.value_or(""));
	m.path = (std::filesystem::path(g.dir) / (m.revision + ".sql")).string();
	WriteNewFile(m.path, RenderMigrationFile(m));
	out.Line("created " + m.path);
	if (!m.parents.empty())
		out.Line("  parents  " + Join(m.parents, " "));
	out.doc.Set("revision", m.revision);
	out.doc.Set("file", m.path);
	out.doc.Set("parents", Json::Strings(m.parents));
	return kExitOk;
}

} // namespace

/* stdout, flushed so that progress shows at once. */
void
Out::Line(const std::string &text) const
{
	if (this->text()) {
		std::cout << text << '\n';
		std::cout.flush();
	}
}

/* stdout, as is. */
void
Out::Text(const std::string &text) const
{
	if (this->text() && !text.empty()) {
		std::cout << text;
		std::cout.flush();
	}
}

/* stderr. */
void
Out::Note(const std::string &text) const
{
	if (!quiet)
		std::cerr << "pgmig: " << text << std::endl;
}

static int InitOnce(Connection &conn, Out &out);

/*
 * init: under a fixed advisory lock (so that two deploys starting at once do
 * not race), create the extension or update it to the server's default
 * version.  The advisory lock is per database, but the roles the install
 * script creates (pgmig_reader, ...) are per cluster: first inits in several
 * databases at once raced on them (duplicate key on pg_authid).  So a
 * create or update also locks pg_authid (SHARE ROW EXCLUSIVE: it waits for
 * other role changes and makes them wait, logins are not blocked), and a
 * failure of that kind is retried a few times all the same.
 */
int
VerbInit(const Globals &g, Out &out)
{
	Connection conn(ConnectOptionsFor(g));
	for (int attempt = 1;; attempt++) {
		try {
			return InitOnce(conn, out);
		} catch (Error &e) {
			bool race = e.sqlstate == "23505" || e.sqlstate == "40P01" || e.sqlstate == "XX000";
			if (e.connection_lost || !race || attempt == 5)
				throw;
			RollbackQuietly(conn);
			SleepMs(50 * attempt);
		}
	}
}

/* One attempt of init, in one transaction. */
static int
InitOnce(Connection &conn, Out &out)
{
	conn.Begin();
	conn.Exec("SELECT pg_catalog.pg_advisory_xact_lock(8099562745767029108)");
	Result avail = conn.Exec("SELECT default_version FROM pg_catalog.pg_available_extensions "
							 "WHERE name OPERATOR(pg_catalog.=) 'pgmig'");
	if (avail.rows() == 0) {
		Error e("the pgmig extension is not available on this server");
		e.hint = "install it on the server (make install), then run pgmig init again";
		throw e;
	}
	std::string available = avail.Text(0, "default_version");
	Result inst = conn.Exec("SELECT extversion FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pgmig'");
	std::string action = "unchanged";
	std::string before = inst.rows() > 0 ? inst.Text(0, "extversion") : "";
	bool create = inst.rows() == 0;
	bool update = !create && CompareVersions(before, available) < 0;
	if (create || update)
		conn.Exec("LOCK TABLE pg_catalog.pg_authid IN SHARE ROW EXCLUSIVE MODE");
	if (create) {
		conn.Exec("CREATE EXTENSION IF NOT EXISTS pgmig");
		action = "created";
	} else if (update) {
		conn.Exec("ALTER EXTENSION pgmig UPDATE");
		action = "updated";
	}
	Result now = conn.Exec("SELECT extversion FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pgmig'");
	std::string version = now.Text(0, "extversion");
	conn.Exec("COMMIT");
	if (action == "created")
		out.Line("created extension pgmig " + version);
	else if (action == "updated")
		out.Line("updated extension pgmig from " + before + " to " + version);
	else
		out.Line("extension pgmig " + version + " is already installed");
	out.doc.Set("action", action);
	out.doc.Set("version", version);
	if (!before.empty())
		out.doc.Set("previous_version", before);
	return kExitOk;
}

/* new "message": parents = the folder's head (or --parent). */
int
VerbNew(const Globals &g, Out &out, const NewArgs &args)
{
	MigrationFile m;
	if (!args.message.empty())
		m.message = args.message;
	m.parents = args.parents;
	m.depends_on = args.depends_on;
	m.branch_labels = args.branch;
	m.nontransactional = args.nontransactional;
	if (args.parents.empty()) {
		Folder folder = FolderForMessages(g);
		if (!folder.ok()) {
			Error e = FolderError(folder, g.dir);
			e.message = Plural(static_cast<std::int64_t>(folder.diagnostics.size()), "problem", "problems") + " in " +
				g.dir + "; cannot tell the new revision's parent";
			e.hint = "fix them, or name the parent with --parent ID";
			throw e;
		}
		m.parents = folder.Heads();
		if (m.parents.size() > 1) {
			Error e("the migrations in " + g.dir + " have " + std::to_string(m.parents.size()) +
					" heads: " + Join(m.parents, ", "));
			e.hint = "join them first with `pgmig merge`, or name the parent with --parent ID";
			throw e;
		}
	}
	m.up = args.nontransactional ? "-- one non-transactional statement, e.g. CREATE INDEX CONCURRENTLY ...\n"
								 : "-- write the up migration here\n";
	m.down = "-- write the down migration here (delete this section if the revision cannot be undone)\n";
	return CreateRevision(g, out, std::move(m));
}

/* merge: parents = every head of the folder (at least two). */
int
VerbMerge(const Globals &g, Out &out, const NewArgs &args)
{
	Folder folder = ReadFolderOrThrow(g);
	std::vector<std::string> heads = folder.Heads();
	if (heads.size() < 2) {
		Error e("nothing to merge: the migrations in " + g.dir + " have " + Plural(heads.size(), "head", "heads"));
		throw e;
	}
	MigrationFile m;
	m.message = args.message.empty() ? "merge " + Join(heads, " and ") : args.message;
	m.revision = NewRevisionId(g.dir, args.message.empty() ? "merge" : args.message);
	m.parents = heads;
	m.branch_labels = args.branch;
	m.up = "-- merge revision: joins the heads, changes nothing\nSELECT 1;\n";
	m.down = "SELECT 1;\n";
	return CreateRevision(g, out, std::move(m));
}

/* push: one mig_upload_batch call. */
int
VerbPush(const Globals &g, Out &out)
{
	Folder folder = ReadFolderOrThrow(g);
	Connection conn(ConnectOptionsFor(g));
	Push(conn, folder, g, out, true);
	return kExitOk;
}

/* up [TARGET] / down TARGET: push (up only), then the Applier. */
int
VerbApply(const Globals &g, Out &out, const ApplyArgs &args)
{
	Folder folder;
	std::string target;
	if (!args.down) {
		folder = ReadFolderOrThrow(g);
		target = args.target ? *args.target : SingleHead(folder, g);
	} else {
		folder = FolderForMessages(g);
		target = *args.target;
	}
	out.doc.Set("command", args.down ? "down" : "up");
	out.doc.Set("target", target);
	/* a relative target goes one way only */
	if (std::optional<int> offset = RelativeOffset(target); offset && *offset != 0 && (*offset < 0) != args.down) {
		std::string n = std::to_string(*offset < 0 ? -*offset : *offset);
		Error e(args.down ? "`pgmig down +" + n + "` would go forward: down takes -N (undo the last N revisions) or "
							"a target that is applied"
						  : "`pgmig up -" + n + "` would go back: up takes +N (the next N pending revisions) or a "
							"target",
				kExitUsage);
		e.hint = args.down ? "to apply " + n + " more, run `pgmig up +" + n + "`"
						   : "to undo the last " + n + ", run `pgmig down -" + n + "`";
		throw e;
	}
	Connection conn(ConnectOptionsFor(g));
	std::optional<std::map<std::string, std::string>> expected;
	std::optional<std::vector<std::string>> steps;
	if (!args.down) {
		PushCounts pushed = Push(conn, folder, g, out, false);
		/* The server holds exactly the folder and has applied all of it: the
		 * default target (the folder's head) is applied, and the applied heads
		 * are the folder's heads.  Nothing else to ask. */
		if ((!args.target || RelativeOffset(target)) && !pushed.uploaded && pushed.pending == 0) {
			std::vector<std::string> current = folder.Heads();
			out.Line("nothing to apply; " + AtText(current));
			out.doc.Set("revisions", Json::Array());
			out.doc.Set("seconds", 0.0);
			out.doc.Set("current", Json::Strings(current));
			return kExitOk;
		}
		/* What this run will run: the revisions pending now that the folder
		 * has and the target needs (all of its ancestors are the folder's),
		 * in the server's order; for "+N" the next N of the folder's pending
		 * revisions, so a relative target never reaches a revision the
		 * folder lacks.  Each is one step that targets it and tells the
		 * server the checksum of the body this client pushed (`expected`):
		 * another release's push in between makes the server refuse
		 * (PM023).  A target the folder does not resolve gets one call that
		 * expects nothing: refused if anything is pending towards it. */
		std::vector<std::string> pending = PendingRevisions(conn, g);
		std::vector<std::string> ours;
		std::optional<int> n = RelativeCount(target);
		if (n && *n > 0) {
			for (const std::string &r : pending)
				if (pushed.checksums.count(r))
					ours.push_back(r);
			if (ours.empty()) {
				std::vector<std::string> current = CurrentHeads(conn, g);
				out.Line("nothing to apply in " + g.dir + "; " + AtText(current));
				out.doc.Set("revisions", Json::Array());
				out.doc.Set("seconds", 0.0);
				out.doc.Set("current", Json::Strings(current));
				return kExitOk;
			}
			if (static_cast<std::size_t>(*n) > ours.size()) {
				Error e("`pgmig up " + target + "`: only " + Plural(static_cast<std::int64_t>(ours.size()), "revision",
																	"revisions") +
						" of " + g.dir + " " + (ours.size() == 1 ? "is" : "are") + " pending (" + Join(ours, ", ") + ")");
				e.hint = "run `pgmig up` to apply them all";
				throw e;
			}
			ours.resize(static_cast<std::size_t>(*n));
			steps = ours;
		} else if (!n) {
			if (std::optional<std::unordered_set<std::string>> needed = folder.AncestorIds(target)) {
				for (const std::string &r : pending)
					if (needed->count(r) && pushed.checksums.count(r))
						ours.push_back(r);
				steps = ours;
			}
		}
		if (ServerChecksBodies(conn)) {
			expected.emplace();
			for (const std::string &r : ours)
				expected->emplace(r, pushed.checksums.at(r));
		} else if (!n || *n == 0)
			steps.reset(); /* an older server: the target as before */
		if (steps && steps->empty()) {
			/* nothing of the folder is pending towards the target: one call
			 * that expects nothing confirms it (or refuses what is pending) */
			steps.reset();
		}
	}
	/* One revision per call: no fingerprint per call (each costs a pass over
	 * the catalog); one mig_snapshot at the end records what the run changed.
	 * With --atomic the single call records it. */
	bool snapshot_at_end = !g.atomic && TurnOffFingerprint(conn);
	Applier applier(conn, folder, g, out, target, args.down);
	if (expected)
		applier.ExpectBodies(std::move(*expected));
	if (steps)
		applier.RunOnly(std::move(*steps));
	int n;
	try {
		n = applier.Run();
	} catch (Error &e) {
		out.doc.Set("revisions", applier.revisions);
		if (snapshot_at_end && !e.connection_lost && applier.count() > 0)
			RecordSnapshot(conn, g);
		/* where the run left the database, as after a success */
		if (!e.connection_lost && conn.ok()) {
			try {
				RollbackQuietly(conn);
				std::vector<std::string> current = CurrentHeads(conn, g);
				out.Line(Plural(applier.count(), "revision", "revisions") +
						 (args.down ? " reverted" : " applied") + " before the failure; " + AtText(current));
				out.doc.Set("current", Json::Strings(current));
			} catch (Error &) {
			}
		}
		throw;
	}
	if (snapshot_at_end && n > 0)
		RecordSnapshot(conn, g);
	out.doc.Set("revisions", applier.revisions);
	out.doc.Set("seconds", applier.seconds);
	ApplySummary(conn, g, out, applier, n, args.down);
	return kExitOk;
}

/* stamp TARGET...: mig_stamp(text[]). */
int
VerbStamp(const Globals &g, Out &out, const std::vector<std::string> &targets)
{
	Connection conn(ConnectOptionsFor(g));
	Result r = conn.ExecTx("SELECT revision, action FROM pgmig.mig_stamp($1::pg_catalog.text[], $2::pg_catalog.text)",
						   {PgArrayLiteral(targets), g.project});
	Table t({"action", "revision"});
	Json rows = Json::Array();
	int added = 0, removed = 0;
	for (int i = 0; i < r.rows(); i++) {
		std::string action = r.Text(i, "action");
		(action == "added" ? added : removed)++;
		t.AddRow({action, r.Text(i, "revision")});
		Json row = Json::Object();
		row.Set("revision", r.Text(i, "revision"));
		row.Set("action", action);
		rows.Push(std::move(row));
	}
	if (out.text() && t.rows() > 0)
		out.Text(t.Render(out.color, false, "  "));
	std::vector<std::string> current = CurrentHeads(conn, g);
	out.Line("stamped: " + std::to_string(added) + " added, " + std::to_string(removed) + " removed; " + AtText(current));
	out.doc.Set("revisions", std::move(rows));
	out.doc.Set("current", Json::Strings(current));
	return kExitOk;
}

/* heads: mig_heads. */
int
VerbHeads(const Globals &g, Out &out)
{
	Connection conn(ConnectOptionsFor(g));
	Result r = conn.Exec("SELECT revision, applied, branch_labels, message FROM pgmig.mig_heads($1::pg_catalog.text)", {g.project});
	Table t({"revision", "applied", "labels", "message"});
	Json rows = Json::Array();
	for (int i = 0; i < r.rows(); i++) {
		t.AddRow({r.Text(i, "revision"), r.Bool(i, "applied") ? "yes" : "no", Join(r.Array(i, "branch_labels"), " "),
				  r.Text(i, "message")});
		Json row = Json::Object();
		row.Set("revision", r.Text(i, "revision"));
		row.Set("applied", r.Bool(i, "applied"));
		row.Set("branch_labels", Json::Strings(r.Array(i, "branch_labels")));
		row.Set("message", Json::OptString(r.Get(i, "message")));
		rows.Push(std::move(row));
	}
	if (r.rows() == 0)
		out.Line("no revisions in project " + g.project);
	else
		out.Text(t.Render(out.color));
	out.doc.Set("heads", std::move(rows));
	return kExitOk;
}

/* current: the applied heads, one per line. */
int
VerbCurrent(const Globals &g, Out &out)
{
	Connection conn(ConnectOptionsFor(g));
	std::vector<std::string> current = CurrentHeads(conn, g);
	for (const std::string &c : current)
		out.Line(c);
	if (current.empty())
		out.Line("base (nothing applied)");
	out.doc.Set("current", Json::Strings(current));
	return kExitOk;
}

/* history [--limit N]: mig_history, oldest first. */
int
VerbHistory(const Globals &g, Out &out, const HistoryArgs &args)
{
	Connection conn(ConnectOptionsFor(g));
	Result r = conn.Exec(
		"SELECT * FROM (SELECT event_id, at::pg_catalog.text AS at, pg_catalog.to_char(at, 'YYYY-MM-DD HH24:MI:SS') AS at_short, kind, "
		"revision, target, who::pg_catalog.text AS who, extract(epoch FROM duration)::pg_catalog.float8 AS seconds, sqlstate, message "
		"FROM pgmig.mig_history($1::pg_catalog.text) ORDER BY event_id DESC LIMIT $2::pg_catalog.int8) h ORDER BY event_id",
		{g.project, args.limit ? std::optional<std::string>(std::to_string(*args.limit)) : std::nullopt});
	Table t({"id", "at", "kind", "revision", "target", "who", "duration", "sqlstate", "message"});
	t.AlignRight(0);
	Json rows = Json::Array();
	for (int i = 0; i < r.rows(); i++) {
		auto dur = r.Get(i, "seconds");
		t.AddRow({r.Text(i, "event_id"), r.Text(i, "at_short"), r.Text(i, "kind"), r.Text(i, "revision"),
				  r.Text(i, "target"), r.Text(i, "who"), dur ? FormatSeconds(r.Number(i, "seconds")) : "",
				  r.Text(i, "sqlstate"), r.Text(i, "message")});
		Json row = Json::Object();
		row.Set("event_id", static_cast<std::int64_t>(std::atoll(r.Text(i, "event_id").c_str())));
		row.Set("at", r.Text(i, "at"));
		row.Set("kind", r.Text(i, "kind"));
		row.Set("revision", Json::OptString(r.Get(i, "revision")));
		row.Set("target", Json::OptString(r.Get(i, "target")));
		row.Set("who", r.Text(i, "who"));
		row.Set("seconds", dur ? Json(r.Number(i, "seconds")) : Json());
		row.Set("sqlstate", Json::OptString(r.Get(i, "sqlstate")));
		row.Set("message", Json::OptString(r.Get(i, "message")));
		rows.Push(std::move(row));
	}
	if (r.rows() == 0)
		out.Line("no events in project " + g.project);
	else
		out.Text(t.Render(out.color));
	out.doc.Set("events", std::move(rows));
	return kExitOk;
}

/* status: mig_status as a key/value list. */
int
VerbStatus(const Globals &g, Out &out)
{
	Connection conn(ConnectOptionsFor(g));
	Result r = conn.Exec("SELECT current, heads, applied, pending, pending_revisions, nontransactional_pending "
						 "FROM pgmig.mig_status($1::pg_catalog.text)",
						 {g.project});
	std::vector<std::string> current = r.Array(0, "current");
	std::vector<std::string> heads = r.Array(0, "heads");
	std::vector<std::string> pending = r.Array(0, "pending_revisions");
	std::vector<std::string> nontx = r.Array(0, "nontransactional_pending");
	Table t({"key", "value"});
	t.AddRow({"project", g.project});
	t.AddRow({"current", current.empty() ? "base (nothing applied)" : Join(current, " ")});
	t.AddRow({"heads", heads.empty() ? "(none)" : Join(heads, " ")});
	t.AddRow({"applied", r.Text(0, "applied")});
	t.AddRow({"pending", r.Text(0, "pending")});
	out.Text(t.Render(out.color, false));
	if (!pending.empty() && out.text()) {
		std::set<std::string> nontx_set(nontx.begin(), nontx.end());
		out.Line("pending revisions, in apply order:");
		for (const std::string &p : pending)
			out.Line("  " + p + (nontx_set.count(p) ? "  " + Paint("(non-transactional)", Style::kYellow, out.color) : ""));
	}
	out.doc.Set("project", g.project);
	out.doc.Set("current", Json::Strings(current));
	out.doc.Set("heads", Json::Strings(heads));
	out.doc.Set("applied", static_cast<std::int64_t>(r.Number(0, "applied")));
	out.doc.Set("pending", static_cast<std::int64_t>(r.Number(0, "pending")));
	out.doc.Set("pending_revisions", Json::Strings(pending));
	out.doc.Set("nontransactional_pending", Json::Strings(nontx));
	return kExitOk;
}

/* plan [TARGET] [--down]: push, then mig_plan with body lines mapped to file lines. */
int
VerbPlan(const Globals &g, Out &out, const ApplyArgs &args)
{
	Folder folder = ReadFolderOrThrow(g);
	std::string target = args.target ? *args.target : SingleHead(folder, g);
	Connection conn(ConnectOptionsFor(g));
	{
		/* The push report is not what plan is about: keep it out of text output. */
		Out quiet_push = out;
		quiet_push.quiet = true;
		Push(conn, folder, g, quiet_push, false);
	}
	Result r = conn.Exec("SELECT step, revision, statement, line, transactional, lock, sql "
						 "FROM pgmig.mig_plan($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text) ORDER BY step, statement",
						 {target, g.project, std::string(args.down ? "down" : "up")});
	Table t({"step", "revision", "where", "tx", "lock", "statement"});
	t.AlignRight(0);
	Json rows = Json::Array();
	for (int i = 0; i < r.rows(); i++) {
		std::string rev = r.Text(i, "revision");
		int line = static_cast<int>(r.Number(i, "line"));
		const MigrationFile *f = folder.Find(rev);
		std::string where;
		int file_line = 0;
		if (f) {
			file_line = (args.down ? f->down_line : f->up_line) + line - 1;
			where = f->path + ":" + std::to_string(file_line);
		}
		std::optional<std::string> sql_text = r.Get(i, "sql");
		/* a role that may not run the bodies is not shown them */
		std::string sql = sql_text ? *sql_text : "(statement hidden: it takes pgmig_deployer to see it)";
		std::size_t start = sql.find_first_not_of(" \t\r\n");
		sql = start == std::string::npos ? "" : sql.substr(start);
		std::string first = sql.substr(0, sql.find('\n'));
		if (DisplayWidth(first) > 60 || first.size() < sql.size())
			first = first.substr(0, std::min<std::size_t>(first.size(), 57)) + "...";
		bool tx = r.Bool(i, "transactional");
		t.AddRow({r.Text(i, "step"), rev, where, tx ? "yes" : Paint("no", Style::kYellow, out.color),
				  r.Text(i, "lock"), first});
		Json row = Json::Object();
		row.Set("step", static_cast<std::int64_t>(r.Number(i, "step")));
		row.Set("revision", rev);
		row.Set("statement", static_cast<std::int64_t>(r.Number(i, "statement")));
		row.Set("line", line);
		row.Set("file", f ? Json(f->path) : Json());
		row.Set("file_line", f ? Json(file_line) : Json());
		row.Set("transactional", tx);
		row.Set("lock", Json::OptString(r.Get(i, "lock")));
		row.Set("sql", Json::OptString(sql_text));
		rows.Push(std::move(row));
	}
	if (r.rows() == 0)
		out.Line(std::string(args.down ? "nothing to downgrade to " : "nothing to apply up to ") + target);
	else
		out.Text(t.Render(out.color));
	out.doc.Set("target", target);
	out.doc.Set("direction", args.down ? "down" : "up");
	out.doc.Set("statements", std::move(rows));
	return kExitOk;
}

/*
 * verify: every finding at once (folder problems, several heads, applied
 * revisions whose file changed or is missing); exit 3 when there is any.
 */
int
VerbVerify(const Globals &g, Out &out)
{
	Folder folder = ReadFolder(g.dir);
	Json findings = Json::Array();
	std::vector<std::string> lines;
	auto add = [&](const std::string &kind, const std::string &file, int line, const std::string &revision,
				   const std::string &message) {
		std::string loc = file.empty() ? "" : file + (line > 0 ? ":" + std::to_string(line) : "") + ": ";
		lines.push_back(loc + message);
		Json f = Json::Object();
		f.Set("kind", kind);
		f.Set("file", file.empty() ? Json() : Json(file));
		f.Set("line", line > 0 ? Json(line) : Json());
		f.Set("revision", revision.empty() ? Json() : Json(revision));
		f.Set("message", message);
		findings.Push(std::move(f));
	};
	for (const Diagnostic &d : folder.diagnostics)
		add("file", d.file, d.line, "", d.message);
	std::vector<std::string> heads = folder.Heads();
	if (heads.size() > 1)
		add("heads", g.dir, 0, "", std::to_string(heads.size()) + " heads: " + Join(heads, ", ") + " (join them with `pgmig merge`)");

	Connection conn(ConnectOptionsFor(g));
	Result r = conn.Exec("SELECT revision, checksum, down_checksum, applied FROM pgmig.mig_revisions($1::pg_catalog.text) "
						 "ORDER BY revision",
						 {g.project});
	int applied = 0;
	for (int i = 0; i < r.rows(); i++) {
		if (!r.Bool(i, "applied"))
			continue;
		applied++;
		std::string rev = r.Text(i, "revision");
		const MigrationFile *f = folder.Find(rev);
		if (f == nullptr) {
			add("missing", "", 0, rev, "applied revision " + rev + " has no file in " + g.dir);
			continue;
		}
		if (core::ChecksumBody(f->up) != r.Text(i, "checksum"))
			add("changed", f->path, f->up_line, rev,
				"the up body differs from the one applied as " + rev + " (write a new revision instead)");
		std::optional<std::string> down_sum = r.Get(i, "down_checksum");
		std::optional<std::string> file_down = f->down ? std::optional<std::string>(core::ChecksumBody(*f->down)) : std::nullopt;
		if (down_sum != file_down)
			add("changed", f->path, f->down ? f->down_line : 0, rev,
				"the down body differs from the one stored with applied revision " + rev);
	}
	for (const DriftRow &d : ReadDrift(conn, true)) {
		add("drift", "", 0, "", d.change + " " + d.kind + " " + d.identity + " outside pgmig (see `pgmig drift`)");
	}
	for (const std::string &l : lines)
		out.Line(l);
	if (lines.empty())
		out.Line("verify: ok (" + Plural(static_cast<std::int64_t>(folder.files.size()), "file", "files") + ", " +
				 Plural(applied, "applied revision", "applied revisions") + " checked)");
	else
		out.Line("verify: " + Plural(static_cast<std::int64_t>(lines.size()), "finding", "findings"));
	out.doc.Set("ok", lines.empty());
	out.doc.Set("findings", std::move(findings));
	return lines.empty() ? kExitOk : kExitCheckFailed;
}

/* graph: helper A's renderers over the folder. */
int
VerbGraph(const Globals &g, Out &out, const GraphArgs &args)
{
	Folder folder = ReadFolderOrThrow(g);
	std::vector<RenderNode> nodes;
	Json jnodes = Json::Array();
	for (const MigrationFile &f : folder.files) {
		RenderNode n;
		n.id = f.revision;
		n.parents = f.parents;
		n.depends_on = f.depends_on;
		n.labels = f.branch_labels;
		n.message = f.message.value_or("");
		Json j = Json::Object();
		j.Set("id", n.id);
		j.Set("parents", Json::Strings(n.parents));
		j.Set("depends_on", Json::Strings(n.depends_on));
		j.Set("branch_labels", Json::Strings(n.labels));
		j.Set("message", Json::OptString(f.message));
		j.Set("file", f.path);
		jnodes.Push(std::move(j));
		nodes.push_back(std::move(n));
	}
	std::string text;
	if (args.format == "dot")
		text = RenderDot(nodes);
	else if (args.format == "mermaid")
		text = RenderMermaid(nodes);
	else
		text = RenderTree(nodes, out.color);
	out.Text(text);
	out.doc.Set("format", args.format);
	out.doc.Set("nodes", std::move(jnodes));
	out.doc.Set("text", text);
	return kExitOk;
}

/* See verbs.hpp. */
std::vector<DriftRow>
ReadDrift(Connection &conn, bool quiet_when_unavailable)
{
	std::vector<DriftRow> rows;
	try {
		Result r = conn.Exec("SELECT change, kind, identity, recorded, live FROM pgmig.mig_drift()");
		for (int i = 0; i < r.rows(); i++)
			rows.push_back({r.Text(i, "change"), r.Text(i, "kind"), r.Text(i, "identity"), r.Get(i, "recorded"),
							r.Get(i, "live")});
	} catch (Error &e) {
		/* PM040: nothing recorded yet; 42883: a server older than 0.3 */
		if (!quiet_when_unavailable || e.connection_lost || (e.sqlstate != "PM040" && e.sqlstate != "42883"))
			throw;
		RollbackQuietly(conn);
	}
	return rows;
}

/* One line of a definition for the text output, shortened. */
static std::string
OneLine(const std::optional<std::string> &v)
{
	if (!v)
		return "(none)";
	std::string t;
	for (char c : *v)
		t += (c == '\n' || c == '\t') ? ' ' : c;
	while (t.find("  ") != std::string::npos)
		t.erase(t.find("  "), 1);
	if (t.size() > 100)
		t = t.substr(0, 97) + "...";
	return t;
}

int
VerbDrift(const Globals &g, Out &out)
{
	Connection conn(ConnectOptionsFor(g));
	std::vector<DriftRow> rows = ReadDrift(conn, false);
	Table t({"change", "kind", "object"});
	Json items = Json::Array();
	for (const DriftRow &d : rows) {
		t.AddRow({d.change, d.kind, d.identity});
		Json j = Json::Object();
		j.Set("change", d.change);
		j.Set("kind", d.kind);
		j.Set("identity", d.identity);
		j.Set("recorded", d.recorded ? Json(*d.recorded) : Json());
		j.Set("live", d.live ? Json(*d.live) : Json());
		items.Push(std::move(j));
	}
	if (out.text() && t.rows() > 0) {
		out.Text(t.Render(out.color, false, "  "));
		for (const DriftRow &d : rows)
			if (d.change == "changed") {
				out.Line("  " + d.kind + " " + d.identity + ":");
				out.Line("    recorded: " + OneLine(d.recorded));
				out.Line("    live:     " + OneLine(d.live));
			}
	}
	out.Line(rows.empty() ? std::string("drift: none (the schema is as pgmig left it)")
						  : "drift: " + Plural(static_cast<std::int64_t>(rows.size()), "object", "objects") +
								" changed outside pgmig (turn a change into a revision, or accept it with `pgmig snapshot`)");
	out.doc.Set("drift", std::move(items));
	out.doc.Set("ok", rows.empty());
	return rows.empty() ? kExitOk : kExitCheckFailed;
}

int
VerbSnapshot(const Globals &g, Out &out)
{
	Connection conn(ConnectOptionsFor(g));
	Result r = conn.ExecTx("SELECT digest, objects FROM pgmig.mig_snapshot($1::pg_catalog.text)", {g.project});
	std::string digest = r.Text(0, "digest");
	out.Line("schema recorded: " + Plural(static_cast<std::int64_t>(r.Number(0, "objects")), "object", "objects") +
			 ", digest " + digest.substr(0, 12));
	out.doc.Set("digest", digest);
	out.doc.Set("objects", static_cast<std::int64_t>(r.Number(0, "objects")));
	return kExitOk;
}

int
VerbBaseline(const Globals &g, Out &out, const std::string &target)
{
	Folder folder = ReadFolderOrThrow(g);
	Connection conn(ConnectOptionsFor(g));
	Push(conn, folder, g, out, false);
	Result r = conn.ExecTx("SELECT revision, digest, objects FROM pgmig.mig_baseline($1::pg_catalog.text, $2::pg_catalog.text)",
						   {target, g.project});
	Json revs = Json::Array();
	for (int i = 0; i < r.rows(); i++)
		revs.Push(Json(r.Text(i, "revision")));
	std::vector<std::string> current = CurrentHeads(conn, g);
	std::string objects = r.rows() > 0 ? r.Text(0, "objects") : "0";
	out.Line("baseline: " + Plural(r.rows(), "revision", "revisions") + " stamped as applied, schema of " + objects +
			 " objects recorded; " + AtText(current));
	out.doc.Set("revisions", std::move(revs));
	out.doc.Set("digest", r.rows() > 0 ? Json(r.Text(0, "digest")) : Json());
	out.doc.Set("current", Json::Strings(current));
	return kExitOk;
}

int
VerbImport(const Globals &g, Out &out, const ImportArgs &args)
{
	std::optional<ImportFormat> format = ParseImportFormat(args.from);
	if (!format)
		throw Error("unknown --from \"" + args.from + "\" (flyway, golang-migrate, dbmate, diesel, sqitch or alembic-sql)",
					kExitUsage);
	ImportResult r = ImportDirectory(*format, args.source);
	Json notes = Json::Array();
	for (const ImportNote &n : r.notes) {
		out.Note("note: " + n.Format());
		notes.Push(Json(n.Format()));
	}
	out.doc.Set("notes", std::move(notes));
	if (!r.ok()) {
		std::string all;
		for (const ImportNote &e : r.errors)
			all += (all.empty() ? "" : "\n") + e.Format();
		Error e("the import of " + args.source + " failed; nothing was written");
		e.detail = all;
		throw e;
	}
	/* nothing is written when any target file exists */
	std::error_code ec;
	std::filesystem::create_directories(g.dir, ec);
	if (ec)
		throw Error("could not create " + g.dir + ": " + ec.message());
	for (const MigrationFile &m : r.migrations) {
		std::filesystem::path path = std::filesystem::path(g.dir) / (m.revision + ".sql");
		if (std::filesystem::exists(path, ec)) {
			Error e(path.string() + " already exists; nothing was written");
			e.hint = "import into an empty folder, then move the files you want";
			throw e;
		}
	}
	Json files = Json::Array();
	for (const MigrationFile &m : r.migrations) {
		std::string path = (std::filesystem::path(g.dir) / (m.revision + ".sql")).string();
		WriteNewFile(path, RenderMigrationFile(m));
		files.Push(Json(path));
	}
	Json ids = Json::Array();
	for (const auto &p : r.id_map) {
		Json j = Json::Object();
		j.Set("source", p.first);
		j.Set("revision", p.second);
		ids.Push(std::move(j));
	}
	out.Line("imported " + Plural(static_cast<std::int64_t>(r.migrations.size()), "migration", "migrations") +
			 " from " + std::string(ImportFormatName(*format)) + " into " + g.dir +
			 (r.notes.empty() ? "" : " (" + Plural(static_cast<std::int64_t>(r.notes.size()), "note", "notes") + " above)"));
	out.doc.Set("files", std::move(files));
	out.doc.Set("ids", std::move(ids));
	return kExitOk;
}

/* Runs a command and returns its standard output; throws when it fails. */
static std::string
CommandOutput(const std::string &cmd)
{
	std::FILE *p = popen(cmd.c_str(), "r");
	if (p == nullptr)
		throw Error("could not run: " + cmd);
	std::string text;
	char buf[4096];
	std::size_t n;
	while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
		text.append(buf, n);
	int rc = pclose(p);
	if (rc != 0)
		throw Error("`" + cmd + "` failed (exit " + std::to_string(WEXITSTATUS(rc)) + ")");
	return text;
}

/* Quotes a word for sh. */
static std::string
ShellQuote(const std::string &s)
{
	std::string q = "'";
	for (char c : s)
		q += c == '\'' ? std::string("'\\''") : std::string(1, c);
	return q + "'";
}

/* The revisions of the folder whose files changed since a git ref (committed or not, new included). */
static std::vector<std::string>
ChangedRevisions(const Folder &folder, const std::string &dir, const std::string &ref)
{
	std::string q = ShellQuote(dir);
	std::string names = CommandOutput("cd " + q + " && git diff --name-only --relative " + ShellQuote(ref) +
									  " -- . && git ls-files --others --exclude-standard .");
	std::set<std::string> changed;
	std::size_t i = 0;
	while (i < names.size()) {
		std::size_t j = names.find('\n', i);
		if (j == std::string::npos)
			j = names.size();
		if (j > i)
			changed.insert(std::filesystem::path(names.substr(i, j - i)).filename().string());
		i = j + 1;
	}
	std::vector<std::string> out;
	for (const MigrationFile &f : folder.files)
		if (changed.count(std::filesystem::path(f.path).filename().string()) > 0)
			out.push_back(f.revision);
	return out;
}

int
VerbTest(const Globals &g, Out &out, const TestArgs &args)
{
	Folder folder = ReadFolderOrThrow(g);
	std::string target = args.target ? *args.target : SingleHead(folder, g);
	std::optional<std::vector<std::string>> only;
	if (args.since) {
		only = ChangedRevisions(folder, g.dir, *args.since);
		out.Line("checking " + Plural(static_cast<std::int64_t>(only->size()), "revision", "revisions") +
				 " changed since " + *args.since);
	}
	Connection conn(ConnectOptionsFor(g));
	Push(conn, folder, g, out, false);
	Result r = conn.ExecTx("SELECT revision, step, result, kind, identity, detail "
						   "FROM pgmig.mig_roundtrip($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text[])",
						   {target, g.project, only ? std::optional<std::string>(PgArrayLiteral(*only)) : std::nullopt});
	Table t({"revision", "step", "result", "object"});
	Json rows = Json::Array();
	int findings = 0;
	std::vector<std::string> details;
	for (int i = 0; i < r.rows(); i++) {
		std::string result = r.Text(i, "result");
		bool finding = result != "ok" && result != "skipped" && result != "no down body";
		findings += finding ? 1 : 0;
		std::optional<std::string> kind = r.Get(i, "kind"), identity = r.Get(i, "identity"), detail = r.Get(i, "detail");
		std::string object = kind ? *kind + " " + identity.value_or("") : "";
		t.AddRow({r.Text(i, "revision"), r.Text(i, "step"), result, object});
		if (finding && detail && !kind)
			details.push_back(r.Text(i, "revision") + " (" + r.Text(i, "step") + "): " + OneLine(detail));
		Json j = Json::Object();
		j.Set("revision", r.Text(i, "revision"));
		j.Set("step", r.Text(i, "step"));
		j.Set("result", result);
		j.Set("kind", kind ? Json(*kind) : Json());
		j.Set("identity", identity ? Json(*identity) : Json());
		j.Set("detail", detail ? Json(*detail) : Json());
		rows.Push(std::move(j));
	}
	if (out.text() && t.rows() > 0)
		out.Text(t.Render(out.color, false, "  "));
	for (const std::string &d : details)
		out.Line("  " + d);
	out.Line(findings == 0 ? std::string("test: ok (up, down and up again leave the schema as they should; nothing was kept)")
						   : "test: " + Plural(findings, "finding", "findings") + " (nothing was kept)");
	out.doc.Set("ok", findings == 0);
	out.doc.Set("checks", std::move(rows));
	return findings == 0 ? kExitOk : kExitCheckFailed;
}

int
VerbLint(const Globals &g, Out &out)
{
	Folder folder = ReadFolderOrThrow(g);
	Connection conn(ConnectOptionsFor(g));
	/* applied revisions are done: their objects exist, so the catalog checks
	 * would only describe their own work */
	std::set<std::string> applied;
	Result a = conn.Exec("SELECT revision FROM pgmig.mig_revisions($1::pg_catalog.text) WHERE applied", {g.project});
	for (int i = 0; i < a.rows(); i++)
		applied.insert(a.Text(i, "revision"));
	Json items = Json::Array();
	int findings = 0;
	/* every pending body in one call: [{"revision": ..., "body": ...}, ...] */
	Json batch = Json::Array();
	std::vector<const MigrationFile *> linted;
	for (const MigrationFile &f : folder.files) {
		if (applied.count(f.revision) > 0)
			continue;
		Json j = Json::Object();
		j.Set("revision", f.revision);
		j.Set("body", f.up);
		batch.Push(std::move(j));
		linted.push_back(&f);
	}
	Result r;
	try {
		r = conn.Exec("SELECT b.n::pg_catalog.int4 AS n, l.rule, l.name, l.severity, l.line, l.message, l.hint "
					  "  FROM pg_catalog.jsonb_array_elements($1::pg_catalog.jsonb) WITH ORDINALITY AS b(item, n), "
					  "       LATERAL pgmig.mig_lint(b.item OPERATOR(pg_catalog.->>) 'body', b.item OPERATOR(pg_catalog.->>) 'revision') AS l "
					  " ORDER BY b.n, l.statement, l.rule",
					  {batch.Dump()});
	} catch (Error &e) {
		LocateInFolder(e, folder); /* a body the server cannot parse: its file and line */
		throw;
	}
	for (int i = 0; i < r.rows(); i++) {
		const MigrationFile &f = *linted.at(static_cast<std::size_t>(r.Number(i, "n")) - 1);
		findings++;
		int line = f.up_line + static_cast<int>(r.Number(i, "line")) - 1;
		std::string sev = r.Text(i, "severity");
		out.Line(f.path + ":" + std::to_string(line) + ": " + sev + ": " + r.Text(i, "rule") + " " +
				 r.Text(i, "name") + ": " + r.Text(i, "message"));
		out.Line("    " + r.Text(i, "hint"));
		Json j = Json::Object();
		j.Set("file", f.path);
		j.Set("line", line);
		j.Set("revision", f.revision);
		j.Set("rule", r.Text(i, "rule"));
		j.Set("name", r.Text(i, "name"));
		j.Set("severity", sev);
		j.Set("message", r.Text(i, "message"));
		j.Set("hint", r.Text(i, "hint"));
		items.Push(std::move(j));
	}
	std::string scope = Plural(static_cast<std::int64_t>(linted.size()), "pending revision", "pending revisions") + "; " +
						Plural(static_cast<std::int64_t>(applied.size()), "applied one", "applied ones") + " skipped";
	out.Line(findings == 0 ? "lint: ok (" + scope + ")" : "lint: " + Plural(findings, "finding", "findings") + " (" + scope + ")");
	out.doc.Set("ok", findings == 0);
	out.doc.Set("findings", std::move(items));
	return findings == 0 ? kExitOk : kExitCheckFailed;
}

/* The default history table of each tool, and whether it records every applied migration. */
static std::pair<std::string, bool>
HistoryTable(ImportFormat f)
{
	switch (f) {
	case ImportFormat::kFlyway:
		return {"flyway_schema_history", true};
	case ImportFormat::kGolangMigrate:
		return {"schema_migrations", false}; /* the current version only */
	case ImportFormat::kDbmate:
		return {"schema_migrations", true};
	case ImportFormat::kDiesel:
		return {"__diesel_schema_migrations", true};
	case ImportFormat::kSqitch:
		return {"sqitch.changes", true};
	case ImportFormat::kAlembicSql:
		return {"alembic_version", false}; /* the current heads only */
	}
	return {"", true};
}

/* The identifiers the tool recorded as applied, read from its history table. */
static std::vector<std::string>
ReadToolHistory(Connection &conn, ImportFormat f, const std::string &table)
{
	/* The name is resolved once, through the session's search_path as the
	 * tool would have; what is read must be a plain table: reading a view
	 * (or a foreign table) would run whatever functions it calls as the role
	 * running import-history, and a schema earlier in a hostile search_path
	 * could hold one of that name. */
	Result found = conn.Exec(
		"SELECT n.nspname, c.relname, c.relkind::pg_catalog.text AS relkind "
		"  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
		" WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1::pg_catalog.text)::pg_catalog.oid",
		{table});
	if (found.rows() == 0)
		throw Error("no history table " + table + " in this database (use --table to name it)", kExitUsage);
	std::string t = conn.QuoteIdent(found.Text(0, "nspname")) + "." + conn.QuoteIdent(found.Text(0, "relname"));
	if (found.Text(0, "relkind") != "r" && found.Text(0, "relkind") != "p") {
		Error e(table + " is " + found.Text(0, "nspname") + "." + found.Text(0, "relname") +
				", which is not a table; import-history reads only a table");
		e.hint = "name the tool's history table with --table schema.table";
		throw e;
	}
	std::string sql;
	switch (f) {
	case ImportFormat::kFlyway: {
		Result bad = conn.Exec("SELECT version, description FROM " + t + " WHERE NOT success ORDER BY installed_rank");
		if (bad.rows() > 0) {
			Error e("the Flyway history records a failed migration: version " + bad.Text(0, "version") + " (" +
					bad.Text(0, "description") + ")");
			e.hint = "repair it with Flyway first (flyway repair), then import the history";
			throw e;
		}
		sql = "SELECT version::pg_catalog.text AS v FROM " + t + " WHERE success AND version IS NOT NULL ORDER BY installed_rank";
		break;
	}
	case ImportFormat::kGolangMigrate: {
		Result r = conn.Exec("SELECT version::pg_catalog.text AS v, dirty FROM " + t);
		if (r.rows() > 0 && r.Bool(0, "dirty")) {
			Error e("the golang-migrate history is dirty at version " + r.Text(0, "v") +
					" (a migration failed half-way)");
			e.hint = "fix the schema and run `migrate force VERSION` first, then import the history";
			throw e;
		}
		sql = "SELECT version::pg_catalog.text AS v FROM " + t;
		break;
	}
	case ImportFormat::kDbmate:
	case ImportFormat::kDiesel:
		sql = "SELECT version::pg_catalog.text AS v FROM " + t + " ORDER BY version";
		break;
	case ImportFormat::kSqitch:
		sql = "SELECT change AS v FROM " + t + " ORDER BY committed_at";
		break;
	case ImportFormat::kAlembicSql:
		sql = "SELECT version_num AS v FROM " + t;
		break;
	}
	Result r = conn.Exec(sql);
	std::vector<std::string> out;
	for (int i = 0; i < r.rows(); i++)
		out.push_back(r.Text(i, "v"));
	return out;
}

int
VerbImportHistory(const Globals &g, Out &out, const ImportArgs &args)
{
	std::optional<ImportFormat> format = ParseImportFormat(args.from);
	if (!format)
		throw Error("unknown --from \"" + args.from + "\"", kExitUsage);
	ImportResult imp = ImportDirectory(*format, args.source);
	if (!imp.ok()) {
		Error e("the migrations in " + args.source + " could not be read; nothing was stamped");
		for (const ImportNote &n : imp.errors)
			e.detail += (e.detail.empty() ? "" : "\n") + n.Format();
		throw e;
	}
	Folder folder = ReadFolderOrThrow(g);
	std::map<std::string, std::string> to_revision;
	for (const auto &[tool_id, revision] : imp.id_map) {
		if (folder.Find(revision) == nullptr) {
			Error e("revision " + revision + " (" + tool_id + " in " + std::string(ImportFormatName(*format)) +
					") is not in " + g.dir);
			e.hint = "convert the migrations first: pgmig --dir " + g.dir + " import --from " + args.from + " " +
					 args.source;
			throw e;
		}
		to_revision.emplace(tool_id, revision);
	}
	auto [default_table, full] = HistoryTable(*format);
	std::string table = args.table.empty() ? default_table : args.table;

	Connection conn(ConnectOptionsFor(g));
	std::vector<std::string> recorded = ReadToolHistory(conn, *format, table);
	std::vector<std::string> targets;
	std::vector<std::string> unknown;
	for (const std::string &v : recorded) {
		auto it = to_revision.find(v);
		if (it == to_revision.end())
			unknown.push_back(v);
		else
			targets.push_back(it->second);
	}
	if (!unknown.empty()) {
		Error e(table + " records " + Plural(static_cast<std::int64_t>(unknown.size()), "migration", "migrations") +
				" that " + args.source + " does not have: " + Join(unknown, ", "));
		e.hint = "import the history with the migration folder the database was built from";
		throw e;
	}
	if (targets.empty()) {
		out.Line("import-history: " + table + " records nothing applied; nothing to stamp");
		out.doc.Set("revisions", Json::Array());
		return kExitOk;
	}
	Push(conn, folder, g, out, false);
	Result r = conn.ExecTx("SELECT revision, action FROM pgmig.mig_stamp($1::pg_catalog.text[], $2::pg_catalog.text)",
						   {PgArrayLiteral(targets), g.project});
	Json revs = Json::Array();
	std::set<std::string> wanted(targets.begin(), targets.end());
	std::vector<std::string> implied;
	int added = 0;
	for (int i = 0; i < r.rows(); i++) {
		if (r.Text(i, "action") != "added")
			continue;
		added++;
		revs.Push(Json(r.Text(i, "revision")));
		if (full && wanted.count(r.Text(i, "revision")) == 0)
			implied.push_back(r.Text(i, "revision"));
	}
	for (const std::string &rev : implied)
		out.Note("note: " + rev + " was stamped as an ancestor of a recorded migration, though " + table +
				 " does not record it (applied out of order?)");
	std::vector<std::string> current = CurrentHeads(conn, g);
	out.Line("import-history: " + Plural(added, "revision", "revisions") + " stamped as applied from " + table + "; " +
			 AtText(current));
	out.doc.Set("revisions", std::move(revs));
	out.doc.Set("current", Json::Strings(current));
	return kExitOk;
}

} // namespace pgmig::client
