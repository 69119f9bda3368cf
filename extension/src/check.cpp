/*
 * extension/src/check.cpp
 *
 * mig_check and mig_roundtrip (see check.hpp): the pending revisions run in
 * apply order inside one subtransaction that is rolled back, and each body
 * is checked in the schema it meets there.
 *
 * Rows.  step is the body a row is about ("up", "down", "up again") or
 * "dependencies"; result is one of
 *   ok            the step ran (message: its transactional form, if any);
 *   lint          a linter finding (rule, name, severity, line, message, hint);
 *   failed        the body raised an error (sqlstate, message, detail,
 *                 hint, line of the failing statement);
 *   skipped       a non-transactional statement with no transactional form
 *                 (VACUUM, REINDEX): it does not change the schema;
 *   no down body  the revision cannot be downgraded (not a finding);
 *   left behind, removed, changed   what the down body leaves different
 *                 from the schema before the up body (kind, identity);
 *   differs       what the second up leaves different from the first;
 *   column order  columns in another order (information, not a finding:
 *                 columns are compared by name);
 *   undeclared dependency   the revision fails on its ancestors alone.
 *
 * A body that fails is reported, and its statements then run one at a
 * time, each kept when it runs (Salvage): the revisions after it are checked
 * on what it could do, so one run reports every problem of the folder, not
 * the first one and silence after it.
 *
 * Undeclared dependencies (test mode).  A revision must apply with only its
 * ancestors beneath it, but the apply order may put other revisions first
 * (two branches interleave by id), and a revision that uses what such a
 * revision creates passes only thanks to the order.  For each revision that
 * passed in the apply order and had non-ancestors before it, its pending
 * ancestors are applied without the others, in a stack of nested
 * subtransactions kept between revisions: before the next such revision,
 * the stack is rolled back only down to the deepest point whose revisions
 * are all its ancestors, so checking a branch costs its own revisions, not
 * its whole history each time.  A revision that fails there is run again
 * after each of the others in turn is added; the first after which it
 * passes is named as the revision it depends on.
 *
 * Schemas are compared as fingerprints' rows (kind, identity) ->
 * definition; a column's definition starts with its position, which is
 * compared apart so that a column dropped and added back elsewhere is
 * reported once as a different order, not as a changed column.
 *
 * Locks: the project lock (LockAndLoad); what the bodies take.
 * Writes: nothing that stays (one subtransaction around it all, rolled
 * back).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "body.hpp"
#include "boundary.hpp"
#include "check.hpp"
#include "fingerprint.hpp"
#include "lint.hpp"
#include "lock.hpp"
#include "project_state.hpp"
#include "run.hpp"
#include "safety.hpp"
#include "spi.hpp"
#include "upload.hpp"

namespace pgmig {

using core::Index;

namespace {

/* A fingerprint as a map (kind, identity) -> definition. */
using SchemaMap = std::map<std::pair<std::string, std::string>, std::string>;

/* The live schema, as a map. */
SchemaMap
LiveSchema()
{
	SchemaMap m;
	for (const auto &r : LiveFingerprint())
		m.emplace(std::make_pair(*r[0], *r[1]), *r[2]);
	return m;
}

/* The five-character SQLSTATE of an error code. */
std::string
SqlState(int code)
{
	char state[6];
	for (int i = 0; i < 5; i++) {
		state[i] = PGUNSIXBIT(code);
		code >>= 6;
	}
	state[5] = '\0';
	return state;
}

/* A body ready to run: the text that runs (its transactional form for a
 * non-transactional one), parsed, and whom it runs as. */
struct Runnable {
	std::string body;  /* as stored: what lint reads */
	std::string runs;  /* what runs */
	ParsedBody parsed; /* of `runs` */
	Oid uploader = InvalidOid;
	bool skip = false; /* nothing to run (see `note`) */
	std::string note;  /* the transactional form, or why it is skipped */
};

