/*
 * extension/core/graph.cpp
 *
 * Building, validating and querying the revision graph declared in graph.hpp.
 *
 * Build works in passes that never look at a revision more often than it has
 * entries: ids are checked and entered in an open-addressing hash table
 * (first occurrence wins, later ones are duplicates); every parent, dependency
 * and branch label is then checked against that table, which yields the
 * edges, stored in compressed sparse row form (one offsets array and one edge
 * array per direction); Kahn's algorithm with a min-heap on each id's rank in
 * byte-wise sorted order then places the revisions.  When Kahn's algorithm
 * cannot place everything the graph has cycles: the unplaced revisions are
 * split into strongly connected components with an iterative Kosaraju pass,
 * and every component of two or more revisions is reported once, as one
 * concrete cycle found by a breadth-first search from its first revision in
 * input order, plus the other revisions caught in it.  Problems are collected
 * per input entry and concatenated, so their order follows the input.  A graph
 * with any problem is returned empty (size() == 0).
 *
 * Every traversal (closures, plans, Kosaraju, cycle search, X@head) uses an
 * explicit stack or queue, so a 100,000-revision chain costs no native stack
 * depth.  Queries answer from the topological order computed once by Build,
 * from the sorted id index (binary search for exact ids and prefixes) and from
 * the sorted label index.  Edges are kept once, in compressed arrays that stay
 * in cache on large graphs; children_ (parents only) backs Children().
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "graph.hpp"
#include "sqltext.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <queue>
#include <unordered_map>
#include <utility>

namespace pgmig::core {

namespace {

/* Names shown in one list of a message before it says "and N more". */
constexpr std::size_t kMaxListedNames = 20;

/* Candidates listed for an ambiguous id prefix. */
constexpr std::size_t kMaxListedCandidates = 10;

/* Longest piece of user text quoted verbatim in a message. */
constexpr std::size_t kMaxQuotedLength = 200;

/*
 * Quotes user-supplied text for a message: double quotes around it, '"' and
 * '\' escaped, control and non-ASCII-printable bytes shown as \xNN, and very
 * long text cut short, so that a hostile id cannot garble the message.
 */
std::string
Quote(std::string_view text)
{
	return QuoteForMessage(text, kMaxQuotedLength, false);
}

/* ASCII letter or digit, independent of the locale. */
bool
IsAlnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A character allowed after the first one of an id, label or project name. */
bool
IsNameChar(unsigned char c)
{
	return IsAlnum(c) || c == '_' || c == '.' || c == '-';
}

/* ASCII-only case-insensitive equality against a lower-case word. */
bool
EqualsIgnoreCase(std::string_view text, std::string_view lower_word)
{
	if (text.size() != lower_word.size())
		return false;
	for (std::size_t i = 0; i < text.size(); i++) {
		unsigned char c = static_cast<unsigned char>(text[i]);
		if (c >= 'A' && c <= 'Z')
			c = static_cast<unsigned char>(c - 'A' + 'a');
		if (c != static_cast<unsigned char>(lower_word[i]))
			return false;
	}
	return true;
}

/* "1 revision" / "2 revisions": a count with its noun in the right number. */
std::string
Count(std::size_t n, const char *singular, const char *plural)
{
	return std::to_string(n) + " " + (n == 1 ? singular : plural);
}

/*
 * Joins the ids of the given revisions with ", " (unquoted: only valid ids
 * reach a resolution message), listing at most `limit` and then "and N more".
 */
std::string
JoinIds(const Graph &graph, const std::vector<Index> &list, std::size_t limit)
{
	std::string out;
	std::size_t shown = std::min(list.size(), limit);
	for (std::size_t i = 0; i < shown; i++) {
		if (i > 0)
			out += ", ";
		out += graph.id(list[i]);
	}
	if (shown < list.size())
		out += ", and " + std::to_string(list.size() - shown) + " more";
	return out;
}

/* Membership test that treats indexes beyond the vector as "not set". */
bool
IsSet(const std::vector<bool> &set, Index i)
{
	return i < set.size() && set[i];
}

/* Makes a failed resolution. */
Resolution
Fail(ProblemKind kind, std::string revision, std::string message)
{
	Resolution r;
	r.problem.kind = kind;
	r.problem.revision = std::move(revision);
	r.problem.message = std::move(message);
	return r;
}

/*
 * Recognises "+N" or "-N" (sign given by the caller) with N made of decimal
 * digits only.  N saturates instead of overflowing: anything above 2^62 is
 * larger than any graph anyway.  Returns false when the text is not of that
 * form.
 */
