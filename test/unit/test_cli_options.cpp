/*
 * test/unit/test_cli_options.cpp
 *
 * Unit tests of the client's option logic (client/src/options.hpp): duration
 * parsing, the jittered retry schedule and the lease poll schedule (with an
 * injected random source and clock values), the connection-string choice
 * between --dbname, $DATABASE_URL and libpq's defaults, version comparison,
 * and the reaction to and exit code of each SQLSTATE.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "options.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using namespace pgmig::client;

/* Every accepted unit. */
TEST(ParseDuration, Units)
{
	EXPECT_EQ(ParseDuration("500ms"), 500);
	EXPECT_EQ(ParseDuration("2s"), 2000);
	EXPECT_EQ(ParseDuration("2sec"), 2000);
	EXPECT_EQ(ParseDuration("1.5s"), 1500);
	EXPECT_EQ(ParseDuration("10min"), 600000);
	EXPECT_EQ(ParseDuration("1h"), 3600000);
	EXPECT_EQ(ParseDuration("0.25h"), 900000);
	EXPECT_EQ(ParseDuration("0"), 0);
	EXPECT_EQ(ParseDuration("0s"), 0);
	EXPECT_EQ(ParseDuration(".5s"), 500);
}

/* Everything else is refused. */
TEST(ParseDuration, Refused)
{
	for (const char *bad : {"", "5", "s", "-1s", "+1s", "1e3s", "1 s", "1m", "1d", "10mins", "1.2.3s", "ms", "1s ",
							"99999999999999h"})
		EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
}

/* Full jitter: random 0 gives 0, random just under 1 gives the ceiling. */
TEST(RetrySchedule, CeilingDoublesToCap)
{
	RetrySchedule s(500, 30000, 1000000, [] { return 0.999999; });
	std::vector<std::int64_t> sleeps;
	for (int i = 0; i < 9; i++)
		sleeps.push_back(*s.Next(0));
	EXPECT_EQ(sleeps, (std::vector<std::int64_t>{499, 999, 1999, 3999, 7999, 15999, 29999, 29999, 29999}));
	EXPECT_EQ(s.attempts(), 9);
}

/* The injected random value scales the ceiling. */
TEST(RetrySchedule, Jitter)
{
	std::vector<double> values{0.0, 0.5, 0.25};
	std::size_t i = 0;
	RetrySchedule s(500, 30000, 1000000, [&] { return values[i++]; });
	EXPECT_EQ(s.Next(0), 0);
	EXPECT_EQ(s.Next(0), 500);  /* 0.5 * 1000 */
	EXPECT_EQ(s.Next(0), 500);  /* 0.25 * 2000 */
}

/* Out-of-range random values are clamped to [0, 1]. */
TEST(RetrySchedule, ClampsRandom)
{
	RetrySchedule s(1000, 1000, 1000000, [] { return 7.0; });
	EXPECT_EQ(s.Next(0), 1000);
	RetrySchedule n(1000, 1000, 1000000, [] { return -3.0; });
	EXPECT_EQ(n.Next(0), 0);
}

/* The budget counts time already spent plus the next sleep. */
TEST(RetrySchedule, Budget)
{
	RetrySchedule s(500, 30000, 10000, [] { return 0.999999; });
	EXPECT_EQ(s.Next(9000), 499);
	EXPECT_EQ(s.Next(9500), std::nullopt) << "9500 + 999 > 10000";
	EXPECT_EQ(s.attempts(), 1) << "a refused sleep is not an attempt";
	RetrySchedule z(500, 30000, 0, [] { return 0.0; });
	EXPECT_EQ(z.Next(0), 0) << "a zero sleep fits a zero budget";
	EXPECT_EQ(z.Next(1), std::nullopt);
}

