/*
 * client/src/verbs_check.cpp
 *
 * The check verbs, which report findings and exit 3 when there is any:
 * verify (the folder against what was applied, and drift), lint (the
 * server's rules over the pending bodies), test (up, down and up again of
 * each revision, rolled back) and drift (the schema against the last
 * snapshot).
 *
 * Design.  Each collects every finding before it reports, so one run shows
 * them all; none changes what is applied.  lint sends the pending bodies in
 * one call and skips applied revisions (their objects exist, so the catalog
 * checks would only describe their own work).  test pushes first so that
 * mig_roundtrip runs the folder's bodies; --since REF limits it to the
 * revisions whose files changed since a git ref (git.cpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "verbs.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "git.hpp"
#include "migfile.hpp"
#include "options.hpp"
#include "output.hpp"
#include "push.hpp"
#include "sha256.hpp"
#include "verb_context.hpp"

namespace pgmig::client {

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

/* drift: the objects changed outside pgmig since the last snapshot; exit 3 when any. */
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

/*
 * test [TARGET] [--since REF]: push, then mig_roundtrip (up, down and up
 * again, rolled back); exit 3 on a finding.
 */
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

/* lint: the server's rules over every pending body, in one call; exit 3 on a finding. */
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

} // namespace pgmig::client
