/*
 * client/src/connstring.cpp
 *
 * Connection strings, as declared in connstring.hpp: which one the client
 * uses (--dbname, DATABASE_URL, libpq's defaults), the rewriting of URLs as
 * frameworks write them (SQLAlchemy's postgresql+DRIVER://, JDBC's
 * jdbc:postgresql://) into strings libpq reads, and the redaction of their
 * secrets from every message.  Pure functions of their arguments.
 *
 * A connection string is only rewritten when it is written as a URL
 * (scheme://, jdbc:..., sqlite:...); key/value strings and plain database
 * names are never touched.  The errors of the rewriting name the source
 * (--dbname, DATABASE_URL) and at most a parameter's name, never a value,
 * so a password cannot reach them.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "connstring.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <tuple>
#include <utility>

namespace pgmig::client {

/* "%41" -> "A"; malformed escapes are kept as written. */
static std::string
PercentDecode(std::string_view s)
{
	auto hex = [](char c) {
		return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
	};
	std::string out;
	for (std::size_t i = 0; i < s.size(); i++) {
		if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
			out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
			i += 2;
		} else
			out += s[i];
	}
	return out;
}

/* See connstring.hpp. */
std::vector<std::string>
SecretsOf(std::string_view conninfo)
{
	std::vector<std::string> out;
	auto add = [&](std::string v) {
		if (v.size() >= 3 && std::find(out.begin(), out.end(), v) == out.end())
			out.push_back(std::move(v));
	};
	std::size_t scheme = conninfo.find("://");
	if (scheme != std::string_view::npos) {
		std::string_view rest = conninfo.substr(scheme + 3);
		std::size_t end = rest.find_first_of("/?");
		std::string_view authority = rest.substr(0, end);
		std::size_t at = authority.rfind('@');
		if (at != std::string_view::npos) {
			std::string_view userinfo = authority.substr(0, at);
			std::size_t colon = userinfo.find(':');
			if (colon != std::string_view::npos) {
				std::string_view pw = userinfo.substr(colon + 1);
				add(std::string(pw));
				add(PercentDecode(pw));
			}
		}
	}
	/* password=value anywhere: key/value strings, and URI query parameters */
	for (std::size_t at = 0; (at = conninfo.find("password", at)) != std::string_view::npos; at += 8) {
		std::size_t p = at + 8;
		while (p < conninfo.size() && conninfo[p] == ' ')
			p++;
		if (p >= conninfo.size() || conninfo[p] != '=')
			continue;
		p++;
		while (p < conninfo.size() && conninfo[p] == ' ')
			p++;
		std::string v;
		if (p < conninfo.size() && conninfo[p] == '\'') {
			for (p++; p < conninfo.size() && conninfo[p] != '\''; p++) {
				if (conninfo[p] == '\\' && p + 1 < conninfo.size())
					p++;
				v += conninfo[p];
			}
		} else
			while (p < conninfo.size() && conninfo[p] != ' ' && conninfo[p] != '&')
				v += conninfo[p++];
		add(v);
		add(PercentDecode(v));
	}
	return out;
}

/* See connstring.hpp. */
std::string
Redact(std::string text, const std::vector<std::string> &secrets)
{
	for (const std::string &s : secrets)
		for (std::size_t at = 0; (at = text.find(s, at)) != std::string::npos; at += 3)
			text.replace(at, s.size(), "***");
	/* scheme://user:password@ */
	for (std::size_t at = 0; (at = text.find("://", at)) != std::string::npos; at += 3) {
		std::size_t start = at + 3;
		std::size_t end = text.find_first_of("/?\" \t\n", start);
		std::size_t amp = text.rfind('@', end == std::string::npos ? text.size() : end);
		if (amp == std::string::npos || amp < start)
			continue;
		std::size_t colon = text.find(':', start);
		if (colon != std::string::npos && colon < amp && text.compare(colon + 1, amp - colon - 1, "***") != 0)
			text.replace(colon + 1, amp - colon - 1, "***");
	}
	/* password=value */
	for (std::size_t at = 0; (at = text.find("password=", at)) != std::string::npos; at += 9) {
		std::size_t p = at + 9;
		std::size_t end = p;
		if (end < text.size() && text[end] == '\'') {
			for (end++; end < text.size() && text[end] != '\''; end++)
				if (text[end] == '\\')
					end++;
			end = std::min(end + 1, text.size());
		} else
			while (end < text.size() && text[end] != ' ' && text[end] != '&' && text[end] != '"' && text[end] != '\n')
				end++;
		if (text.compare(p, end - p, "***") != 0)
			text.replace(p, end - p, "***");
	}
	return text;
}

