/*
 * test/unit/test_targets.cpp
 *
 * Unit tests of ResolveTarget and ResolveTargets: every form of graph.hpp,
 * the precedence between forms (keyword, relative step, X@head, exact id,
 * exact label, prefix), the failure kinds and their messages, relative steps
 * on applied sets, and numbers far beyond any integer type.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "graph.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace pgmig::core;

namespace {

using Strings = std::vector<std::string>;

/* One input revision, written compactly. */
RevisionInput
Rev(std::string id, Strings parents = {}, Strings depends_on = {}, Strings labels = {})
{
	RevisionInput r;
	r.id = std::move(id);
	r.parents = std::move(parents);
	r.depends_on = std::move(depends_on);
	r.branch_labels = std::move(labels);
	return r;
}

/* Builds a graph that must be valid. */
Graph
MustBuild(std::vector<RevisionInput> revisions)
{
	Graph::BuildResult r = Graph::Build(std::move(revisions));
	EXPECT_TRUE(r.problems.empty()) << (r.problems.empty() ? "" : r.problems[0].message);
	return r.graph;
}

/* The ids a successful resolution names; fails the test when it failed. */
Strings
Resolved(const Graph &g, std::string_view target, const std::vector<bool> &applied = {})
{
	Resolution r = ResolveTarget(g, target, applied);
	EXPECT_TRUE(r.ok()) << target << ": " << r.problem.message;
	Strings out;
	for (Index i : r.revisions)
		out.push_back(g.id(i));
	return out;
}

/* The problem of a resolution that must fail. */
Problem
Failed(const Graph &g, std::string_view target, const std::vector<bool> &applied = {})
{
	Resolution r = ResolveTarget(g, target, applied);
	EXPECT_FALSE(r.ok()) << target << " resolved unexpectedly";
	EXPECT_TRUE(r.revisions.empty());
	return r.problem;
}

/* Membership vector holding the given ids. */
std::vector<bool>
SetOf(const Graph &g, const Strings &ids)
{
	std::vector<bool> set(g.size(), false);
	for (const std::string &id : ids)
		set[static_cast<std::size_t>(g.Find(id))] = true;
	return set;
}

/*
 * Two branches from one root:
 *   r0 - a1 - a2            (label "alpha" on a1)
 *      \ b1 - b2 - b3       (label "beta" on b1; b3 depends on a2)
 * plus "abc123" and "abd456" hanging off r0 for prefix tests.
 */
Graph
TwoBranches()
{
	return MustBuild({Rev("r0"), Rev("a1", {"r0"}, {}, {"alpha"}), Rev("a2", {"a1"}), Rev("b1", {"r0"}, {}, {"beta"}),
					  Rev("b2", {"b1"}), Rev("b3", {"b2"}, {"a2"}), Rev("abc123", {"r0"}), Rev("abd456", {"abc123"})});
}

} // namespace

/* "base" names nothing, even on an empty graph. */
TEST(ResolveTarget, Base)
{
	Graph g = TwoBranches();
	Resolution r = ResolveTarget(g, "base", {});
	EXPECT_TRUE(r.ok());
	EXPECT_TRUE(r.revisions.empty());
	EXPECT_TRUE(ResolveTarget(Graph(), "base", {}).ok());
}

/* "heads" is every head in topological order; empty (and fine) on an empty graph. */
TEST(ResolveTarget, Heads)
{
	Graph g = TwoBranches();
	EXPECT_EQ(Resolved(g, "heads"), (Strings{"a2", "abd456", "b3"}));
	Resolution empty = ResolveTarget(Graph(), "heads", {});
	EXPECT_TRUE(empty.ok());
	EXPECT_TRUE(empty.revisions.empty());
}

/* "head" with one head, several heads and no revision at all. */
TEST(ResolveTarget, Head)
{
	Graph one = MustBuild({Rev("a"), Rev("b", {"a"}), Rev("c", {"b"})});
	EXPECT_EQ(Resolved(one, "head"), Strings{"c"});

	Graph two = MustBuild({Rev("r"), Rev("a1", {"r"}), Rev("b1", {"r"})});
	Problem p = Failed(two, "head");
	EXPECT_EQ(p.kind, ProblemKind::kMultipleHeads);
	EXPECT_EQ(p.message,
			  "target \"head\" is ambiguous: 2 heads (a1, b1); merge them with a merge revision or name one");

	Problem three = Failed(TwoBranches(), "head");
	EXPECT_EQ(three.kind, ProblemKind::kMultipleHeads);
	EXPECT_EQ(three.message,
			  "target \"head\" is ambiguous: 3 heads (a2, abd456, b3); merge them with a merge revision or name one");

	Problem none = Failed(Graph(), "head");
	EXPECT_EQ(none.kind, ProblemKind::kEmptyGraph);
	EXPECT_EQ(none.message, "target \"head\" names nothing: the project has no revision");
}

