/*
 * client/core/render.hpp
 *
 * Drawing a revision graph for people: a terminal tree in the manner of
 * `git log --graph --oneline` (newest first), Graphviz dot and Mermaid.  The
 * input is a flat list of nodes, from a migration folder or from the server;
 * the output is deterministic for a given list.  Nodes are ordered with
 * core::Graph's Order() when the nodes form a valid graph, and by the same
 * smallest-id-first rule, ignoring unknown names and breaking cycles, when
 * they do not; edges to names that are not among the nodes are left out.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_RENDER_HPP
#define PGMIG_CLIENT_RENDER_HPP

#include <string>
#include <vector>

namespace pgmig::client {

/* One revision to draw. */
struct RenderNode {
	std::string id;
	std::vector<std::string> parents;
	std::vector<std::string> depends_on;
	std::vector<std::string> labels;
	std::string message;
	bool applied = false;
};

/*
 * The tree, one line per revision, newest first:
 *
 *   * m (main) Merge
 *   |\
 *   | * b Add b
 *   * | a Add a [applied]
 *   |/
 *   * r Init [applied]
 *
 * Parent edges are drawn as lanes with "*", "|", "/" and "\"; depends_on is
 * not drawn.  With color, ANSI escapes colour the id (green when applied,
 * yellow when not), the labels and the "[applied]" mark.
 */
std::string RenderTree(const std::vector<RenderNode> &nodes, bool color);

/* A Graphviz digraph: parent -> child edges, depends_on edges dashed, applied nodes filled. */
std::string RenderDot(const std::vector<RenderNode> &nodes);

/* A Mermaid "graph TD": node ids n0, n1, ... in order, labels escaped, depends_on edges dotted. */
std::string RenderMermaid(const std::vector<RenderNode> &nodes);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_RENDER_HPP */