namespace {

/* ASCII lower case. */
std::string
Lower(std::string_view s)
{
	std::string out(s);
	for (char &c : out)
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	return out;
}

/* A character of a URL scheme after the first (RFC 3986). */
bool
SchemeChar(char c)
{
	return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

/*
 * The scheme of a connection string written as a URL, lower case:
 * "postgresql", "postgres+asyncpg", "mysql", "jdbc:postgresql", "sqlite";
 * empty for a key/value string or a database name (no "scheme://" at the
 * start; "jdbc:" and "sqlite:" count without the slashes).
 */
std::string
UrlScheme(std::string_view text)
{
	if (text.empty() || !std::isalpha(static_cast<unsigned char>(text[0])))
		return "";
	std::size_t i = 1;
	while (i < text.size() && SchemeChar(text[i]))
		i++;
	std::string scheme = Lower(text.substr(0, i));
	if (text.compare(i, 3, "://") == 0)
		return scheme;
	if (i < text.size() && text[i] == ':' && scheme == "jdbc") {
		std::size_t j = i + 1;
		while (j < text.size() && SchemeChar(text[j]))
			j++;
		return j > i + 1 && j < text.size() && text[j] == ':' ? "jdbc:" + Lower(text.substr(i + 1, j - i - 1)) : "jdbc";
	}
	if (i < text.size() && text[i] == ':' && scheme == "sqlite")
		return scheme;
	return "";
}

/* Percent-encodes all but RFC 3986's unreserved characters. */
std::string
PercentEncode(std::string_view s)
{
	static const char *digits = "0123456789ABCDEF";
	std::string out;
	for (char ch : s) {
		unsigned char c = static_cast<unsigned char>(ch);
		if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			out += ch;
		else {
			out += '%';
			out += digits[c >> 4];
			out += digits[c & 15];
		}
	}
	return out;
}

/* The query of a URL as (key, value) pairs, as written (not decoded). */
std::vector<std::pair<std::string, std::string>>
QueryPairs(std::string_view query)
{
	std::vector<std::pair<std::string, std::string>> out;
	while (!query.empty()) {
		std::size_t amp = std::min(query.find('&'), query.size());
		std::string_view item = query.substr(0, amp);
		query.remove_prefix(std::min(amp + 1, query.size()));
		if (item.empty())
			continue;
		std::size_t eq = item.find('=');
		if (eq == std::string_view::npos)
			out.emplace_back(std::string(item), "");
		else
			out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
	}
	return out;
}

/* The sslmode values of libpq (and of pgjdbc and asyncpg). */
bool
IsSslMode(std::string_view v)
{
	for (const char *m : {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"})
		if (v == m)
			return true;
	return false;
}

/* The names the error hints give: what a JDBC URL may carry. */
constexpr const char *kJdbcMapped =
	"user, password, ssl, sslmode, sslcert, sslkey, sslrootcert, sslpassword, ApplicationName, connectTimeout, "
	"loginTimeout, options, currentSchema, targetServerType, gssEncMode, channelBinding, tcpKeepAlive";

/* pgjdbc parameters that tune the driver without changing where or how the
 * session connects or what it runs: dropped. */
constexpr const char *kJdbcDropped[] = {
	"prepareThreshold", "preparedStatementCacheQueries", "preparedStatementCacheSizeMiB", "defaultRowFetchSize",
	"reWriteBatchedInserts", "binaryTransfer", "loggerLevel", "loggerFile", "socketTimeout", "stringtype",
	"assumeMinServerVersion", "logUnclosedConnections", "cancelSignalTimeout", "hostRecheckSeconds",
};

/* A refusal from NormalizeConnString. */
ConnString
Refused(std::string error, std::string hint)
{
	ConnString c;
	c.error = std::move(error);
	c.hint = std::move(hint);
	return c;
}

/* jdbc:postgresql:... as a libpq URI; see NormalizeConnString. */
ConnString
FromJdbc(std::string_view text, std::string_view source)
{
	const std::string src(source);
	const std::string other_hint = "remove it from the URL, or give pgmig a libpq URI "
								   "(postgresql://user@host:port/db?sslmode=...) with --dbname; pgmig maps " +
		std::string(kJdbcMapped) + " and drops driver tuning such as prepareThreshold";
	std::string_view rest = text.substr(std::string_view("jdbc:postgresql:").size());
	std::string_view query;
	if (std::size_t q = rest.find('?'); q != std::string_view::npos) {
		query = rest.substr(q + 1);
		rest = rest.substr(0, q);
	}
	std::string userinfo, hosts;
	std::string_view db;
	if (rest.compare(0, 2, "//") == 0) {
		rest.remove_prefix(2);
		std::size_t slash = std::min(rest.find('/'), rest.size());
		std::string_view authority = rest.substr(0, slash);
		db = rest.substr(std::min(slash + 1, rest.size()));
		if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
			userinfo = std::string(authority.substr(0, at)) + "@";
			authority.remove_prefix(at + 1);
		}
		/* host[:port], comma-separated; IPv6 in brackets; pgjdbc's defaults */
		do {
			std::size_t comma = std::min(authority.find(','), authority.size());
			std::string_view part = authority.substr(0, comma);
			authority.remove_prefix(std::min(comma + 1, authority.size()));
			std::string_view host = part, port;
			if (!part.empty() && part[0] == '[') {
				std::size_t close = part.find(']');
				if (close == std::string_view::npos || (close + 1 < part.size() && part[close + 1] != ':'))
					return Refused(src + ": the host list of the JDBC URL is malformed (an IPv6 address in [ ] "
										 "followed by nothing or :PORT)",
								   "write jdbc:postgresql://HOST:PORT,HOST2:PORT2/DATABASE?user=...");
				host = part.substr(0, close + 1);
				port = part.substr(std::min(close + 2, part.size()));
			} else if (std::size_t colon = part.rfind(':'); colon != std::string_view::npos) {
				host = part.substr(0, colon);
				port = part.substr(colon + 1);
			}
			if (port.find_first_not_of("0123456789") != std::string_view::npos)
				return Refused(src + ": a port in the JDBC URL is not a number",
							   "write jdbc:postgresql://HOST:PORT,HOST2:PORT2/DATABASE?user=...");
			hosts += (hosts.empty() ? "" : ",") + std::string(host.empty() ? "localhost" : host) + ":" +
				std::string(port.empty() ? "5432" : port);
		} while (!authority.empty());
	} else {
		hosts = "localhost:5432"; /* jdbc:postgresql:DATABASE, jdbc:postgresql:/ */
		db = rest;
		while (!db.empty() && db[0] == '/')
			db.remove_prefix(1);
	}
	/* pgjdbc decodes with URLDecoder: '+' is a space */
	auto decode = [](std::string v) {
		std::replace(v.begin(), v.end(), '+', ' ');
		return PercentDecode(v);
	};
	std::vector<std::pair<std::string, std::string>> given;
	for (auto &[k, v] : QueryPairs(query)) {
		auto same = std::find_if(given.begin(), given.end(), [&](const auto &p) { return p.first == k; });
		if (same != given.end())
			same->second = decode(v); /* the last one wins, as in pgjdbc */
		else
			given.emplace_back(k, decode(v));
	}
	auto has = [&](const char *key) {
		return std::any_of(given.begin(), given.end(), [&](const auto &p) { return p.first == key; });
	};
	std::vector<std::pair<std::string, std::string>> params;
	std::string options, schema;
	bool have_schema = false;
	for (const auto &[key, value] : given) {
		static const std::pair<const char *, const char *> same_meaning[] = {
			{"user", "user"}, {"password", "password"}, {"sslmode", "sslmode"}, {"sslcert", "sslcert"},
			{"sslkey", "sslkey"}, {"sslrootcert", "sslrootcert"}, {"sslpassword", "sslpassword"},
			{"ApplicationName", "application_name"}, {"connectTimeout", "connect_timeout"},
			{"gssEncMode", "gssencmode"}, {"channelBinding", "channel_binding"},
		};
		auto mapped = std::find_if(std::begin(same_meaning), std::end(same_meaning),
								   [&](const auto &m) { return key == m.first; });
		if (mapped != std::end(same_meaning))
			params.emplace_back(mapped->second, value);
		else if (key == "ssl") {
			/* pgjdbc: without sslmode, ssl=true (or ssl alone) is verify-full */
			if (!has("sslmode") && (value.empty() || Lower(value) == "true"))
				params.emplace_back("sslmode", "verify-full");
		} else if (key == "loginTimeout") {
			if (!has("connectTimeout"))
				params.emplace_back("connect_timeout", value);
		} else if (key == "options")
			options = value;
		else if (key == "currentSchema") {
			schema = value;
			have_schema = true;
		} else if (key == "targetServerType") {
			static const std::pair<const char *, const char *> types[] = {
				{"any", "any"}, {"primary", "primary"}, {"master", "primary"}, {"secondary", "standby"},
				{"slave", "standby"}, {"standby", "standby"}, {"preferSecondary", "prefer-standby"},
				{"preferSlave", "prefer-standby"}, {"preferStandby", "prefer-standby"},
			};
			auto t = std::find_if(std::begin(types), std::end(types), [&](const auto &m) { return value == m.first; });
			if (t == std::end(types))
				return Refused(src + ": the JDBC URL's targetServerType has no libpq equivalent that pgmig can honour",
							   "libpq's target_session_attrs knows any, primary (master), standby (secondary, "
							   "slave) and prefer-standby (preferSecondary); preferPrimary has no equivalent");
			params.emplace_back("target_session_attrs", t->second);
		} else if (key == "tcpKeepAlive") {
			if (Lower(value) != "true" && Lower(value) != "false")
				return Refused(src + ": the JDBC URL's tcpKeepAlive is neither true nor false", other_hint);
			params.emplace_back("keepalives", Lower(value) == "true" ? "1" : "0");
		} else if (key == "loadBalanceHosts" && Lower(value) != "true") {
			/* false is the default: nothing to say */
		} else if (std::find(std::begin(kJdbcDropped), std::end(kJdbcDropped), key) != std::end(kJdbcDropped)) {
			/* driver tuning */
		} else
			return Refused(src + ": the JDBC URL parameter \"" + key +
							   "\" has no libpq equivalent that pgmig can honour, and dropping it could change "
							   "where or how pgmig connects",
						   other_hint);
	}
	if (have_schema) {
		/* pgjdbc sends currentSchema as search_path at startup; so does this */
		std::string escaped;
		for (char c : schema) {
			if (c == ' ' || c == '\\')
				escaped += '\\';
			escaped += c;
		}
		options += (options.empty() ? "" : " ") + std::string("-c search_path=") + escaped;
	}
	if (!options.empty())
		params.emplace_back("options", options);
	std::string uri = "postgresql://" + userinfo + hosts + "/" + PercentEncode(decode(std::string(db)));
	for (std::size_t i = 0; i < params.size(); i++)
		uri += (i == 0 ? "?" : "&") + params[i].first + "=" + PercentEncode(params[i].second);
	ConnString c;
	c.conninfo = uri;
	return c;
}

/* Host, port and user of a postgresql:// URI (single host), percent-decoded;
 * the query's host=, port=, user= win.  Empty where it names none. */
struct UriTarget {
	std::string host, port, user;
};

/* See UriTarget. */
UriTarget
TargetOf(std::string_view uri)
{
	UriTarget t;
	std::size_t scheme = uri.find("://");
	if (scheme == std::string_view::npos)
		return t;
	std::string_view rest = uri.substr(scheme + 3);
	std::size_t q = rest.find('?');
	std::string_view query = q == std::string_view::npos ? std::string_view() : rest.substr(q + 1);
	std::string_view authority = rest.substr(0, std::min(rest.find_first_of("/?"), rest.size()));
	if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
		std::string_view userinfo = authority.substr(0, at);
		t.user = PercentDecode(userinfo.substr(0, std::min(userinfo.find(':'), userinfo.size())));
		authority.remove_prefix(at + 1);
	}
	if (authority.find(',') == std::string_view::npos) {
		std::size_t colon = authority.rfind(':');
		std::size_t bracket = authority.rfind(']');
		if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
			t.port = std::string(authority.substr(colon + 1));
			authority = authority.substr(0, colon);
		}
		if (authority.size() >= 2 && authority.front() == '[' && authority.back() == ']')
			authority = authority.substr(1, authority.size() - 2);
		t.host = PercentDecode(authority);
	}
	for (const auto &[k, v] : QueryPairs(query)) {
		if (k == "host")
			t.host = PercentDecode(v);
		else if (k == "port")
			t.port = PercentDecode(v);
		else if (k == "user")
			t.user = PercentDecode(v);
	}
	return t;
}

} // namespace

