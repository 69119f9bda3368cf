/*
 * client/src/conn.hpp
 *
 * The client's libpq session: one RAII object owning a PGconn, and a result
 * wrapper owning a PGresult.
 *
 * Design.  Every query the client sends is either a parameterised statement
 * (PQexecParams, text format, the SQL carrying explicit casts such as
 * $1::text, so no parameter types are passed) or, for the one statement of a
 * non-transactional revision, a simple query (PQexec), which is the only way
 * to run e.g. CREATE INDEX CONCURRENTLY outside a transaction block.  Any
 * failure throws pgmig::client::Error carrying the server's SQLSTATE, message,
 * detail and hint (PG_DIAG_* fields); a dead connection is marked
 * connection_lost so that callers can tell "the server said no" from "we do
 * not know what happened".
 *
 * Server NOTICEs (and WARNINGs) go to stderr as they arrive, as
 * "NOTICE:  text", through libpq's notice receiver, unless quiet.  A caller
 * that knows better what some of them mean (push turns the server's lint
 * WARNINGs into "file:line: warning: ...") installs a NoticeHook, which sees
 * each notice first, also when quiet, and takes the ones it prints itself.
 *
 * Settings.  application_name is "pgmig" unless the connection string sets
 * one (libpq's fallback_application_name).  Everything else the client needs
 * is set per transaction, never for the session, because behind a pooler in
 * transaction mode (PgBouncer pool_mode = transaction) a session-level SET
 * lands on whichever server connection runs it and stays there for the next
 * client of the pool.  Begin() sends "BEGIN ISOLATION LEVEL READ COMMITTED;
 * SELECT set_config(..., true)" in one round trip (BeginWith adds the
 * transaction's first statement to it; READ COMMITTED because pgmig refuses
 * a transaction snapshot, whatever default_transaction_isolation a role
 * has): idle_in_transaction_session_timeout = --idle-timeout, 60s by default
 * (a client that dies between BEGIN and COMMIT cannot hold the project lock
 * for long), on
 * PostgreSQL 14 or later client_connection_check_interval = 100ms (a long
 * body notices a vanished client and its backend ends, releasing the lock),
 * then the settings the command line asks for (lock_timeout and pgmig's
 * GUCs).  Calls that take the project lock are made in such a transaction
 * (ExecTx).  The one exception is the non-transactional protocol, whose
 * statement must run outside any transaction: it pins the settings to the
 * session for its duration (PinSessionSettings / UnpinSessionSettings), with
 * default_transaction_isolation = read committed (mig_begin_nontx runs in
 * autocommit) and, on PostgreSQL 14 or later, idle_session_timeout =
 * --idle-timeout (a client stalled while it holds the lease, after the
 * statement or before it, loses its session and the lease becomes
 * recoverable), and needs a session-level connection anyway.
 *
 * Every statement the client sends names what it uses: functions and types
 * qualified with pg_catalog (or pgmig), operators as OPERATOR(pg_catalog.=),
 * so that a database whose search_path puts a hostile schema first (ALTER
 * DATABASE ... SET search_path, which its owner may do) captures nothing.
 * The search_path itself is left alone: migration bodies run with it.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_CONN_HPP
#define PGMIG_CLIENT_CONN_HPP

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace pgmig::client {

/* A query result: rows of text values addressed by column name. */
class Result {
public:
	explicit Result(PGresult *res = nullptr) : res_(res) {}
	~Result();
	Result(Result &&other) noexcept : res_(std::exchange(other.res_, nullptr)) {}
	Result &operator=(Result &&other) noexcept;
	Result(const Result &) = delete;
	Result &operator=(const Result &) = delete;

	int rows() const;
	/* True when the column exists in the result. */
	bool Has(const char *column) const;
	/* The value, or nullopt for SQL NULL; throws Error for an unknown column. */
	std::optional<std::string> Get(int row, const char *column) const;
	/* The value, "" for NULL. */
	std::string Text(int row, const char *column) const;
	/* A text[] column as a vector (empty for NULL). */
	std::vector<std::string> Array(int row, const char *column) const;
	/* A boolean column ("t"). */
	bool Bool(int row, const char *column) const;
	/* A numeric column as double (0 for NULL). */
	double Number(int row, const char *column) const;

private:
	int Column(const char *column) const;
	PGresult *res_;
};

