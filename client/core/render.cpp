/*
 * client/core/render.cpp
 *
 * The three renderings declared in render.hpp, over one shared node order.
 *
 * Order.  core::Graph::Build gives the order when the nodes form a valid
 * graph.  Otherwise (the nodes may come from a folder with problems) the
 * same rule is applied by hand: Kahn's algorithm choosing the smallest ready
 * id, with names that match no node ignored, the first node of a duplicated
 * id standing for it, and, when a cycle leaves nothing ready, the smallest
 * unplaced id placed anyway.  Either way the order depends only on the list.
 *
 * Tree.  The rows are that order reversed (newest first).  A lane is a
 * column waiting for a node further down; a row prints "*" in its node's
 * lane and "|" in every other.  Before a row, the lanes that wait for the
 * same node are folded into the leftmost of them; after a row, the node's
 * lane is replaced by one lane per parent that is drawn further down (none
 * for a root, several for a merge).  Each such change of lanes is drawn as
 * connector lines: every lane moves one column per line towards its new
 * place, drawn "/" or "\" while it moves and "|" once it is there, so a
 * move by k columns takes k lines, as in git.  Parents not below the node
 * (unknown, or inside a cycle) are not drawn.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "render.hpp"

#include "graph.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace pgmig::client {

namespace {

constexpr const char *kGreen = "\x1b[32m";
constexpr const char *kYellow = "\x1b[33m";
constexpr const char *kCyan = "\x1b[36m";
constexpr const char *kReset = "\x1b[0m";

/* Index of the first node of each id. */
std::unordered_map<std::string, std::size_t>
FirstById(const std::vector<RenderNode> &nodes)
{
	std::unordered_map<std::string, std::size_t> first;
	for (std::size_t i = 0; i < nodes.size(); i++)
		first.emplace(nodes[i].id, i);
	return first;
}

/*
 * The nodes a node's names resolve to (first node of each id), without
 * repeats, itself and unknown names, in the order named.
 */
std::vector<std::size_t>
Resolve(const std::vector<std::string> &names, std::size_t self,
		const std::unordered_map<std::string, std::size_t> &first)
{
	std::vector<std::size_t> out;
	for (const std::string &name : names) {
		auto it = first.find(name);
		if (it == first.end() || it->second == self)
			continue;
		if (std::find(out.begin(), out.end(), it->second) == out.end())
			out.push_back(it->second);
	}
	return out;
}

/* Node indexes, oldest first (see the file header). */
std::vector<std::size_t>
NodeOrder(const std::vector<RenderNode> &nodes)
{
	std::vector<core::RevisionInput> input;
	input.reserve(nodes.size());
	for (const RenderNode &n : nodes)
		input.push_back({n.id, n.parents, n.depends_on, n.labels});
	core::Graph::BuildResult built = core::Graph::Build(std::move(input));
	std::vector<std::size_t> order;
	if (built.problems.empty()) {
		for (core::Index v : built.graph.Order())
			order.push_back(v);
		return order;
	}

	const std::size_t n = nodes.size();
	const auto first = FirstById(nodes);
	std::vector<std::size_t> waiting(n, 0);
	std::vector<std::vector<std::size_t>> children(n);
	for (std::size_t i = 0; i < n; i++) {
		std::vector<std::string> names = nodes[i].parents;
		names.insert(names.end(), nodes[i].depends_on.begin(), nodes[i].depends_on.end());
		for (std::size_t up : Resolve(names, i, first)) {
			waiting[i]++;
			children[up].push_back(i);
		}
	}
	std::set<std::pair<std::string, std::size_t>> ready, unplaced;
	for (std::size_t i = 0; i < n; i++) {
		unplaced.emplace(nodes[i].id, i);
		if (waiting[i] == 0)
			ready.emplace(nodes[i].id, i);
	}
	while (!unplaced.empty()) {
		std::pair<std::string, std::size_t> next = ready.empty() ? *unplaced.begin() : *ready.begin();
		ready.erase(next);
		unplaced.erase(next);
		order.push_back(next.second);
		for (std::size_t c : children[next.second]) {
			if (waiting[c] > 0 && --waiting[c] == 0 && unplaced.count({nodes[c].id, c}) > 0)
				ready.emplace(nodes[c].id, c);
		}
	}
	return order;
}

