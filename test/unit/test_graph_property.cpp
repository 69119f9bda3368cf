/*
 * test/unit/test_graph_property.cpp
 *
 * Property tests: thousands of random revision graphs (fixed seeds, so every
 * run sees the same graphs) checked against a reference implementation written
 * here to be obviously right rather than fast: closures by iterating to a fixed
 * point, heads by scanning every parent list, the order by repeatedly picking
 * the smallest ready id, plans and relative steps by walking that order, and
 * strongly connected components by mutual reachability.  The graphs have
 * several roots, merges, depends_on edges, branch labels, ids drawn from a
 * small alphabet so that prefixes collide, and a shuffled input order.  A
 * second family injects cycles and unknown parents or dependencies into valid
 * graphs and checks that exactly the right problems come back.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "graph.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace pgmig::core;

namespace {

constexpr int kGraphs = 3000;
constexpr int kMaxNodes = 60;

/* A random graph, in input order. */
struct RandomGraph {
	std::vector<RevisionInput> input;
};

/* Uniform integer in [lo, hi]. */
int
Uniform(std::mt19937 &rng, int lo, int hi)
{
	return std::uniform_int_distribution<int>(lo, hi)(rng);
}

/* True with probability p. */
bool
Chance(std::mt19937 &rng, double p)
{
	return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p;
}

/* A random string of 1..max_len characters from `alphabet`. */
std::string
RandomName(std::mt19937 &rng, const std::string &alphabet, int max_len)
{
	std::string s;
	int len = Uniform(rng, 1, max_len);
	for (int i = 0; i < len; i++)
		s.push_back(alphabet[static_cast<std::size_t>(Uniform(rng, 0, static_cast<int>(alphabet.size()) - 1))]);
	return s;
}

/*
 * A random valid graph: revisions created one by one, each a root (always the
 * first, then sometimes), a child of one earlier revision, or a merge of two
 * or three; some depend on earlier revisions too; some carry a label.  Ids use
 * "abcd0123" (never a reserved word), labels "xyz" (never an id).  The input
 * is shuffled.
 */
RandomGraph
MakeRandomGraph(std::mt19937 &rng)
{
	const int n = Uniform(rng, 1, kMaxNodes);
	std::set<std::string> used;
	RandomGraph g;
	for (int k = 0; k < n; k++) {
		RevisionInput r;
		do
			r.id = RandomName(rng, "abcd0123", 4);
		while (!used.insert(r.id).second);
		if (k > 0 && !Chance(rng, 0.08)) {
			int parents = Chance(rng, 0.2) ? Uniform(rng, 2, 3) : 1;
			for (int p = 0; p < parents; p++) {
				const std::string &cand = g.input[static_cast<std::size_t>(Uniform(rng, 0, k - 1))].id;
				if (std::find(r.parents.begin(), r.parents.end(), cand) == r.parents.end())
					r.parents.push_back(cand);
			}
		}
		if (k > 0 && Chance(rng, 0.2)) {
			int deps = Uniform(rng, 1, 2);
			for (int d = 0; d < deps; d++) {
				const std::string &cand = g.input[static_cast<std::size_t>(Uniform(rng, 0, k - 1))].id;
				if (std::find(r.parents.begin(), r.parents.end(), cand) == r.parents.end() &&
					std::find(r.depends_on.begin(), r.depends_on.end(), cand) == r.depends_on.end())
					r.depends_on.push_back(cand);
			}
		}
		if (Chance(rng, 0.1)) {
			std::string label = RandomName(rng, "xyz", 3);
			if (used.insert(label).second)
				r.branch_labels.push_back(label);
		}
		g.input.push_back(std::move(r));
	}
	std::shuffle(g.input.begin(), g.input.end(), rng);
	return g;
}

/*
 * The reference: works on input indexes with plain loops, and is meant to be
 * checked by reading, not to be fast.
 */
struct Reference {
	std::vector<RevisionInput> in;
	std::vector<std::vector<int>> parents; /* parents only */
	std::vector<std::vector<int>> edges;   /* parents and depends_on */
	std::vector<int> order;
	std::vector<int> position;
	int n = 0;