bool
ParseRelative(std::string_view target, char sign, std::uint64_t &n)
{
	constexpr std::uint64_t kCap = std::uint64_t(1) << 62;

	if (target.size() < 2 || target[0] != sign)
		return false;
	n = 0;
	for (std::size_t i = 1; i < target.size(); i++) {
		char c = target[i];
		if (c < '0' || c > '9')
			return false;
		std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
		n = (n > (kCap - digit) / 10) ? kCap : n * 10 + digit;
	}
	return true;
}

/* True when `text` begins with `prefix`. */
bool
StartsWith(std::string_view text, std::string_view prefix)
{
	return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

/*
 * Kosaraju's algorithm, iteratively, over the revisions for which `in_scope`
 * is set, with the forward and backward edges given in compressed form.
 * Returns the component number of each revision in scope (others get -1) and
 * the number of components.
 */
std::pair<std::vector<std::int64_t>, std::size_t>
StronglyConnectedComponents(const std::vector<std::size_t> &fwd_offsets, const std::vector<Index> &fwd_edges,
							const std::vector<std::size_t> &back_offsets, const std::vector<Index> &back_edges,
							const std::vector<bool> &in_scope)
{
	const std::size_t n = in_scope.size();
	std::vector<bool> visited(n, false);
	std::vector<Index> finish;
	std::vector<std::pair<Index, std::size_t>> stack; /* revision, next edge position */

	/* First pass: finishing order of a depth-first search along the forward edges. */
	for (Index root = 0; root < n; root++) {
		if (!in_scope[root] || visited[root])
			continue;
		visited[root] = true;
		stack.emplace_back(root, fwd_offsets[root]);
		while (!stack.empty()) {
			Index v = stack.back().first;
			std::size_t next = stack.back().second;
			if (next < fwd_offsets[v + 1]) {
				stack.back().second = next + 1;
				Index w = fwd_edges[next];
				if (in_scope[w] && !visited[w]) {
					visited[w] = true;
					stack.emplace_back(w, fwd_offsets[w]);
				}
			} else {
				finish.push_back(v);
				stack.pop_back();
			}
		}
	}

	/* Second pass: along the backward edges, in decreasing finishing time. */
	std::vector<std::int64_t> component(n, -1);
	std::size_t count = 0;
	std::vector<Index> work;
	for (auto it = finish.rbegin(); it != finish.rend(); ++it) {
		if (component[*it] >= 0)
			continue;
		component[*it] = static_cast<std::int64_t>(count);
		work.push_back(*it);
		while (!work.empty()) {
			Index v = work.back();
			work.pop_back();
			for (std::size_t e = back_offsets[v]; e < back_offsets[v + 1]; e++) {
				Index w = back_edges[e];
				if (in_scope[w] && component[w] < 0) {
					component[w] = static_cast<std::int64_t>(count);
					work.push_back(w);
				}
			}
		}
		count++;
	}
	return {std::move(component), count};
}

/*
 * Everything reachable from `from` along compressed edges, `from` included,
 * as a membership vector of n elements; indexes out of range are ignored.
 * Depth-first with an explicit stack.
 */
std::vector<bool>
Closure(std::size_t n, const std::vector<std::size_t> &offsets, const std::vector<Index> &edges,
		const std::vector<Index> &from)
{
	std::vector<bool> in(n, false);
	std::vector<Index> stack;
	for (Index f : from) {
		if (f < n && !in[f]) {
			in[f] = true;
			stack.push_back(f);
		}
	}
	while (!stack.empty()) {
		Index v = stack.back();
		stack.pop_back();
		for (std::size_t e = offsets[v]; e < offsets[v + 1]; e++) {
			Index w = edges[e];
			if (!in[w]) {
				in[w] = true;
				stack.push_back(w);
			}
		}
	}
	return in;
}

/* Marks an empty slot of IdTable, an unvisited revision, "no such revision". */
constexpr Index kNobody = std::numeric_limits<Index>::max();

/*
 * Open-addressing hash table from id to the first revision carrying it, with
 * linear probing.  A slot keeps 32 bits of the hash next to the index so that
 * most probes are decided without touching the id itself; one allocation in
 * all, which matters when there are 100,000 ids.
 */
class IdTable {
public:
	/* An empty table for the revisions' ids, sized for a load of at most one half. */
	explicit IdTable(const std::vector<RevisionInput> &revisions) : revisions_(revisions)
	{
		std::size_t capacity = 16;
		while (capacity < revisions.size() * 2)
			capacity <<= 1;
		slots_.assign(capacity, Slot{0, kNobody});
		mask_ = capacity - 1;
	}

	/* Enters revision i under its id unless the id is there; returns the revision that has it. */
	Index Insert(Index i)
	{
		const std::string &id = revisions_[i].id;
		std::size_t h = std::hash<std::string_view>{}(id);
		std::uint32_t tag = Tag(h);
		for (std::size_t pos = h & mask_;; pos = (pos + 1) & mask_) {
			Slot &slot = slots_[pos];
			if (slot.index == kNobody) {
				slot = Slot{tag, i};
				return i;
			}
			if (slot.tag == tag && revisions_[slot.index].id == id)
				return slot.index;
		}
	}

	/* The revision whose id is `name`, or kNobody. */
	Index Find(std::string_view name) const
	{
		std::size_t h = std::hash<std::string_view>{}(name);
		std::uint32_t tag = Tag(h);
		for (std::size_t pos = h & mask_;; pos = (pos + 1) & mask_) {
			const Slot &slot = slots_[pos];
			if (slot.index == kNobody)
				return kNobody;
			if (slot.tag == tag && revisions_[slot.index].id == name)
				return slot.index;
		}
	}

private:
	struct Slot {
		std::uint32_t tag;
		Index index;
	};

	/* The hash bits kept in a slot: the high half, independent of the probe position. */
	static std::uint32_t Tag(std::size_t h) { return static_cast<std::uint32_t>(static_cast<std::uint64_t>(h) >> 32); }

	const std::vector<RevisionInput> &revisions_;
	std::vector<Slot> slots_;
	std::size_t mask_ = 0;
};

} // namespace

