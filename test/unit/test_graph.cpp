/*
 * test/unit/test_graph.cpp
 *
 * Unit tests of Graph::Build, the name checks and the graph queries (order,
 * heads, closures, plans), on small hand-made graphs whose expected answers
 * can be read off the test, plus 100,000-revision graphs that check the
 * algorithms stay iterative and linear enough to finish (correctness only;
 * timing belongs to bench/bench_graph.cpp).  Messages are compared whole
 * wherever the header promises their content, so a change of wording is a
 * deliberate act.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "graph.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace pgmig::core;

namespace {

/* One input revision, written compactly. */
RevisionInput
Rev(std::string id, std::vector<std::string> parents = {}, std::vector<std::string> depends_on = {},
	std::vector<std::string> labels = {})
{
	RevisionInput r;
	r.id = std::move(id);
	r.parents = std::move(parents);
	r.depends_on = std::move(depends_on);
	r.branch_labels = std::move(labels);
	return r;
}

/* All problem messages, one per line, for failure output. */
std::string
Describe(const std::vector<Problem> &problems)
{
	std::string out;
	for (const Problem &p : problems)
		out += "  [" + std::to_string(static_cast<int>(p.kind)) + "] " + p.message + "\n";
	return out;
}

/* Builds a graph that must be valid. */
Graph
MustBuild(std::vector<RevisionInput> revisions)
{
	Graph::BuildResult r = Graph::Build(std::move(revisions));
	EXPECT_TRUE(r.problems.empty()) << Describe(r.problems);
	return r.graph;
}

/* Builds a graph that must be invalid and returns its problems. */
std::vector<Problem>
MustFail(std::vector<RevisionInput> revisions)
{
	Graph::BuildResult r = Graph::Build(std::move(revisions));
	EXPECT_FALSE(r.problems.empty());
	EXPECT_EQ(r.graph.size(), 0u) << "an invalid graph must come back empty";
	return r.problems;
}

/* The ids of a list of indexes. */
std::vector<std::string>
Ids(const Graph &g, const std::vector<Index> &list)
{
	std::vector<std::string> out;
	for (Index i : list)
		out.push_back(g.id(i));
	return out;
}

/* The ids of a membership vector, in topological order. */
std::vector<std::string>
Members(const Graph &g, const std::vector<bool> &set)
{
	std::vector<std::string> out;
	for (Index i : g.Order()) {
		if (set[i])
			out.push_back(g.id(i));
	}
	return out;
}

/* Index of an id that must exist. */
Index
At(const Graph &g, const std::string &id)
{
	std::int64_t i = g.Find(id);
	EXPECT_GE(i, 0) << id;
	return static_cast<Index>(i < 0 ? 0 : i);
}

/* Membership vector holding the given ids. */
std::vector<bool>
SetOf(const Graph &g, const std::vector<std::string> &ids)
{
	std::vector<bool> set(g.size(), false);
	for (const std::string &id : ids)
		set[At(g, id)] = true;
	return set;
}

/* Indexes of the given ids. */
std::vector<Index>
IndexesOf(const Graph &g, const std::vector<std::string> &ids)
{
	std::vector<Index> out;
	for (const std::string &id : ids)
		out.push_back(At(g, id));
	return out;
}

using Strings = std::vector<std::string>;

} // namespace

/* Valid ids and labels, including the longest allowed and near-reserved words. */
TEST(CheckRevisionId, AcceptsValidIds)
{
	for (const char *id : {"a", "Z", "0", "20260101_init", "a.b-c_d", "header", "bases", "head1", "1head", "based"})
		EXPECT_EQ(CheckRevisionId(id), "") << id;
	EXPECT_EQ(CheckRevisionId(std::string(kMaxIdLength, 'x')), "");
}

/* Every rejection reason. */
TEST(CheckRevisionId, RejectsInvalidIds)
{
	EXPECT_EQ(CheckRevisionId(""), "must not be empty");
	EXPECT_EQ(CheckRevisionId(std::string(kMaxIdLength + 1, 'x')), "must be at most 128 characters long");
	for (const char *id : {"_a", "-a", ".a", " a", "@a"})
		EXPECT_EQ(CheckRevisionId(id), "must start with a letter or digit") << id;
	for (const char *id : {"a b", "a/b", "a@b", "a\"b", "caf\xc3\xa9", "a\nb", "a+b"})
		EXPECT_EQ(CheckRevisionId(id), "must contain only ASCII letters, digits, \"_\", \".\" and \"-\"") << id;
	EXPECT_EQ(CheckRevisionId(std::string("a\0b", 3)),
			  "must contain only ASCII letters, digits, \"_\", \".\" and \"-\"");
}