/* "head" lists every head, however many there are. */
TEST(ResolveTarget, HeadListsEveryHead)
{
	std::vector<RevisionInput> in = {Rev("r")};
	for (int i = 0; i < 25; i++)
		in.push_back(Rev("h" + std::to_string(100 + i), {"r"}));
	Graph g = MustBuild(in);
	Problem p = Failed(g, "head");
	EXPECT_EQ(p.kind, ProblemKind::kMultipleHeads);
	for (int i = 0; i < 25; i++)
		EXPECT_NE(p.message.find("h" + std::to_string(100 + i)), std::string::npos) << i;
	EXPECT_NE(p.message.find("25 heads"), std::string::npos);
}

/* "+N": the applied set plus the next N pending revisions in order; revisions are its heads. */
TEST(ResolveTarget, PlusN)
{
	Graph g = TwoBranches();
	/* Order: r0 a1 a2 abc123 abd456 b1 b2 b3 */
	EXPECT_EQ(Resolved(g, "+1"), Strings{"r0"});
	EXPECT_EQ(Resolved(g, "+3"), Strings{"a2"});
	EXPECT_EQ(Resolved(g, "+4"), (Strings{"a2", "abc123"}));
	EXPECT_EQ(Resolved(g, "+8"), (Strings{"abd456", "b3"}));
	EXPECT_EQ(Resolved(g, "+007"), (Strings{"a2", "abd456", "b2"})) << "leading zeros are fine";
	/* Pending revisions are counted in global order even when out of line with the applied ones. */
	std::vector<bool> applied = SetOf(g, {"r0", "b1"});
	EXPECT_EQ(Resolved(g, "+1", applied), (Strings{"a1", "b1"}));
	EXPECT_EQ(Resolved(g, "+2", applied), (Strings{"a2", "b1"}));
	EXPECT_EQ(Resolved(g, "+6", applied), (Strings{"abd456", "b3"}));
}

/* "+N" beyond what is pending, zero and absurdly large numbers. */
TEST(ResolveTarget, PlusNOutOfRange)
{
	Graph g = TwoBranches();
	Problem p = Failed(g, "+9");
	EXPECT_EQ(p.kind, ProblemKind::kRelativeOutOfRange);
	EXPECT_EQ(p.message, "target \"+9\" is out of range: only 8 revisions are pending");
	std::vector<bool> most = SetOf(g, {"r0", "a1", "a2", "abc123", "abd456", "b1", "b2"});
	EXPECT_EQ(Failed(g, "+2", most).message, "target \"+2\" is out of range: only 1 revision is pending");
	std::vector<bool> all = SetOf(g, {"r0", "a1", "a2", "abc123", "abd456", "b1", "b2", "b3"});
	EXPECT_EQ(Failed(g, "+1", all).message, "target \"+1\" is out of range: no revision is pending");
	EXPECT_EQ(Failed(g, "+0").kind, ProblemKind::kRelativeOutOfRange);
	EXPECT_EQ(Failed(g, "+0").message, "target \"+0\" is out of range: a relative step must be at least 1");
	for (const char *huge : {"+18446744073709551616", "+99999999999999999999999999999999999999999",
							 "+4294967297", "-18446744073709551617", "-4294967296"})
		EXPECT_EQ(Failed(g, huge, all).kind, ProblemKind::kRelativeOutOfRange) << huge;
	EXPECT_EQ(Failed(Graph(), "+1").kind, ProblemKind::kRelativeOutOfRange);
}

