/*
 * client/src/verbs_inspect.cpp
 *
 * The inspect verbs, which change nothing that is applied: heads, current,
 * history and status (each one call of the extension's functions, shown as a
 * table or one JSON document), plan (the statements up or down would run)
 * and graph (the folder alone, drawn by client/core/render).
 *
 * Design.  plan pushes first, quietly, so that the server plans the folder's
 * bodies and not the ones it stored before; it then maps each statement's
 * body line to its file line.  A role that may not see the bodies is shown
 * a placeholder instead of the statement.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "verbs.hpp"

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "migfile.hpp"
#include "options.hpp"
#include "output.hpp"
#include "project_state.hpp"
#include "push.hpp"
#include "render.hpp"
#include "verb_context.hpp"

namespace pgmig::client {

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

} // namespace pgmig::client