/* head, heads and base are reserved in any case. */
TEST(CheckRevisionId, RejectsReservedWordsInAnyCase)
{
	EXPECT_EQ(CheckRevisionId("head"), "must not be the reserved word \"head\" (in any case)");
	EXPECT_EQ(CheckRevisionId("HEAD"), "must not be the reserved word \"head\" (in any case)");
	EXPECT_EQ(CheckRevisionId("Heads"), "must not be the reserved word \"heads\" (in any case)");
	EXPECT_EQ(CheckRevisionId("bAsE"), "must not be the reserved word \"base\" (in any case)");
}

/* Project names: no first-character rule, 63 characters at most. */
TEST(CheckProjectName, AcceptsAndRejects)
{
	for (const char *p : {"app", "_app", "-x", ".x", "my.app-2_x", "head", "base"})
		EXPECT_EQ(CheckProjectName(p), "") << p;
	EXPECT_EQ(CheckProjectName(std::string(kMaxProjectLength, 'p')), "");
	EXPECT_EQ(CheckProjectName(""), "must not be empty");
	EXPECT_EQ(CheckProjectName(std::string(kMaxProjectLength + 1, 'p')), "must be at most 63 characters long");
	for (const char *p : {"my app", "a/b", "a;b", "\xc3\xa9"})
		EXPECT_EQ(CheckProjectName(p), "must contain only ASCII letters, digits, \"_\", \".\" and \"-\"") << p;
}

/* An empty project is a valid, empty graph. */
TEST(GraphBuild, EmptyGraph)
{
	Graph g = MustBuild({});
	EXPECT_EQ(g.size(), 0u);
	EXPECT_TRUE(g.Heads().empty());
	EXPECT_TRUE(g.Order().empty());
	EXPECT_EQ(g.Find("a"), -1);
	EXPECT_TRUE(g.UpgradePlan({}, {}).empty());
	EXPECT_TRUE(g.AppliedHeads({}).empty());
}

/* Indexes are input positions; Find, revision(), Children and Position agree. */
TEST(GraphBuild, IndexesFollowInput)
{
	Graph g = MustBuild({Rev("b", {"a"}), Rev("a"), Rev("c", {"a"}, {"b"})});
	ASSERT_EQ(g.size(), 3u);
	EXPECT_EQ(g.Find("b"), 0);
	EXPECT_EQ(g.Find("a"), 1);
	EXPECT_EQ(g.Find("c"), 2);
	EXPECT_EQ(g.Find("d"), -1);
	EXPECT_EQ(g.Find(""), -1);
	EXPECT_EQ(g.Find("a0"), -1);
	EXPECT_EQ(g.id(2), "c");
	EXPECT_EQ(g.revision(2).depends_on, Strings{"b"});
	EXPECT_EQ(Ids(g, g.Children(1)), (Strings{"b", "c"}));
	EXPECT_TRUE(g.Children(0).empty()) << "depends_on does not make a child";
	EXPECT_EQ(Ids(g, g.Order()), (Strings{"a", "b", "c"}));
	for (std::size_t p = 0; p < g.size(); p++)
		EXPECT_EQ(g.Position(g.Order()[p]), p);
}

/* Each problem kind, with its complete message. */
TEST(GraphBuild, ReportsUnknownParentAndDependency)
{
	std::vector<Problem> p = MustFail({Rev("a"), Rev("b", {"x"}), Rev("c", {"a"}, {"y"})});
	ASSERT_EQ(p.size(), 2u) << Describe(p);
	EXPECT_EQ(p[0].kind, ProblemKind::kUnknownParent);
	EXPECT_EQ(p[0].revision, "b");
	EXPECT_EQ(p[0].message, "revision \"b\" names unknown parent \"x\"");
	EXPECT_EQ(p[1].kind, ProblemKind::kUnknownDependency);
	EXPECT_EQ(p[1].revision, "c");
	EXPECT_EQ(p[1].message, "revision \"c\" names unknown dependency \"y\"");
}

/* Duplicate ids: reported at every later occurrence. */
TEST(GraphBuild, ReportsDuplicateIds)
{
	std::vector<Problem> p = MustFail({Rev("a"), Rev("b", {"a"}), Rev("a"), Rev("a", {"b"})});
	ASSERT_EQ(p.size(), 2u) << Describe(p);
	for (const Problem &q : p) {
		EXPECT_EQ(q.kind, ProblemKind::kDuplicateId);
		EXPECT_EQ(q.revision, "a");
		EXPECT_EQ(q.message, "revision \"a\" is defined more than once");
	}
}