	/* Index of an id by linear search, or -1. */
	int IndexOf(const std::string &id) const
	{
		for (int i = 0; i < n; i++) {
			if (in[static_cast<std::size_t>(i)].id == id)
				return i;
		}
		return -1;
	}

	/* Sets up edges (names that match nothing are skipped) and, if acyclic, the order. */
	explicit Reference(const std::vector<RevisionInput> &input) : in(input), n(static_cast<int>(input.size()))
	{
		parents.resize(static_cast<std::size_t>(n));
		edges.resize(static_cast<std::size_t>(n));
		for (int i = 0; i < n; i++) {
			for (const std::string &p : in[static_cast<std::size_t>(i)].parents) {
				int j = IndexOf(p);
				if (j >= 0) {
					parents[static_cast<std::size_t>(i)].push_back(j);
					edges[static_cast<std::size_t>(i)].push_back(j);
				}
			}
			for (const std::string &d : in[static_cast<std::size_t>(i)].depends_on) {
				int j = IndexOf(d);
				if (j >= 0)
					edges[static_cast<std::size_t>(i)].push_back(j);
			}
		}
		/* Repeatedly place the smallest id whose edges all point to placed revisions. */
		std::vector<bool> placed(static_cast<std::size_t>(n), false);
		for (int round = 0; round < n; round++) {
			int best = -1;
			for (int i = 0; i < n; i++) {
				if (placed[static_cast<std::size_t>(i)])
					continue;
				bool ready = true;
				for (int j : edges[static_cast<std::size_t>(i)])
					ready = ready && placed[static_cast<std::size_t>(j)];
				if (ready && (best < 0 || in[static_cast<std::size_t>(i)].id < in[static_cast<std::size_t>(best)].id))
					best = i;
			}
			if (best < 0)
				break;
			placed[static_cast<std::size_t>(best)] = true;
			order.push_back(best);
		}
		position.assign(static_cast<std::size_t>(n), -1);
		for (std::size_t p = 0; p < order.size(); p++)
			position[static_cast<std::size_t>(order[p])] = static_cast<int>(p);
	}

	/* Ancestors by fixed point: add the edges of members until nothing changes. */
	std::vector<bool> Ancestors(const std::vector<int> &from) const
	{
		std::vector<bool> in_set(static_cast<std::size_t>(n), false);
		for (int f : from)
			in_set[static_cast<std::size_t>(f)] = true;
		for (bool changed = true; changed;) {
			changed = false;
			for (int i = 0; i < n; i++) {
				if (!in_set[static_cast<std::size_t>(i)])
					continue;
				for (int j : edges[static_cast<std::size_t>(i)]) {
					if (!in_set[static_cast<std::size_t>(j)]) {
						in_set[static_cast<std::size_t>(j)] = true;
						changed = true;
					}
				}
			}
		}
		return in_set;
	}

	/* Descendants by fixed point over `which` edges: add any revision pointing into the set. */
	std::vector<bool> DescendantsVia(const std::vector<std::vector<int>> &which, const std::vector<int> &from) const
	{
		std::vector<bool> in_set(static_cast<std::size_t>(n), false);
		for (int f : from)
			in_set[static_cast<std::size_t>(f)] = true;
		for (bool changed = true; changed;) {
			changed = false;
			for (int i = 0; i < n; i++) {
				if (in_set[static_cast<std::size_t>(i)])
					continue;
				for (int j : which[static_cast<std::size_t>(i)]) {
					if (in_set[static_cast<std::size_t>(j)]) {
						in_set[static_cast<std::size_t>(i)] = true;
						changed = true;
						break;
					}
				}
			}
		}
		return in_set;
	}

	/* True when some revision names i as a parent. */
	bool HasChild(int i) const
	{
		for (int k = 0; k < n; k++) {
			for (int p : parents[static_cast<std::size_t>(k)])
				if (p == i)
					return true;
		}
		return false;
	}

	/* Members of a set, in reference order. */
	std::vector<int> InOrder(const std::vector<bool> &set) const
	{
		std::vector<int> out;
		for (int v : order) {
			if (set[static_cast<std::size_t>(v)])
				out.push_back(v);
		}
		return out;
	}

