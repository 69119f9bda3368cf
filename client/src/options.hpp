/*
 * client/src/options.hpp
 *
 * The decisions of the pgmig client that need neither libpq nor a terminal,
 * kept apart so that the unit tests can drive them directly: reading a
 * duration given on the command line, the two waiting schedules (the capped
 * exponential back-off with full jitter used to retry a DDL lock timeout, and
 * the plain doubling poll used while another session holds the project's
 * non-transactional lease), how the client reacts to a server SQLSTATE and
 * which exit code an error gives.  Connection strings (which one, framework
 * URLs, redaction) are in connstring.hpp, included here for the callers.
 *
 * Everything that depends on the outside world (clock, random numbers,
 * environment) is passed in, so every answer here is reproducible.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_OPTIONS_HPP
#define PGMIG_CLIENT_OPTIONS_HPP

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "connstring.hpp"

namespace pgmig::client {

/* Exit codes of the pgmig command (documented in docs/cli.md). */
constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitCheckFailed = 3;

/*
 * Parses a duration such as "500ms", "2s", "1.5s", "10min", "1h" or "0" into
 * milliseconds.  Units: ms, s, min, h (also "sec", "m" is refused as
 * ambiguous); a unit is required except for 0.  Returns std::nullopt for
 * anything else, negative values included.
 */
std::optional<std::int64_t> ParseDuration(std::string_view text);

/*
 * Retry schedule for a statement that timed out waiting for a lock: capped
 * exponential back-off with full jitter.  Attempt n (0-based) sleeps a uniform
 * random time in [0, min(cap, base * 2^n)).  The schedule gives up when the
 * time already spent plus the next sleep would exceed the budget.  The random
 * source returns a value in [0, 1).
 */
class RetrySchedule {
public:
	RetrySchedule(std::int64_t base_ms, std::int64_t cap_ms, std::int64_t budget_ms,
				  std::function<double()> random);

	/* The next sleep in ms, or nullopt when the budget does not allow one. */
	std::optional<std::int64_t> Next(std::int64_t elapsed_ms);

	/* Number of sleeps handed out so far. */
	int attempts() const { return attempts_; }

private:
	std::int64_t base_ms_;
	std::int64_t cap_ms_;
	std::int64_t budget_ms_;
	std::function<double()> random_;
	int attempts_ = 0;
};

/*
 * Poll schedule while another session holds the project's lease: the first
 * sleep is start_ms, each next one doubles up to cap_ms; no jitter (the
 * waiters ask a cheap question, not for a lock).  Gives up when the time spent
 * plus the sleep would pass the limit; the last sleep is shortened to end
 * exactly at the limit so that --wait is honoured to the millisecond.
 */
class PollSchedule {
public:
	PollSchedule(std::int64_t start_ms, std::int64_t cap_ms, std::int64_t limit_ms);

	/* The next sleep in ms, or nullopt when the limit has been reached. */
	std::optional<std::int64_t> Next(std::int64_t elapsed_ms);

private:
	std::int64_t next_ms_;
	std::int64_t cap_ms_;
	std::int64_t limit_ms_;
};

/*
 * Compares two extension versions such as "0.2" and "0.10" number by number
 * (a missing part counts as 0; a non-numeric part compares as text).
 * Negative, zero or positive like strcmp.
 */
int CompareVersions(std::string_view a, std::string_view b);

/* The signed N of a relative target, "+N" or "-N" (digits only); nothing
 * for any other target. */
std::optional<int> RelativeOffset(std::string_view target);

/* |RelativeOffset(target)|. */
std::optional<int> RelativeCount(std::string_view target);

/* A target of one branch (graph.hpp): "X@base" (offset 0), "X@+N" or
 * "X@-N" (the signed N); nothing for any other target. */
struct BranchForm {
	std::string name;
	int offset = 0;
};
std::optional<BranchForm> ParseBranchForm(std::string_view target);

/* What the client does about an error with a given SQLSTATE. */
enum class Reaction {
	kFail,              /* report it and stop */
	kRunNontx,          /* PM030: the next revision is non-transactional; run it here */
	kWaitForLease,      /* PM033: another session runs a non-transactional revision */
	kRetryWithBackoff,  /* 55P03 / 40P01 raised by a body statement: retry the call */
	kConnectionLost,    /* class 08, 57P01-57P03: the session is gone */
};

/*
 * The reaction to a server error.  A lock timeout or deadlock is retried only
 * when it was raised by a migration body (message starting "revision \""),
 * never when the project lock itself could not be had (that is PM035, or a
 * lock timeout outside a body, which --wait already bounded).
 */
Reaction ReactionFor(std::string_view sqlstate, std::string_view message);

/*
 * Exit code for an error with this SQLSTATE: kExitError for every server and
 * client error (the documented contract has one error code; the SQLSTATE is
 * printed and in the JSON).  Empty sqlstate = client-side error, also 1.
 */
int ExitCodeFor(std::string_view sqlstate);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_OPTIONS_HPP */
