/*
 * client/src/conn.cpp
 *
 * The libpq session wrapper declared in conn.hpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "conn.hpp"

#include "options.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pgmig::client {

namespace {

/* A PG_DIAG field as a string ("" when absent). */
std::string
Field(const PGresult *res, int code)
{
	const char *v = res ? PQresultErrorField(res, code) : nullptr;
	return v ? v : "";
}

/*
 * libpq notice receiver: offers the notice to the connection's NoticeHook,
 * then (unless the hook took it, or quiet) prints "SEVERITY:  message" and
 * its DETAIL/HINT on stderr at once.  `arg` points to the connection's
 * NoticeSink.  A hook that throws is treated as not having taken the notice
 * (libpq calls this from C).
 */
void
NoticeReceiver(void *arg, const PGresult *res)
{
	const NoticeSink *sink = static_cast<const NoticeSink *>(arg);
	const ConnectOptions *options = sink->options;
	ServerNotice n{Field(res, PG_DIAG_SEVERITY), Field(res, PG_DIAG_MESSAGE_PRIMARY),
				   Field(res, PG_DIAG_MESSAGE_DETAIL), Field(res, PG_DIAG_MESSAGE_HINT)};
	if (sink->hook) {
		try {
			if (sink->hook(n))
				return;
		} catch (...) {
		}
	}
	if (options->quiet)
		return;
	if (options->hide_progress &&
		(n.message.compare(0, 16, "pgmig: applying ") == 0 || n.message.compare(0, 19, "pgmig: downgrading ") == 0))
		return;
	std::string label = (n.severity.empty() ? std::string("NOTICE") : n.severity) + ":";
	PrintNotice(Paint(label, Style::kDim, options->color) + "  " + n.message + "\n", n);
}

} // namespace

/* See conn.hpp. */
void
PrintNotice(const std::string &first_line, const ServerNotice &n)
{
	std::string text = first_line;
	if (!n.detail.empty())
		text += "DETAIL:  " + n.detail + "\n";
	if (!n.hint.empty())
		text += "HINT:  " + n.hint + "\n";
	std::fputs(text.c_str(), stderr);
	std::fflush(stderr);
}

/* Frees the result. */
Result::~Result()
{
	if (res_)
		PQclear(res_);
}

/* Move assignment. */
Result &
Result::operator=(Result &&other) noexcept
{
	if (this != &other) {
		if (res_)
			PQclear(res_);
		res_ = std::exchange(other.res_, nullptr);
	}
	return *this;
}

/* Number of rows (0 for a command result). */
int
Result::rows() const
{
	return res_ ? PQntuples(res_) : 0;
}

/* Column lookup. */
bool
Result::Has(const char *column) const
{
	return res_ && PQfnumber(res_, column) >= 0;
}

/* Column index or a client error naming the missing column. */
int
Result::Column(const char *column) const
{
	int c = res_ ? PQfnumber(res_, column) : -1;
	if (c < 0)
		throw Error(std::string("the server's answer has no column \"") + column +
					"\"; is the pgmig extension up to date? (run pgmig init)");
	return c;
}

/* Text value or nullopt. */
std::optional<std::string>
Result::Get(int row, const char *column) const
{
	int c = Column(column);
	if (PQgetisnull(res_, row, c))
		return std::nullopt;
	return std::string(PQgetvalue(res_, row, c), static_cast<std::size_t>(PQgetlength(res_, row, c)));
}

/* Text value, "" for NULL. */
std::string
Result::Text(int row, const char *column) const
{
	return Get(row, column).value_or("");
}

/* text[] column. */
std::vector<std::string>
Result::Array(int row, const char *column) const
{
	auto v = Get(row, column);
	return v ? ParsePgArray(*v) : std::vector<std::string>{};
}

/* boolean column. */
bool
Result::Bool(int row, const char *column) const
{
	return Text(row, column) == "t";
}

/* numeric column. */
double
Result::Number(int row, const char *column) const
{
	auto v = Get(row, column);
	return v ? std::strtod(v->c_str(), nullptr) : 0.0;
}

