/*
 * client/src/options.hpp
 *
 * The decisions of the pgmig client that need neither libpq nor a terminal,
 * kept apart so that the unit tests can drive them directly: reading a
 * duration given on the command line, the two waiting schedules (the capped
 * exponential back-off with full jitter used to retry a DDL lock timeout, and
 * the plain doubling poll used while another session holds the project's
 * non-transactional lease), which connection string to use (and rewriting
 * the URLs frameworks write into ones libpq reads), how the client
 * reacts to a server SQLSTATE and which exit code an error gives.
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
 * A connection string as the user wrote it, made into one libpq reads
 * (NormalizeConnString), or the reason it cannot be.
 */
struct ConnString {
	std::string conninfo; /* for libpq; empty when refused */
	std::string error;    /* non-empty: refused (a usage error, exit 2) */
	std::string hint;
};

/*
 * The connection string libpq is given for `text`, which came from `source`
 * ("--dbname", "DATABASE_URL", "--direct-dbname"; named in the error).
 * Key/value strings, plain database names and postgresql:// / postgres://
 * URIs pass unchanged.  URLs as frameworks write them are rewritten:
 *  - postgresql+DRIVER:// and postgres+DRIVER:// (SQLAlchemy): the driver
 *    part is dropped; for +asyncpg, ssl=MODE (its spelling) becomes sslmode.
 *  - jdbc:postgresql://host:port,host2/db?user=..&password=.. and
 *    jdbc:postgresql:db: a postgresql:// URI with pgjdbc's defaults made
 *    explicit (host localhost, port 5432) and its parameters mapped to
 *    libpq's (user, password, sslmode, ssl=true as verify-full, sslcert,
 *    sslkey, sslrootcert, sslpassword, ApplicationName, connectTimeout,
 *    loginTimeout, options, currentSchema as -c search_path, targetServerType,
 *    gssEncMode, channelBinding, tcpKeepAlive); driver tuning that does not
 *    change where or how the session connects is dropped (see the .cpp); any
 *    other parameter is refused, naming it.
 *  - any other URL scheme (mysql://, sqlite:, jdbc:mysql:...) is refused.
 * No error or hint ever contains a value of the string, so none can carry
 * its password.
 */
ConnString NormalizeConnString(std::string_view text, std::string_view source);

/* Which connection string the client uses, where it came from and what it
 * overrides (ChooseConnString). */
struct ConnChoice {
	std::optional<std::string> conninfo; /* none: libpq's defaults */
	std::string source;                  /* "--dbname", "DATABASE_URL" or "" */
	std::string error, hint;             /* non-empty error: refused, exit 2 */
	std::vector<std::string> warnings;   /* one line each, for stderr */
};

/*
 * Which connection string the client passes to libpq as "dbname" (expanded):
 * --dbname when given; otherwise $DATABASE_URL when it is set and neither
 * PGDATABASE nor PGSERVICE is (an explicit libpq setting wins over the
 * platform convention); otherwise nothing, and libpq applies its defaults.
 * The chosen string goes through NormalizeConnString.  A warning says so
 * when DATABASE_URL is set but PGDATABASE/PGSERVICE wins, and when the
 * DATABASE_URL used names a host, port or user that PGHOST, PGPORT or PGUSER
 * names differently (the URL's wins).  `getenv` is injectable for the tests.
 */
ConnChoice ChooseConnString(const std::optional<std::string> &dbname_option,
							const std::function<const char *(const char *)> &getenv);

/* ChooseConnString's connection string alone. */
std::optional<std::string> ResolveConnString(const std::optional<std::string> &dbname_option,
											 const std::function<const char *(const char *)> &getenv);

/*
 * Compares two extension versions such as "0.2" and "0.10" number by number
 * (a missing part counts as 0; a non-numeric part compares as text).
 * Negative, zero or positive like strcmp.
 */
int CompareVersions(std::string_view a, std::string_view b);

/*
 * The secrets of a connection string or URI: the password of a URI's user
 * information (as written and percent-decoded) and the value of a
 * password=... setting.  Read without libpq, so also from a malformed one
 * (whose error libpq may echo).  Values shorter than 3 characters are left
 * out (replacing them everywhere would garble the text).
 */
std::vector<std::string> SecretsOf(std::string_view conninfo);

/*
 * The text with every secret replaced by "***", and with any
 * "scheme://user:password@" and "password=value" in it masked the same way:
 * for every message the client prints or writes as JSON.
 */
std::string Redact(std::string text, const std::vector<std::string> &secrets);

/* The signed N of a relative target, "+N" or "-N" (digits only); nothing
 * for any other target. */
std::optional<int> RelativeOffset(std::string_view target);

/* |RelativeOffset(target)|. */
std::optional<int> RelativeCount(std::string_view target);

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