/*
 * Checks a revision id or branch label (rules in graph.hpp).  The reasons are
 * sentence fragments ("must ...") that callers put after "it".
 */
std::string
CheckRevisionId(std::string_view id)
{
	if (id.empty())
		return "must not be empty";
	if (id.size() > kMaxIdLength)
		return "must be at most " + std::to_string(kMaxIdLength) + " characters long";
	if (!IsAlnum(static_cast<unsigned char>(id[0])))
		return "must start with a letter or digit";
	for (char c : id) {
		if (!IsNameChar(static_cast<unsigned char>(c)))
			return "must contain only ASCII letters, digits, \"_\", \".\" and \"-\"";
	}
	for (std::string_view word : {"head", "heads", "base"}) {
		if (EqualsIgnoreCase(id, word))
			return "must not be the reserved word \"" + std::string(word) + "\" (in any case)";
	}
	return {};
}

/* Checks a project name (rules in graph.hpp); reasons as for CheckRevisionId. */
std::string
CheckProjectName(std::string_view project)
{
	if (project.empty())
		return "must not be empty";
	if (project.size() > kMaxProjectLength)
		return "must be at most " + std::to_string(kMaxProjectLength) + " characters long";
	for (char c : project) {
		if (!IsNameChar(static_cast<unsigned char>(c)))
			return "must contain only ASCII letters, digits, \"_\", \".\" and \"-\"";
	}
	return {};
}

/*
 * Builds and validates a graph.  See the file header for the passes.  Each
 * input entry collects its own problems (id, then parents, then dependencies,
 * then labels, then any cycle it anchors), which keeps the report in input
 * order however the passes are arranged.
 */