/* Connection settings taken from the command line. */
struct ConnectOptions {
	std::optional<std::string> conninfo;   /* expanded as "dbname"; nullopt = libpq defaults */
	std::optional<std::string> database;   /* a database name that overrides conninfo's */
	bool quiet = false;                    /* drop NOTICEs */
	bool color = false;                    /* colour the NOTICE prefix */
	bool hide_progress = false;            /* drop the server's "pgmig: applying X (n/m)" NOTICEs */
	std::vector<std::pair<std::string, std::string>> settings; /* set_config in each transaction */
	std::string idle_timeout = "60s"; /* idle_in_transaction_session_timeout, and idle_session_timeout
	                                     while a non-transactional revision's lease is held */
};

/* One NOTICE or WARNING as the server sent it (empty fields when absent). */
struct ServerNotice {
	std::string severity;
	std::string message;
	std::string detail;
	std::string hint;
};

/* Prints `first_line` (with its newline), then the notice's DETAIL and HINT
 * lines, on stderr, as psql does. */
void PrintNotice(const std::string &first_line, const ServerNotice &n);

/* Sees every notice before it is printed; returns true when it took it
 * (printed or dropped it itself), false to have it printed as usual. */
using NoticeHook = std::function<bool(const ServerNotice &)>;

/* What a connection's notice receiver reads: its options and its hook. */
struct NoticeSink {
	const ConnectOptions *options = nullptr;
	NoticeHook hook;
};

/* One libpq session. */
class Connection {
public:
	/* Connects and runs the session setup; throws Error on failure. */
	explicit Connection(ConnectOptions options);
	~Connection();
	Connection(const Connection &) = delete;
	Connection &operator=(const Connection &) = delete;

	/* Runs one statement with text parameters; throws Error on failure. */
	Result Exec(const std::string &sql, const std::vector<std::optional<std::string>> &params = {});
	/* Runs a simple query (possibly several statements); throws Error on failure. */
	Result ExecSimple(const std::string &sql);
	/* Like Exec, but swallows every error (used for ROLLBACK after a failure). */
	void TryExec(const std::string &sql) noexcept;

	/* BEGIN and the transaction-local settings, in one round trip. */
	void Begin();
	/* Begin() and then `sql` in the same round trip; returns sql's result.
	 * sql is one statement whose values are literals (QuoteLiteral). */
	Result BeginWith(const std::string &sql);
	/* Exec inside Begin() ... COMMIT; rolls back and rethrows on error. */
	Result ExecTx(const std::string &sql, const std::vector<std::optional<std::string>> &params = {});
	/* Installs the notice hook (an empty one removes it); returns the previous one. */
	NoticeHook SetNoticeHook(NoticeHook hook);
	/* Adds (or replaces) a transaction-local setting for later transactions. */
	void SetLocal(const std::string &name, const std::string &value);
	/* The settings as session settings, and back to the server's defaults. */
	void PinSessionSettings();
	void UnpinSessionSettings() noexcept;

	/* Drops the session and opens a new one with the same options. */
	void Reconnect();
	/* The options this connection was opened with, settings included. */
	const ConnectOptions &options() const { return options_; }
	/*
	 * The backend that runs this connection's statements, when it is not the
	 * one libpq was given at connect time (PQbackendPID): a pooler or proxy
	 * in between answered the startup and forwards the statements, so two
	 * statements may reach two server sessions.  nullopt for a direct session.
	 */
	std::optional<int> PooledBackend();
	/* PQbackendPID: the pid the server (or the pooler) announced. */
	int announced_pid() const;
	/* True while libpq believes the connection is usable. */
	bool ok() const;
	/* True when a transaction block is open (or failed) on the server. */
	bool InTransaction() const;
	int server_version() const;
	std::string server_encoding() const;
	/* An identifier quoted for SQL. */
	std::string QuoteIdent(const std::string &name) const;
	/* A string literal quoted for SQL. */
	std::string QuoteLiteral(const std::string &text) const;

private:
	void Open();
	void Close() noexcept;
	Result Check(PGresult *res);
	std::vector<std::pair<std::string, std::string>> AllSettings() const;
	std::vector<std::pair<std::string, std::string>> SessionSettings() const;
	std::string SetConfigSql(bool local) const;

	ConnectOptions options_;
	NoticeSink notice_sink_;
	PGconn *conn_ = nullptr;
};

/* An Error built from a failed PGresult (or a failed connection when res is null). */
Error ServerError(PGconn *conn, const PGresult *res);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_CONN_HPP */