/* Invalid ids are reported with the reason, and odd bytes are escaped. */
TEST(GraphBuild, ReportsInvalidIds)
{
	std::vector<Problem> p = MustFail({Rev("ok"), Rev("9 x"), Rev("HEAD"), Rev(""), Rev("a\"b\n")});
	ASSERT_EQ(p.size(), 4u) << Describe(p);
	for (const Problem &q : p)
		EXPECT_EQ(q.kind, ProblemKind::kInvalidId);
	EXPECT_EQ(p[0].revision, "9 x");
	EXPECT_EQ(p[0].message,
			  "revision id \"9 x\" is invalid: it must contain only ASCII letters, digits, \"_\", \".\" and \"-\"");
	EXPECT_EQ(p[1].message, "revision id \"HEAD\" is invalid: it must not be the reserved word \"head\" (in any case)");
	EXPECT_EQ(p[2].message, "revision id \"\" is invalid: it must not be empty");
	EXPECT_EQ(p[3].message, "revision id \"a\\\"b\\x0a\" is invalid: it must contain only ASCII letters, digits, "
							"\"_\", \".\" and \"-\"");
}

/* A revision whose id is invalid can still be named as a parent without extra noise. */
TEST(GraphBuild, InvalidIdIsStillKnownAsParent)
{
	std::vector<Problem> p = MustFail({Rev("_a"), Rev("b", {"_a"})});
	ASSERT_EQ(p.size(), 1u) << Describe(p);
	EXPECT_EQ(p[0].kind, ProblemKind::kInvalidId);
}

/* Self parent and self dependency. */
TEST(GraphBuild, ReportsSelfReferences)
{
	std::vector<Problem> p = MustFail({Rev("a", {"a"}), Rev("b", {"a"}, {"b"})});
	ASSERT_EQ(p.size(), 2u) << Describe(p);
	EXPECT_EQ(p[0].kind, ProblemKind::kSelfParent);
	EXPECT_EQ(p[0].revision, "a");
	EXPECT_EQ(p[0].message, "revision \"a\" names itself as its parent");
	EXPECT_EQ(p[1].kind, ProblemKind::kSelfParent);
	EXPECT_EQ(p[1].revision, "b");
	EXPECT_EQ(p[1].message, "revision \"b\" names itself as a dependency");
}

/* The same revision twice among parents, among dependencies, or in both. */
TEST(GraphBuild, ReportsDuplicateParents)
{
	std::vector<Problem> p = MustFail({Rev("a"), Rev("b"), Rev("c", {"a", "b", "a"}), Rev("d", {"a"}, {"b", "b"}),
									   Rev("e", {"a"}, {"a"}), Rev("f", {"x", "x"})});
	ASSERT_EQ(p.size(), 5u) << Describe(p);
	EXPECT_EQ(p[0].kind, ProblemKind::kDuplicateParent);
	EXPECT_EQ(p[0].revision, "c");
	EXPECT_EQ(p[0].message, "revision \"c\" lists parent \"a\" more than once");
	EXPECT_EQ(p[1].kind, ProblemKind::kDuplicateParent);
	EXPECT_EQ(p[1].message, "revision \"d\" lists dependency \"b\" more than once");
	EXPECT_EQ(p[2].kind, ProblemKind::kDuplicateParent);
	EXPECT_EQ(p[2].message, "revision \"e\" names \"a\" both as parent and as dependency");
	/* an unknown name listed twice: unknown once, then duplicate */
	EXPECT_EQ(p[3].kind, ProblemKind::kUnknownParent);
	EXPECT_EQ(p[3].revision, "f");
	EXPECT_EQ(p[4].kind, ProblemKind::kDuplicateParent);
	EXPECT_EQ(p[4].message, "revision \"f\" lists parent \"x\" more than once");
}