/* Text for a terminal: control bytes (which could carry escape sequences) become '?'. */
std::string
Printable(const std::string &text)
{
	std::string out = text;
	for (char &c : out) {
		unsigned char u = static_cast<unsigned char>(c);
		if (u < 0x20 || u == 0x7f)
			c = '?';
	}
	return out;
}

/* Removes trailing spaces. */
std::string
TrimRight(std::string s)
{
	while (!s.empty() && s.back() == ' ')
		s.pop_back();
	return s;
}

/*
 * Connector lines moving lanes from their old columns to their new ones
 * (segments of (from, to) lane indexes); nothing when no lane moves.
 */
void
DrawMoves(std::vector<std::pair<std::size_t, std::size_t>> moves, std::string &out)
{
	for (;;) {
		bool moving = false;
		std::size_t width = 0;
		for (const auto &m : moves) {
			moving = moving || m.first != m.second;
			width = std::max(width, 2 * std::max(m.first, m.second) + 2);
		}
		if (!moving)
			return;
		std::string line(width, ' ');
		for (auto &m : moves) {
			std::size_t cell;
			char mark;
			if (m.first < m.second) {
				cell = 2 * m.first + 1;
				mark = '\\';
				m.first++;
			} else if (m.first > m.second) {
				cell = 2 * m.first - 1;
				mark = '/';
				m.first--;
			} else {
				cell = 2 * m.first;
				mark = '|';
			}
			if (line[cell] == ' ')
				line[cell] = mark;
		}
		out += TrimRight(line) + "\n";
	}
}

/* The text of one tree row after the lanes. */
std::string
RowText(const RenderNode &node, bool color)
{
	std::string out = " ";
	if (color)
		out += (node.applied ? kGreen : kYellow) + Printable(node.id) + kReset;
	else
		out += Printable(node.id);
	if (!node.labels.empty()) {
		std::string labels;
		for (const std::string &l : node.labels)
			labels += (labels.empty() ? "" : ", ") + Printable(l);
		out += " " + (color ? kCyan + ("(" + labels + ")") + kReset : "(" + labels + ")");
	}
	if (!node.message.empty())
		out += " " + Printable(node.message);
	if (node.applied)
		out += color ? std::string(" ") + kGreen + "[applied]" + kReset : std::string(" [applied]");
	return out;
}

/* Escapes text for a double-quoted Graphviz string ("\n" stays a line break). */
std::string
DotEscape(const std::string &text)
{
	std::string out;
	for (char c : text) {
		unsigned char u = static_cast<unsigned char>(c);
		if (c == '"' || c == '\\') {
			out.push_back('\\');
			out.push_back(c);
		} else if (u < 0x20 || u == 0x7f)
			out.push_back('?');
		else
			out.push_back(c);
	}
	return out;
}

/* Escapes text for a quoted Mermaid label with numeric entity codes. */
std::string
MermaidEscape(const std::string &text)
{
	std::string out;
	for (char c : text) {
		unsigned char u = static_cast<unsigned char>(c);
		if (c == '"' || c == '#' || c == '&' || c == '<' || c == '>' || c == '`')
			out += "#" + std::to_string(static_cast<int>(u)) + ";";
		else if (u < 0x20 || u == 0x7f)
			out.push_back('?');
		else
			out.push_back(c);
	}
	return out;
}

/* "id (label, label)" and, when there is one, the message on a second line (joined by `br`). */
std::string
Label(const RenderNode &node, const char *br, std::string (*escape)(const std::string &))
{
	std::string out = escape(node.id);
	if (!node.labels.empty()) {
		std::string labels;
		for (const std::string &l : node.labels)
			labels += (labels.empty() ? "" : ", ") + l;
		out += " (" + escape(labels) + ")";
	}
	if (!node.message.empty())
		out += br + escape(node.message);
	return out;
}

} // namespace