/* Lease polling: 0.2 s doubling to 5 s, the last sleep ends at the limit. */
TEST(PollSchedule, DoublesAndEndsAtLimit)
{
	PollSchedule p(200, 5000, 20000);
	std::int64_t t = 0;
	std::vector<std::int64_t> sleeps;
	while (auto s = p.Next(t)) {
		sleeps.push_back(*s);
		t += *s;
	}
	EXPECT_EQ(sleeps, (std::vector<std::int64_t>{200, 400, 800, 1600, 3200, 5000, 5000, 3800}));
	EXPECT_EQ(t, 20000);
	PollSchedule zero(200, 5000, 0);
	EXPECT_EQ(zero.Next(0), std::nullopt) << "--wait 0 does not wait";
}

namespace {

/* An environment for ResolveConnString. */
std::function<const char *(const char *)>
Env(std::map<std::string, std::string> vars)
{
	return [vars = std::move(vars)](const char *name) -> const char * {
		auto it = vars.find(name);
		return it == vars.end() ? nullptr : it->second.c_str();
	};
}

} // namespace

/* --dbname always wins. */
TEST(ResolveConnString, DbnameWins)
{
	EXPECT_EQ(ResolveConnString(std::string("dbname=a"), Env({{"DATABASE_URL", "postgres://b"}})), "dbname=a");
}

/* $DATABASE_URL when set and no explicit libpq database setting. */
TEST(ResolveConnString, DatabaseUrl)
{
	EXPECT_EQ(ResolveConnString(std::nullopt, Env({{"DATABASE_URL", "postgres://h/db"}})), "postgres://h/db");
	EXPECT_EQ(ResolveConnString(std::nullopt, Env({{"DATABASE_URL", "postgres://h/db"}, {"PGHOST", "x"}})),
			  "postgres://h/db") << "PGHOST alone does not name a database";
	EXPECT_EQ(ResolveConnString(std::nullopt, Env({{"DATABASE_URL", "postgres://h/db"}, {"PGDATABASE", ""}})),
			  "postgres://h/db") << "an empty variable counts as unset";
}

/* PGDATABASE or PGSERVICE: libpq's defaults. */
TEST(ResolveConnString, LibpqDefaults)
{
	EXPECT_EQ(ResolveConnString(std::nullopt, Env({})), std::nullopt);
	EXPECT_EQ(ResolveConnString(std::nullopt, Env({{"DATABASE_URL", ""}})), std::nullopt);
	EXPECT_EQ(ResolveConnString(std::nullopt, Env({{"DATABASE_URL", "postgres://h/db"}, {"PGDATABASE", "app"}})),
			  std::nullopt);
	EXPECT_EQ(ResolveConnString(std::nullopt, Env({{"DATABASE_URL", "postgres://h/db"}, {"PGSERVICE", "prod"}})),
			  std::nullopt);
}

/* libpq's own forms pass unchanged: URIs, key/value strings, database names. */
TEST(NormalizeConnString, LibpqFormsUnchanged)
{
	for (const char *s : {"postgresql://u:pw@h:5/db?sslmode=require", "postgres://h/db", "host=h dbname=d",
						  "app", "dbname=postgres://x", ""}) {
		ConnString c = NormalizeConnString(s, "DATABASE_URL");
		EXPECT_EQ(c.error, "") << s;
		EXPECT_EQ(c.conninfo, s);
	}
}

