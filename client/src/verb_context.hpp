/*
 * client/src/verb_context.hpp
 *
 * What every verb starts from, shared by the verbs_*.cpp files and the
 * pieces of up (push.cpp, applier.cpp, run.cpp): the connection options made
 * from the global options, the migration folder and its single head, and a
 * quiet ROLLBACK for the paths that give up on a transaction.
 *
 * Design.  The folder is read strictly (ReadFolderOrThrow: any problem stops
 * the verb, listing all of them) by the verbs that send it or plan from it,
 * and leniently (FolderForMessages) by those that only use it to map a
 * server error to a file and line.  Out's methods (verbs.hpp) are defined in
 * verb_context.cpp too.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_VERB_CONTEXT_HPP
#define PGMIG_CLIENT_VERB_CONTEXT_HPP

#include <exception>
#include <memory>
#include <string>

#include "conn.hpp"
#include "migfile.hpp"
#include "push.hpp"
#include "verbs.hpp"

namespace pgmig::client {

/* Connection options from the globals: the conninfo choice and the settings. */
ConnectOptions ConnectOptionsFor(const Globals &g);
/* Reads the folder; any problem is an Error listing all of them. */
Folder ReadFolderOrThrow(const Globals &g);
/* A folder for mapping error locations when it can be read; empty otherwise. */
Folder FolderForMessages(const Globals &g);

/*
 * The folder (read strictly, as ReadFolderOrThrow) and a session, made at
 * the same time: the folder is read on a second thread while this one
 * connects and then asks the server what it holds (mig_sync; and, when the
 * folder has more files than the server has revisions, which is every
 * deploy of new revisions, each revision's stored line, mig_sync_lines), and
 * each file's bodies are checksummed by the thread that read it.  Opening a
 * session (a new server process, authentication) and the first call (which
 * loads the library in that process) take about as long as reading 3,000
 * files, and a no-op `up` on a long history did one after the other, then
 * hashed every body again.  Problems are reported in the
 * order they were before: the folder's first (once the connection attempt
 * has ended), then whatever the verb checks, then the connection's failure,
 * which Conn() throws.
 */
class FolderAndSession {
  public:
	explicit FolderAndSession(const Globals &g);
	Folder folder;
	/* the folder's sums, made while it was read, and the server's sync
	 * row, asked while it was read: for the verb's Push */
	PushPrefetch pre;
	/* The session, or the error opening it. */
	Connection &Conn();

  private:
	std::unique_ptr<Connection> conn_;
	std::exception_ptr conn_error_;
};
/* The folder's single head, the default target of up, plan and test. */
std::string SingleHead(const Folder &folder, const Globals &g);
/* "ROLLBACK" when a transaction is open; never throws. */
void RollbackQuietly(Connection &conn);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_VERB_CONTEXT_HPP */
