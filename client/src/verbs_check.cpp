/*
 * client/src/verbs_check.cpp
 *
 * The check verbs, which report findings and exit 3 when there is any:
 * verify (the folder against what was applied, drift, and the schema file
 * against what the migrations build: verbs_schema.cpp), lint (the server's
 * rules over the pending bodies), test (up, down and up again of each
 * revision, rolled back) and drift (the schema against the last snapshot,
 * or with --against-migrations against what the applied revisions build
 * in a shadow database: shadow.hpp).
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
#include "folder_sums.hpp"
#include "git.hpp"
#include "migfile.hpp"
#include "options.hpp"
#include "output.hpp"
#include "project_state.hpp"
#include "push.hpp"
#include "shadow.hpp"
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
	std::vector<std::vector<std::string>> diffs; /* each finding's line diff, when it has one */
	auto add = [&](const std::string &kind, const std::string &file, int line, const std::string &revision,
				   const std::string &message, const std::vector<std::string> &diff = {}) {
		std::string loc = file.empty() ? "" : file + (line > 0 ? ":" + std::to_string(line) : "") + ": ";
		lines.push_back(loc + message);
		diffs.push_back(diff);
		Json f = Json::Object();
		f.Set("kind", kind);
		f.Set("file", file.empty() ? Json() : Json(file));
		f.Set("line", line > 0 ? Json(line) : Json());
		f.Set("revision", revision.empty() ? Json() : Json(revision));
		f.Set("message", message);
		if (!diff.empty())
			f.Set("diff", Json::Strings(diff));
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
		if (ChecksumBody(f->up) != r.Text(i, "checksum"))
			add("changed", f->path, f->up_line, rev,
				"the up body differs from the one applied as " + rev + " (write a new revision instead)");
		std::optional<std::string> down_sum = r.Get(i, "down_checksum");
		std::optional<std::string> file_down = f->down ? std::optional<std::string>(ChecksumBody(*f->down)) : std::nullopt;
		if (down_sum != file_down)
			add("changed", f->path, f->down ? f->down_line : 0, rev,
				"the down body differs from the one stored with applied revision " + rev);
	}
	for (const DriftRow &d : ReadDrift(conn, true)) {
		add("drift", "", 0, "", d.change + " " + d.kind + " " + d.identity + " outside pgmig (see `pgmig drift`)");
	}
	/* the schema file, when there is one and the folder reads cleanly with one head */
	bool schema_checked = false;
	if (heads.size() <= 1 && folder.diagnostics.empty())
		for (const SchemaFileFinding &f : SchemaFileFindings(g, out, folder, &schema_checked))
			add("schema", f.file, 0, "", f.message, f.diff);
	for (std::size_t i = 0; i < lines.size(); i++) {
		out.Line(lines[i]);
		for (const std::string &l : diffs[i])
			out.Line("    " + l);
	}
	if (lines.empty())
		out.Line("verify: ok (" + Plural(static_cast<std::int64_t>(folder.files.size()), "file", "files") + ", " +
				 Plural(applied, "applied revision", "applied revisions") +
				 (schema_checked ? " and " + SchemaFilePath(g) : std::string()) + " checked)");
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

/*
 * drift --against-migrations: the live schema against what the revisions
 * applied in it build in a shadow database (shadow.hpp), whatever pgmig
 * recorded; exit 3 on any difference.
 */
static int
DriftAgainstMigrations(const Globals &g, Out &out, Connection &conn)
{
	ReadFolderOrThrow(g);
	std::vector<std::string> applied = CurrentHeads(conn, g);
	std::vector<SchemaObject> live = ReadSchema(conn);
	std::vector<SchemaObject> built = BuildInShadow(g, out, applied.empty() ? std::vector<std::string>{"base"} : applied);
	std::vector<SchemaDifference> d = CompareSchemas(built, live);
	for (const std::string &l : DescribeDifferences(d, true, "missing", "extra"))
		out.Line(l);
	std::string at = applied.empty() ? std::string("no revision") : Join(applied, ", ");
	out.Line(d.empty() ? "drift: none (the schema is what the migrations build at " + at + ")"
					   : "drift: " + Plural(static_cast<std::int64_t>(d.size()), "object differs", "objects differ") +
							 " from what the migrations build at " + at +
							 " (missing: the migrations create it; extra: they do not)");
	std::vector<std::string> others = OtherProjects(conn, g.project);
	if (!d.empty() && !others.empty())
		out.Note("note: this database also holds the pgmig " +
				 std::string(others.size() == 1 ? "project " : "projects ") + Join(others, ", ") +
				 ", whose objects the migrations of " + g.project + " do not build: they are extra here");
	out.doc.Set("applied", Json::Strings(applied));
	out.doc.Set("other_projects", Json::Strings(others));
	out.doc.Set("differences", DifferencesJson(d));
	out.doc.Set("ok", d.empty());
	return d.empty() ? kExitOk : kExitCheckFailed;
}