/* SQLAlchemy: the driver part is dropped, the rest kept as written. */
TEST(NormalizeConnString, SqlAlchemyDriverDropped)
{
	EXPECT_EQ(NormalizeConnString("postgresql+psycopg2://u:p%40ss@db:6543/app?sslmode=require", "x").conninfo,
			  "postgresql://u:p%40ss@db:6543/app?sslmode=require");
	EXPECT_EQ(NormalizeConnString("postgres+psycopg://db/app", "x").conninfo, "postgresql://db/app");
	EXPECT_EQ(NormalizeConnString("postgresql+asyncpg:///app?host=/tmp/s&port=5", "x").conninfo,
			  "postgresql:///app?host=/tmp/s&port=5");
	EXPECT_EQ(NormalizeConnString("PostgreSQL://db/app", "x").conninfo, "postgresql://db/app");
	/* asyncpg spells sslmode "ssl" */
	EXPECT_EQ(NormalizeConnString("postgresql+asyncpg://db/app?ssl=require", "x").conninfo,
			  "postgresql://db/app?sslmode=require");
	EXPECT_EQ(NormalizeConnString("postgresql+asyncpg://db/app?ssl=require&sslmode=disable", "x").conninfo,
			  "postgresql://db/app?ssl=require&sslmode=disable") << "both given: libpq refuses ssl";
	EXPECT_EQ(NormalizeConnString("postgresql+psycopg2://db/app?ssl=require", "x").conninfo,
			  "postgresql://db/app?ssl=require") << "only asyncpg's dialect spells it so";
	EXPECT_NE(NormalizeConnString("postgresql+://db/app", "x").error, "");
}

/* JDBC: pgjdbc's defaults made explicit, parameters mapped. */
TEST(NormalizeConnString, Jdbc)
{
	auto n = [](const char *s) { return NormalizeConnString(s, "DATABASE_URL").conninfo; };
	EXPECT_EQ(n("jdbc:postgresql://db:6543/app?user=bob&password=s3cr%2Bt+x"),
			  "postgresql://db:6543/app?user=bob&password=s3cr%2Bt%20x");
	EXPECT_EQ(n("jdbc:postgresql://db/app"), "postgresql://db:5432/app");
	EXPECT_EQ(n("jdbc:postgresql:///app"), "postgresql://localhost:5432/app");
	EXPECT_EQ(n("jdbc:postgresql:app"), "postgresql://localhost:5432/app");
	EXPECT_EQ(n("jdbc:postgresql:/"), "postgresql://localhost:5432/");
	EXPECT_EQ(n("jdbc:postgresql://a:1,b,[::1]:3,[::2]/app"), "postgresql://a:1,b:5432,[::1]:3,[::2]:5432/app");
	EXPECT_EQ(n("JDBC:PostgreSQL://db/my%20app"), "postgresql://db:5432/my%20app");
	EXPECT_EQ(n("jdbc:postgresql://db/app?ssl=true"), "postgresql://db:5432/app?sslmode=verify-full");
	EXPECT_EQ(n("jdbc:postgresql://db/app?ssl"), "postgresql://db:5432/app?sslmode=verify-full");
	EXPECT_EQ(n("jdbc:postgresql://db/app?ssl=false"), "postgresql://db:5432/app");
	EXPECT_EQ(n("jdbc:postgresql://db/app?ssl=true&sslmode=require"), "postgresql://db:5432/app?sslmode=require");
	EXPECT_EQ(n("jdbc:postgresql://db/app?ApplicationName=web&connectTimeout=5&loginTimeout=9"),
			  "postgresql://db:5432/app?application_name=web&connect_timeout=5");
	EXPECT_EQ(n("jdbc:postgresql://db/app?loginTimeout=9"), "postgresql://db:5432/app?connect_timeout=9");
	EXPECT_EQ(n("jdbc:postgresql://db/app?currentSchema=my%20s,public&options=-c%20x=1"),
			  "postgresql://db:5432/app?options=-c%20x%3D1%20-c%20search_path%3Dmy%5C%20s%2Cpublic");
	EXPECT_EQ(n("jdbc:postgresql://a,b/app?targetServerType=master&tcpKeepAlive=false"),
			  "postgresql://a:5432,b:5432/app?target_session_attrs=primary&keepalives=0");
	EXPECT_EQ(n("jdbc:postgresql://db/app?prepareThreshold=0&reWriteBatchedInserts=true&loadBalanceHosts=false"),
			  "postgresql://db:5432/app") << "driver tuning is dropped";
	EXPECT_EQ(n("jdbc:postgresql://db/app?user=a&user=b"), "postgresql://db:5432/app?user=b") << "the last wins";
}