/* "-N": the applied set minus its last N revisions in order. */
TEST(ResolveTarget, MinusN)
{
	Graph g = TwoBranches();
	std::vector<bool> all = SetOf(g, {"r0", "a1", "a2", "abc123", "abd456", "b1", "b2", "b3"});
	EXPECT_EQ(Resolved(g, "-1", all), (Strings{"a2", "abd456", "b2"}));
	EXPECT_EQ(Resolved(g, "-3", all), (Strings{"a2", "abd456"}));
	EXPECT_EQ(Resolved(g, "-7", all), Strings{"r0"});
	EXPECT_EQ(Resolved(g, "-8", all), Strings{});
	Problem p = Failed(g, "-9", all);
	EXPECT_EQ(p.kind, ProblemKind::kRelativeOutOfRange);
	EXPECT_EQ(p.message, "target \"-9\" is out of range: only 8 revisions are applied");
	EXPECT_EQ(Failed(g, "-1").message, "target \"-1\" is out of range: no revision is applied");
	EXPECT_EQ(Failed(g, "-0", all).kind, ProblemKind::kRelativeOutOfRange);
	std::vector<bool> one = SetOf(g, {"r0"});
	EXPECT_EQ(Failed(g, "-2", one).message, "target \"-2\" is out of range: only 1 revision is applied");
}

/* Text that only looks relative is not a relative step. */
TEST(ResolveTarget, MalformedRelative)
{
	Graph g = TwoBranches();
	for (const char *t : {"+", "-", "+1a", "+ 1", "-x", "++1", "+-1", "+1.5"})
		EXPECT_EQ(Failed(g, t).kind, ProblemKind::kUnknownTarget) << t;
}

/* "X@head" with X a label, an id or a prefix. */
TEST(ResolveTarget, AtHead)
{
	Graph g = TwoBranches();
	EXPECT_EQ(Resolved(g, "alpha@head"), Strings{"a2"});
	EXPECT_EQ(Resolved(g, "beta@head"), Strings{"b3"});
	EXPECT_EQ(Resolved(g, "b2@head"), Strings{"b3"});
	EXPECT_EQ(Resolved(g, "b3@head"), Strings{"b3"});
	EXPECT_EQ(Resolved(g, "abc@head"), Strings{"abd456"});
	/* a2 leads to b3 only through a dependency, which does not continue a branch */
	EXPECT_EQ(Resolved(g, "a1@head"), Strings{"a2"});
}

/* One branch down: X@-N and X@base undo the branch's last revisions and
 * what descends from them (a dependency included); other branches stay. */
TEST(ResolveTarget, BranchDown)
{
	Graph g = TwoBranches();
	std::vector<bool> all = SetOf(g, {"r0", "a1", "a2", "abc123", "abd456", "b1", "b2", "b3"});
	EXPECT_EQ(Resolved(g, "beta@-1", all), (Strings{"a2", "abd456", "b2"}));
	EXPECT_EQ(Resolved(g, "beta@-2", all), (Strings{"a2", "abd456", "b1"}));
	EXPECT_EQ(Resolved(g, "beta@-3", all), (Strings{"a2", "abd456"}));
	EXPECT_EQ(Resolved(g, "beta@base", all), (Strings{"a2", "abd456"}));
	EXPECT_EQ(Resolved(g, "b2@base", all), (Strings{"a2", "abd456", "b1"}));
	/* b3 depends on a2: undoing a2 undoes b3, which leaves b2 a head */
	EXPECT_EQ(Resolved(g, "alpha@-1", all), (Strings{"a1", "abd456", "b2"}));
	EXPECT_EQ(Resolved(g, "a2@base", all), (Strings{"a1", "abd456", "b2"}));
	EXPECT_EQ(Resolved(g, "alpha@base", all), (Strings{"abd456", "b2"}));
	/* the last applied of the branch, whatever is applied beyond it elsewhere */
	std::vector<bool> part = SetOf(g, {"r0", "a1", "b1", "b2", "abc123"});
	EXPECT_EQ(Resolved(g, "beta@-1", part), (Strings{"a1", "abc123", "b1"}));
	EXPECT_EQ(Resolved(g, "alpha@-1", part), (Strings{"abc123", "b2"}));
	/* a branch with nothing applied: base is a no-op, a step is out of range */
	EXPECT_EQ(Resolved(g, "alpha@base", SetOf(g, {"r0", "b1"})), Strings{"b1"});
	Problem none = Failed(g, "alpha@-1", SetOf(g, {"r0", "b1"}));
	EXPECT_EQ(none.kind, ProblemKind::kRelativeOutOfRange);
	EXPECT_EQ(none.message, "target \"alpha@-1\" is out of range: no revision of branch \"alpha\" is applied");
	EXPECT_EQ(Failed(g, "beta@-4", all).message,
			  "target \"beta@-4\" is out of range: only 3 revisions of branch \"beta\" are applied");
	EXPECT_EQ(Failed(g, "b3@-2", all).message,
			  "target \"b3@-2\" is out of range: only 1 revision of branch \"b3\" is applied");
	EXPECT_EQ(Failed(g, "beta@-0", all).kind, ProblemKind::kRelativeOutOfRange);
}

