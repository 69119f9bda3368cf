/*
 * test/fuzz/fuzz_graph.cpp
 *
 * libFuzzer target for the revision graph.  The input bytes describe a graph
 * and then a list of targets, through FuzzedDataProvider:
 *
 *   byte 0     mode: even = "DAG-leaning" (unique ids, parents and
 *              dependencies only among earlier revisions, so most inputs are
 *              valid graphs and the queries get exercised), odd = anything
 *              goes (duplicate, invalid and reserved ids, forward references
 *              that make cycles, unknown names, self references, repeated
 *              entries, labels that clash)
 *   then       the number of revisions (0..64) and, per revision, its id,
 *              parents, dependencies and labels, each entry picked from a
 *              small pool of names so that prefixes and clashes are common,
 *              or taken raw from the input
 *   then       an applied set (made ancestor-closed or left arbitrary)
 *   the rest   target strings, resolved one by one and all together
 *
 * The library must never crash, trip a sanitizer or break an invariant.
 * Invalid graphs: an empty graph and a non-empty, deterministic list of
 * problems, each with a kind and a message.  Valid graphs: Order() is a
 * permutation that puts every parent and dependency first and equals the
 * smallest-id-first order computed naively; heads are exactly the revisions
 * without children, in order, and every revision is an ancestor of a head;
 * Ancestors/Descendants agree with each other; for every resolved target,
 * UpgradePlan followed by marking the plan applied yields an ancestor-closed
 * set containing the target's ancestors, DowngradePlan yields its
 * intersection with them, AppliedHeads spans the set exactly, and +N / -N
 * move the applied set by exactly N.  A broken invariant aborts with a
 * message, which libFuzzer reports as a crash.
 *
 * The raw input is also handed, as SQL text, to the sqltext.hpp functions
 * (they are cheap and share the target): skipping blanks and comments never
 * goes backwards or past the end and agrees with IsBlank, LineIndex agrees
 * with LineColumnAt, character offsets increase, and the checksum
 * normalisation is idempotent and leaves no carriage return, trailing blank
 * or trailing newline.
 *
 * Build and run: see test/fuzz/README.md.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "graph.hpp"
#include "sqltext.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using namespace pgmig::core;

namespace {

/* Aborts with a message when an invariant does not hold. */
#define FUZZ_CHECK(cond)                                                                                             \
	do {                                                                                                             \
		if (!(cond)) {                                                                                               \
			std::fprintf(stderr, "fuzz_graph: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);        \
			std::abort();                                                                                            \
		}                                                                                                            \
	} while (0)

constexpr int kMaxRevisions = 64;

/* A name from a small pool (ids, prefixes of each other, labels, reserved words, odd bytes), or raw input. */
std::string
PoolName(FuzzedDataProvider &in)
{
	static const char *const pool[] = {"a",  "ab",   "abc", "b",    "b1",   "b10", "L1",   "L2",  "main", "head",
									   "HEAD", "heads", "base", "Base", "_x",  "x y", "",     "a-b", "a.b",  "9"};
	switch (in.ConsumeIntegralInRange<int>(0, 3)) {
	case 0:
		return pool[in.ConsumeIntegralInRange<std::size_t>(0, sizeof pool / sizeof pool[0] - 1)];
	case 1:
		return "r" + std::to_string(in.ConsumeIntegralInRange<int>(0, kMaxRevisions));
	case 2:
		return "a" + std::to_string(in.ConsumeIntegralInRange<int>(0, 20));
	default:
		return in.ConsumeRandomLengthString(12);
	}
}

/* The id the DAG-leaning mode gives revision k: unique, colliding prefixes ("r1", "r10", ...). */
std::string
DagId(int k)
{
	return "r" + std::to_string(k);
}

/* Builds the revision list described by the input. */
std::vector<RevisionInput>
ReadGraph(FuzzedDataProvider &in, bool dag)
{
	const int n = in.ConsumeIntegralInRange<int>(0, kMaxRevisions);
	std::vector<RevisionInput> revs(static_cast<std::size_t>(n));
	for (int k = 0; k < n; k++)
		revs[static_cast<std::size_t>(k)].id = dag ? DagId(k) : PoolName(in);
	for (int k = 0; k < n; k++) {
		RevisionInput &r = revs[static_cast<std::size_t>(k)];
		int parents = in.ConsumeIntegralInRange<int>(0, 3);
		int deps = in.ConsumeIntegralInRange<int>(0, 2);
		int labels = in.ConsumeIntegralInRange<int>(0, 2) == 2 ? 1 : 0;
		for (int e = 0; e < parents + deps; e++) {
			std::string name;
			if (dag) {
				if (k == 0)
					break;
				name = DagId(in.ConsumeIntegralInRange<int>(0, k - 1));
				std::vector<std::string> &list = e < parents ? r.parents : r.depends_on;
				if (std::find(r.parents.begin(), r.parents.end(), name) != r.parents.end() ||
					std::find(r.depends_on.begin(), r.depends_on.end(), name) != r.depends_on.end())
					continue;
				list.push_back(name);
			} else {
				bool by_index = in.ConsumeBool();
				name = by_index && n > 0 ? revs[in.ConsumeIntegralInRange<std::size_t>(0, revs.size() - 1)].id
										 : PoolName(in);
				(e < parents ? r.parents : r.depends_on).push_back(name);
			}
		}
		for (int l = 0; l < labels; l++)
			r.branch_labels.push_back(dag ? "L" + std::to_string(in.ConsumeIntegralInRange<int>(0, 200))
										  : PoolName(in));
	}
	return revs;
}

/* True when every ancestor of a member is a member (checked edge by edge, from the input names). */
bool
IsAncestorClosed(const Graph &g, const std::vector<bool> &set)
{
	for (Index v = 0; v < g.size(); v++) {
		if (!set[v])
			continue;
		for (const std::string &p : g.revision(v).parents) {
			if (!set[static_cast<std::size_t>(g.Find(p))])
				return false;
		}
		for (const std::string &d : g.revision(v).depends_on) {
			if (!set[static_cast<std::size_t>(g.Find(d))])
				return false;
		}
	}
	return true;
}

/* Number of members of a set. */
std::size_t
CountOf(const std::vector<bool> &set)
{
	return static_cast<std::size_t>(std::count(set.begin(), set.end(), true));
}

/* The structural invariants of a valid graph. */
void
CheckStructure(const Graph &g)
{
	const std::size_t n = g.size();
	const std::vector<Index> &order = g.Order();
	FUZZ_CHECK(order.size() == n);
	std::vector<bool> seen(n, false);
	for (std::size_t p = 0; p < n; p++) {
		FUZZ_CHECK(order[p] < n && !seen[order[p]]);
		seen[order[p]] = true;
		FUZZ_CHECK(g.Position(order[p]) == p);
	}
	for (Index v = 0; v < n; v++) {
		FUZZ_CHECK(g.Find(g.id(v)) == static_cast<std::int64_t>(v));
		for (const std::string &p : g.revision(v).parents) {
			std::int64_t pi = g.Find(p);
			FUZZ_CHECK(pi >= 0 && g.Position(static_cast<Index>(pi)) < g.Position(v));
			const std::vector<Index> &kids = g.Children(static_cast<Index>(pi));
			FUZZ_CHECK(std::find(kids.begin(), kids.end(), v) != kids.end());
		}
		for (const std::string &d : g.revision(v).depends_on) {
			std::int64_t di = g.Find(d);
			FUZZ_CHECK(di >= 0 && g.Position(static_cast<Index>(di)) < g.Position(v));
		}
	}

	/* Naive smallest-ready-id-first order. */
	std::vector<bool> placed(n, false);
	for (std::size_t p = 0; p < n; p++) {
		std::int64_t best = -1;
		for (Index v = 0; v < n; v++) {
			if (placed[v])
				continue;
			bool ready = true;
			for (const std::string &e : g.revision(v).parents)
				ready = ready && placed[static_cast<std::size_t>(g.Find(e))];
			for (const std::string &e : g.revision(v).depends_on)
				ready = ready && placed[static_cast<std::size_t>(g.Find(e))];
			if (ready && (best < 0 || g.id(v) < g.id(static_cast<Index>(best))))
				best = v;
		}
		FUZZ_CHECK(best >= 0 && static_cast<Index>(best) == order[p]);
		placed[static_cast<std::size_t>(best)] = true;
	}

	/* Heads: no children, in order; everything is an ancestor of some head. */
	std::vector<Index> heads = g.Heads();
	std::size_t expected_heads = 0;
	for (Index v = 0; v < n; v++)
		expected_heads += g.Children(v).empty() ? 1 : 0;
	FUZZ_CHECK(heads.size() == expected_heads);
	for (std::size_t k = 0; k < heads.size(); k++) {
		FUZZ_CHECK(g.Children(heads[k]).empty());
		FUZZ_CHECK(k == 0 || g.Position(heads[k - 1]) < g.Position(heads[k]));
	}
	FUZZ_CHECK(CountOf(g.Ancestors(heads)) == n);
	FUZZ_CHECK(n == 0 || !heads.empty());

	/* w is an ancestor of v exactly when v is a descendant of w (sampled). */
	for (Index v = 0; v < n; v += 7) {
		std::vector<bool> anc = g.Ancestors({v});
		for (Index w = 0; w < n; w++)
			FUZZ_CHECK(anc[w] == g.Descendants({w})[v]);
	}
}

/* The invariants around one successful resolution. */
void
CheckResolution(const Graph &g, const std::string &target, const Resolution &r, const std::vector<bool> &applied,
				bool closed)
{
	const std::size_t n = g.size();
	if (!r.ok()) {
		FUZZ_CHECK(r.revisions.empty());
		FUZZ_CHECK(!r.problem.message.empty());
		return;
	}
	FUZZ_CHECK(r.problem.message.empty());
	for (Index v : r.revisions)
		FUZZ_CHECK(v < n);

	std::vector<bool> wanted = g.Ancestors(r.revisions);
	std::vector<Index> up = g.UpgradePlan(r.revisions, applied);
	std::vector<bool> after = applied;
	for (std::size_t k = 0; k < up.size(); k++) {
		FUZZ_CHECK(!applied[up[k]] && wanted[up[k]]);
		FUZZ_CHECK(k == 0 || g.Position(up[k - 1]) < g.Position(up[k]));
		after[up[k]] = true;
	}
	for (Index v = 0; v < n; v++)
		FUZZ_CHECK(!wanted[v] || after[v]);
	if (closed)
		FUZZ_CHECK(IsAncestorClosed(g, after));

	std::vector<Index> down = g.DowngradePlan(r.revisions, after);
	std::vector<bool> kept = after;
	for (std::size_t k = 0; k < down.size(); k++) {
		FUZZ_CHECK(after[down[k]] && !wanted[down[k]]);
		FUZZ_CHECK(k == 0 || g.Position(down[k - 1]) > g.Position(down[k]));
		kept[down[k]] = false;
	}
	for (Index v = 0; v < n; v++)
		FUZZ_CHECK(kept[v] == (after[v] && wanted[v]));

	if (closed) {
		FUZZ_CHECK(IsAncestorClosed(g, kept));
		FUZZ_CHECK(g.Ancestors(g.AppliedHeads(after)) == after);
		FUZZ_CHECK(g.Ancestors(g.AppliedHeads(kept)) == kept);
		/* "+N" / "-N" move the applied set by exactly N. */
		if (target.size() > 1 && (target[0] == '+' || target[0] == '-')) {
			std::size_t before = CountOf(applied);
			std::size_t now = CountOf(wanted);
			std::size_t steps = static_cast<std::size_t>(std::strtoull(target.c_str() + 1, nullptr, 10));
			FUZZ_CHECK(target[0] == '+' ? now == before + steps : now + steps == before);
		}
	}
}

/* The sqltext.hpp invariants on one text. */
void
CheckSqlText(std::string_view text)
{
	const std::size_t size = text.size();
	FUZZ_CHECK(IsBlank(text) == (SkipBlanksAndComments(text, 0) == size));
	LineIndex index(text);
	for (std::size_t from = 0; from <= size + 1; from += 1 + from / 4) {
		std::size_t to = SkipBlanksAndComments(text, from);
		FUZZ_CHECK(to <= size && (to >= from || from > size));
		FUZZ_CHECK(to == size || SkipBlanksAndComments(text, to) == to);
		LineColumn a = LineColumnAt(text, from);
		LineColumn b = index.At(from);
		FUZZ_CHECK(a.line == b.line && a.column == b.column && a.line >= 1 && a.column >= 1);
	}
	std::size_t previous = 0;
	for (std::size_t c = 0; c < 64; c++) {
		std::size_t off = ByteOffsetOfCharacter(text, c);
		FUZZ_CHECK(off <= size && (c == 0 || off > previous || off == size));
		previous = off;
	}
	std::string normal = NormalizeForChecksum(text);
	FUZZ_CHECK(NormalizeForChecksum(normal) == normal);
	FUZZ_CHECK(normal.find('\r') == std::string::npos);
	FUZZ_CHECK(normal.find(" \n") == std::string::npos && normal.find("\t\n") == std::string::npos);
	FUZZ_CHECK(normal.empty() || (normal.back() != '\n' && normal.back() != ' ' && normal.back() != '\t'));
}

} // namespace

/* libFuzzer entry point: one graph, one applied set, many targets; and the input as SQL text. */
extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	CheckSqlText(std::string_view(reinterpret_cast<const char *>(data), size));

	FuzzedDataProvider in(data, size);
	const bool dag = in.ConsumeIntegral<std::uint8_t>() % 2 == 0;
	std::vector<RevisionInput> input = ReadGraph(in, dag);

	Graph::BuildResult built = Graph::Build(input);
	if (!built.problems.empty()) {
		FUZZ_CHECK(built.graph.size() == 0);
		Graph::BuildResult again = Graph::Build(input);
		FUZZ_CHECK(again.problems.size() == built.problems.size());
		for (std::size_t k = 0; k < built.problems.size(); k++) {
			const Problem &p = built.problems[k];
			FUZZ_CHECK(p.kind != ProblemKind::kNone);
			FUZZ_CHECK(!p.message.empty());
			FUZZ_CHECK(again.problems[k].kind == p.kind && again.problems[k].message == p.message);
		}
		/* Queries on the (empty) result stay harmless. */
		FUZZ_CHECK(!ResolveTarget(built.graph, "head", {}).ok());
		return 0;
	}
	const Graph &g = built.graph;
	FUZZ_CHECK(g.size() == input.size());
	CheckStructure(g);

	/* Applied set: random picks, closed under ancestors unless the input says otherwise. */
	const std::size_t n = g.size();
	const bool closed = in.ConsumeIntegralInRange<int>(0, 3) != 0;
	std::vector<Index> picked;
	for (Index v = 0; v < n; v++) {
		if (in.ConsumeIntegralInRange<int>(0, 3) == 0)
			picked.push_back(v);
	}
	std::vector<bool> applied(n, false);
	if (closed)
		applied = g.Ancestors(picked);
	else {
		for (Index v : picked)
			applied[v] = true;
	}
	/* Sometimes hand over a shorter vector: missing entries mean "not applied". */
	std::vector<bool> short_applied(applied.begin(), applied.begin() + static_cast<std::ptrdiff_t>(n / 2));

	std::vector<std::string> targets = {"head", "heads", "base", "+1", "-1", "+" + std::to_string(n), "-0"};
	if (n > 0) {
		Index v = in.ConsumeIntegralInRange<Index>(0, static_cast<Index>(n - 1));
		targets.push_back(g.id(v));
		targets.push_back(g.id(v) + "@head");
		targets.push_back(g.id(v).substr(0, 1));
	}
	while (in.remaining_bytes() > 0 && targets.size() < 40) {
		std::string t = in.ConsumeRandomLengthString(24);
		if (in.ConsumeBool())
			t = (in.ConsumeBool() ? "+" : "-") + std::to_string(in.ConsumeIntegralInRange<int>(0, 70));
		targets.push_back(std::move(t));
	}

	for (const std::string &t : targets) {
		CheckResolution(g, t, ResolveTarget(g, t, applied), applied, closed);
		Resolution s = ResolveTarget(g, t, short_applied);
		FUZZ_CHECK(s.ok() || !s.problem.message.empty());
	}
	Resolution all = ResolveTargets(g, targets, applied);
	if (all.ok()) {
		for (std::size_t k = 1; k < all.revisions.size(); k++)
			FUZZ_CHECK(g.Position(all.revisions[k - 1]) < g.Position(all.revisions[k]));
	}
	return 0;
}
