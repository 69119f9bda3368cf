/*
 * test/unit/test_render.cpp
 *
 * Unit tests of the graph renderings (client/core/render): the terminal
 * tree, Graphviz dot and Mermaid, compared as whole strings on a linear
 * chain, a branch and merge, two roots, an octopus merge, and on node lists
 * that are not valid graphs (unknown parent, cycle), plus escaping of hostile
 * text and determinism with respect to the input order.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "render.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace pgmig::client;

namespace {

/* One node, written compactly. */
RenderNode
Node(std::string id, std::vector<std::string> parents = {}, std::string message = "", bool applied = false,
	 std::vector<std::string> labels = {}, std::vector<std::string> depends_on = {})
{
	RenderNode n;
	n.id = std::move(id);
	n.parents = std::move(parents);
	n.message = std::move(message);
	n.applied = applied;
	n.labels = std::move(labels);
	n.depends_on = std::move(depends_on);
	return n;
}

/* r1 <- r2 <- r3, the first two applied. */
std::vector<RenderNode>
Linear()
{
	return {Node("r1", {}, "Init", true), Node("r2", {"r1"}, "Add users", true, {"main"}),
			Node("r3", {"r2"}, "Add orders")};
}

/* r <- a, r <- b (b also depends on a), m merges a and b. */
std::vector<RenderNode>
BranchAndMerge()
{
	return {Node("m", {"a", "b"}, "Merge", false, {"main"}), Node("a", {"r"}, "Add a", true),
			Node("b", {"r"}, "Add \"b\"", false, {}, {"a"}), Node("r", {}, "Init", true)};
}

/* Two independent chains: 1a <- 2a and 1b <- 2b. */
std::vector<RenderNode>
TwoRoots()
{
	return {Node("1a", {}, "Root A"), Node("1b", {}, "Root B"), Node("2a", {"1a"}), Node("2b", {"1b"})};
}

/* A chain: one lane, newest first, labels and the applied mark. */
TEST(RenderTree, LinearChain)
{
	EXPECT_EQ(RenderTree(Linear(), false), "* r3 Add orders\n"
										   "* r2 (main) Add users [applied]\n"
										   "* r1 Init [applied]\n");
}

/* The same chain with ANSI colours. */
TEST(RenderTree, LinearChainInColour)
{
	EXPECT_EQ(RenderTree(Linear(), true), "* \x1b[33mr3\x1b[0m Add orders\n"
										  "* \x1b[32mr2\x1b[0m \x1b[36m(main)\x1b[0m Add users \x1b[32m[applied]\x1b[0m\n"
										  "* \x1b[32mr1\x1b[0m Init \x1b[32m[applied]\x1b[0m\n");
}

/* A branch and its merge: the lanes split and join. */
TEST(RenderTree, BranchAndMerge)
{
	EXPECT_EQ(RenderTree(BranchAndMerge(), false), "* m (main) Merge\n"
												   "|\\\n"
												   "| * b Add \"b\"\n"
												   "* | a Add a [applied]\n"
												   "|/\n"
												   "* r Init [applied]\n");
}

/* Two independent chains: the second lane ends and its neighbour moves left. */
TEST(RenderTree, TwoRoots)
{
	EXPECT_EQ(RenderTree(TwoRoots(), false), "* 2b\n"
											 "| * 2a\n"
											 "* | 1b Root B\n"
											 " /\n"
											 "* 1a Root A\n");
}

/* A three-parent merge fans out over two lines; an unknown parent is not drawn. */
TEST(RenderTree, OctopusMergeAndUnknownParent)
{
	std::vector<RenderNode> nodes = {Node("m", {"a", "b", "c"}), Node("a", {"r"}), Node("b", {"r"}),
									 Node("c", {"r"}), Node("r"), Node("x", {"zz"})};
	EXPECT_EQ(RenderTree(nodes, false), "* x\n"
										"* m\n"
										"|\\\n"
										"| |\\\n"
										"| | * c\n"
										"| * | b\n"
										"* | | a\n"
										"|/ /\n"
										"|/\n"
										"* r\n");
}

/* An invalid graph (cycle) still gets every node, in a deterministic order. */
TEST(RenderTree, CycleStillDrawsEveryNode)
{
	std::vector<RenderNode> nodes = {Node("a", {"b"}), Node("b", {"a"}), Node("c", {"a"})};
	EXPECT_EQ(RenderTree(nodes, false), "* c\n"
										"| * b\n"
										"|/\n"
										"* a\n");
}

/* No nodes, no output; control characters never reach the terminal. */
TEST(RenderTree, EmptyAndControlCharacters)
{
	EXPECT_EQ(RenderTree({}, false), "");
	EXPECT_EQ(RenderTree({Node("r1", {}, "evil\x1b]0;title\x07\nline")}, false), "* r1 evil?]0;title??line\n");
}

/* Every permutation of the input gives the same tree and dot text. */
TEST(RenderTree, InputOrderDoesNotMatter)
{
	std::vector<RenderNode> nodes = BranchAndMerge();
	const std::string expected = RenderTree(nodes, false);
	std::sort(nodes.begin(), nodes.end(), [](const RenderNode &a, const RenderNode &b) { return a.id < b.id; });
	do {
		EXPECT_EQ(RenderTree(nodes, false), expected);
		EXPECT_EQ(RenderDot(nodes), RenderDot(BranchAndMerge()));
	} while (std::next_permutation(nodes.begin(), nodes.end(),
								   [](const RenderNode &a, const RenderNode &b) { return a.id < b.id; }));
}

