/*
 * client/src/errors.hpp
 *
 * The one error type of the pgmig client and what it knows about migration
 * files.  Every failure, from the server or from the client itself, is thrown
 * as an Error; main prints it once, as text on stderr or as an
 * {"error": {...}} JSON document on stdout, and exits with its exit code.
 *
 * Server messages about a body start with `revision "X", line N: ` (or
 * `revision "X" (down body), line N: `), N counting lines of the body.  The
 * client knows where each body starts in its file, so LocateInFolder turns
 * that into file and file line (helper A's MapServerMessage does the
 * arithmetic); the message keeps only the rest, and the text form prints
 * "file:line: rest", the form compilers use and editors jump to.  The one
 * statement of a non-transactional revision is run by the client itself, so
 * its errors carry only a character position: NontxBodyMessage gives them the
 * same `revision "X", line N: ` prefix first.
 *
 * A refused push reports every revision the server refuses, not only the
 * first (push.cpp): the Error then carries each refusal as an Error of its
 * own (refusals, located like any other) and the revisions left unchecked
 * because an ancestor was refused (unchecked); FormatErrorText lists them
 * all, compiler-style, before a summary line.
 *
 * Pure: no libpq, no I/O.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_ERRORS_HPP
#define PGMIG_CLIENT_ERRORS_HPP

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "migfile.hpp"
#include "output.hpp"

namespace pgmig::client {

/*
 * A revision a refused push did not check: it descends (through parents or
 * depends_on) from a refused revision the server does not hold, so without
 * that ancestor its parent would be unknown.
 */
struct Unchecked {
	std::string file;
	std::string revision;
	std::string ancestor; /* the refused revision */
};

/*
 * The error every part of the client throws.  Server errors carry the
 * SQLSTATE and PostgreSQL's message, detail and hint; client errors have an
 * empty sqlstate.  file/line point into a migration file when known; problems
 * lists every folder problem ("file:line: message") when the error is about
 * the folder.  refusals lists every refusal of a push (one entry: the error
 * itself; more: the error is their summary), unchecked the revisions that
 * push could not check because of them.
 */
struct Error : std::runtime_error {
	explicit Error(std::string msg, int code = 1)
		: std::runtime_error(msg), message(std::move(msg)), exit_code(code) {}

	std::string message;
	std::string sqlstate;
	std::string detail;
	std::string hint;
	std::string file;
	std::string revision;      /* the revision the error is about, when known */
	int line = 0;
	int column = 0;            /* 1-based column in the file line, 0 = unknown */
	int position = 0;          /* PG_DIAG_STATEMENT_POSITION (1-based character), 0 = none */
	int exit_code = 1;
	bool connection_lost = false;
	std::vector<std::string> problems;
	std::vector<Error> refusals;
	std::vector<Unchecked> unchecked;
};

/*
 * The text form for stderr: the problems one per line, then
 * "pgmig: error: <message>", "DETAIL: ...", "HINT: ...", "SQLSTATE: ...".
 * Bold red "error" when colour is on.  With more than one refusal (or any
 * unchecked revision), each refusal first as "file:line: message" with its
 * DETAIL, HINT and SQLSTATE lines, then "file: not checked: its ancestor X
 * was refused" per unchecked revision, then the summary.
 */
std::string FormatErrorText(const Error &e, bool color);

/*
 * The --json form: {"error": {"message", "sqlstate", "detail", "hint", "file",
 * "line"}} plus "column" and "problems" when there are any, "errors" (each
 * refusal with the same keys) when there are refusals and "not_checked"
 * ({"file", "revision", "ancestor"} each) when some revision was not checked.
 */
Json ErrorJson(const Error &e);


/* An Error listing every problem of a folder that could not be read cleanly. */
Error FolderError(const Folder &folder, const std::string &dir);

/*
 * Moves a body location from the message into file, line (and column)
 * when the message names a revision of the folder (see the file header); a
 * message naming a revision of the folder without a body line gets only the
 * file; any other error is left as it is.
 */
void LocateInFolder(Error &e, const Folder &folder);

/*
 * The message for an error raised by a statement the client ran itself:
 * `revision "X", line N: message` (with " (down body)" for a down body), N
 * the body line of the 1-based character `position`; without the line part
 * when position is 0.
 */
std::string NontxBodyMessage(std::string_view revision, bool down, std::string_view body, int position,
							 std::string_view message);

/*
 * For PostgreSQL's 22P05 ("character with byte sequence 0xe2 0x82 0xac in
 * encoding "UTF8" has no equivalent in encoding "LATIN1""): the file, line
 * and revision of the first such character in the folder (an up or down
 * body, or a message), and a message naming the character.
 */
void LocateUnrepresentable(Error &e, const Folder &folder);

/*
 * A lint finding an upload sent as a WARNING (extension/src/upload.cpp,
 * LintUploads): `pgmig: revision "X", line N: message [Lnnn name]`, N the
 * line in X's up body.
 */
struct LintWarning {
	std::string revision;
	int line = 0;        /* body line */
	std::string message; /* without the " [Lnnn name]" */
	std::string rule;    /* "L004" */
	std::string name;    /* "index-without-concurrently" */
};

/* The LintWarning a notice's message is, or nullopt for any other message. */
std::optional<LintWarning> ParseLintWarning(std::string_view message);

/* The error's texts with the given secrets (and any URI password or
 * password= setting) masked (options.hpp, Redact). */
void RedactError(Error &e, const std::vector<std::string> &secrets);

/*
 * Adds a HINT to errors that mean the extension is missing or older than the
 * client (schema pgmig does not exist; an unknown pgmig function), when the
 * server gave none.
 */
void AddSetupHints(Error &e);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_ERRORS_HPP */
