/*
 * bench/bench_graph.cpp
 *
 * Google Benchmark program for the revision graph core: Graph::Build, Heads,
 * ResolveTarget("head") and UpgradePlan on 10,000- and 100,000-revision
 * graphs of two shapes.
 *
 *   chain  a long main line with a side branch opened every 97 revisions,
 *          extended every third step and merged back once ten long, a
 *          depends_on edge every 13 revisions, and a final merge of whatever
 *          is still open; ids are zero-padded creation numbers, so Kahn's
 *          heap mostly sees one ready revision at a time.
 *   wide   a random DAG (fixed seed): each revision has one to three parents
 *          drawn from the previous 1,000, one in ten a depends_on edge, one
 *          in fifty is a new root, ids are random hex (so the heap holds
 *          thousands of ready revisions and compares real strings), and a
 *          final merge revision joins every head so that "head" resolves.
 *
 * Graphs are generated once per shape and size and cached.  Build is timed
 * without the copy of its input and without destroying its result.
 * UpgradePlan targets the heads with the first half of the order applied.
 *
 *   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DPGMIG_BENCH=ON
 *   cmake --build build-bench -j2 && build-bench/bench_graph
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "graph.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace pgmig::core;

namespace {

enum Shape { kChain = 0, kWide = 1 };

/* Zero-padded id in creation order. */
std::string
SeqId(std::size_t k)
{
	char buf[32];
	std::snprintf(buf, sizeof buf, "20260101_%07zu", k);
	return buf;
}

/* One input revision. */
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

/* The "chain" shape of n revisions (see file header). */
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
			if (k % 13 == 0 && k > 20 && k - 20 != main_tip)
				deps.push_back(SeqId(k - 20));
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

/* The "wide" shape of n revisions (see file header). */
std::vector<RevisionInput>
WideRandomDag(std::size_t n)
{
	std::mt19937_64 rng(20260101);
	std::vector<RevisionInput> out;
	out.reserve(n);
	std::set<std::string> used;
	std::vector<bool> has_child;
	auto pick = [&rng](std::size_t below) {
		std::size_t window = below < 1000 ? below : 1000;
		return below - 1 - static_cast<std::size_t>(rng() % window);
	};
	while (out.size() + 1 < n) {
		std::size_t k = out.size();
		char buf[32];
		do
			std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
		while (!used.insert(buf).second);
		RevisionInput r = Rev(buf);
		if (k > 0 && rng() % 50 != 0) {
			std::size_t parents = 1 + static_cast<std::size_t>(rng() % 4 == 0 ? 1 + rng() % 2 : 0);
			std::vector<std::size_t> chosen;
			for (std::size_t p = 0; p < parents; p++) {
				std::size_t c = pick(k);
				bool dup = false;
				for (std::size_t e : chosen)
					dup = dup || e == c;
				if (!dup)
					chosen.push_back(c);
			}
			for (std::size_t c : chosen) {
				r.parents.push_back(out[c].id);
				has_child[c] = true;
			}
			if (rng() % 10 == 0) {
				std::size_t d = pick(k);
				bool dup = false;
				for (std::size_t e : chosen)
					dup = dup || e == d;
				if (!dup)
					r.depends_on.push_back(out[d].id);
			}
		}
		out.push_back(std::move(r));
		has_child.push_back(false);
	}
	RevisionInput merge = Rev("ffffffffffffffff_merge");
	for (std::size_t i = 0; i < out.size(); i++) {
		if (!has_child[i])
			merge.parents.push_back(out[i].id);
	}
	out.push_back(std::move(merge));
	return out;
}

/* A generated input and its built graph, cached per shape and size. */
struct Fixture {
	std::vector<RevisionInput> input;
	Graph graph;
	std::vector<Index> heads;
	std::vector<bool> half_applied;
};

/* Generates (once) and returns the fixture for a shape and size. */
const Fixture &
GetFixture(int shape, std::size_t n)
{
	static std::map<std::pair<int, std::size_t>, std::unique_ptr<Fixture>> cache;
	std::unique_ptr<Fixture> &slot = cache[{shape, n}];
	if (!slot) {
		slot = std::make_unique<Fixture>();
		slot->input = shape == kChain ? ChainWithBranches(n) : WideRandomDag(n);
		Graph::BuildResult built = Graph::Build(slot->input);
		if (!built.problems.empty()) {
			std::fprintf(stderr, "bench graph is invalid: %s\n", built.problems[0].message.c_str());
			std::abort();
		}
		slot->graph = std::move(built.graph);
		slot->heads = slot->graph.Heads();
		slot->half_applied.assign(n, false);
		for (std::size_t p = 0; p < n / 2; p++)
			slot->half_applied[slot->graph.Order()[p]] = true;
	}
	return *slot;
}

/* Graph::Build, timed without copying the input or destroying the result. */
void
BM_Build(benchmark::State &state)
{
	const Fixture &f = GetFixture(static_cast<int>(state.range(0)), static_cast<std::size_t>(state.range(1)));
	for (auto _ : state) {
		state.PauseTiming();
		std::vector<RevisionInput> copy = f.input;
		state.ResumeTiming();
		Graph::BuildResult built = Graph::Build(std::move(copy));
		benchmark::DoNotOptimize(built.graph.size());
		state.PauseTiming();
		built = Graph::BuildResult();
		state.ResumeTiming();
	}
	state.SetItemsProcessed(state.iterations() * state.range(1));
}

/* Graph::Heads. */
void
BM_Heads(benchmark::State &state)
{
	const Fixture &f = GetFixture(static_cast<int>(state.range(0)), static_cast<std::size_t>(state.range(1)));
	for (auto _ : state) {
		std::vector<Index> heads = f.graph.Heads();
		benchmark::DoNotOptimize(heads.data());
	}
	state.SetItemsProcessed(state.iterations() * state.range(1));
}

/* ResolveTarget("head"); both shapes have exactly one head. */
void
BM_ResolveHead(benchmark::State &state)
{
	const Fixture &f = GetFixture(static_cast<int>(state.range(0)), static_cast<std::size_t>(state.range(1)));
	std::vector<bool> none;
	for (auto _ : state) {
		Resolution r = ResolveTarget(f.graph, "head", none);
		if (!r.ok())
			state.SkipWithError(r.problem.message.c_str());
		benchmark::DoNotOptimize(r.revisions.data());
	}
	state.SetItemsProcessed(state.iterations() * state.range(1));
}

/* UpgradePlan to the heads with the first half of the order applied. */
void
BM_UpgradePlan(benchmark::State &state)
{
	const Fixture &f = GetFixture(static_cast<int>(state.range(0)), static_cast<std::size_t>(state.range(1)));
	for (auto _ : state) {
		std::vector<Index> plan = f.graph.UpgradePlan(f.heads, f.half_applied);
		benchmark::DoNotOptimize(plan.data());
	}
	state.SetItemsProcessed(state.iterations() * state.range(1));
}

/* Shape (0 chain, 1 wide) times size, shown with names. */
void
Sizes(benchmark::internal::Benchmark *b)
{
	b->ArgNames({"wide", "revisions"});
	for (int shape : {kChain, kWide}) {
		for (long n : {10000L, 100000L})
			b->Args({shape, n});
	}
	b->Unit(benchmark::kMillisecond);
}

} // namespace

BENCHMARK(BM_Build)->Apply(Sizes);
BENCHMARK(BM_Heads)->Apply(Sizes);
BENCHMARK(BM_ResolveHead)->Apply(Sizes);
BENCHMARK(BM_UpgradePlan)->Apply(Sizes);

BENCHMARK_MAIN();
