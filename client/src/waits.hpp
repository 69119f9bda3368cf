/*
 * client/src/waits.hpp
 *
 * The clock of the client's waits.  The applier polls for another session's
 * lease within --wait and backs off a retried revision within --retry-budget
 * (applier.cpp); init retries a race on the cluster's roles
 * (verbs_deploy.cpp).  Each measures the time since it started and sleeps
 * with these, on the monotonic clock, so that a step of the wall clock
 * changes no wait.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_WAITS_HPP
#define PGMIG_CLIENT_WAITS_HPP

#include <chrono>
#include <cstdint>
#include <thread>

namespace pgmig::client {

using Clock = std::chrono::steady_clock;

/* Milliseconds since a time point. */
inline std::int64_t
MsSince(Clock::time_point start)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

/* Seconds since a time point. */
inline double
SecondsSince(Clock::time_point start)
{
	return std::chrono::duration<double>(Clock::now() - start).count();
}

/* Sleeps for ms milliseconds. */
inline void
SleepMs(std::int64_t ms)
{
	std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_WAITS_HPP */