/* drift: the objects changed outside pgmig since the last snapshot; exit 3 when any. */
int
VerbDrift(const Globals &g, Out &out, bool against_migrations)
{
	Connection conn(ConnectOptionsFor(g));
	if (against_migrations)
		return DriftAgainstMigrations(g, out, conn);
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

namespace {

/* The lines of a text. */
std::vector<std::string>
SplitLines(const std::string &text)
{
	std::vector<std::string> lines;
	std::size_t start = 0;
	while (start <= text.size()) {
		std::size_t end = text.find('\n', start);
		if (end == std::string::npos)
			end = text.size();
		lines.push_back(text.substr(start, end - start));
		start = end + 1;
	}
	return lines;
}

/* Results of mig_check rows that are not findings. */
bool
IsFinding(const std::string &result)
{
	return result != "ok" && result != "skipped" && result != "no down body" && result != "column order";
}

/*
 * mig_check over the folder (sent in the call, stored nowhere) towards
 * target, in mode "lint" or "test"; prints each finding as
 * `file:line: ...` with DETAIL and HINT below it and each note (a
 * transactional form, a skipped statement, columns in another order, a
 * revision not run) the same way; puts the rows in the JSON under `key`.
 * Returns the number of findings.
 */
int
RunCheck(Connection &conn, const Globals &g, Out &out, const Folder &folder, const std::string &target,
		 const std::optional<std::vector<std::string>> &only, const char *mode, const char *key)
{
	Json batch = FolderUploadBatch(conn, folder, ChecksumFolder(folder));
	Result r;
	try {
		r = conn.ExecTx("SELECT revision, step, result, line, sqlstate, message, detail, hint, rule, name, severity, "
						"kind, identity "
						"FROM pgmig.mig_check($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text[], "
						"$4::pg_catalog.jsonb, $5::pg_catalog.text)",
						{target, g.project, only ? std::optional<std::string>(PgArrayLiteral(*only)) : std::nullopt,
						 batch.Dump(-1), std::string(mode)});
	} catch (Error &e) {
		if (e.sqlstate == "42883" && !e.connection_lost)
			e.hint = "pgmig " + std::string(mode) +
					 " needs the pgmig extension 0.6 or later in the database: run `pgmig init` to update it.";
		LocateInFolder(e, folder); /* a body the server cannot parse: its file and line */
		throw;
	}
	Json rows = Json::Array();
	int findings = 0;
	for (int i = 0; i < r.rows(); i++) {
		std::string revision = r.Text(i, "revision"), step = r.Text(i, "step"), result = r.Text(i, "result");
		std::optional<std::string> sqlstate = r.Get(i, "sqlstate"), message = r.Get(i, "message"),
								   detail = r.Get(i, "detail"), hint = r.Get(i, "hint"), rule = r.Get(i, "rule"),
								   name = r.Get(i, "name"), severity = r.Get(i, "severity"), kind = r.Get(i, "kind"),
								   identity = r.Get(i, "identity"), body_line = r.Get(i, "line");
		bool finding = IsFinding(result);
		findings += finding ? 1 : 0;
		/* the line in the file: the step's body starts at up_line or down_line */
		const MigrationFile *f = folder.Find(revision);
		int line = 0;
		if (f != nullptr) {
			int start = step == "down" && f->down ? f->down_line : f->up_line;
			line = start + (body_line ? std::stoi(*body_line) - 1 : 0);
		}
		std::string where = f != nullptr ? f->path + ":" + std::to_string(line) + ": " : revision + ": ";
		if (result == "lint")
			out.Line(where + severity.value_or("warning") + ": " + rule.value_or("") + " " + name.value_or("") +
					 ": " + message.value_or("") + (step == "down" ? " (down body)" : ""));
		else if (result == "failed")
			out.Line(where + "error: revision " + revision + ": the " + (step == "down" ? "down" : "up") +
					 " body fails" + (step == "up again" ? " when run again after the down body" : "") + ": " +
					 (sqlstate ? *sqlstate + ": " : "") + message.value_or(""));
		else if (result == "undeclared dependency")
			out.Line(where + "error: " + message.value_or("") + (sqlstate ? " (" + *sqlstate + ")" : ""));
		else if (finding)
			out.Line(where + "error: revision " + revision + ": " + message.value_or(result));
		else if (message && (result == "skipped" || result == "column order" || result == "ok"))
			out.Line(where + "note: revision " + revision + ", " + step + " body: " + *message);
		if (finding || result == "column order") {
			if (detail) {
				std::string label = "    DETAIL: ";
				for (const std::string &d : SplitLines(*detail)) {
					out.Line(label + d);
					label = "            ";
				}
			}
			if (hint)
				out.Line("    HINT: " + *hint);
		}
		Json j = Json::Object();
		auto opt = [](const std::optional<std::string> &v) { return v ? Json(*v) : Json(); };
		j.Set("revision", revision);
		j.Set("file", f != nullptr ? Json(f->path) : Json());
		j.Set("line", f != nullptr ? Json(line) : Json());
		j.Set("step", step);
		j.Set("result", result);
		j.Set("finding", finding);
		j.Set("sqlstate", opt(sqlstate));
		j.Set("message", opt(message));
		j.Set("detail", opt(detail));
		j.Set("hint", opt(hint));
		j.Set("rule", opt(rule));
		j.Set("name", opt(name));
		j.Set("severity", opt(severity));
		j.Set("kind", opt(kind));
		j.Set("identity", opt(identity));
		rows.Push(std::move(j));
	}
	out.doc.Set("ok", findings == 0);
	out.doc.Set(key, std::move(rows));
	return findings;
}

/* The pending revisions of the folder towards target (for the summary). */
std::int64_t
PendingCount(Connection &conn, const Globals &g, const Folder &folder)
{
	std::set<std::string> applied;
	Result a = conn.Exec("SELECT revision FROM pgmig.mig_revisions($1::pg_catalog.text) WHERE applied", {g.project});
	for (int i = 0; i < a.rows(); i++)
		applied.insert(a.Text(i, "revision"));
	std::int64_t n = 0;
	for (const MigrationFile &f : folder.files)
		n += applied.count(f.revision) == 0 ? 1 : 0;
	return n;
}

} // namespace

/*
 * test [TARGET] [--since REF]: mig_check in mode test over the folder: up,
 * down and up again of each pending revision, and each on its ancestors
 * alone; exit 3 on a finding.
 */
int
VerbTest(const Globals &g, Out &out, const TestArgs &args)
{
	Folder folder = ReadFolderOrThrow(g);
	std::string target = args.target ? *args.target : "heads";
	std::optional<std::vector<std::string>> only;
	if (args.since) {
		only = ChangedRevisions(folder, g.dir, *args.since);
		out.Line("checking " + Plural(static_cast<std::int64_t>(only->size()), "revision", "revisions") +
				 " changed since " + *args.since);
	}
	Connection conn(ConnectOptionsFor(g));
	std::int64_t pending = PendingCount(conn, g, folder);
	int findings = RunCheck(conn, g, out, folder, target, only, "test", "checks");
	std::string scope = Plural(pending, "pending revision", "pending revisions");
	out.Line(findings == 0 ? "test: ok (" + scope +
								 ": up, down and up again leave the schema as they should, and each applies on its "
								 "ancestors alone; nothing was kept)"
						   : "test: " + Plural(findings, "finding", "findings") + " (" + scope + "; nothing was kept)");
	return findings == 0 ? kExitOk : kExitCheckFailed;
}

/*
 * lint: mig_check in mode lint over the folder: each pending body linted
 * in the schema it will meet; exit 3 on a finding.
 */
int
VerbLint(const Globals &g, Out &out)
{
	Folder folder = ReadFolderOrThrow(g);
	Connection conn(ConnectOptionsFor(g));
	std::int64_t pending = PendingCount(conn, g, folder);
	int findings = RunCheck(conn, g, out, folder, "heads", std::nullopt, "lint", "findings");
	std::string scope = Plural(pending, "pending revision", "pending revisions") + ", each in the schema its " +
						"ancestors build; " +
						Plural(static_cast<std::int64_t>(folder.files.size()) - pending, "applied one", "applied ones") +
						" skipped";
	out.Line(findings == 0 ? "lint: ok (" + scope + ")" : "lint: " + Plural(findings, "finding", "findings") + " (" + scope + ")");
	return findings == 0 ? kExitOk : kExitCheckFailed;
}

} // namespace pgmig::client