/* Fetches and prepares one body of a revision. */
Runnable
Prepare(const std::string &project, const RevisionMeta &m, bool down)
{
	const char *which = down ? "down" : "up";
	StoredBody b = FetchBody(project, m.id, down);
	Runnable r;
	r.body = b.body;
	r.runs = b.body;
	r.parsed = ParseBody(m.id, which, b.body, down);
	r.uploader = UploaderForExecution(m.id, b.uploader);
	if (!r.parsed.transactional) {
		std::optional<std::string> form = TransactionalForm(m.id, which, b.body, r.parsed, &r.note);
		if (!form)
			r.skip = true;
		else {
			r.runs = *form;
			r.parsed = ParseBody(m.id, which, r.runs, down);
		}
	}
	return r;
}

/* An error a body raised. */
struct Failure {
	std::string sqlstate;
	std::string message;
	std::string detail;
	std::string hint;
	int line = 0;
};

/*
 * Runs the statements `parsed` of a prepared body in a subtransaction that
 * is committed into the caller's on success; on failure it is rolled back
 * and the error returned.  A cancel or a shutdown is raised, not returned.
 */
std::optional<Failure>
TryStatements(const RevisionMeta &m, const char *which, const Runnable &r, const ParsedBody &parsed)
{
	int failing_line = 0;
	try {
		SubTransaction sub;
		RunStatements(m.id, which, r.runs, parsed, r.uploader, &failing_line);
		sub.Commit();
	} catch (PgError &e) {
		ErrorData *ed = e.data();
		Failure f{SqlState(e.sqlerrcode()), ed->message ? ed->message : "error", "", "", failing_line};
		if (e.sqlerrcode() == ERRCODE_LOCK_NOT_AVAILABLE && failing_line > 0)
			EnrichBodyError(e, m.id, which, failing_line, 0, 1); /* the blockers, in DETAIL */
		f.detail = ed->detail ? ed->detail : "";
		f.hint = ed->hint ? ed->hint : "";
		BoundaryRepair();
		if (e.sqlerrcode() == ERRCODE_QUERY_CANCELED || e.sqlerrcode() == ERRCODE_ADMIN_SHUTDOWN)
			throw;
		return f;
	} catch (PgmigError &e) {
		BoundaryRepair();
		return Failure{SqlState(e.sqlstate()), e.message(), e.detail(), e.hint(), failing_line};
	}
	return std::nullopt;
}

/* Runs a prepared body (all of it); see TryStatements. */
std::optional<Failure>
TryRun(const RevisionMeta &m, const char *which, const Runnable &r)
{
	if (r.skip)
		return std::nullopt;
	return TryStatements(m, which, r, r.parsed);
}

/* A row for a failure. */
CheckRow
FailureRow(const std::string &revision, const char *step, const char *result, const Failure &f)
{
	CheckRow row{revision, step, result};
	row.line = f.line;
	row.sqlstate = f.sqlstate;
	row.message = f.message;
	row.detail = f.detail;
	row.hint = f.hint;
	return row;
}

/*
 * After a body failed (the failure is reported by the caller): its
 * statements one at a time, each kept when it runs, so that the revisions
 * after it are checked on what it could do instead of not at all.  Every
 * other statement that fails adds its own row: one run reports them all.
 */
void
Salvage(std::vector<CheckRow> &out, const RevisionMeta &m, const Runnable &r, int first_line)
{
	for (const BodyStatement &st : r.parsed.statements) {
		ParsedBody one;
		one.statements.push_back(st);
		std::optional<Failure> f = TryStatements(m, "up", r, one);
		if (f && st.line != first_line)
			out.push_back(FailureRow(m.id, "up", "failed", *f));
	}
}

/* A plain row (ok, skipped, no down body). */
CheckRow
PlainRow(const std::string &revision, const char *step, const char *result, const std::string &message = "")
{
	CheckRow row{revision, step, result};
	row.message = message;
	return row;
}

/* Rules that do not apply to down bodies: dropping is their job. */
bool
AppliesToDownBody(const std::string &rule)
{
	return rule != "L007" && rule != "L008";
}