	/* Heads by scanning every parent list. */
	std::vector<int> Heads() const
	{
		std::vector<bool> head(static_cast<std::size_t>(n), false);
		for (int i = 0; i < n; i++)
			head[static_cast<std::size_t>(i)] = !HasChild(i);
		return InOrder(head);
	}

	/* Applied revisions none of whose parent-or-dependency children is applied. */
	std::vector<int> AppliedHeads(const std::vector<bool> &applied) const
	{
		std::vector<bool> head(static_cast<std::size_t>(n), false);
		for (int i = 0; i < n; i++) {
			if (!applied[static_cast<std::size_t>(i)])
				continue;
			bool covered = false;
			for (int k = 0; k < n; k++) {
				for (int j : edges[static_cast<std::size_t>(k)])
					covered = covered || (j == i && applied[static_cast<std::size_t>(k)]);
			}
			head[static_cast<std::size_t>(i)] = !covered;
		}
		return InOrder(head);
	}

	/* Pending ancestors of the targets in order. */
	std::vector<int> UpgradePlan(const std::vector<int> &targets, const std::vector<bool> &applied) const
	{
		std::vector<bool> anc = Ancestors(targets);
		std::vector<int> out;
		for (int v : order) {
			if (anc[static_cast<std::size_t>(v)] && !applied[static_cast<std::size_t>(v)])
				out.push_back(v);
		}
		return out;
	}

	/* Applied non-ancestors of the targets in reverse order. */
	std::vector<int> DowngradePlan(const std::vector<int> &targets, const std::vector<bool> &applied) const
	{
		std::vector<bool> anc = Ancestors(targets);
		std::vector<int> out;
		for (auto it = order.rbegin(); it != order.rend(); ++it) {
			if (applied[static_cast<std::size_t>(*it)] && !anc[static_cast<std::size_t>(*it)])
				out.push_back(*it);
		}
		return out;
	}

	/* Exact id, exact label, then unique prefix; -1 unknown, -2 ambiguous. */
	int LookupName(const std::string &name) const
	{
		int exact = IndexOf(name);
		if (exact >= 0)
			return exact;
		for (int i = 0; i < n; i++) {
			for (const std::string &l : in[static_cast<std::size_t>(i)].branch_labels)
				if (l == name)
					return i;
		}
		int found = -1;
		int count = 0;
		for (int i = 0; i < n; i++) {
			if (in[static_cast<std::size_t>(i)].id.compare(0, name.size(), name) == 0) {
				found = i;
				count++;
			}
		}
		return count == 1 ? found : (count == 0 ? -1 : -2);
	}
};

/* Converts graph indexes to ints. */
std::vector<int>
ToInts(const std::vector<Index> &list)
{
	return std::vector<int>(list.begin(), list.end());
}

/* Converts ints to graph indexes. */
std::vector<Index>
ToIndexes(const std::vector<int> &list)
{
	std::vector<Index> out;
	for (int i : list)
		out.push_back(static_cast<Index>(i));
	return out;
}

/* A random subset of the revisions, closed under ancestors when `closed`. */
std::vector<bool>
RandomApplied(std::mt19937 &rng, const Reference &ref, bool closed)
{
	std::vector<int> picked;
	double p = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
	for (int i = 0; i < ref.n; i++) {
		if (Chance(rng, p * 0.5))
			picked.push_back(i);
	}
	if (closed)
		return ref.Ancestors(picked);
	std::vector<bool> set(static_cast<std::size_t>(ref.n), false);
	for (int i : picked)
		set[static_cast<std::size_t>(i)] = true;
	return set;
}

/* Up to three random revisions as plan targets. */
std::vector<int>
RandomTargets(std::mt19937 &rng, const Reference &ref)
{
	std::vector<int> out;
	int count = Uniform(rng, 0, 3);
	for (int k = 0; k < count; k++)
		out.push_back(Uniform(rng, 0, ref.n - 1));
	return out;
}