/* Label problems: invalid, equal to an id, on two revisions, twice on one. */
TEST(GraphBuild, ReportsLabelProblems)
{
	std::vector<Problem> p = MustFail({Rev("a", {}, {}, {"main", "main"}), Rev("b", {"a"}, {}, {"a"}),
									   Rev("c", {"a"}, {}, {"main", "x y"}), Rev("d", {"c"}, {}, {"b"})});
	ASSERT_EQ(p.size(), 5u) << Describe(p);
	EXPECT_EQ(p[0].kind, ProblemKind::kDuplicateLabel);
	EXPECT_EQ(p[0].revision, "a");
	EXPECT_EQ(p[0].message, "revision \"a\" lists branch label \"main\" more than once");
	EXPECT_EQ(p[1].kind, ProblemKind::kDuplicateLabel);
	EXPECT_EQ(p[1].revision, "b");
	EXPECT_EQ(p[1].message, "revision \"b\" has branch label \"a\", which is also a revision id");
	EXPECT_EQ(p[2].kind, ProblemKind::kDuplicateLabel);
	EXPECT_EQ(p[2].revision, "c");
	EXPECT_EQ(p[2].message, "revision \"c\" has branch label \"main\", which revision \"a\" already carries");
	EXPECT_EQ(p[3].kind, ProblemKind::kInvalidId);
	EXPECT_EQ(p[3].message, "revision \"c\" has an invalid branch label \"x y\": it must contain only ASCII letters, "
							"digits, \"_\", \".\" and \"-\"");
	EXPECT_EQ(p[4].kind, ProblemKind::kDuplicateLabel);
	EXPECT_EQ(p[4].message, "revision \"d\" has branch label \"b\", which is also a revision id");
}

/* Reserved words are not allowed as labels either. */
TEST(GraphBuild, ReportsReservedLabel)
{
	std::vector<Problem> p = MustFail({Rev("a", {}, {}, {"heads"})});
	ASSERT_EQ(p.size(), 1u);
	EXPECT_EQ(p[0].kind, ProblemKind::kInvalidId);
	EXPECT_EQ(p[0].message,
			  "revision \"a\" has an invalid branch label \"heads\": it must not be the reserved word "
			  "\"heads\" (in any case)");
}

/* A three-revision cycle is reported once, from its first revision in input order, with the path. */
TEST(GraphBuild, ReportsCycleOnceWithItsRevisions)
{
	std::vector<Problem> p = MustFail({Rev("r"), Rev("a", {"c"}), Rev("b", {"a"}), Rev("c", {"b"}), Rev("d", {"c"})});
	ASSERT_EQ(p.size(), 1u) << Describe(p);
	EXPECT_EQ(p[0].kind, ProblemKind::kCycle);
	EXPECT_EQ(p[0].revision, "a");
	EXPECT_EQ(p[0].message,
			  "revision \"a\" is on a cycle through parents and dependencies (each naming the next): "
			  "\"a\" -> \"c\" -> \"b\" -> \"a\"");
}

/* Cycles through depends_on count, and disjoint cycles are reported separately, in input order. */
TEST(GraphBuild, ReportsEachDisjointCycle)
{
	std::vector<Problem> p =
		MustFail({Rev("x", {"y"}), Rev("a", {}, {"b"}), Rev("b", {"a"}), Rev("y", {}, {"x"}), Rev("z", {"x"})});
	ASSERT_EQ(p.size(), 2u) << Describe(p);
	EXPECT_EQ(p[0].kind, ProblemKind::kCycle);
	EXPECT_EQ(p[0].revision, "x");
	EXPECT_NE(p[0].message.find("\"x\" -> \"y\" -> \"x\""), std::string::npos) << p[0].message;
	EXPECT_EQ(p[1].kind, ProblemKind::kCycle);
	EXPECT_EQ(p[1].revision, "a");
	EXPECT_NE(p[1].message.find("\"a\" -> \"b\" -> \"a\""), std::string::npos) << p[1].message;
}

/* Two cycles sharing a revision are one tangle: one problem naming all of it. */
TEST(GraphBuild, ReportsEntangledCyclesTogether)
{
	std::vector<Problem> p = MustFail({Rev("a", {"b"}), Rev("b", {"a", "c"}), Rev("c", {"d"}), Rev("d", {"b"})});
	ASSERT_EQ(p.size(), 1u) << Describe(p);
	EXPECT_EQ(p[0].kind, ProblemKind::kCycle);
	EXPECT_EQ(p[0].revision, "a");
	EXPECT_EQ(p[0].message,
			  "revision \"a\" is on a cycle through parents and dependencies (each naming the next): "
			  "\"a\" -> \"b\" -> \"a\"; 2 more revisions are caught in cycles with it: \"c\", \"d\"");
}