/* A chain as dot: nodes in order, applied ones filled, then edges. */
TEST(RenderDot, LinearChain)
{
	EXPECT_EQ(RenderDot(Linear()), "digraph pgmig {\n"
								   "\tnode [shape=box];\n"
								   "\t\"r1\" [label=\"r1\\nInit\", style=filled, fillcolor=\"#c8e6c9\"];\n"
								   "\t\"r2\" [label=\"r2 (main)\\nAdd users\", style=filled, fillcolor=\"#c8e6c9\"];\n"
								   "\t\"r3\" [label=\"r3\\nAdd orders\"];\n"
								   "\t\"r1\" -> \"r2\";\n"
								   "\t\"r2\" -> \"r3\";\n"
								   "}\n");
}

/* Merge edges, and a dashed depends_on edge. */
TEST(RenderDot, BranchAndMerge)
{
	EXPECT_EQ(RenderDot(BranchAndMerge()), "digraph pgmig {\n"
										   "\tnode [shape=box];\n"
										   "\t\"r\" [label=\"r\\nInit\", style=filled, fillcolor=\"#c8e6c9\"];\n"
										   "\t\"a\" [label=\"a\\nAdd a\", style=filled, fillcolor=\"#c8e6c9\"];\n"
										   "\t\"b\" [label=\"b\\nAdd \\\"b\\\"\"];\n"
										   "\t\"m\" [label=\"m (main)\\nMerge\"];\n"
										   "\t\"r\" -> \"a\";\n"
										   "\t\"r\" -> \"b\";\n"
										   "\t\"a\" -> \"b\" [style=dashed];\n"
										   "\t\"a\" -> \"m\";\n"
										   "\t\"b\" -> \"m\";\n"
										   "}\n");
}

/* Two roots. */
TEST(RenderDot, TwoRoots)
{
	EXPECT_EQ(RenderDot(TwoRoots()), "digraph pgmig {\n"
									 "\tnode [shape=box];\n"
									 "\t\"1a\" [label=\"1a\\nRoot A\"];\n"
									 "\t\"1b\" [label=\"1b\\nRoot B\"];\n"
									 "\t\"2a\" [label=\"2a\"];\n"
									 "\t\"2b\" [label=\"2b\"];\n"
									 "\t\"1a\" -> \"2a\";\n"
									 "\t\"1b\" -> \"2b\";\n"
									 "}\n");
}

/* Quotes and backslashes escaped, control characters replaced. */
TEST(RenderDot, EscapesQuotesBackslashesAndControls)
{
	EXPECT_EQ(RenderDot({Node("a\"b", {}, "c:\\path\n", false, {"l\"1"})}),
			  "digraph pgmig {\n"
			  "\tnode [shape=box];\n"
			  "\t\"a\\\"b\" [label=\"a\\\"b (l\\\"1)\\nc:\\\\path?\"];\n"
			  "}\n");
}

/* A chain as Mermaid, with the applied class. */
TEST(RenderMermaid, LinearChain)
{
	EXPECT_EQ(RenderMermaid(Linear()), "graph TD\n"
									   "\tn0[\"r1<br/>Init\"]\n"
									   "\tn1[\"r2 (main)<br/>Add users\"]\n"
									   "\tn2[\"r3<br/>Add orders\"]\n"
									   "\tn0 --> n1\n"
									   "\tn1 --> n2\n"
									   "\tclassDef applied fill:#c8e6c9,stroke:#2e7d32\n"
									   "\tclass n0,n1 applied\n");
}

/* Merge edges and a dotted depends_on edge; quotes as entities. */
TEST(RenderMermaid, BranchAndMerge)
{
	EXPECT_EQ(RenderMermaid(BranchAndMerge()), "graph TD\n"
											   "\tn0[\"r<br/>Init\"]\n"
											   "\tn1[\"a<br/>Add a\"]\n"
											   "\tn2[\"b<br/>Add #34;b#34;\"]\n"
											   "\tn3[\"m (main)<br/>Merge\"]\n"
											   "\tn0 --> n1\n"
											   "\tn0 --> n2\n"
											   "\tn1 -.-> n2\n"
											   "\tn1 --> n3\n"
											   "\tn2 --> n3\n"
											   "\tclassDef applied fill:#c8e6c9,stroke:#2e7d32\n"
											   "\tclass n0,n1 applied\n");
}

/* Two roots, no applied class when nothing is applied. */
TEST(RenderMermaid, TwoRoots)
{
	EXPECT_EQ(RenderMermaid(TwoRoots()), "graph TD\n"
										 "\tn0[\"1a<br/>Root A\"]\n"
										 "\tn1[\"1b<br/>Root B\"]\n"
										 "\tn2[\"2a\"]\n"
										 "\tn3[\"2b\"]\n"
										 "\tn0 --> n2\n"
										 "\tn1 --> n3\n");
}

/* Markup characters become numeric entities. */
TEST(RenderMermaid, EscapesMarkup)
{
	EXPECT_EQ(RenderMermaid({Node("x", {}, "<b>&#\"`\x01")}), "graph TD\n"
															  "\tn0[\"x<br/>#60;b#62;#38;#35;#34;#96;?\"]\n");
}

} // namespace