Graph::BuildResult
Graph::Build(std::vector<RevisionInput> revisions)
{
	BuildResult result;
	const std::size_t n = revisions.size();

	if (n >= std::numeric_limits<Index>::max()) {
		result.problems.push_back(
			{ProblemKind::kInvalidId, {}, "the project has more revisions than pgmig can index"});
		return result;
	}

	Graph g;
	g.revisions_ = std::move(revisions);
	const std::vector<RevisionInput> &revs = g.revisions_;
	std::vector<std::vector<Problem>> problems(n);
	auto report = [&problems](Index at, ProblemKind kind, const std::string &revision, std::string message) {
		problems[at].push_back({kind, revision, std::move(message)});
	};

	/* Ids: validity and first occurrence. */
	IdTable by_id(revs);
	std::vector<bool> canonical(n, false);
	for (Index i = 0; i < n; i++) {
		const std::string &id = revs[i].id;
		std::string reason = CheckRevisionId(id);
		if (!reason.empty())
			report(i, ProblemKind::kInvalidId, id, "revision id " + Quote(id) + " is invalid: it " + reason);
		if (by_id.Insert(i) == i)
			canonical[i] = true;
		else
			report(i, ProblemKind::kDuplicateId, id, "revision " + Quote(id) + " is defined more than once");
	}

	/*
	 * Parents and dependencies, into the compressed upward edges (parents
	 * first, then dependencies, of the first occurrence of each id only).
	 * seen_by/seen_as_parent remember, per named revision, which entry last
	 * named it and how, so duplicates are found in time linear in the number
	 * of entries; names that match no revision go through a small per-entry
	 * map instead.
	 */
	std::vector<std::size_t> &up_offsets = g.up_offsets_;
	std::vector<Index> &up_edges = g.up_edges_;
	std::vector<std::size_t> parent_edges(n, 0);
	up_offsets.assign(n + 1, 0);
	std::vector<Index> seen_by(n, kNobody);
	std::vector<bool> seen_as_parent(n, false);
	std::unordered_map<std::string_view, bool> unknown_seen;
	for (Index i = 0; i < n; i++) {
		const RevisionInput &rev = revs[i];
		up_offsets[i] = up_edges.size();
		if (!unknown_seen.empty())
			unknown_seen.clear();
		for (int pass = 0; pass < 2; pass++) {
			const bool as_parent = (pass == 0);
			const std::vector<std::string> &names = as_parent ? rev.parents : rev.depends_on;
			const char *what = as_parent ? "parent" : "dependency";
			for (const std::string &name : names) {
				Index found = by_id.Find(name);
				bool already = false;
				bool already_as_parent = false;
				if (found != kNobody) {
					already = (seen_by[found] == i);
					already_as_parent = already && seen_as_parent[found];
					if (!already) {
						seen_by[found] = i;
						seen_as_parent[found] = as_parent;
					}
				} else {
					auto [it, inserted] = unknown_seen.emplace(name, as_parent);
					already = !inserted;
					already_as_parent = already && it->second;
				}
				if (already) {
					if (already_as_parent == as_parent)
						report(i, ProblemKind::kDuplicateParent, rev.id,
							   "revision " + Quote(rev.id) + " lists " + what + " " + Quote(name) + " more than once");
					else
						report(i, ProblemKind::kDuplicateParent, rev.id,
							   "revision " + Quote(rev.id) + " names " + Quote(name) +
								   " both as parent and as dependency");
				} else if (name == rev.id)
					report(i, ProblemKind::kSelfParent, rev.id,
						   "revision " + Quote(rev.id) + " names itself as " +
							   (as_parent ? "its parent" : "a dependency"));
				else if (found == kNobody)
					report(i, as_parent ? ProblemKind::kUnknownParent : ProblemKind::kUnknownDependency, rev.id,
						   "revision " + Quote(rev.id) + " names unknown " + what + " " + Quote(name));
				else if (canonical[i]) {
					up_edges.push_back(found);
					if (as_parent)
						parent_edges[i]++;
				}
			}
		}
	}
	up_offsets[n] = up_edges.size();

	/* Branch labels: valid, not an id, carried by one revision only. */
	std::unordered_map<std::string_view, Index> by_label;
	for (Index i = 0; i < n; i++) {
		const RevisionInput &rev = revs[i];
		for (const std::string &label : rev.branch_labels) {
			std::string reason = CheckRevisionId(label);
			if (!reason.empty()) {
				report(i, ProblemKind::kInvalidId, rev.id,
					   "revision " + Quote(rev.id) + " has an invalid branch label " + Quote(label) + ": it " + reason);
				continue;
			}
			if (by_id.Find(label) != kNobody) {
				report(i, ProblemKind::kDuplicateLabel, rev.id,
					   "revision " + Quote(rev.id) + " has branch label " + Quote(label) +
						   ", which is also a revision id");
				continue;
			}
			auto [it, inserted] = by_label.emplace(label, i);
			if (inserted)
				continue;
			if (it->second == i)
				report(i, ProblemKind::kDuplicateLabel, rev.id,
					   "revision " + Quote(rev.id) + " lists branch label " + Quote(label) + " more than once");
			else
				report(i, ProblemKind::kDuplicateLabel, rev.id,
					   "revision " + Quote(rev.id) + " has branch label " + Quote(label) + ", which revision " +
						   Quote(revs[it->second].id) + " already carries");
		}
	}

	/* Downward edges: the upward ones reversed, by counting. */
	std::vector<std::size_t> &down_offsets = g.down_offsets_;
	std::vector<Index> &down_edges = g.down_edges_;
	down_offsets.assign(n + 1, 0);
	for (Index t : up_edges)
		down_offsets[t + 1]++;
	for (std::size_t v = 0; v < n; v++)
		down_offsets[v + 1] += down_offsets[v];
	down_edges.resize(up_edges.size());
	{
		std::vector<std::size_t> fill(down_offsets.begin(), down_offsets.end() - 1);
		for (Index i = 0; i < n; i++) {
			for (std::size_t e = up_offsets[i]; e < up_offsets[i + 1]; e++)
				down_edges[fill[up_edges[e]]++] = i;
		}
	}

	/*
	 * Ranks: position of each entry among the ids sorted byte-wise (ties by
	 * input position).  Each entry carries the 8 bytes that follow the
	 * prefix common to all ids, big-endian, so most comparisons are decided
	 * without touching the ids (which share long timestamp prefixes).
	 */
	std::size_t common = n > 0 ? revs[0].id.size() : 0;
	for (Index i = 1; i < n && common > 0; i++) {
		const std::string &id = revs[i].id;
		std::size_t k = 0;
		while (k < common && k < id.size() && id[k] == revs[0].id[k])
			k++;
		common = k;
	}
	struct SortEntry {
		std::uint64_t key;
		Index index;
	};
	std::vector<SortEntry> by_name(n);
	for (Index i = 0; i < n; i++) {
		const std::string &id = revs[i].id;
		std::uint64_t key = 0;
		for (std::size_t k = common; k < common + 8; k++)
			key = (key << 8) | (k < id.size() ? static_cast<unsigned char>(id[k]) : 0u);
		by_name[i] = {key, i};
	}
	std::sort(by_name.begin(), by_name.end(), [&revs](const SortEntry &a, const SortEntry &b) {
		if (a.key != b.key)
			return a.key < b.key;
		int c = revs[a.index].id.compare(revs[b.index].id);
		return c < 0 || (c == 0 && a.index < b.index);
	});
	std::vector<Index> sorted(n);
	std::vector<Index> rank(n);
	for (Index r = 0; r < n; r++) {
		sorted[r] = by_name[r].index;
		rank[sorted[r]] = r;
	}
	by_name = {};

	/* Kahn's algorithm, always choosing the smallest ready id. */
	std::vector<std::size_t> waiting(n);
	std::priority_queue<Index, std::vector<Index>, std::greater<Index>> ready;
	for (Index i = 0; i < n; i++) {
		waiting[i] = up_offsets[i + 1] - up_offsets[i];
		if (waiting[i] == 0)
			ready.push(rank[i]);
	}
	std::vector<Index> order;
	order.reserve(n);
	while (!ready.empty()) {
		Index v = sorted[ready.top()];
		ready.pop();
		order.push_back(v);
		for (std::size_t e = down_offsets[v]; e < down_offsets[v + 1]; e++) {
			Index d = down_edges[e];
			if (--waiting[d] == 0)
				ready.push(rank[d]);
		}
	}

	if (order.size() < n) {
		/* Cycles: components of two or more among the unplaced revisions. */
		std::vector<bool> unplaced(n, true);
		for (Index v : order)
			unplaced[v] = false;
		auto [component, count] = StronglyConnectedComponents(up_offsets, up_edges, down_offsets, down_edges, unplaced);
		std::vector<std::vector<Index>> members(count);
		for (Index i = 0; i < n; i++) {
			if (component[i] >= 0)
				members[static_cast<std::size_t>(component[i])].push_back(i);
		}
		std::vector<Index> came_from(n, kNobody);
		std::vector<bool> on_cycle(n, false);
		std::vector<Index> queue;
		for (std::size_t c = 0; c < count; c++) {
			const std::vector<Index> &scc = members[c];
			if (scc.size() < 2)
				continue;
			/* Shortest cycle through the component's first member in input order, breadth first. */
			const Index anchor = scc.front();
			const std::int64_t cid = static_cast<std::int64_t>(c);
			queue.assign(1, anchor);
			came_from[anchor] = anchor;
			Index closing = kNobody;
			for (std::size_t head = 0; head < queue.size() && closing == kNobody; head++) {
				Index v = queue[head];
				for (std::size_t e = up_offsets[v]; e < up_offsets[v + 1]; e++) {
					Index w = up_edges[e];
					if (component[w] != cid)
						continue;
					if (w == anchor) {
						closing = v;
						break;
					}
					if (came_from[w] == kNobody) {
						came_from[w] = v;
						queue.push_back(w);
					}
				}
			}
			std::vector<Index> cycle;
			for (Index v = closing; v != anchor && v != kNobody; v = came_from[v])
				cycle.push_back(v);
			cycle.push_back(anchor);
			std::reverse(cycle.begin(), cycle.end());

			std::string message = "revision " + Quote(revs[anchor].id) +
				" is on a cycle through parents and dependencies (each naming the next): ";
			std::size_t shown = std::min(cycle.size(), kMaxListedNames);
			for (std::size_t k = 0; k < shown; k++)
				message += Quote(revs[cycle[k]].id) + " -> ";
			if (shown < cycle.size())
				message += "... (" + std::to_string(cycle.size()) + " revisions in all) -> ";
			message += Quote(revs[anchor].id);

			if (scc.size() > cycle.size()) {
				std::vector<Index> others;
				for (Index v : cycle)
					on_cycle[v] = true;
				for (Index v : scc) {
					if (!on_cycle[v])
						others.push_back(v);
				}
				for (Index v : cycle)
					on_cycle[v] = false;
				message += "; " + Count(others.size(), "more revision is", "more revisions are") +
					" caught in cycles with it: ";
				std::size_t listed = std::min(others.size(), kMaxListedNames);
				for (std::size_t k = 0; k < listed; k++)
					message += (k > 0 ? ", " : "") + Quote(revs[others[k]].id);
				if (listed < others.size())
					message += ", and " + std::to_string(others.size() - listed) + " more";
			}
			for (Index v : scc)
				came_from[v] = kNobody;
			report(anchor, ProblemKind::kCycle, revs[anchor].id, std::move(message));
		}
	}

	for (std::vector<Problem> &list : problems) {
		for (Problem &p : list)
			result.problems.push_back(std::move(p));
	}
	if (!result.problems.empty())
		return result;

	/* Valid: fill the children lists and the indexes the queries use. */
	g.children_.resize(n);
	for (Index i = 0; i < n; i++) {
		for (std::size_t e = up_offsets[i]; e < up_offsets[i] + parent_edges[i]; e++)
			g.children_[up_edges[e]].push_back(i);
	}
	g.order_ = std::move(order);
	g.position_.assign(n, 0);
	for (std::size_t p = 0; p < n; p++)
		g.position_[g.order_[p]] = p;
	g.sorted_ids_ = std::move(sorted);
	g.labels_.reserve(by_label.size());
	for (Index i = 0; i < n; i++) {
		for (const std::string &label : g.revisions_[i].branch_labels)
			g.labels_.emplace_back(label, i);
	}
	std::sort(g.labels_.begin(), g.labels_.end());
	result.graph = std::move(g);
	return result;
}