/* Checks one valid random graph against the reference (fatal failures stop at the first difference). */
void
CheckValidGraph(std::mt19937 &rng, const RandomGraph &rg, int seed)
{
	SCOPED_TRACE("seed " + std::to_string(seed));
	Graph::BuildResult built = Graph::Build(rg.input);
	ASSERT_TRUE(built.problems.empty()) << built.problems[0].message;
	const Graph &g = built.graph;
	Reference ref(rg.input);
	ASSERT_EQ(static_cast<int>(ref.order.size()), ref.n);
	ASSERT_EQ(g.size(), static_cast<std::size_t>(ref.n));

	ASSERT_EQ(ToInts(g.Order()), ref.order);
	for (int i = 0; i < ref.n; i++) {
		ASSERT_EQ(g.Position(static_cast<Index>(i)),
				  static_cast<std::size_t>(ref.position[static_cast<std::size_t>(i)]));
		ASSERT_EQ(g.Find(rg.input[static_cast<std::size_t>(i)].id), i);
	}
	ASSERT_EQ(ToInts(g.Heads()), ref.Heads());

	/* Closures from random starting sets. */
	for (int round = 0; round < 3; round++) {
		std::vector<int> from = RandomTargets(rng, ref);
		ASSERT_EQ(g.Ancestors(ToIndexes(from)), ref.Ancestors(from));
		ASSERT_EQ(g.Descendants(ToIndexes(from)), ref.DescendantsVia(ref.edges, from));
	}

	/* Plans and applied heads, for closed and arbitrary applied sets. */
	for (int round = 0; round < 4; round++) {
		std::vector<bool> applied = RandomApplied(rng, ref, round < 3);
		std::vector<int> targets = RandomTargets(rng, ref);
		ASSERT_EQ(ToInts(g.UpgradePlan(ToIndexes(targets), applied)), ref.UpgradePlan(targets, applied));
		ASSERT_EQ(ToInts(g.DowngradePlan(ToIndexes(targets), applied)), ref.DowngradePlan(targets, applied));
		ASSERT_EQ(ToInts(g.AppliedHeads(applied)), ref.AppliedHeads(applied));
		if (round < 3) {
			/* For a closed set the applied heads span exactly the set. */
			ASSERT_EQ(g.Ancestors(g.AppliedHeads(applied)), applied);
		}

		/* +N and -N against a walk of the reference order. */
		int pending = static_cast<int>(std::count(applied.begin(), applied.end(), false));
		int done = ref.n - pending;
		int up = Uniform(rng, 1, pending + 1);
		Resolution r = ResolveTarget(g, "+" + std::to_string(up), applied);
		if (up > pending) {
			ASSERT_EQ(r.problem.kind, ProblemKind::kRelativeOutOfRange);
		} else {
			ASSERT_TRUE(r.ok()) << r.problem.message;
			std::vector<bool> expect = applied;
			int left = up;
			for (int v : ref.order) {
				if (left > 0 && !expect[static_cast<std::size_t>(v)]) {
					expect[static_cast<std::size_t>(v)] = true;
					left--;
				}
			}
			ASSERT_EQ(ToInts(r.revisions), ref.AppliedHeads(expect));
			if (round < 3) {
				ASSERT_EQ(g.Ancestors(r.revisions), expect);
			}
		}
		int down = Uniform(rng, 1, done + 1);
		Resolution d = ResolveTarget(g, "-" + std::to_string(down), applied);
		if (down > done) {
			ASSERT_EQ(d.problem.kind, ProblemKind::kRelativeOutOfRange);
		} else {
			ASSERT_TRUE(d.ok()) << d.problem.message;
			std::vector<bool> expect = applied;
			int left = down;
			for (auto it = ref.order.rbegin(); it != ref.order.rend(); ++it) {
				if (left > 0 && expect[static_cast<std::size_t>(*it)]) {
					expect[static_cast<std::size_t>(*it)] = false;
					left--;
				}
			}
			ASSERT_EQ(ToInts(d.revisions), ref.AppliedHeads(expect));
			if (round < 3) {
				ASSERT_EQ(g.Ancestors(d.revisions), expect);
			}
		}
	}

	/* Names: ids, their prefixes, labels, random strings, and X@head. */
	std::vector<bool> none(static_cast<std::size_t>(ref.n), false);
	std::vector<int> ref_heads = ref.Heads();
	for (int round = 0; round < 6; round++) {
		std::string name;
		int pick = Uniform(rng, 0, 2);
		const RevisionInput &some = rg.input[static_cast<std::size_t>(Uniform(rng, 0, ref.n - 1))];
		if (pick == 0)
			name = some.id.substr(0, static_cast<std::size_t>(Uniform(rng, 1, static_cast<int>(some.id.size()))));
		else if (pick == 1 && !some.branch_labels.empty())
			name = some.branch_labels[0];
		else
			name = RandomName(rng, "abcd0123xyz", 3);
		int expect = ref.LookupName(name);
		Resolution r = ResolveTarget(g, name, none);
		if (expect >= 0) {
			ASSERT_TRUE(r.ok()) << name << ": " << r.problem.message;
			ASSERT_EQ(ToInts(r.revisions), std::vector<int>{expect}) << name;
		} else {
			ASSERT_EQ(r.problem.kind, expect == -1 ? ProblemKind::kUnknownTarget : ProblemKind::kAmbiguousTarget)
				<< name;
		}

		Resolution at = ResolveTarget(g, name + "@head", none);
		if (expect >= 0) {
			std::vector<bool> below = ref.DescendantsVia(ref.parents, {expect});
			std::vector<int> heads_below;
			for (int h : ref_heads) {
				if (below[static_cast<std::size_t>(h)])
					heads_below.push_back(h);
			}
			if (heads_below.size() == 1) {
				ASSERT_TRUE(at.ok()) << name << "@head: " << at.problem.message;
				ASSERT_EQ(ToInts(at.revisions), heads_below);
			} else {
				ASSERT_EQ(at.problem.kind, ProblemKind::kAmbiguousTarget) << name;
			}
		} else {
			ASSERT_FALSE(at.ok());
		}
	}

	/* head and heads. */
	Resolution head = ResolveTarget(g, "head", none);
	if (ref_heads.size() == 1) {
		ASSERT_EQ(ToInts(head.revisions), ref_heads);
	} else {
		ASSERT_EQ(head.problem.kind, ProblemKind::kMultipleHeads);
	}
	ASSERT_EQ(ToInts(ResolveTarget(g, "heads", none).revisions), ref_heads);
}

} // namespace