/* What cannot be honoured is refused, naming it, never a value. */
TEST(NormalizeConnString, Refusals)
{
	auto refused = [](const char *s) { return NormalizeConnString(s, "DATABASE_URL"); };
	ConnString c = refused("jdbc:postgresql://db/app?password=hunter22&readOnly=true");
	EXPECT_EQ(c.conninfo, "");
	EXPECT_NE(c.error.find("DATABASE_URL"), std::string::npos) << c.error;
	EXPECT_NE(c.error.find("\"readOnly\""), std::string::npos) << c.error;
	EXPECT_NE(c.hint.find("--dbname"), std::string::npos) << c.hint;
	for (const char *s : {
			 "jdbc:postgresql://db/app?password=hunter22&readOnly=true",
			 "jdbc:postgresql://db/app?password=hunter22&targetServerType=preferPrimary",
			 "jdbc:postgresql://db/app?password=hunter22&loadBalanceHosts=true",
			 "jdbc:postgresql://db/app?password=hunter22&tcpKeepAlive=hunter22",
			 "jdbc:postgresql://db:hunter22/app?password=hunter22",
			 "jdbc:postgresql://[::1:hunter22/app?password=hunter22",
			 "jdbc:mysql://u:hunter22@db/app",
			 "mysql://u:hunter22@db/app",
			 "mysql+pymysql://u:hunter22@db/app",
			 "sqlite:///hunter22.db",
			 "sqlite::memory:",
			 "mssql://u:hunter22@db/app",
			 "postgresql+://u:hunter22@db/app",
		 }) {
		ConnString r = refused(s);
		EXPECT_NE(r.error, "") << s;
		EXPECT_EQ(r.conninfo, "") << s;
		EXPECT_EQ((r.error + r.hint).find("hunter22"), std::string::npos) << r.error << "\n" << r.hint;
		EXPECT_EQ(r.error.compare(0, 12, "DATABASE_URL"), 0) << r.error;
	}
	EXPECT_EQ(refused("mysql://u:hunter22@db/app").error, "DATABASE_URL is a mysql URL, not a PostgreSQL one");
	EXPECT_EQ(refused("sqlite:///x.db").error, "DATABASE_URL is a sqlite URL, not a PostgreSQL one");
	EXPECT_EQ(refused("jdbc:mysql://db/x").error, "DATABASE_URL is a jdbc:mysql URL, not a PostgreSQL one");
	EXPECT_EQ(NormalizeConnString("redis://h", "--dbname").error, "--dbname is a redis URL, not a PostgreSQL one");
}

/* The password of a rewritten URL is still found and redacted. */
TEST(NormalizeConnString, SecretsOfRewritten)
{
	std::string jdbc = "jdbc:postgresql://db/app?user=bob&password=s3cr+t%21";
	std::vector<std::string> s = SecretsOf(NormalizeConnString(jdbc, "x").conninfo);
	EXPECT_EQ(Redact("FATAL: password for bob is \"s3cr t!\"", s), "FATAL: password for bob is \"***\"");
	EXPECT_EQ(Redact(NormalizeConnString("postgresql+asyncpg://bob:hunter22@db/app", "x").conninfo, {}),
			  "postgresql://bob:***@db/app");
}

