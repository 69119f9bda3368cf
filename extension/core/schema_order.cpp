/*
 * extension/core/schema_order.cpp
 *
 * The smallest-ready-first topological sort of schema blocks (see
 * schema_order.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "schema_order.hpp"

#include <set>
#include <tuple>

namespace pgmig::core {

/* See schema_order.hpp. */
std::vector<std::size_t>
LoadOrder(const std::vector<SchemaBlock> &blocks, const std::vector<std::pair<std::size_t, std::size_t>> &needs)
{
	const std::size_t n = blocks.size();
	auto less = [&](std::size_t a, std::size_t b) {
		const SchemaBlock &x = blocks[a];
		const SchemaBlock &y = blocks[b];
		return std::tie(x.phase, x.kind, x.identity, a) < std::tie(y.phase, y.kind, y.identity, b);
	};
	std::vector<std::set<std::size_t>> after(n); /* b -> the blocks waiting for it */
	std::vector<std::size_t> waiting(n, 0);       /* how many blocks each one still waits for */
	for (const auto &[a, b] : needs) {
		if (a >= n || b >= n || a == b)
			continue;
		if (after[b].insert(a).second)
			waiting[a]++;
	}
	std::set<std::size_t, decltype(less)> ready(less);
	std::set<std::size_t, decltype(less)> rest(less);
	for (std::size_t i = 0; i < n; i++)
		(waiting[i] == 0 ? ready : rest).insert(i);
	std::vector<std::size_t> order;
	order.reserve(n);
	while (!ready.empty() || !rest.empty()) {
		std::size_t next;
		if (!ready.empty()) {
			next = *ready.begin();
			ready.erase(ready.begin());
		} else {
			/* a cycle: break it at its smallest block */
			next = *rest.begin();
			rest.erase(rest.begin());
		}
		order.push_back(next);
		for (std::size_t a : after[next]) {
			if (waiting[a] == 0)
				continue;
			if (--waiting[a] == 0 && rest.erase(a))
				ready.insert(a);
		}
		after[next].clear();
	}
	return order;
}

} // namespace pgmig::core