/* Lints a body in the schema as it is now; one row per finding. */
void
LintRows(std::vector<CheckRow> &out, const RevisionMeta &m, bool down, const std::string &body)
{
	const char *which = down ? "down" : "up";
	for (const LintFinding &f : LintBody(m.id, which, body)) {
		if (down && !AppliesToDownBody(f.rule))
			continue;
		CheckRow row{m.id, which, "lint"};
		row.line = f.line;
		row.message = f.message;
		row.hint = f.hint;
		row.rule = f.rule;
		row.name = f.name;
		row.severity = f.severity;
		out.push_back(std::move(row));
	}
}

/* The position prefix of a column's definition ("position 3 "), and the rest.
 */
std::pair<std::string, std::string>
SplitPosition(const std::string &def)
{
	if (def.compare(0, 9, "position ") != 0)
		return {"", def};
	std::size_t sp = def.find(' ', 9);
	if (sp == std::string::npos)
		return {def, ""};
	return {def.substr(9, sp - 9), def.substr(sp + 1)};
}

/* "public.t.c" -> ("public.t", "c"); identities of columns are table.column. */
std::pair<std::string, std::string>
SplitColumn(const std::string &identity)
{
	std::size_t dot = identity.rfind('.');
	return dot == std::string::npos ? std::make_pair(std::string(), identity)
	                                : std::make_pair(identity.substr(0, dot), identity.substr(dot + 1));
}

/* The columns of a table in a schema, in position order. */
std::string
ColumnOrder(const SchemaMap &schema, const std::string &table)
{
	std::vector<std::pair<long, std::string>> cols;
	for (auto it = schema.lower_bound({"column", table + "."}); it != schema.end() && it->first.first == "column";
	     ++it) {
		auto [tbl, col] = SplitColumn(it->first.second);
		if (tbl != table) {
			if (it->first.second.compare(0, table.size() + 1, table + ".") != 0)
				break;
			continue;
		}
		cols.emplace_back(std::strtol(SplitPosition(it->second).first.c_str(), nullptr, 10), col);
	}
	std::sort(cols.begin(), cols.end());
	std::string s;
	for (const auto &c : cols)
		s += (s.empty() ? "" : ", ") + c.second;
	return "(" + s + ")";
}

/*
 * Adds one row per object that differs between two schemas (see the file
 * header for columns).  `down` names the step's wording: the down body is
 * compared with the schema before the up body, the second up with the
 * first.
 */
void
CompareSchemas(std::vector<CheckRow> &out, const std::string &revision, bool down, const SchemaMap &want,
               const SchemaMap &got)
{
	const char *step = down ? "down" : "up again";
	std::size_t before = out.size();
	std::set<std::string> reordered;
	auto add = [&](const char *result, const std::string &kind, const std::string &identity, const std::string &what,
	               const std::string &detail) {
		CheckRow row{revision, step, result};
		row.kind = kind;
		row.identity = identity;
		row.message = (down ? "the down body " + what : "up again differs: " + kind + " " + identity + " " + what);
		row.detail = detail;
		out.push_back(std::move(row));
	};
	for (const auto &[key, def] : got) {
		auto it = want.find(key);
		if (it == want.end()) {
			add(down ? "left behind" : "differs", key.first, key.second,
			    down ? "leaves " + key.first + " " + key.second + " behind" : "is extra", def);
			continue;
		}
		if (it->second == def)
			continue;
		if (key.first == "column") {
			auto [was_pos, was] = SplitPosition(it->second);
			auto [now_pos, now] = SplitPosition(def);
			if (was == now) {
				reordered.insert(SplitColumn(key.second).first);
				continue;
			}
		}
		add(down ? "changed" : "differs", key.first, key.second,
		    down ? "leaves " + key.first + " " + key.second + " changed" : "is changed",
		    (down ? "before the up body: " : "after the first up: ") + it->second +
		        (down ? "\nafter the down body: " : "\nafter the second up: ") + def);
	}
	for (const auto &[key, def] : want)
		if (got.find(key) == got.end())
			add(down ? "removed" : "differs", key.first, key.second,
			    down ? "removes " + key.first + " " + key.second + ", which was there before the up body"
			         : "is missing",
			    def);
	bool findings = out.size() > before;
	for (const std::string &table : reordered) {
		CheckRow row{revision, step, "column order"};
		row.kind = "table";
		row.identity = table;
		row.message = "the columns of " + table + " are in another order (compared by name, so not a finding)";
		row.detail = "was " + ColumnOrder(want, table) + ", now " + ColumnOrder(got, table);
		out.push_back(std::move(row));
	}
	if (!findings)
		out.push_back(PlainRow(revision, step, "ok"));
}

