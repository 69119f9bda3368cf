/*
 * client/core/parallel.hpp
 *
 * ParallelFor: the one way the client uses threads.  Reading a large
 * migration folder (open, read and close every file, parse its header,
 * checksum its body) is work per file, independent of every other file; on
 * 10,000 files it is most of a no-op `up`.  The work is split into chunks
 * that a few threads take in turn; each call writes only the slots of its
 * own index, and the caller merges them in order afterwards, so the result
 * is the same as with one thread.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_PARALLEL_HPP
#define PGMIG_CLIENT_PARALLEL_HPP

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <system_error>
#include <thread>
#include <vector>

namespace pgmig::client {

/*
 * Runs fn(i) for every i in [0, n): on one thread below kParallelMin items,
 * else on up to kMaxThreads (the cores there are), which take chunks of
 * kChunk items in turn.  fn must touch only what belongs to its i.  The
 * first exception thrown by fn is rethrown here once every thread is done;
 * a thread that cannot be started leaves its share to the others.
 */
template <typename Fn>
void
ParallelFor(std::size_t n, Fn fn)
{
	constexpr std::size_t kParallelMin = 512;
	constexpr std::size_t kMaxThreads = 4;
	constexpr std::size_t kChunk = 64;
	std::size_t threads = std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), kMaxThreads);
	if (n < kParallelMin || threads <= 1) {
		for (std::size_t i = 0; i < n; i++)
			fn(i);
		return;
	}
	std::atomic<std::size_t> next{0};
	std::vector<std::exception_ptr> errors(threads);
	auto worker = [&](std::size_t t) {
		try {
			for (;;) {
				std::size_t begin = next.fetch_add(kChunk);
				if (begin >= n)
					return;
				for (std::size_t i = begin; i < std::min(n, begin + kChunk); i++)
					fn(i);
			}
		} catch (...) {
			errors[t] = std::current_exception();
			next.store(n); /* the others stop at their next chunk */
		}
	};
	std::vector<std::thread> pool;
	for (std::size_t t = 1; t < threads; t++) {
		try {
			pool.emplace_back(worker, t);
		} catch (const std::system_error &) {
			break; /* no more threads: the started ones and this one do it all */
		}
	}
	worker(0);
	for (std::thread &th : pool)
		th.join();
	for (const std::exception_ptr &e : errors)
		if (e)
			std::rethrow_exception(e);
}

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_PARALLEL_HPP */