/* One branch up: X@+N applies the branch's next N and their ancestors. */
TEST(ResolveTarget, BranchUp)
{
	Graph g = TwoBranches();
	EXPECT_EQ(Resolved(g, "beta@+1", SetOf(g, {"r0"})), Strings{"b1"});
	EXPECT_EQ(Resolved(g, "beta@+1", SetOf(g, {"r0", "b1", "a1"})), (Strings{"a1", "b2"}));
	/* b3 needs a2, and a2 needs a1 */
	EXPECT_EQ(Resolved(g, "beta@+3", SetOf(g, {"r0"})), Strings{"b3"});
	EXPECT_EQ(Resolved(g, "beta@+1", {}), Strings{"b1"});
	EXPECT_EQ(Failed(g, "beta@+4", SetOf(g, {"r0"})).message,
			  "target \"beta@+4\" is out of range: only 3 revisions of branch \"beta\" are pending");
}

/* Branch forms with a bad name or step. */
TEST(ResolveTarget, BranchFailures)
{
	Graph g = TwoBranches();
	EXPECT_EQ(Failed(g, "@base").message, "target \"@base\" names no revision: the name before @base is empty");
	EXPECT_EQ(Failed(g, "@-1").message, "target \"@-1\" names no revision: the name before @-1 is empty");
	EXPECT_EQ(Failed(g, "zz@-1").kind, ProblemKind::kUnknownTarget);
	EXPECT_EQ(Failed(g, "ab@base").kind, ProblemKind::kAmbiguousTarget);
	for (const char *t : {"alpha@bas", "alpha@-", "alpha@-x", "alpha@+1a", "alpha@base@base", "alpha@"})
		EXPECT_EQ(Failed(g, t).kind, ProblemKind::kUnknownTarget) << t;
}

/* "X@head" failures: ambiguous heads, unknown X, ambiguous prefix X, empty X. */
TEST(ResolveTarget, AtHeadFailures)
{
	Graph g = TwoBranches();
	Problem p = Failed(g, "r0@head");
	EXPECT_EQ(p.kind, ProblemKind::kAmbiguousTarget);
	EXPECT_EQ(p.revision, "r0");
	EXPECT_EQ(p.message, "target \"r0@head\" is ambiguous: revision r0 leads to 3 heads (a2, abd456, b3); name one "
						 "of them");
	Problem unknown = Failed(g, "zz@head");
	EXPECT_EQ(unknown.kind, ProblemKind::kUnknownTarget);
	EXPECT_EQ(unknown.message, "target \"zz@head\" names no revision: \"zz\" is not a revision id, a branch label or "
							   "the start of a revision id");
	Problem ambiguous = Failed(g, "ab@head");
	EXPECT_EQ(ambiguous.kind, ProblemKind::kAmbiguousTarget);
	EXPECT_EQ(ambiguous.message, "target \"ab@head\" is ambiguous: 2 revisions start with \"ab\" (abc123, abd456); "
								 "give more of the id");
	EXPECT_EQ(Failed(g, "@head").kind, ProblemKind::kUnknownTarget);
	EXPECT_EQ(Failed(g, "alpha@heads").kind, ProblemKind::kUnknownTarget);
	EXPECT_EQ(Failed(g, "head@head").kind, ProblemKind::kUnknownTarget);
}

/* Exact id, exact label, unique prefix. */
TEST(ResolveTarget, IdLabelPrefix)
{
	Graph g = TwoBranches();
	EXPECT_EQ(Resolved(g, "b2"), Strings{"b2"});
	EXPECT_EQ(Resolved(g, "alpha"), Strings{"a1"});
}

/* Prefix lookup over ids; labels do not take part. */
TEST(ResolveTarget, PrefixOfIdsOnly)
{
	Graph g = TwoBranches();
	EXPECT_EQ(Resolved(g, "abc"), Strings{"abc123"});
	EXPECT_EQ(Resolved(g, "abd4"), Strings{"abd456"});
	Problem p = Failed(g, "alp");
	EXPECT_EQ(p.kind, ProblemKind::kUnknownTarget);
	EXPECT_EQ(p.message,
			  "target \"alp\" names no revision: it is not a revision id, a branch label or the start of a "
			  "revision id");
	Problem amb = Failed(g, "a");
	EXPECT_EQ(amb.kind, ProblemKind::kAmbiguousTarget);
	EXPECT_EQ(amb.message, "target \"a\" is ambiguous: 4 revisions start with it (a1, a2, abc123, abd456); give more "
						   "of the id");
}

