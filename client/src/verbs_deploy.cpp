/*
 * client/src/verbs_deploy.cpp
 *
 * The deploy verbs, the ones that change what is applied: init (install or
 * update the extension), push (upload the folder, push.cpp), up and down
 * (push, then the applier, applier.cpp) and stamp (record revisions as
 * applied without running them).
 *
 * Design.  up decides what the run will run before its first step: the
 * revisions pending on the server that the folder has and the target needs,
 * each expected with the checksum of the body this client pushed, so that
 * another release's push in between is refused (PM023) rather than run.  A
 * push that found the server already holding the folder with nothing
 * pending ends the run after that one query.  The run turns the per-call
 * fingerprint off and records one snapshot at its end (run.cpp).  A failed
 * run still reports where it left the database.  The project lock and the
 * leases are the server's; init alone takes a lock of its own (see
 * VerbInit).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "verbs.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "applier.hpp"
#include "errors.hpp"
#include "graph.hpp"
#include "options.hpp"
#include "output.hpp"
#include "project_state.hpp"
#include "push.hpp"
#include "shadow.hpp"
#include "run.hpp"
#include "verb_context.hpp"
#include "waits.hpp"

namespace pgmig::client {

namespace {

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

std::vector<std::string> PlanRevisions(Connection &conn, const Globals &g, const std::string &target, bool down);

/*
 * The steps of `down X@-N`: the revisions it undoes, children first, each as
 * "R@base".  Resolved here, with the core's ResolveTarget on the stored graph
 * and applied set (mig_revisions), rather than taken from mig_plan, whose
 * rows are statements: a revision whose down body has none (a comment only)
 * has no row there, and would be left applied.  A target the graph does not
 * resolve is the server's to refuse (PlanRevisions raises its error).
 */
std::vector<std::string>
BranchDownSteps(Connection &conn, const Globals &g, const std::string &target)
{
	Result r = conn.Exec("SELECT revision, parents, depends_on, branch_labels, applied "
						 "FROM pgmig.mig_revisions($1::pg_catalog.text)",
						 {g.project});
	std::vector<core::RevisionInput> inputs;
	std::vector<bool> applied;
	for (int i = 0; i < r.rows(); i++) {
		inputs.push_back({r.Text(i, "revision"), r.Array(i, "parents"), r.Array(i, "depends_on"),
						  r.Array(i, "branch_labels")});
		applied.push_back(r.Bool(i, "applied"));
	}
	core::Graph::BuildResult built = core::Graph::Build(std::move(inputs));
	core::Resolution res;
	if (built.problems.empty())
		res = core::ResolveTarget(built.graph, target, applied);
	if (!built.problems.empty() || !res.ok()) {
		PlanRevisions(conn, g, target, true); /* raises the server's error */
		throw Error("`pgmig down " + target + "`: the stored graph does not resolve it");
	}
	std::vector<bool> kept = built.graph.Ancestors(res.revisions);
	std::vector<std::string> steps;
	const std::vector<core::Index> &order = built.graph.Order();
	for (auto it = order.rbegin(); it != order.rend(); ++it)
		if (applied[*it] && !kept[*it])
			steps.push_back(built.graph.id(*it) + "@base");
	return steps;
}

/* The revisions mig_plan names for a target, in its order (down: children first). */
std::vector<std::string>
PlanRevisions(Connection &conn, const Globals &g, const std::string &target, bool down)
{
	Result r = conn.Exec("SELECT revision FROM pgmig.mig_plan($1::pg_catalog.text, $2::pg_catalog.text, "
						 "$3::pg_catalog.text) GROUP BY step, revision ORDER BY step",
						 {target, g.project, std::string(down ? "down" : "up")});
	std::vector<std::string> out;
	for (int i = 0; i < r.rows(); i++)
		out.push_back(r.Text(i, "revision"));
	return out;
}

} // namespace

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

/* push: one mig_upload_batch call. */
int
VerbPush(const Globals &g, Out &out)
{
	FolderAndSession fs(g);
	Push(fs.Conn(), fs.folder, g, out, true, nullptr, &fs.pre);
	return kExitOk;
}

/* up [TARGET] / down TARGET: push (up only), then the Applier. */
int
VerbApply(const Globals &g, Out &out, const ApplyArgs &args)
{
	/* up reads its folder while it connects; down reads it only to map errors */
	std::optional<FolderAndSession> read;
	Folder folder;
	std::string target;
	if (!args.down) {
		read.emplace(g);
		folder = std::move(read->folder);
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
	/* so does a branch's (X@+N up; X@-N and X@base down) */
	std::optional<BranchForm> branch = ParseBranchForm(target);
	if (branch && (branch->offset > 0) == args.down) {
		Error e(args.down ? "`pgmig down " + target + "` would go forward: down takes " + branch->name +
								"@-N (undo the branch's last N revisions) or " + branch->name + "@base"
						  : "`pgmig up " + target + "` would go back: up takes " + branch->name +
								"@+N (the branch's next N pending revisions) or " + branch->name + "@head",
				kExitUsage);
		e.hint = args.down ? "to apply more of the branch, run `pgmig up " + target + "`"
						   : "to undo revisions of the branch, run `pgmig down " + target + "`";
		throw e;
	}
	std::unique_ptr<Connection> own;
	if (!read)
		own = std::make_unique<Connection>(ConnectOptionsFor(g));
	Connection &conn = read ? read->Conn() : *own;
	std::optional<std::map<std::string, std::string>> expected;
	std::optional<std::vector<std::string>> steps;
	if (!args.down) {
		PushCounts pushed = Push(conn, folder, g, out, false, nullptr, read ? &read->pre : nullptr);
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
		if (branch) {
			/* X@+N: the server's plan now, each revision one step that
			 * targets it (sending X@+N again would go N further each time) */
			for (const std::string &r : PlanRevisions(conn, g, target, false)) {
				if (!pushed.Checksum(folder, r)) {
					Error e("`pgmig up " + target + "` would apply " + r + ", which is not in " + g.dir);
					e.hint = "name a target the folder has, or add the revision's file";
					throw e;
				}
				ours.push_back(r);
			}
			steps = ours;
		} else if (n && *n > 0) {
			for (const std::string &r : pending)
				if (pushed.Checksum(folder, r))
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
					if (needed->count(r) && pushed.Checksum(folder, r))
						ours.push_back(r);
				steps = ours;
			}
		}
		if (ServerChecksBodies(conn)) {
			expected.emplace();
			for (const std::string &r : ours)
				expected->emplace(r, *pushed.Checksum(folder, r));
		} else if (!n || *n == 0)
			steps.reset(); /* an older server: the target as before */
		if (steps && steps->empty()) {
			/* nothing of the folder is pending towards the target: one call
			 * that expects nothing confirms it (or refuses what is pending) */
			steps.reset();
		}
	} else if (branch && branch->offset < 0) {
		/* X@-N: what it undoes now, children first; each step undoes one
		 * revision as "R@base" (R and what descends from it, which the
		 * earlier steps undid), since X@-N would go N further each time */
		steps = BranchDownSteps(conn, g, target);
		if (steps->empty())
			steps.reset();
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
VerbStamp(const Globals &g, Out &out, const std::vector<std::string> &targets, const SchemaCheckArgs &check)
{
	Connection conn(ConnectOptionsFor(g));
	if (check.check) {
		/* the check builds the folder's revisions: read it first, so a broken folder is said as such */
		ReadFolderOrThrow(g);
		CheckSchemaBeforeStamp(g, out, conn, targets, check, "stamp", "");
	}
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

} // namespace pgmig::client