/* Every problem at once, grouped by input entry in input order. */
TEST(GraphBuild, ReportsEveryProblemInInputOrder)
{
	std::vector<Problem> p = MustFail({
		Rev("c1", {"c2"}),                  /* cycle anchor */
		Rev("b", {"nope", "b"}, {"gone"}),  /* unknown parent, self parent, unknown dependency */
		Rev("c2", {"c1"}),
		Rev("b", {}, {}, {"L"}),            /* duplicate id */
		Rev("-bad", {}, {}, {"L"}),         /* invalid id, label already carried */
	});
	std::vector<ProblemKind> kinds;
	std::vector<std::string> about;
	for (const Problem &q : p) {
		kinds.push_back(q.kind);
		about.push_back(q.revision);
	}
	EXPECT_EQ(kinds, (std::vector<ProblemKind>{ProblemKind::kCycle, ProblemKind::kUnknownParent,
											   ProblemKind::kSelfParent, ProblemKind::kUnknownDependency,
											   ProblemKind::kDuplicateId, ProblemKind::kInvalidId,
											   ProblemKind::kDuplicateLabel}))
		<< Describe(p);
	EXPECT_EQ(about, (Strings{"c1", "b", "b", "b", "b", "-bad", "-bad"}));
	/* Building the same input again gives the same report. */
	std::vector<Problem> again = MustFail({Rev("c1", {"c2"}), Rev("b", {"nope", "b"}, {"gone"}), Rev("c2", {"c1"}),
										   Rev("b", {}, {}, {"L"}), Rev("-bad", {}, {}, {"L"})});
	ASSERT_EQ(again.size(), p.size());
	for (std::size_t i = 0; i < p.size(); i++)
		EXPECT_EQ(again[i].message, p[i].message);
}

/* Unknown parents alone must not look like cycles (the revision is merely unplaced edges-wise). */
TEST(GraphBuild, UnknownParentsAreNotCycles)
{
	std::vector<Problem> p = MustFail({Rev("a", {"x"}), Rev("b", {"a"}), Rev("c", {"b", "y"})});
	ASSERT_EQ(p.size(), 2u);
	EXPECT_EQ(p[0].kind, ProblemKind::kUnknownParent);
	EXPECT_EQ(p[1].kind, ProblemKind::kUnknownParent);
}

/* Order: smallest ready id first, respecting parents and depends_on, whatever the input order. */
TEST(GraphOrder, SmallestReadyIdFirst)
{
	std::vector<RevisionInput> in = {Rev("m", {}),       Rev("b", {"m"}),      Rev("a", {"z"}), Rev("z", {}),
									 Rev("c", {"b", "a"}), Rev("d", {"m"}, {"c"}), Rev("e", {"z"})};
	Graph g = MustBuild(in);
	EXPECT_EQ(Ids(g, g.Order()), (Strings{"m", "b", "z", "a", "c", "d", "e"}));
	std::mt19937 rng(7);
	for (int round = 0; round < 20; round++) {
		std::shuffle(in.begin(), in.end(), rng);
		Graph h = MustBuild(in);
		EXPECT_EQ(Ids(h, h.Order()), (Strings{"m", "b", "z", "a", "c", "d", "e"}));
	}
}

/* The comparison is byte-wise: upper case sorts before lower case, digits before both. */
TEST(GraphOrder, ByteWiseComparison)
{
	Graph g = MustBuild({Rev("b"), Rev("B"), Rev("a1"), Rev("a"), Rev("1"), Rev("a-")});
	EXPECT_EQ(Ids(g, g.Order()), (Strings{"1", "B", "a", "a-", "a1", "b"}));
}

/* Ids that agree beyond the first 8 bytes after their common prefix still sort byte-wise. */
TEST(GraphOrder, LongSharedPrefixes)
{
	Graph g = MustBuild({Rev("abbbbbbbbbb2"), Rev("a"), Rev("abbbbbbbbbb10"), Rev("abbbbbbbbbb"), Rev("abbbbbbbbbb1"),
						 Rev("abbbbbbbbbb1-")});
	EXPECT_EQ(Ids(g, g.Order()),
			  (Strings{"a", "abbbbbbbbbb", "abbbbbbbbbb1", "abbbbbbbbbb1-", "abbbbbbbbbb10", "abbbbbbbbbb2"}));

	/* Many roots with random ids sharing a long prefix: the order is plain std::sort order. */
	std::mt19937 rng(11);
	std::vector<RevisionInput> in;
	Strings ids;
	for (int k = 0; k < 3000; k++) {
		std::string id = "20260101_1200";
		int len = std::uniform_int_distribution<int>(0, 14)(rng);
		for (int c = 0; c < len; c++)
			id.push_back("0aZ_-."[std::uniform_int_distribution<int>(0, 5)(rng)]);
		if (std::find(ids.begin(), ids.end(), id) != ids.end())
			continue;
		ids.push_back(id);
		in.push_back(Rev(id));
	}
	Graph h = MustBuild(in);
	std::sort(ids.begin(), ids.end());
	EXPECT_EQ(Ids(h, h.Order()), ids);
	for (const std::string &id : ids)
		EXPECT_EQ(h.id(At(h, id)), id);
}