/* Thousands of random valid graphs agree with the reference on every query. */
TEST(GraphProperty, RandomValidGraphsMatchReference)
{
	for (int seed = 1; seed <= kGraphs; seed++) {
		std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
		RandomGraph rg = MakeRandomGraph(rng);
		CheckValidGraph(rng, rg, seed);
		if (HasFatalFailure())
			return;
	}
}

namespace {

/*
 * Parses the cycle path out of a cycle message ("x" -> "y" -> ... -> "x")
 * and checks that each step is a parent or dependency edge of the reference.
 * A long cycle is shortened in the message with "...", whose step is skipped.
 */
void
CheckCyclePath(const Reference &ref, const std::string &message)
{
	std::vector<std::string> path;
	std::size_t colon = message.find(": ");
	ASSERT_NE(colon, std::string::npos) << message;
	std::size_t end = message.find(';', colon);
	std::string body = message.substr(colon + 2, end == std::string::npos ? std::string::npos : end - colon - 2);
	for (std::size_t pos = 0; pos < body.size();) {
		std::size_t open = body.find('"', pos);
		if (open == std::string::npos)
			break;
		std::size_t close = body.find('"', open + 1);
		ASSERT_NE(close, std::string::npos) << message;
		path.push_back(body.substr(open + 1, close - open - 1));
		pos = close + 1;
	}
	ASSERT_GE(path.size(), 3u) << message;
	ASSERT_EQ(path.front(), path.back()) << message;
	const bool shortened = body.find("...") != std::string::npos;
	for (std::size_t k = 0; k + 1 < path.size(); k++) {
		if (shortened && k + 2 == path.size())
			break;
		int from = ref.IndexOf(path[k]);
		int to = ref.IndexOf(path[k + 1]);
		ASSERT_GE(from, 0);
		ASSERT_GE(to, 0);
		const std::vector<int> &e = ref.edges[static_cast<std::size_t>(from)];
		ASSERT_NE(std::find(e.begin(), e.end(), to), e.end()) << message;
	}
}

} // namespace