/* Builds an Error from the PG_DIAG fields, or from the connection's message. */
Error
ServerError(PGconn *conn, const PGresult *res)
{
	std::string message = Field(res, PG_DIAG_MESSAGE_PRIMARY);
	bool lost = conn == nullptr || PQstatus(conn) == CONNECTION_BAD;
	if (message.empty()) {
		/* libpq's own text: keep its first line, without a severity prefix */
		message = conn ? PQerrorMessage(conn) : "out of memory";
		message = message.substr(0, message.find('\n'));
		for (const char *prefix : {"FATAL:  ", "ERROR:  "})
			if (message.compare(0, std::strlen(prefix), prefix) == 0)
				message.erase(0, std::strlen(prefix));
		while (!message.empty() && message.back() == ' ')
			message.pop_back();
		if (message.empty())
			message = "unknown libpq error";
	}
	Error e(message);
	e.sqlstate = Field(res, PG_DIAG_SQLSTATE);
	e.detail = Field(res, PG_DIAG_MESSAGE_DETAIL);
	e.hint = Field(res, PG_DIAG_MESSAGE_HINT);
	e.position = std::atoi(Field(res, PG_DIAG_STATEMENT_POSITION).c_str());
	e.connection_lost = lost;
	if (lost && e.sqlstate.empty())
		e.sqlstate = "08006";
	e.exit_code = ExitCodeFor(e.sqlstate);
	return e;
}

/* Connects (see Open). */
Connection::Connection(ConnectOptions options) : options_(std::move(options))
{
	Open();
}

/* Closes the session. */
Connection::~Connection()
{
	Close();
}

/* PQconnectdbParams with expand_dbname, then the session setup. */
void
Connection::Open()
{
	std::vector<const char *> keys;
	std::vector<const char *> values;
	if (options_.conninfo) {
		keys.push_back("dbname");
		values.push_back(options_.conninfo->c_str());
	}
	/* after the expanded one, a plain database name that replaces its own */
	if (options_.database) {
		keys.push_back("dbname");
		values.push_back(options_.database->c_str());
	}
	keys.push_back("fallback_application_name");
	values.push_back("pgmig");
	/* migration files are UTF-8, and so is what the client prints: the
	 * server converts to and from the database's encoding (PGCLIENTENCODING
	 * and a client_encoding in the connection string are overridden) */
	keys.push_back("client_encoding");
	values.push_back("UTF8");
	keys.push_back(nullptr);
	values.push_back(nullptr);
	conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
	if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
		Error e = ServerError(conn_, nullptr);
		e.message = "could not connect: " + e.message;
		Close();
		throw e;
	}
	notice_sink_.options = &options_;
	PQsetNoticeReceiver(conn_, NoticeReceiver, &notice_sink_);
}

/* Swaps the hook the notice receiver consults (see conn.hpp). */
NoticeHook
Connection::SetNoticeHook(NoticeHook hook)
{
	return std::exchange(notice_sink_.hook, std::move(hook));
}

/* The settings every transaction gets: the fixed ones, then the command line's. */
std::vector<std::pair<std::string, std::string>>
Connection::AllSettings() const
{
	std::vector<std::pair<std::string, std::string>> all;
	all.emplace_back("idle_in_transaction_session_timeout", options_.idle_timeout);
	if (server_version() >= 140000)
		all.emplace_back("client_connection_check_interval", "100ms");
	all.insert(all.end(), options_.settings.begin(), options_.settings.end());
	return all;
}

/* "SELECT set_config('a', 'b', local), ..." with the values quoted by libpq. */
std::string
Connection::SetConfigSql(bool local) const
{
	std::string sql = "SELECT ";
	bool first = true;
	for (const auto &[name, value] : AllSettings()) {
		sql += first ? "" : ", ";
		first = false;
		sql += "pg_catalog.set_config(" + QuoteLiteral(name) + ", " + QuoteLiteral(value) + (local ? ", true)" : ", false)");
	}
	return sql;
}

/* BEGIN; SELECT set_config(..., true), ... as one simple query. */
void
Connection::Begin()
{
	ExecSimple("BEGIN ISOLATION LEVEL READ COMMITTED; " + SetConfigSql(true));
}

/*
 * BEGIN, the settings and sql as one simple query: PQexec returns the last
 * statement's result, or the first error (which leaves the transaction
 * aborted, so the caller rolls back as after Begin() and Exec()).  Saves a
 * round trip per transaction, which on a Unix socket costs as much as a
 * small migration.
 */
Result
Connection::BeginWith(const std::string &sql)
{
	return ExecSimple("BEGIN ISOLATION LEVEL READ COMMITTED; " + SetConfigSql(true) + "; " + sql);
}

/* One statement in its own transaction, with the settings. */
Result
Connection::ExecTx(const std::string &sql, const std::vector<std::optional<std::string>> &params)
{
	try {
		Begin();
		Result r = Exec(sql, params);
		Exec("COMMIT");
		return r;
	} catch (Error &e) {
		if (!e.connection_lost && InTransaction())
			TryExec("ROLLBACK");
		throw;
	}
}

/* Adds or replaces one setting of options_.settings. */
void
Connection::SetLocal(const std::string &name, const std::string &value)
{
	for (auto &[n, v] : options_.settings)
		if (n == name) {
			v = value;
			return;
		}
	options_.settings.emplace_back(name, value);
}