/* See connstring.hpp. */
ConnString
NormalizeConnString(std::string_view text, std::string_view source)
{
	const std::string src(source);
	const std::string kinds = "pgmig connects to PostgreSQL: give a postgresql:// (or postgres://) URI, a "
							  "SQLAlchemy postgresql+DRIVER:// URL, a jdbc:postgresql:// URL or a libpq "
							  "key/value string (host=... dbname=...)";
	std::string scheme = UrlScheme(text);
	ConnString c;
	if (scheme.empty()) {
		c.conninfo = std::string(text);
		return c;
	}
	std::size_t plus = scheme.find('+');
	std::string base = scheme.substr(0, plus);
	if ((base == "postgresql" || base == "postgres") && scheme.find(':') == std::string::npos) {
		std::string_view rest = text.substr(scheme.size()); /* "://..." */
		if (plus == std::string::npos && text.compare(0, scheme.size(), scheme) == 0) {
			c.conninfo = std::string(text); /* libpq's own */
			return c;
		}
		std::string driver = plus == std::string::npos ? "" : scheme.substr(plus + 1);
		if (driver.empty() && plus != std::string::npos)
			return Refused(src + ": the URL's scheme ends in \"+\" with no driver after it", kinds);
		std::string out = "postgresql" + std::string(rest);
		/* SQLAlchemy's asyncpg dialect spells sslmode "ssl" */
		std::size_t q = out.find('?');
		if (driver == "asyncpg" && q != std::string::npos) {
			auto pairs = QueryPairs(std::string_view(out).substr(q + 1));
			bool has_sslmode = std::any_of(pairs.begin(), pairs.end(), [](const auto &p) { return p.first == "sslmode"; });
			std::string query;
			for (auto &[k, v] : pairs) {
				if (k == "ssl" && !has_sslmode && IsSslMode(PercentDecode(v)))
					k = "sslmode";
				query += (query.empty() ? "" : "&") + k + "=" + v;
			}
			out = out.substr(0, q + 1) + query;
		}
		c.conninfo = out;
		return c;
	}
	if (scheme == "jdbc:postgresql")
		return FromJdbc(text, source);
	return Refused(src + " is a " + scheme + " URL, not a PostgreSQL one", kinds);
}