/* The lane algorithm described in the file header. */
std::string
RenderTree(const std::vector<RenderNode> &nodes, bool color)
{
	std::vector<std::size_t> rows = NodeOrder(nodes);
	std::reverse(rows.begin(), rows.end());
	std::vector<std::size_t> row_of(nodes.size());
	for (std::size_t r = 0; r < rows.size(); r++)
		row_of[rows[r]] = r;
	const auto first = FirstById(nodes);

	std::string out;
	std::vector<std::size_t> lanes; /* node each lane waits for */
	for (std::size_t r = 0; r < rows.size(); r++) {
		const std::size_t v = rows[r];

		/* Fold the lanes waiting for v into the leftmost one. */
		std::size_t col = lanes.size();
		std::vector<std::pair<std::size_t, std::size_t>> moves;
		std::vector<std::size_t> folded;
		for (std::size_t k = 0; k < lanes.size(); k++) {
			if (lanes[k] == v && col != lanes.size()) {
				moves.emplace_back(k, col);
				continue;
			}
			if (lanes[k] == v)
				col = folded.size();
			moves.emplace_back(k, folded.size());
			folded.push_back(lanes[k]);
		}
		DrawMoves(moves, out);
		lanes = std::move(folded);
		if (col == lanes.size())
			lanes.push_back(v);

		/* The row. */
		std::string graph;
		for (std::size_t k = 0; k < lanes.size(); k++)
			graph += std::string(k == 0 ? "" : " ") + (k == col ? "*" : "|");
		out += graph + RowText(nodes[v], color) + "\n";

		/* Replace v's lane by its parents drawn below. */
		std::vector<std::size_t> parents;
		for (std::size_t p : Resolve(nodes[v].parents, v, first)) {
			if (row_of[p] > r)
				parents.push_back(p);
		}
		moves.clear();
		std::vector<std::size_t> next(lanes.begin(), lanes.begin() + static_cast<std::ptrdiff_t>(col));
		for (std::size_t k = 0; k < col; k++)
			moves.emplace_back(k, k);
		for (std::size_t p : parents) {
			moves.emplace_back(col, next.size());
			next.push_back(p);
		}
		for (std::size_t k = col + 1; k < lanes.size(); k++) {
			moves.emplace_back(k, next.size());
			next.push_back(lanes[k]);
		}
		if (r + 1 < rows.size())
			DrawMoves(moves, out);
		lanes = std::move(next);
	}
	return out;
}

/* Nodes in order, then edges child by child: parents solid, depends_on dashed. */
std::string
RenderDot(const std::vector<RenderNode> &nodes)
{
	std::vector<std::size_t> order = NodeOrder(nodes);
	const auto first = FirstById(nodes);
	std::string out = "digraph pgmig {\n\tnode [shape=box];\n";
	for (std::size_t v : order) {
		const RenderNode &n = nodes[v];
		out += "\t\"" + DotEscape(n.id) + "\" [label=\"" + Label(n, "\\n", DotEscape) + "\"";
		if (n.applied)
			out += ", style=filled, fillcolor=\"#c8e6c9\"";
		out += "];\n";
	}
	for (std::size_t v : order) {
		for (int pass = 0; pass < 2; pass++) {
			for (std::size_t u : Resolve(pass == 0 ? nodes[v].parents : nodes[v].depends_on, v, first)) {
				out += "\t\"" + DotEscape(nodes[u].id) + "\" -> \"" + DotEscape(nodes[v].id) + "\"";
				out += pass == 0 ? ";\n" : " [style=dashed];\n";
			}
		}
	}
	out += "}\n";
	return out;
}

/* Nodes n0, n1, ... in order, then edges child by child, then the applied class. */
std::string
RenderMermaid(const std::vector<RenderNode> &nodes)
{
	std::vector<std::size_t> order = NodeOrder(nodes);
	const auto first = FirstById(nodes);
	std::vector<std::size_t> name(nodes.size());
	for (std::size_t k = 0; k < order.size(); k++)
		name[order[k]] = k;
	auto id = [&name](std::size_t v) { return "n" + std::to_string(name[v]); };

	std::string out = "graph TD\n";
	std::string applied;
	for (std::size_t v : order) {
		out += "\t" + id(v) + "[\"" + Label(nodes[v], "<br/>", MermaidEscape) + "\"]\n";
		if (nodes[v].applied)
			applied += (applied.empty() ? "" : ",") + id(v);
	}
	for (std::size_t v : order) {
		for (int pass = 0; pass < 2; pass++) {
			for (std::size_t u : Resolve(pass == 0 ? nodes[v].parents : nodes[v].depends_on, v, first))
				out += "\t" + id(u) + (pass == 0 ? " --> " : " -.-> ") + id(v) + "\n";
		}
	}
	if (!applied.empty())
		out += "\tclassDef applied fill:#c8e6c9,stroke:#2e7d32\n\tclass " + applied + " applied\n";
	return out;
}

} // namespace pgmig::client