/* The settings of the non-transactional protocol's session: the
 * transactions' ones plus what autocommit and a held lease need. */
std::vector<std::pair<std::string, std::string>>
Connection::SessionSettings() const
{
	std::vector<std::pair<std::string, std::string>> all = AllSettings();
	all.emplace_back("default_transaction_isolation", "read committed");
	if (server_version() >= 140000)
		all.emplace_back("idle_session_timeout", options_.idle_timeout);
	return all;
}

/* The same settings for the session (the non-transactional protocol). */
void
Connection::PinSessionSettings()
{
	std::string sql = "SELECT ";
	bool first = true;
	for (const auto &[name, value] : SessionSettings()) {
		sql += first ? "" : ", ";
		first = false;
		sql += "pg_catalog.set_config(" + QuoteLiteral(name) + ", " + QuoteLiteral(value) + ", false)";
	}
	ExecSimple(sql);
}

/* RESET of every setting PinSessionSettings made; never throws. */
void
Connection::UnpinSessionSettings() noexcept
{
	std::string sql;
	for (const auto &setting : SessionSettings())
		sql += "RESET " + setting.first + "; ";
	TryExec(sql);
}

/* PQfinish. */
void
Connection::Close() noexcept
{
	if (conn_) {
		PQfinish(conn_);
		conn_ = nullptr;
	}
}

/* Drops and re-opens the session. */
void
Connection::Reconnect()
{
	Close();
	Open();
}

/* See conn.hpp: one statement, "SELECT pg_backend_pid()", compared with PQbackendPID. */
std::optional<int>
Connection::PooledBackend()
{
	Result r = Exec("SELECT pg_catalog.pg_backend_pid()::pg_catalog.text AS pid");
	int server_pid = std::atoi(r.Text(0, "pid").c_str());
	if (server_pid == announced_pid())
		return std::nullopt;
	return server_pid;
}

/* PQbackendPID. */
int
Connection::announced_pid() const
{
	return conn_ ? PQbackendPID(conn_) : 0;
}

/* Connection status. */
bool
Connection::ok() const
{
	return conn_ && PQstatus(conn_) == CONNECTION_OK;
}

/* Transaction status. */
bool
Connection::InTransaction() const
{
	if (!conn_)
		return false;
	PGTransactionStatusType s = PQtransactionStatus(conn_);
	return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

/* The server's encoding, as the server announced it ("" when unknown). */
std::string
Connection::server_encoding() const
{
	const char *e = conn_ ? PQparameterStatus(conn_, "server_encoding") : nullptr;
	return e ? e : "";
}

/* PQserverVersion. */
int
Connection::server_version() const
{
	return conn_ ? PQserverVersion(conn_) : 0;
}

/* PQescapeLiteral. */
std::string
Connection::QuoteLiteral(const std::string &text) const
{
	char *q = PQescapeLiteral(conn_, text.c_str(), text.size());
	if (!q)
		throw ServerError(conn_, nullptr);
	std::string out(q);
	PQfreemem(q);
	return out;
}

/* PQescapeIdentifier. */
std::string
Connection::QuoteIdent(const std::string &name) const
{
	char *q = PQescapeIdentifier(conn_, name.c_str(), name.size());
	if (!q)
		throw ServerError(conn_, nullptr);
	std::string out(q);
	PQfreemem(q);
	return out;
}

/* Throws for anything but a command or tuples result. */
Result
Connection::Check(PGresult *res)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return Result(res);
	Error e = ServerError(conn_, res);
	if (res)
		PQclear(res);
	throw e;
}

/* PQexecParams, text in and out. */
Result
Connection::Exec(const std::string &sql, const std::vector<std::optional<std::string>> &params)
{
	if (!conn_)
		throw ServerError(nullptr, nullptr);
	std::vector<const char *> values;
	for (const auto &p : params)
		values.push_back(p ? p->c_str() : nullptr);
	return Check(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
							  nullptr, nullptr, 0));
}

/* PQexec; the last result is returned, the first error thrown. */
Result
Connection::ExecSimple(const std::string &sql)
{
	if (!conn_)
		throw ServerError(nullptr, nullptr);
	return Check(PQexec(conn_, sql.c_str()));
}

/* Exec that never throws. */
void
Connection::TryExec(const std::string &sql) noexcept
{
	if (!conn_ || PQstatus(conn_) != CONNECTION_OK)
		return;
	PGresult *res = PQexec(conn_, sql.c_str());
	if (res)
		PQclear(res);
}

} // namespace pgmig::client