/* Heads are revisions nobody names as parent; a dependency does not hide one. */
TEST(GraphHeads, DependencyDoesNotHideHead)
{
	Graph g = MustBuild({Rev("a"), Rev("b", {"a"}), Rev("c", {"a"}), Rev("d", {"c"}, {"b"})});
	EXPECT_EQ(Ids(g, g.Heads()), (Strings{"b", "d"}));
	Graph merged = MustBuild({Rev("a"), Rev("b", {"a"}), Rev("c", {"a"}), Rev("m", {"c", "b"})});
	EXPECT_EQ(Ids(merged, merged.Heads()), Strings{"m"});
}

/* Heads come in topological order, not input or id order. */
TEST(GraphHeads, InTopologicalOrder)
{
	Graph g = MustBuild({Rev("z"), Rev("y", {"z"}), Rev("a", {"y"}), Rev("q"), Rev("b", {"q"}, {"a"})});
	EXPECT_EQ(Ids(g, g.Order()), (Strings{"q", "z", "y", "a", "b"}));
	EXPECT_EQ(Ids(g, g.Heads()), (Strings{"a", "b"}));
}

/* Closures follow both kinds of edges and include the start revisions. */
TEST(GraphClosures, AncestorsAndDescendants)
{
	Graph g = MustBuild({Rev("a"), Rev("b", {"a"}), Rev("x"), Rev("c", {"b"}, {"x"}), Rev("d", {"a"})});
	EXPECT_EQ(Members(g, g.Ancestors(IndexesOf(g, {"c"}))), (Strings{"a", "b", "x", "c"}));
	/* Order: a b d x c */
	EXPECT_EQ(Members(g, g.Ancestors(IndexesOf(g, {"d", "x"}))), (Strings{"a", "d", "x"}));
	EXPECT_EQ(Members(g, g.Ancestors({})), Strings{});
	EXPECT_EQ(Members(g, g.Descendants(IndexesOf(g, {"x"}))), (Strings{"x", "c"}));
	EXPECT_EQ(Members(g, g.Descendants(IndexesOf(g, {"a"}))), (Strings{"a", "b", "d", "c"}));
	EXPECT_EQ(Members(g, g.Descendants(IndexesOf(g, {"d"}))), Strings{"d"});
}

/* UpgradePlan: pending ancestors of the targets, parents first. */
TEST(GraphPlans, Upgrade)
{
	Graph g = MustBuild({Rev("a"), Rev("b", {"a"}), Rev("c", {"b"}), Rev("x", {"a"}), Rev("y", {"x"}, {"c"})});
	EXPECT_EQ(Ids(g, g.UpgradePlan(IndexesOf(g, {"y"}), SetOf(g, {}))), (Strings{"a", "b", "c", "x", "y"}));
	EXPECT_EQ(Ids(g, g.UpgradePlan(IndexesOf(g, {"y"}), SetOf(g, {"a", "b"}))), (Strings{"c", "x", "y"}));
	EXPECT_EQ(Ids(g, g.UpgradePlan(IndexesOf(g, {"b"}), SetOf(g, {"a", "b"}))), Strings{});
	EXPECT_EQ(Ids(g, g.UpgradePlan({}, SetOf(g, {}))), Strings{});
	/* A shorter applied vector means "not applied" beyond its end. */
	EXPECT_EQ(Ids(g, g.UpgradePlan(IndexesOf(g, {"c"}), {true})), (Strings{"b", "c"}));
}

/* DowngradePlan: applied revisions outside the targets' ancestors, children first. */
TEST(GraphPlans, Downgrade)
{
	Graph g = MustBuild({Rev("a"), Rev("b", {"a"}), Rev("c", {"b"}), Rev("x", {"a"}), Rev("y", {"x"}, {"c"})});
	std::vector<bool> all = SetOf(g, {"a", "b", "c", "x", "y"});
	EXPECT_EQ(Ids(g, g.DowngradePlan({}, all)), (Strings{"y", "x", "c", "b", "a"}));
	EXPECT_EQ(Ids(g, g.DowngradePlan(IndexesOf(g, {"b"}), all)), (Strings{"y", "x", "c"}));
	EXPECT_EQ(Ids(g, g.DowngradePlan(IndexesOf(g, {"c", "x"}), all)), Strings{"y"});
	EXPECT_EQ(Ids(g, g.DowngradePlan(IndexesOf(g, {"y"}), all)), Strings{});
	EXPECT_EQ(Ids(g, g.DowngradePlan(IndexesOf(g, {"x"}), SetOf(g, {"a", "b", "x"}))), Strings{"b"});
}