/* Which one is used, and a warning when DATABASE_URL is overridden or overrides. */
TEST(ChooseConnString, Warnings)
{
	ConnChoice c = ChooseConnString(std::nullopt, Env({{"DATABASE_URL", "postgresql+psycopg2://h/db"}}));
	EXPECT_EQ(c.conninfo, "postgresql://h/db");
	EXPECT_EQ(c.source, "DATABASE_URL");
	EXPECT_TRUE(c.warnings.empty());

	c = ChooseConnString(std::nullopt, Env({{"DATABASE_URL", "postgres://u:hunter22@h/db"}, {"PGDATABASE", "app"}}));
	EXPECT_EQ(c.conninfo, std::nullopt);
	EXPECT_EQ(c.source, "");
	ASSERT_EQ(c.warnings.size(), 1u);
	EXPECT_EQ(c.warnings[0], "DATABASE_URL is set but not used: PGDATABASE=app is, and an explicit libpq setting "
							 "wins; unset it to use DATABASE_URL, or pass --dbname");
	c = ChooseConnString(std::nullopt, Env({{"DATABASE_URL", "mysql://h/db"}, {"PGSERVICE", "prod"}}));
	EXPECT_EQ(c.error, "") << "an unused DATABASE_URL is not checked";
	ASSERT_EQ(c.warnings.size(), 1u);
	EXPECT_NE(c.warnings[0].find("PGSERVICE=prod is"), std::string::npos) << c.warnings[0];

	c = ChooseConnString(std::nullopt, Env({{"DATABASE_URL", "jdbc:postgresql://db:6543/app?user=bob"},
											{"PGHOST", "/tmp"}, {"PGPORT", "6543"}, {"PGUSER", "alice"}}));
	ASSERT_EQ(c.warnings.size(), 2u);
	EXPECT_EQ(c.warnings[0], "DATABASE_URL is used: its host db wins over PGHOST=/tmp");
	EXPECT_EQ(c.warnings[1], "DATABASE_URL is used: its user bob wins over PGUSER=alice");
	c = ChooseConnString(std::nullopt, Env({{"DATABASE_URL", "postgresql:///app?host=%2Fs"}, {"PGHOST", "/s"}}));
	EXPECT_TRUE(c.warnings.empty()) << "the same host, percent-decoded";
	c = ChooseConnString(std::nullopt, Env({{"DATABASE_URL", "postgresql:///app"}, {"PGHOST", "/s"}}));
	EXPECT_TRUE(c.warnings.empty()) << "PGHOST fills in what the URL leaves out";

	c = ChooseConnString(std::string("dbname=x"), Env({{"DATABASE_URL", "postgres://h/db"}, {"PGDATABASE", "y"}}));
	EXPECT_EQ(c.conninfo, "dbname=x");
	EXPECT_TRUE(c.warnings.empty()) << "--dbname is explicit";

	c = ChooseConnString(std::nullopt, Env({{"DATABASE_URL", "mysql://u:hunter22@h/db"}}));
	EXPECT_EQ(c.conninfo, std::nullopt);
	EXPECT_EQ(c.error, "DATABASE_URL is a mysql URL, not a PostgreSQL one");
	c = ChooseConnString(std::string("sqlite:///x"), Env({}));
	EXPECT_EQ(c.error, "--dbname is a sqlite URL, not a PostgreSQL one");
}

/* Versions compare number by number. */
TEST(CompareVersions, Numeric)
{
	EXPECT_LT(CompareVersions("0.1", "0.2"), 0);
	EXPECT_LT(CompareVersions("0.2", "0.10"), 0);
	EXPECT_EQ(CompareVersions("0.2", "0.2"), 0);
	EXPECT_EQ(CompareVersions("0.2", "0.2.0"), 0);
	EXPECT_EQ(CompareVersions("01.0", "1.0"), 0);
	EXPECT_GT(CompareVersions("1.0", "0.9"), 0);
	EXPECT_GT(CompareVersions("0.2.1", "0.2"), 0);
	EXPECT_LT(CompareVersions("0.2beta", "0.2rc"), 0) << "text parts compare as text";
}