/* Exact id lookup by binary search over the sorted id index. */
std::int64_t
Graph::Find(std::string_view id) const
{
	auto it = std::lower_bound(sorted_ids_.begin(), sorted_ids_.end(), id,
							   [this](Index a, std::string_view key) { return revisions_[a].id < key; });
	if (it != sorted_ids_.end() && revisions_[*it].id == id)
		return static_cast<std::int64_t>(*it);
	return -1;
}

/* Heads: a scan of the order for revisions without parent-children. */
std::vector<Index>
Graph::Heads() const
{
	std::vector<Index> heads;
	for (Index v : order_) {
		if (children_[v].empty())
			heads.push_back(v);
	}
	return heads;
}

/* Closure along parents and depends_on. */
std::vector<bool>
Graph::Ancestors(const std::vector<Index> &from) const
{
	return Closure(size(), up_offsets_, up_edges_, from);
}

/* Closure along the reverse of parents and depends_on. */
std::vector<bool>
Graph::Descendants(const std::vector<Index> &from) const
{
	return Closure(size(), down_offsets_, down_edges_, from);
}

/* What an upgrade runs: pending ancestors of the targets, in order. */
std::vector<Index>
Graph::UpgradePlan(const std::vector<Index> &targets, const std::vector<bool> &applied) const
{
	std::vector<bool> wanted = Ancestors(targets);
	std::vector<Index> plan;
	for (Index v : order_) {
		if (wanted[v] && !IsSet(applied, v))
			plan.push_back(v);
	}
	return plan;
}