/* The bodies of the plan's revisions, prepared once each. */
class Bodies {
public:
	Bodies(const std::string &project, const ProjectState &st) : project_(project), st_(st) {}

	/* The up (or down) body of revision i. */
	const Runnable &Get(Index i, bool down)
	{
		auto &slot = (down ? down_ : up_)[i];
		if (!slot)
			slot = std::make_unique<Runnable>(Prepare(project_, st_.meta[i], down));
		return *slot;
	}

private:
	const std::string &project_;
	const ProjectState &st_;
	std::map<Index, std::unique_ptr<Runnable>> up_, down_;
};

/*
 * The revisions applied in the dependency pass, each in a subtransaction
 * nested in the one below it (see the file header).
 */
class AppliedStack {
public:
	~AppliedStack()
	{
		while (!subs_.empty())
			Pop();
	}

	/* Rolls back down to the deepest point whose revisions are all in keep. */
	void KeepOnly(const std::vector<bool> &keep)
	{
		std::size_t depth = 0;
		while (depth < ids_.size() && keep[ids_[depth]])
			depth++;
		while (ids_.size() > depth)
			Pop();
	}

	/*
   * Applies revision i on top; false (and nothing pushed) when it fails.
   * With `salvage` (a revision that failed in the apply order too, whose
   * failure is reported there) its statements that run are kept, as the
   * apply order's pass did.
   */
	bool Push(const RevisionMeta &m, Index i, const Runnable &up, std::optional<Failure> *failure, bool salvage = false)
	{
		auto sub = std::make_unique<SubTransaction>();
		std::optional<Failure> f = TryRun(m, "up", up);
		if (f && salvage) {
			std::vector<CheckRow> ignored;
			Salvage(ignored, m, up, f->line);
			f.reset();
		}
		if (f) {
			sub->Rollback();
			if (failure != nullptr)
				*failure = f;
			return false;
		}
		subs_.push_back(std::move(sub));
		ids_.push_back(i);
		in_.insert(i);
		return true;
	}

	bool Has(Index i) const { return in_.count(i) > 0; }

private:
	void Pop()
	{
		subs_.back()->Rollback();
		subs_.pop_back();
		in_.erase(ids_.back());
		ids_.pop_back();
	}

	std::vector<std::unique_ptr<SubTransaction>> subs_;
	std::vector<Index> ids_;
	std::set<Index> in_;
};

/*
 * The plan's revisions in an order that follows each branch to its end
 * before the next (Kahn's algorithm with a stack instead of the apply
 * order's smallest id first): the dependency pass keeps a branch's
 * ancestors applied from one of its revisions to the next, so two branches
 * whose ids interleave cost their own revisions, not a rebuild each time
 * the apply order switches between them.
 */
std::vector<Index>
ChainOrder(const ProjectState &st, const std::vector<Index> &plan)
{
	const core::Graph &g = st.graph;
	std::vector<bool> in_plan(g.size(), false);
	for (Index i : plan)
		in_plan[i] = true;
	std::map<Index, int> waiting; /* pending parents and dependencies in the plan */
	std::map<Index, std::vector<Index>> next;
	for (Index i : plan) {
		int n = 0;
		for (const auto *ids : {&st.meta[i].parents, &st.meta[i].depends_on})
			for (const std::string &id : *ids) {
				std::int64_t p = g.Find(id);
				if (p >= 0 && in_plan[static_cast<Index>(p)]) {
					n++;
					next[static_cast<Index>(p)].push_back(i);
				}
			}
		waiting[i] = n;
	}
	std::vector<Index> ready;
	for (auto it = plan.rbegin(); it != plan.rend(); ++it)
		if (waiting[*it] == 0)
			ready.push_back(*it);
	std::vector<Index> order;
	order.reserve(plan.size());
	while (!ready.empty()) {
		Index i = ready.back();
		ready.pop_back();
		order.push_back(i);
		auto &children = next[i];
		for (auto it = children.rbegin(); it != children.rend(); ++it)
			if (--waiting[*it] == 0)
				ready.push_back(*it);
	}
	return order;
}