/* The SQLSTATEs the client reacts to. */
TEST(ReactionFor, Sqlstates)
{
	EXPECT_EQ(ReactionFor("PM030", "x"), Reaction::kRunNontx);
	EXPECT_EQ(ReactionFor("PM033", "x"), Reaction::kWaitForLease);
	EXPECT_EQ(ReactionFor("PM035", "x"), Reaction::kFail);
	EXPECT_EQ(ReactionFor("55P03", "revision \"a\", line 3: canceling statement due to lock timeout"),
			  Reaction::kRetryWithBackoff);
	EXPECT_EQ(ReactionFor("40P01", "revision \"a\" (down body), line 1: deadlock detected"),
			  Reaction::kRetryWithBackoff);
	EXPECT_EQ(ReactionFor("55P03", "canceling statement due to lock timeout"), Reaction::kFail)
		<< "a lock timeout outside a body is not retried";
	EXPECT_EQ(ReactionFor("08006", "server closed the connection"), Reaction::kConnectionLost);
	EXPECT_EQ(ReactionFor("57P01", "terminating connection due to administrator command"), Reaction::kConnectionLost);
	EXPECT_EQ(ReactionFor("42601", "revision \"a\", line 1: syntax error"), Reaction::kFail);
	EXPECT_EQ(ReactionFor("", "client error"), Reaction::kFail);
}

/* Every error exits 1; the other codes are fixed. */
TEST(ExitCodeFor, AlwaysOne)
{
	for (const char *s : {"", "PM021", "PM035", "42601", "08006", "55P03"})
		EXPECT_EQ(ExitCodeFor(s), kExitError) << s;
	EXPECT_EQ(kExitOk, 0);
	EXPECT_EQ(kExitUsage, 2);
	EXPECT_EQ(kExitCheckFailed, 3);
}

/* Relative targets: the sign says the direction; anything else is no relative target. */
TEST(RelativeOffset, SignedCount)
{
	EXPECT_EQ(RelativeOffset("+2"), 2);
	EXPECT_EQ(RelativeOffset("-3"), -3);
	EXPECT_EQ(RelativeOffset("+0"), 0);
	EXPECT_EQ(RelativeCount("-3"), 3);
	EXPECT_EQ(RelativeOffset("+"), std::nullopt);
	EXPECT_EQ(RelativeOffset("2"), std::nullopt);
	EXPECT_EQ(RelativeOffset("+2a"), std::nullopt);
	EXPECT_EQ(RelativeOffset("head"), std::nullopt);
	EXPECT_EQ(RelativeOffset("+12345678901"), std::nullopt); /* no overflow */
	EXPECT_EQ(RelativeCount("base"), std::nullopt);
}

/* Secrets of connection strings, also malformed ones, and their redaction. */
TEST(Redact, PasswordsOfUrisAndKeyValues)
{
	std::vector<std::string> s = SecretsOf("postgresql://alice:s3cr%2Ft@[::1/db");
	EXPECT_NE(std::find(s.begin(), s.end(), "s3cr%2Ft"), s.end());
	EXPECT_NE(std::find(s.begin(), s.end(), "s3cr/t"), s.end());
	EXPECT_EQ(Redact("in URI: \"postgresql://alice:s3cr%2Ft@[::1/db\"", s), "in URI: \"postgresql://alice:***@[::1/db\"");
	EXPECT_EQ(Redact("invalid percent-encoded token: \"s3cr%zz\"", SecretsOf("postgres://u:s3cr%zz@h/d")),
			  "invalid percent-encoded token: \"***\"");
	EXPECT_EQ(Redact("bad: host=h password='a b\\'c' port=x", SecretsOf("host=h password='a b\\'c' port=x")),
			  "bad: host=h password=*** port=x");
	/* without knowing the string: the patterns alone */
	EXPECT_EQ(Redact("x postgres://bob:hunter22@db/app y", {}), "x postgres://bob:***@db/app y");
	EXPECT_EQ(Redact("dbname=app password=hunter22 host=h", {}), "dbname=app password=*** host=h");
	/* nothing to hide */
	EXPECT_EQ(Redact("postgres://bob@db/app", SecretsOf("postgres://bob@db/app")), "postgres://bob@db/app");
	EXPECT_TRUE(SecretsOf("postgres://u:ab@h/d").empty()); /* too short to replace everywhere */
}