/* What a downgrade reverts: applied revisions outside the targets' ancestors, children first. */
std::vector<Index>
Graph::DowngradePlan(const std::vector<Index> &targets, const std::vector<bool> &applied) const
{
	std::vector<bool> kept = Ancestors(targets);
	std::vector<Index> plan;
	for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
		if (IsSet(applied, *it) && !kept[*it])
			plan.push_back(*it);
	}
	return plan;
}

/* Applied revisions with no applied child or dependent, in order. */
std::vector<Index>
Graph::AppliedHeads(const std::vector<bool> &applied) const
{
	std::vector<Index> heads;
	for (Index v : order_) {
		if (!IsSet(applied, v))
			continue;
		bool covered = false;
		for (std::size_t e = down_offsets_[v]; e < down_offsets_[v + 1] && !covered; e++)
			covered = IsSet(applied, down_edges_[e]);
		if (!covered)
			heads.push_back(v);
	}
	return heads;
}

namespace {

/*
 * Resolves a name to one revision: exact id, then exact branch label, then
 * unique id prefix.  `target` is the whole target (for messages), `name` the
 * part being looked up (the same, or X in "X@head").
 */
Resolution
LookupName(const Graph &graph, const std::vector<Index> &sorted_ids,
		   const std::vector<std::pair<std::string, Index>> &labels, std::string_view target, std::string_view name)
{
	const bool whole = (name.size() == target.size());
	const std::string what = whole ? std::string("it") : Quote(name);

	if (name.empty())
		return Fail(ProblemKind::kUnknownTarget, {},
					"target " + Quote(target) + " names no revision: " +
						(whole ? std::string("it is empty")
							   : "the name before " + std::string(target.substr(name.size())) + " is empty"));

	std::int64_t exact = graph.Find(name);
	if (exact >= 0) {
		Resolution r;
		r.revisions.push_back(static_cast<Index>(exact));
		return r;
	}

	auto label = std::lower_bound(labels.begin(), labels.end(), name,
								  [](const std::pair<std::string, Index> &a, std::string_view key) {
									  return a.first < key;
								  });
	if (label != labels.end() && label->first == name) {
		Resolution r;
		r.revisions.push_back(label->second);
		return r;
	}

	/* Ids starting with `name` form one run of the sorted index. */
	auto id_of = [&graph](Index a) -> const std::string & { return graph.id(a); };
	auto first = std::lower_bound(sorted_ids.begin(), sorted_ids.end(), name,
								  [&id_of](Index a, std::string_view key) { return id_of(a) < key; });
	auto last = std::partition_point(first, sorted_ids.end(),
									 [&id_of, name](Index a) { return StartsWith(id_of(a), name); });
	std::size_t matches = static_cast<std::size_t>(last - first);
	if (matches == 1) {
		Resolution r;
		r.revisions.push_back(*first);
		return r;
	}
	if (matches == 0)
		return Fail(ProblemKind::kUnknownTarget, {},
					"target " + Quote(target) + " names no revision: " + (whole ? "it" : what) +
						" is not a revision id, a branch label or the start of a revision id");

	std::vector<Index> candidates(first, first + static_cast<std::ptrdiff_t>(std::min(matches, kMaxListedCandidates)));
	std::string message = "target " + Quote(target) + " is ambiguous: " + std::to_string(matches) +
		" revisions start with " + what + " (" + JoinIds(graph, candidates, kMaxListedCandidates);
	if (matches > candidates.size())
		message += ", and " + std::to_string(matches - candidates.size()) + " more";
	message += "); give more of the id";
	return Fail(ProblemKind::kAmbiguousTarget, {}, std::move(message));
}

} // namespace

