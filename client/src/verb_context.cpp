/*
 * client/src/verb_context.cpp
 *
 * What every verb starts from (see verb_context.hpp): Out's methods, the
 * connection options from the globals, the folder, its single head and a
 * quiet ROLLBACK.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "verb_context.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <system_error>
#include <thread>

#include "errors.hpp"
#include "options.hpp"
#include "output.hpp"

namespace pgmig::client {

/* stdout, flushed so that progress shows at once. */
void
Out::Line(const std::string &text) const
{
	if (this->text()) {
		std::cout << text << '\n';
		std::cout.flush();
	}
}

/* stdout, as is. */
void
Out::Text(const std::string &text) const
{
	if (this->text() && !text.empty()) {
		std::cout << text;
		std::cout.flush();
	}
}

/* stderr. */
void
Out::Note(const std::string &text) const
{
	if (!quiet)
		std::cerr << "pgmig: " << text << std::endl;
}

/*
 * Connection options from the globals: the conninfo choice and the settings.
 * A connection string pgmig cannot use is a usage error (exit 2); the
 * choice's warnings (DATABASE_URL overridden, or overriding PGHOST...) go to
 * stderr once per run, as notes do (not with --quiet; never on stdout, so
 * --json output stays one document).
 */
ConnectOptions
ConnectOptionsFor(const Globals &g)
{
	ConnectOptions o;
	ConnChoice choice = ChooseConnString(g.dbname, [](const char *name) { return std::getenv(name); });
	if (!choice.error.empty()) {
		Error e(choice.error, kExitUsage);
		e.hint = choice.hint;
		throw e;
	}
	/* a verb may connect more than once (reconnects, a second session) */
	static bool warned = false;
	if (!warned)
		for (const std::string &w : choice.warnings)
			Out(g).Note("warning: " + w);
	warned = true;
	o.conninfo = choice.conninfo;
	o.database = g.database_override;
	o.quiet = g.quiet;
	o.color = g.stderr_color;
	o.idle_timeout = std::to_string(g.idle_timeout_ms) + "ms";
	/* One revision per call: the client prints each revision as it completes,
	 * so the server's "applying X (1/1)" progress would only repeat it. */
	o.hide_progress = !g.atomic;
	/* Bounds the wait for the project lock (the server then raises PM035). */
	o.settings.emplace_back("lock_timeout", std::to_string(g.wait_ms) + "ms");
	if (g.lock_timeout_ms)
		o.settings.emplace_back("pgmig.lock_timeout", std::to_string(*g.lock_timeout_ms));
	if (g.nowait)
		o.settings.emplace_back("pgmig.nowait", "on");
	return o;
}

/* Reads the folder; any problem is an Error listing all of them. */
Folder
ReadFolderOrThrow(const Globals &g)
{
	Folder folder = ReadFolder(g.dir);
	if (!folder.ok())
		throw FolderError(folder, g.dir);
	return folder;
}

/* Reads the folder on a second thread while this one connects (see verb_context.hpp). */
FolderAndSession::FolderAndSession(const Globals &g)
{
	std::exception_ptr folder_error;
	FolderSummer summer;
	std::thread reader;
	try {
		reader = std::thread([&] {
			try {
				folder = ReadFolder(g.dir, &summer);
			} catch (...) {
				folder_error = std::current_exception();
			}
		});
	} catch (const std::system_error &) {
		folder = ReadFolder(g.dir, &summer); /* no thread to be had: one after the other */
	}
	try {
		conn_ = std::make_unique<Connection>(ConnectOptionsFor(g));
	} catch (...) {
		conn_error_ = std::current_exception();
	}
	if (conn_) {
		/* Whatever fails here (no extension, no privilege) is Push's to
		 * report, as it was: it asks again.  Nothing may leave before the
		 * reader is joined. */
		try {
			pre.sync = ReadServerSync(*conn_, g);
			/* More files than the server holds revisions: the folder differs
			 * (by their ids), so Push will need the stored lines; asking for
			 * them now overlaps the server's work with the reading.  A deploy
			 * with new revisions is this case; a no-op never is. */
			std::optional<std::size_t> files = CountMigrationFiles(g.dir);
			if (files && pre.sync->revisions && static_cast<std::int64_t>(*files) > *pre.sync->revisions)
				pre.lines = ReadStoredLines(*conn_, g);
		} catch (...) {
		}
	}
	if (reader.joinable())
		reader.join();
	if (folder_error)
		std::rethrow_exception(folder_error);
	if (!folder.ok())
		throw FolderError(folder, g.dir);
	pre.sums = summer.Finish(folder);
}

/* The session, or the error opening it. */
Connection &
FolderAndSession::Conn()
{
	if (conn_error_)
		std::rethrow_exception(conn_error_);
	return *conn_;
}

/* A folder for mapping error locations when it can be read; empty otherwise. */
Folder
FolderForMessages(const Globals &g)
{
	std::error_code ec;
	if (!std::filesystem::is_directory(g.dir, ec))
		return Folder{};
	return ReadFolder(g.dir);
}

/* The folder's single head, the default target of up and plan. */
std::string
SingleHead(const Folder &folder, const Globals &g)
{
	std::vector<std::string> heads = folder.Heads();
	if (heads.empty()) {
		Error e("no migrations in " + g.dir);
		e.hint = "create one with `pgmig new \"message\"`, or point --dir (PGMIG_DIR) at the folder";
		throw e;
	}
	if (heads.size() > 1) {
		Error e("the migrations in " + g.dir + " have " + std::to_string(heads.size()) + " heads: " + Join(heads, ", "));
		e.hint = "join them with `pgmig merge`, or name the target (`pgmig up ID`, or `heads` for all of them)";
		throw e;
	}
	return heads[0];
}

/* "ROLLBACK" when a transaction is open; never throws. */
void
RollbackQuietly(Connection &conn)
{
	if (conn.ok() && conn.InTransaction())
		conn.TryExec("ROLLBACK");
}

} // namespace pgmig::client