/* AppliedHeads: applied revisions with no applied child or dependent. */
TEST(GraphPlans, AppliedHeads)
{
	Graph g = MustBuild({Rev("a"), Rev("b", {"a"}), Rev("c", {"b"}), Rev("x", {"a"}), Rev("y", {"x"}, {"c"})});
	EXPECT_EQ(Ids(g, g.AppliedHeads(SetOf(g, {}))), Strings{});
	EXPECT_EQ(Ids(g, g.AppliedHeads(SetOf(g, {"a"}))), Strings{"a"});
	EXPECT_EQ(Ids(g, g.AppliedHeads(SetOf(g, {"a", "b", "x"}))), (Strings{"b", "x"}));
	EXPECT_EQ(Ids(g, g.AppliedHeads(SetOf(g, {"a", "b", "c", "x"}))), (Strings{"c", "x"}));
	/* c is covered by its dependent y */
	EXPECT_EQ(Ids(g, g.AppliedHeads(SetOf(g, {"a", "b", "c", "x", "y"}))), Strings{"y"});
}

namespace {

/* Zero-padded id in creation order, so that byte order equals creation order. */
std::string
SeqId(std::size_t k)
{
	char buf[32];
	std::snprintf(buf, sizeof buf, "20260101_%07zu", k);
	return buf;
}

/*
 * A long main line with side branches opened every 97 revisions, extended
 * every third step and merged back once ten long, depends_on edges every 13
 * revisions, and one final merge so that there is a single head.  Every edge
 * points to an earlier revision, so creation order is the topological order.
 */
std::vector<RevisionInput>
ChainWithBranches(std::size_t n)
{
	std::vector<RevisionInput> out;
	out.reserve(n);
	std::size_t main_tip = 0;
	std::vector<std::pair<std::size_t, std::size_t>> open; /* tip, length */
	out.push_back(Rev(SeqId(0), {}, {}, {"trunk"}));
	while (out.size() + open.size() + 1 < n) {
		std::size_t k = out.size();
		if (k % 97 == 0) {
			out.push_back(Rev(SeqId(k), {SeqId(main_tip)}, {}, {"side" + std::to_string(k)}));
			open.emplace_back(k, 1);
		} else if (k % 3 == 0 && !open.empty()) {
			auto &[tip, length] = open[k % open.size()];
			out.push_back(Rev(SeqId(k), {SeqId(tip)}));
			tip = k;
			if (++length >= 10) {
				std::size_t m = out.size();
				out.push_back(Rev(SeqId(m), {SeqId(main_tip), SeqId(tip)}));
				main_tip = m;
				open.erase(open.begin() + static_cast<std::ptrdiff_t>(k % open.size()));
			}
		} else {
			std::vector<std::string> deps;
			if (k % 13 == 0 && k > 20)
				deps.push_back(SeqId(k - 20));
			if (deps.size() == 1 && deps[0] == SeqId(main_tip))
				deps.clear();
			out.push_back(Rev(SeqId(k), {SeqId(main_tip)}, deps));
			main_tip = k;
		}
	}
	while (!open.empty()) {
		std::size_t m = out.size();
		out.push_back(Rev(SeqId(m), {SeqId(main_tip), SeqId(open.back().first)}));
		main_tip = m;
		open.pop_back();
	}
	while (out.size() < n) {
		std::size_t k = out.size();
		out.push_back(Rev(SeqId(k), {SeqId(main_tip)}));
		main_tip = k;
	}
	return out;
}

} // namespace