namespace {

/* X's branch: X and its descendants through parents only (a dependency
 * does not continue a branch), as a membership vector. */
std::vector<bool>
BranchOf(const Graph &graph, Index from)
{
	std::vector<bool> branch(graph.size(), false);
	std::vector<Index> stack{from};
	branch[from] = true;
	while (!stack.empty()) {
		Index v = stack.back();
		stack.pop_back();
		for (Index c : graph.Children(v))
			if (!branch[c]) {
				branch[c] = true;
				stack.push_back(c);
			}
	}
	return branch;
}

/*
 * The branch forms (graph.hpp): X@base (base true), X@+N (forward) and
 * X@-N.  The branch is X and its descendants through parents only, as for
 * X@head.  What goes is closed over descendants through parents and
 * depends_on, and what comes over ancestors, so the resulting applied set
 * is always one a graph can be in; its heads are the answer, as for "-N".
 */
Resolution
ResolveOnBranch(const Graph &graph, std::string_view target, std::string_view name, Index from, bool base,
				bool forward, std::uint64_t steps, const std::vector<bool> &applied)
{
	const std::size_t n = graph.size();
	std::vector<bool> now(n, false);
	for (Index i = 0; i < n; i++)
		now[i] = IsSet(applied, i);
	std::vector<bool> branch = BranchOf(graph, from);
	std::vector<Index> picked; /* the branch revisions the target moves */
	if (base) {
		picked.push_back(from);
	} else {
		if (steps == 0)
			return Fail(ProblemKind::kRelativeOutOfRange, {},
						"target " + Quote(target) + " is out of range: a relative step must be at least 1");
		const std::vector<Index> &order = graph.Order();
		std::size_t available = 0;
		for (Index v : order)
			if (branch[v] && now[v] != forward)
				available++;
		if (steps > available) {
			std::string of = " of branch " + Quote(name);
			std::string have = available == 0 ? "no revision" + of + " is"
				: "only " + Count(available, "revision", "revisions") + of + (available == 1 ? " is" : " are");
			return Fail(ProblemKind::kRelativeOutOfRange, {},
						"target " + Quote(target) + " is out of range: " + have + (forward ? " pending" : " applied"));
		}
		std::uint64_t left = steps;
		auto take = [&](Index v) {
			if (left > 0 && branch[v] && now[v] != forward) {
				picked.push_back(v);
				left--;
			}
		};
		if (forward)
			std::for_each(order.begin(), order.end(), take);
		else
			std::for_each(order.rbegin(), order.rend(), take);
	}
	if (forward) {
		std::vector<bool> reach = graph.Ancestors(picked);
		for (Index i = 0; i < n; i++)
			now[i] = now[i] || reach[i];
	} else {
		std::vector<bool> gone = graph.Descendants(picked);
		for (Index i = 0; i < n; i++)
			now[i] = now[i] && !gone[i];
	}
	Resolution r;
	r.revisions = graph.AppliedHeads(now);
	return r;
}

} // namespace

/*
 * Resolves one target, trying the forms of graph.hpp in their documented
 * order.  The relative forms work on a normalised copy of `applied`.
 */