/* Random graphs with injected cycles report each tangle once, anchored at its first input revision. */
TEST(GraphProperty, InjectedCyclesAreReportedPerComponent)
{
	for (int seed = 1; seed <= kGraphs; seed++) {
		SCOPED_TRACE("seed " + std::to_string(seed));
		std::mt19937 rng(static_cast<std::mt19937::result_type>(seed + 100000));
		RandomGraph rg = MakeRandomGraph(rng);
		Reference clean(rg.input);
		if (clean.n < 2)
			continue;
		/* Add 1..3 back edges: an ancestor names a descendant as parent or dependency. */
		int injected = 0;
		const int wanted = Uniform(rng, 1, 3);
		for (int attempt = 0; attempt < 10 && injected < wanted; attempt++) {
			int u = Uniform(rng, 0, clean.n - 1);
			std::vector<bool> anc = clean.Ancestors({u});
			std::vector<int> strict;
			for (int v = 0; v < clean.n; v++) {
				if (anc[static_cast<std::size_t>(v)] && v != u)
					strict.push_back(v);
			}
			if (strict.empty())
				continue;
			RevisionInput &v = rg.input[static_cast<std::size_t>(strict[static_cast<std::size_t>(
				Uniform(rng, 0, static_cast<int>(strict.size()) - 1))])];
			const std::string &uid = rg.input[static_cast<std::size_t>(u)].id;
			if (std::find(v.parents.begin(), v.parents.end(), uid) != v.parents.end() ||
				std::find(v.depends_on.begin(), v.depends_on.end(), uid) != v.depends_on.end())
				continue;
			(Chance(rng, 0.5) ? v.parents : v.depends_on).push_back(uid);
			injected++;
		}
		if (injected == 0)
			continue;

		Reference ref(rg.input);
		/* Components by mutual reachability; anchors are the smallest input index of each. */
		std::vector<std::vector<bool>> reach;
		for (int i = 0; i < ref.n; i++)
			reach.push_back(ref.Ancestors({i}));
		std::vector<std::string> anchors;
		for (int i = 0; i < ref.n; i++) {
			bool cyclic = false;
			bool first = true;
			for (int j = 0; j < ref.n; j++) {
				bool mutual = j != i && reach[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] &&
					reach[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)];
				cyclic = cyclic || mutual;
				if (mutual && j < i)
					first = false;
			}
			if (cyclic && first)
				anchors.push_back(ref.in[static_cast<std::size_t>(i)].id);
		}
		ASSERT_FALSE(anchors.empty());

		Graph::BuildResult built = Graph::Build(rg.input);
		ASSERT_EQ(built.graph.size(), 0u);
		std::vector<std::string> reported;
		for (const Problem &p : built.problems) {
			ASSERT_EQ(p.kind, ProblemKind::kCycle) << p.message;
			reported.push_back(p.revision);
			CheckCyclePath(ref, p.message);
			if (HasFatalFailure())
				return;
		}
		ASSERT_EQ(reported, anchors);
	}
}

/* Random graphs with unknown parents and dependencies report exactly those, in input order. */
TEST(GraphProperty, InjectedUnknownNamesAreReported)
{
	for (int seed = 1; seed <= kGraphs; seed++) {
		SCOPED_TRACE("seed " + std::to_string(seed));
		std::mt19937 rng(static_cast<std::mt19937::result_type>(seed + 200000));
		RandomGraph rg = MakeRandomGraph(rng);
		std::vector<std::pair<std::string, ProblemKind>> expect;
		for (RevisionInput &r : rg.input) {
			if (!Chance(rng, 0.15))
				continue;
			/* 'q' is in neither alphabet, so these names match nothing. */
			bool as_parent = Chance(rng, 0.5);
			(as_parent ? r.parents : r.depends_on).push_back("q" + RandomName(rng, "abc", 3));
			expect.emplace_back(r.id, as_parent ? ProblemKind::kUnknownParent : ProblemKind::kUnknownDependency);
		}
		Graph::BuildResult built = Graph::Build(rg.input);
		std::vector<std::pair<std::string, ProblemKind>> got;
		for (const Problem &p : built.problems)
			got.emplace_back(p.revision, p.kind);
		ASSERT_EQ(got, expect);
		ASSERT_EQ(built.graph.size(), expect.empty() ? rg.input.size() : 0u);
	}
}