/* 100,000 revisions with branches and merges: every query is right (timing is the benchmark's job). */
TEST(GraphLarge, ChainWithBranches100k)
{
	const std::size_t n = 100000;
	std::vector<RevisionInput> in = ChainWithBranches(n);
	ASSERT_EQ(in.size(), n);
	std::mt19937 rng(42);
	std::shuffle(in.begin(), in.end(), rng);
	Graph g = MustBuild(std::move(in));
	ASSERT_EQ(g.size(), n);

	/* Creation order is the only order consistent with smallest-id-first. */
	for (std::size_t p = 0; p < n; p++)
		ASSERT_EQ(g.id(g.Order()[p]), SeqId(p)) << p;
	for (Index v = 0; v < n; v++) {
		for (const std::string &parent : g.revision(v).parents)
			ASSERT_LT(g.Position(At(g, parent)), g.Position(v));
	}

	std::vector<Index> heads = g.Heads();
	ASSERT_EQ(heads.size(), 1u);
	EXPECT_EQ(g.id(heads[0]), SeqId(n - 1));
	Resolution head = ResolveTarget(g, "head", {});
	ASSERT_TRUE(head.ok()) << head.problem.message;
	EXPECT_EQ(head.revisions, heads);

	std::vector<bool> none(n, false);
	std::vector<Index> plan = g.UpgradePlan(heads, none);
	EXPECT_EQ(plan, g.Order());
	std::vector<bool> all = g.Ancestors(heads);
	EXPECT_EQ(std::count(all.begin(), all.end(), true), static_cast<std::ptrdiff_t>(n));
	std::vector<bool> below = g.Descendants({At(g, SeqId(0))});
	EXPECT_EQ(std::count(below.begin(), below.end(), true), static_cast<std::ptrdiff_t>(n));

	/* Half applied: the plan is the other half, and the applied heads span exactly the applied half. */
	std::vector<bool> half(n, false);
	for (std::size_t p = 0; p < n / 2; p++)
		half[g.Order()[p]] = true;
	plan = g.UpgradePlan(heads, half);
	ASSERT_EQ(plan.size(), n - n / 2);
	EXPECT_TRUE(std::equal(plan.begin(), plan.end(), g.Order().begin() + static_cast<std::ptrdiff_t>(n / 2)));
	EXPECT_EQ(g.Ancestors(g.AppliedHeads(half)), half);
	std::vector<Index> down = g.DowngradePlan({}, half);
	ASSERT_EQ(down.size(), n / 2);
	EXPECT_EQ(down.front(), g.Order()[n / 2 - 1]);
	EXPECT_EQ(down.back(), g.Order()[0]);

	Resolution up = ResolveTarget(g, "+1000", half);
	ASSERT_TRUE(up.ok()) << up.problem.message;
	std::vector<bool> expect = half;
	for (std::size_t p = n / 2; p < n / 2 + 1000; p++)
		expect[g.Order()[p]] = true;
	EXPECT_EQ(g.Ancestors(up.revisions), expect);

	Resolution side = ResolveTarget(g, "side97@head", {});
	ASSERT_TRUE(side.ok()) << side.problem.message;
	EXPECT_EQ(side.revisions, heads) << "every side branch is merged back into the single head";
}

/* A 100,000-long plain chain: closures and plans must not recurse. */
TEST(GraphLarge, DeepChainNeedsNoStack)
{
	const std::size_t n = 100000;
	std::vector<RevisionInput> in;
	in.reserve(n);
	for (std::size_t k = 0; k < n; k++)
		in.push_back(k == 0 ? Rev(SeqId(0)) : Rev(SeqId(k), {SeqId(k - 1)}));
	std::reverse(in.begin(), in.end());
	Graph g = MustBuild(std::move(in));
	std::vector<Index> heads = g.Heads();
	ASSERT_EQ(heads.size(), 1u);
	std::vector<bool> anc = g.Ancestors(heads);
	EXPECT_EQ(std::count(anc.begin(), anc.end(), true), static_cast<std::ptrdiff_t>(n));
	std::vector<bool> desc = g.Descendants({At(g, SeqId(0))});
	EXPECT_EQ(std::count(desc.begin(), desc.end(), true), static_cast<std::ptrdiff_t>(n));
	std::vector<bool> applied(n, true);
	EXPECT_EQ(g.DowngradePlan({}, applied).size(), n);
	EXPECT_EQ(g.AppliedHeads(applied), heads);
	Resolution back = ResolveTarget(g, "-99999", applied);
	ASSERT_TRUE(back.ok());
	EXPECT_EQ(Ids(g, back.revisions), Strings{SeqId(0)});
	Resolution root_head = ResolveTarget(g, SeqId(0) + "@head", {});
	ASSERT_TRUE(root_head.ok());
	EXPECT_EQ(root_head.revisions, heads);
}

/* A 100,000-long cycle is found iteratively and reported once with a shortened message. */
TEST(GraphLarge, HugeCycleReportedOnce)
{
	const std::size_t n = 100000;
	std::vector<RevisionInput> in;
	in.reserve(n);
	for (std::size_t k = 0; k < n; k++)
		in.push_back(Rev(SeqId(k), {SeqId((k + n - 1) % n)}));
	std::vector<Problem> p = MustFail(std::move(in));
	ASSERT_EQ(p.size(), 1u);
	EXPECT_EQ(p[0].kind, ProblemKind::kCycle);
	EXPECT_EQ(p[0].revision, SeqId(0));
	EXPECT_NE(p[0].message.find("(100000 revisions in all)"), std::string::npos);
	EXPECT_LT(p[0].message.size(), 2000u);
}