/*
 * The dependency pass (see the file header).  `passed` marks the plan's
 * revisions whose up body ran in the apply order; rows are added for the
 * checked revisions that fail on their ancestors alone.
 */
void
DependencyPass(std::vector<CheckRow> &out, const ProjectState &st, const std::vector<Index> &plan,
               const std::vector<bool> &passed, const std::set<std::string> &checked, bool all_checked, Bodies &bodies)
{
	const core::Graph &g = st.graph;
	std::vector<bool> failed(g.size(), false); /* failed on their ancestors alone */
	AppliedStack stack;
	for (Index r : ChainOrder(st, plan)) {
		const RevisionMeta &m = st.meta[r];
		bool check = passed[r] && (all_checked || checked.count(m.id) > 0);
		std::vector<bool> needed;
		bool extras = false;
		if (check) {
			needed = g.Ancestors({r});
			for (Index p : plan) {
				if (p == r)
					break;
				if (!needed[p])
					extras = true;
			}
		}
		if (!check || !extras)
			continue;
		bool blocked = false;
		for (Index p : plan) {
			if (p == r)
				break;
			if (needed[p] && failed[p])
				blocked = true;
		}
		if (blocked)
			continue; /* its ancestor is reported already */
		stack.KeepOnly(needed);
		bool ready = true;
		for (Index p : plan) {
			if (p == r)
				break;
			if (needed[p] && !stack.Has(p) && !stack.Push(st.meta[p], p, bodies.Get(p, false), nullptr, !passed[p])) {
				ready = false; /* an ancestor fails here: its own check says why */
				break;
			}
		}
		if (!ready) {
			stack.KeepOnly(std::vector<bool>(g.size(), false));
			continue;
		}
		std::optional<Failure> failure;
		if (stack.Push(m, r, bodies.Get(r, false), &failure))
			continue;
		failed[r] = true;
		/* which revision makes it pass: add the others one at a time */
		std::string creator;
		for (Index p : plan) {
			if (p == r)
				break;
			if (needed[p] || !passed[p] || !stack.Push(st.meta[p], p, bodies.Get(p, false), nullptr))
				continue;
			SubTransaction attempt;
			std::optional<Failure> again = TryRun(m, "up", bodies.Get(r, false));
			attempt.Rollback();
			if (!again) {
				creator = st.meta[p].id;
				break;
			}
		}
		stack.KeepOnly(needed);
		CheckRow row = FailureRow(m.id, "dependencies", "undeclared dependency", *failure);
		std::string error = failure->message;
		row.message = "revision " + m.id + " fails when only its ancestors ran before it: " + error;
		if (!creator.empty()) {
			row.detail = "It passes in the apply order only because " + creator +
			             ", which is not its ancestor, runs before it (the order "
			             "among branches follows the ids)." +
			             (failure->detail.empty() ? "" : "\n" + failure->detail);
			row.hint = "Declare the dependency: add the line \"-- pgmig:depends_on " + creator +
			           "\" to the header of " + m.id + "'s file.";
		} else {
			row.detail = "It passes in the apply order, after revisions that are not "
			             "its ancestors; no single one of "
			             "them makes it pass alone." +
			             (failure->detail.empty() ? "" : "\n" + failure->detail);
			row.hint = "Declare the revisions that create what it uses with \"-- "
			           "pgmig:depends_on ...\" in its file's "
			           "header.";
		}
		out.push_back(std::move(row));
	}
}

} // namespace