Resolution
ResolveTarget(const Graph &graph, std::string_view target, const std::vector<bool> &applied)
{
	const std::size_t n = graph.size();

	if (target == "base")
		return Resolution{};

	if (target == "heads") {
		Resolution r;
		r.revisions = graph.Heads();
		return r;
	}

	if (target == "head") {
		std::vector<Index> heads = graph.Heads();
		if (heads.empty())
			return Fail(ProblemKind::kEmptyGraph, {}, "target \"head\" names nothing: the project has no revision");
		if (heads.size() > 1)
			return Fail(ProblemKind::kMultipleHeads, {},
						"target \"head\" is ambiguous: " + std::to_string(heads.size()) + " heads (" +
							JoinIds(graph, heads, heads.size()) + "); merge them with a merge revision or name one");
		Resolution r;
		r.revisions = std::move(heads);
		return r;
	}

	std::uint64_t steps = 0;
	const bool up = ParseRelative(target, '+', steps);
	if (up || ParseRelative(target, '-', steps)) {
		std::vector<bool> now(n, false);
		std::size_t applied_count = 0;
		for (Index i = 0; i < n; i++) {
			now[i] = IsSet(applied, i);
			applied_count += now[i] ? 1 : 0;
		}
		if (steps == 0)
			return Fail(ProblemKind::kRelativeOutOfRange, {},
						"target " + Quote(target) + " is out of range: a relative step must be at least 1");
		std::size_t available = up ? n - applied_count : applied_count;
		if (steps > available) {
			std::string have = available == 0 ? std::string("no revision is")
				: std::string("only ") + Count(available, "revision is", "revisions are");
			return Fail(ProblemKind::kRelativeOutOfRange, {},
						"target " + Quote(target) + " is out of range: " + have + (up ? " pending" : " applied"));
		}
		std::uint64_t left = steps;
		const std::vector<Index> &order = graph.Order();
		if (up) {
			for (auto it = order.begin(); it != order.end() && left > 0; ++it) {
				if (!now[*it]) {
					now[*it] = true;
					left--;
				}
			}
		} else {
			for (auto it = order.rbegin(); it != order.rend() && left > 0; ++it) {
				if (now[*it]) {
					now[*it] = false;
					left--;
				}
			}
		}
		Resolution r;
		r.revisions = graph.AppliedHeads(now);
		return r;
	}

	/* "X@base", "X@-N", "X@+N": one branch (see graph.hpp). */
	if (std::size_t at = target.rfind('@'); at != std::string_view::npos) {
		std::string_view name = target.substr(0, at);
		std::string_view suffix = target.substr(at + 1);
		const bool base = suffix == "base";
		const bool forward = ParseRelative(suffix, '+', steps);
		if (base || forward || ParseRelative(suffix, '-', steps)) {
			Resolution found = LookupName(graph, graph.sorted_ids_, graph.labels_, target, name);
			if (!found.ok())
				return found;
			return ResolveOnBranch(graph, target, name, found.revisions.front(), base, forward, steps, applied);
		}
	}

	constexpr std::string_view kAtHead = "@head";
	if (target.size() > kAtHead.size() && target.substr(target.size() - kAtHead.size()) == kAtHead) {
		std::string_view name = target.substr(0, target.size() - kAtHead.size());
		Resolution base = LookupName(graph, graph.sorted_ids_, graph.labels_, target, name);
		if (!base.ok())
			return base;
		/* the heads of X's branch, in order */
		Index from = base.revisions.front();
		std::vector<bool> branch = BranchOf(graph, from);
		std::vector<Index> heads_found;
		for (Index v : graph.Order())
			if (branch[v] && graph.Children(v).empty())
				heads_found.push_back(v);
		if (heads_found.size() > 1)
			return Fail(ProblemKind::kAmbiguousTarget, graph.id(from),
						"target " + Quote(target) + " is ambiguous: revision " + graph.id(from) + " leads to " +
							std::to_string(heads_found.size()) + " heads (" +
							JoinIds(graph, heads_found, heads_found.size()) + "); name one of them");
		Resolution r;
		r.revisions = std::move(heads_found);
		return r;
	}

	return LookupName(graph, graph.sorted_ids_, graph.labels_, target, target);
}

/*
 * Resolves several targets; the union of their revisions in topological
 * order, or the first failure.
 */
Resolution
ResolveTargets(const Graph &graph, const std::vector<std::string> &targets, const std::vector<bool> &applied)
{
	std::vector<bool> chosen(graph.size(), false);
	for (const std::string &target : targets) {
		Resolution one = ResolveTarget(graph, target, applied);
		if (!one.ok())
			return one;
		for (Index v : one.revisions)
			chosen[v] = true;
	}
	Resolution r;
	for (Index v : graph.Order()) {
		if (chosen[v])
			r.revisions.push_back(v);
	}
	return r;
}

} // namespace pgmig::core