/* See connstring.hpp for the rule. */
ConnChoice
ChooseConnString(const std::optional<std::string> &dbname_option,
				 const std::function<const char *(const char *)> &getenv)
{
	auto value = [&](const char *name) {
		const char *v = getenv(name);
		return std::string(v != nullptr ? v : "");
	};
	ConnChoice c;
	std::string url = value("DATABASE_URL"), pgdatabase = value("PGDATABASE"), pgservice = value("PGSERVICE");
	std::string raw;
	if (dbname_option) {
		c.source = "--dbname";
		raw = *dbname_option;
	} else if (!url.empty() && pgdatabase.empty() && pgservice.empty()) {
		c.source = "DATABASE_URL";
		raw = url;
	} else {
		if (!url.empty()) {
			std::string which = !pgdatabase.empty() ? "PGDATABASE=" + pgdatabase : "PGSERVICE=" + pgservice;
			if (!pgdatabase.empty() && !pgservice.empty())
				which += " and PGSERVICE=" + pgservice;
			c.warnings.push_back("DATABASE_URL is set but not used: " + which +
								 " is, and an explicit libpq setting wins; unset it to use DATABASE_URL, or pass "
								 "--dbname");
		}
		return c;
	}
	ConnString n = NormalizeConnString(raw, c.source);
	if (!n.error.empty()) {
		c.error = n.error;
		c.hint = n.hint;
		return c;
	}
	c.conninfo = n.conninfo;
	if (c.source == "DATABASE_URL" && UrlScheme(n.conninfo) == "postgresql") {
		UriTarget t = TargetOf(n.conninfo);
		const std::tuple<const char *, const char *, const std::string *> parts[] = {
			{"host", "PGHOST", &t.host}, {"port", "PGPORT", &t.port}, {"user", "PGUSER", &t.user}};
		for (const auto &[part, var, in_url] : parts) {
			std::string env = value(var);
			if (!env.empty() && !in_url->empty() && env != *in_url)
				c.warnings.push_back("DATABASE_URL is used: its " + std::string(part) + " " + *in_url + " wins over " +
									 var + "=" + env);
		}
	}
	return c;
}

/* See connstring.hpp. */
std::optional<std::string>
ResolveConnString(const std::optional<std::string> &dbname_option,
				  const std::function<const char *(const char *)> &getenv)
{
	return ChooseConnString(dbname_option, getenv).conninfo;
}

} // namespace pgmig::client
