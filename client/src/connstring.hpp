/*
 * client/src/connstring.hpp
 *
 * Connection strings: which one the client passes to libpq (--dbname,
 * DATABASE_URL, or libpq's own defaults, and a warning when they disagree),
 * the URLs frameworks write (SQLAlchemy, JDBC) made into ones libpq reads,
 * and the redaction of their passwords from every message the client
 * prints.  No libpq: the unit tests drive these directly, with the
 * environment injected.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_CONNSTRING_HPP
#define PGMIG_CLIENT_CONNSTRING_HPP

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgmig::client {

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

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_CONNSTRING_HPP */