/* See check.hpp and the file header. */
std::vector<CheckRow>
Check(const std::string &project, const std::string &target, const std::optional<std::vector<std::string>> &only,
      const std::optional<std::string> &batch, CheckMode mode)
{
	bool test = mode == CheckMode::kTest;
	std::vector<CheckRow> out;
	SubTransaction all;
	/* the bodies' notices (a skipped IF NOT EXISTS, a DROP ... IF EXISTS)
	 * describe a run that is rolled back: the rows say what matters */
	GucNestLevel quiet;
	quiet.Set("client_min_messages", "warning");
	if (batch)
		Upload(project, ParseUploadBatch(*batch), true, std::nullopt, false);
	ProjectState st = LockAndLoad(project, "mig_check");
	StopTouching(); /* a check records nothing of what its bodies touch */
	std::vector<Index> targets = ResolveOrThrow(st, project, {target});
	std::vector<Index> plan = st.graph.UpgradePlan(targets, st.applied);
	std::set<std::string> checked;
	if (only)
		checked.insert(only->begin(), only->end());
	Bodies bodies(project, st);
	std::vector<bool> passed(st.graph.size(), false);
	{
		SubTransaction apply_order;
		std::optional<SchemaMap> carried;
		for (Index i : plan) {
			const RevisionMeta &m = st.meta[i];
			bool check = !only || checked.count(m.id) > 0;
			const Runnable &up = bodies.Get(i, false);
			if (check && !test)
				LintRows(out, m, false, up.body);
			/* the schema after the previous revision's first up, when its
       * cycle was rolled back to it just now */
			SchemaMap before_up;
			if (check && test)
				before_up = carried ? std::move(*carried) : LiveSchema();
			carried.reset();
			if (std::optional<Failure> f = TryRun(m, "up", up)) {
				out.push_back(FailureRow(m.id, "up", "failed", *f));
				Salvage(out, m, up, f->line);
				continue;
			}
			passed[i] = true;
			if (!check)
				continue;
			if (up.skip)
				out.push_back(PlainRow(m.id, "up", "skipped", up.note));
			else if (test)
				out.push_back(PlainRow(m.id, "up", "ok", up.note));
			if (!m.has_down) {
				if (test)
					out.push_back(PlainRow(m.id, "down", "no down body", "the revision cannot be downgraded"));
				continue;
			}
			const Runnable &down = bodies.Get(i, true);
			if (!test) {
				LintRows(out, m, true, down.body);
				continue;
			}
			if (down.skip) {
				out.push_back(PlainRow(m.id, "down", "skipped", down.note));
				continue;
			}
			SchemaMap after_up = LiveSchema();
			SubTransaction cycle;
			if (std::optional<Failure> f = TryRun(m, "down", down)) {
				out.push_back(FailureRow(m.id, "down", "failed", *f));
				cycle.Rollback();
				carried = std::move(after_up);
				continue;
			}
			CompareSchemas(out, m.id, true, before_up, LiveSchema());
			if (!down.note.empty())
				out.back().message += (out.back().message.empty() ? "" : "; ") + down.note;
			if (std::optional<Failure> f = TryRun(m, "up", up))
				out.push_back(FailureRow(m.id, "up again", "failed", *f));
			else
				CompareSchemas(out, m.id, false, after_up, LiveSchema());
			cycle.Rollback();
			carried = std::move(after_up);
		}
		apply_order.Rollback();
	}
	if (test)
		DependencyPass(out, st, plan, passed, checked, !only, bodies);
	quiet.Close();
	all.Rollback();
	return out;
}

/* See check.hpp: the test mode's rows, without lint and dependency rows. */
std::vector<RoundtripRow>
Roundtrip(const std::string &project, const std::string &target, const std::optional<std::vector<std::string>> &only)
{
	std::vector<RoundtripRow> out;
	for (const CheckRow &r : Check(project, target, only, std::nullopt, CheckMode::kTest)) {
		if (r.step == "dependencies" || r.result == "column order")
			continue;
		std::string detail = r.detail;
		if (r.result == "failed")
			detail = r.sqlstate + ": revision \"" + r.revision + "\"" + (r.step == "down" ? " (down body)" : "") +
			         (r.line > 0 ? ", line " + std::to_string(r.line) : "") + ": " + r.message;
		if (r.result == "ok" || r.result == "skipped" || r.result == "no down body")
			detail = r.result == "ok" ? "" : r.message;
		out.push_back({r.revision, r.step, r.result, r.kind, r.identity, detail});
	}
	return out;
}

} // namespace pgmig