/* An exact id wins over a longer id it is a prefix of; an exact label wins over a prefix. */
TEST(ResolveTarget, Precedence)
{
	Graph g = MustBuild({Rev("a"), Rev("ab", {"a"}), Rev("abc", {"ab"}), Rev("x1", {"a"}, {}, {"xy"}),
						 Rev("xyz9", {"x1"})});
	EXPECT_EQ(Resolved(g, "a"), Strings{"a"});
	EXPECT_EQ(Resolved(g, "ab"), Strings{"ab"});
	EXPECT_EQ(Resolved(g, "xy"), Strings{"x1"}) << "label before prefix of xyz9";
	EXPECT_EQ(Resolved(g, "xyz"), Strings{"xyz9"});
	/* keywords come before everything (they can never be ids) */
	EXPECT_EQ(Resolved(g, "heads"), (Strings{"abc", "xyz9"}));
}

/* Ambiguous prefixes list at most 10 candidates, in id order, then how many more. */
TEST(ResolveTarget, AmbiguousPrefixListsTen)
{
	std::vector<RevisionInput> in = {Rev("root")};
	for (int i = 0; i < 25; i++)
		in.push_back(Rev("p" + std::to_string(10 + i), {"root"}));
	Graph g = MustBuild(in);
	Problem p = Failed(g, "p");
	EXPECT_EQ(p.kind, ProblemKind::kAmbiguousTarget);
	EXPECT_EQ(p.message, "target \"p\" is ambiguous: 25 revisions start with it (p10, p11, p12, p13, p14, p15, p16, "
						 "p17, p18, p19, and 15 more); give more of the id");
	EXPECT_EQ(Failed(g, "p3").kind, ProblemKind::kAmbiguousTarget);
	Problem p2 = Failed(g, "p2");
	EXPECT_EQ(p2.message, "target \"p2\" is ambiguous: 10 revisions start with it (p20, p21, p22, p23, p24, p25, p26, "
						  "p27, p28, p29); give more of the id");
}

/* Unknown and odd targets: empty text, bytes that no id may contain. */
TEST(ResolveTarget, UnknownTargets)
{
	Graph g = TwoBranches();
	Problem empty = Failed(g, "");
	EXPECT_EQ(empty.kind, ProblemKind::kUnknownTarget);
	EXPECT_EQ(empty.message, "target \"\" names no revision: it is empty");
	EXPECT_EQ(Failed(g, "zzz").kind, ProblemKind::kUnknownTarget);
	EXPECT_EQ(Failed(g, "HEAD").kind, ProblemKind::kUnknownTarget) << "keywords are lower case";
	Problem odd = Failed(g, std::string("a\"\n\0", 4));
	EXPECT_EQ(odd.kind, ProblemKind::kUnknownTarget);
	EXPECT_EQ(odd.message, "target \"a\\\"\\x0a\\x00\" names no revision: it is not a revision id, a branch label or "
						   "the start of a revision id");
	EXPECT_EQ(Failed(g, std::string(100000, 'a')).kind, ProblemKind::kUnknownTarget);
	EXPECT_LT(Failed(g, std::string(100000, 'a')).message.size(), 400u) << "long targets are cut in messages";
}

/* ResolveTargets: union in topological order; stops at the first failure. */
TEST(ResolveTargets, UnionAndFirstFailure)
{
	Graph g = TwoBranches();
	Resolution r = ResolveTargets(g, {"b3", "alpha", "a2", "base"}, {});
	ASSERT_TRUE(r.ok());
	Strings ids;
	for (Index i : r.revisions)
		ids.push_back(g.id(i));
	EXPECT_EQ(ids, (Strings{"a1", "a2", "b3"}));
	Resolution bad = ResolveTargets(g, {"b3", "nope", "head"}, {});
	EXPECT_FALSE(bad.ok());
	EXPECT_EQ(bad.problem.kind, ProblemKind::kUnknownTarget);
	EXPECT_NE(bad.problem.message.find("\"nope\""), std::string::npos);
	Resolution none = ResolveTargets(g, {}, {});
	EXPECT_TRUE(none.ok());
	EXPECT_TRUE(none.revisions.empty());
}
