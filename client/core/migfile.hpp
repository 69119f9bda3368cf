/*
 * client/core/migfile.hpp
 *
 * Reading and writing pgmig migration files, without a server.  A migration
 * file is SQL with a header of "-- pgmig:" lines (docs/format.md):
 *
 *   -- pgmig:revision   20261121_093000_add_users
 *   -- pgmig:parents    20261120_170000_init
 *   -- pgmig:message    Add users table
 *   CREATE TABLE users (id bigint PRIMARY KEY);
 *
 *   -- pgmig:down
 *   DROP TABLE users;
 *
 * The reader reports every problem it finds, in every file of a folder, as a
 * Diagnostic "file:line: message", so that one run shows everything to fix;
 * the cross-file checks (duplicate ids, unknown parents, cycles, clashing
 * branch labels) are those of pgmig::core::Graph::Build, mapped back to the
 * file and header line they are about.  Bodies keep their bytes, so a line
 * number the server reports inside a body maps back to a line of the file
 * (MapServerMessage).
 *
 * Nothing here talks to a server or includes a PostgreSQL header; nothing
 * throws for bad input (std::bad_alloc aside).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_MIGFILE_HPP
#define PGMIG_CLIENT_MIGFILE_HPP

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace pgmig::core {
class Graph;
}

namespace pgmig::client {

/* One problem in one file. */
struct Diagnostic {
	std::string file;   /* path as given */
	int line = 0;       /* 1-based; 0 = whole file */
	std::string message;

	/* "file:line: message" ("file: message" when line == 0). */
	std::string Format() const;
};

/*
 * One migration as read from its file.  The *_line members give the file
 * line of each header key (0 when the key is absent).  up holds the up body's
 * bytes from its first line (up_line) to the line before "-- pgmig:down" (or
 * the end of the file), and down those after the "-- pgmig:down" line
 * (down_line is the line after it); each body keeps its bytes (line endings
 * included) except that blank lines at its end are dropped, which changes
 * neither its checksum nor the file line of any other line.
 */
struct MigrationFile {
	std::string path;
	std::string revision;                   int revision_line = 0;
	std::vector<std::string> parents;       int parents_line = 0;
	std::vector<std::string> depends_on;    int depends_on_line = 0;
	std::vector<std::string> branch_labels; int branch_line = 0;
	std::optional<std::string> message;
	bool nontransactional = false;
	std::string up;                  int up_line = 0;   /* file line of the first up-body line */
	std::optional<std::string> down; int down_line = 0; /* file line of the first down-body line */
};

/*
 * The result of reading one file.  `file` is set whenever the file has a
 * "-- pgmig:revision" line with a valid id, even when other problems were
 * found (so that the cross-file checks can still use it); a file is usable
 * only when `diagnostics` is empty.
 */
struct ParsedFile {
	std::optional<MigrationFile> file;
	std::vector<Diagnostic> diagnostics;
};

/* Reads one file's content; `path` is only used to name it in diagnostics. */
ParsedFile ParseMigrationFile(std::string_view path, std::string_view content);

/* The migrations of a folder. */
struct Folder {
	std::vector<MigrationFile> files;    /* in file-name order */
	std::vector<Diagnostic> diagnostics; /* every problem, all files, by file then line */
	bool ok() const { return diagnostics.empty(); }

	/* The file defining a revision id, or nullptr.  An index by id is built
	 * on first use and again whenever it no longer matches files. */
	const MigrationFile *Find(std::string_view revision) const;

	/* Head ids in the graph's order (via core::Graph; empty when !ok()).
	 * The graph CheckFolder built is used while files keeps its size; a
	 * folder made otherwise builds its graph on each call. */
	std::vector<std::string> Heads() const;

	/* The ids a target names in the folder's graph (an id, prefix, label,
	 * X@head, head, heads, base; not a relative target) with all their
	 * ancestors; nullopt when the target names nothing of the folder (or
	 * the folder is not ok()). */
	std::optional<std::unordered_set<std::string>> AncestorIds(std::string_view target) const;

	/* Keeps the graph of files as they are now (the folder checks build it
	 * anyway), for Heads and AncestorIds. */
	void KeepGraph(std::shared_ptr<const core::Graph> graph)
	{
		graph_ = std::move(graph);
		graph_files_ = files.size();
	}

private:
	/* The graph of files (CheckFolder's, or built now), or nullptr when it
	 * has problems; `hold` keeps a graph built now alive. */
	const core::Graph *Graph(std::shared_ptr<const core::Graph> &hold) const;

	mutable std::unordered_map<std::string, std::size_t> index_;
	std::shared_ptr<const core::Graph> graph_; /* built by CheckFolder, for files.size() == graph_files_ */
	std::size_t graph_files_ = 0;
};

/*
 * Checks a set of (name, content) pairs as one folder: each file on its own,
 * then duplicate ids across files (both files named) and the graph checks.
 * The pairs are taken in byte order of their names.
 */
Folder CheckFolder(std::vector<std::pair<std::string, std::string>> files);

/*
 * Work done on each file while the folder is read, on the thread that read
 * it, while its text is still in that thread's cache: Start(n) once before
 * any file, then File(i, f) for each file that parsed without a problem, i
 * its index in name order (which is its index in Folder::files when the
 * folder is ok()).  Calls for different files run at the same time.
 */
class FileVisitor {
public:
	virtual ~FileVisitor() = default;
	virtual void Start(std::size_t n) = 0;
	virtual void File(std::size_t i, const MigrationFile &f) = 0;
};

/*
 * Reads every regular "*.sql" file directly in `dir` (not recursive) and
 * checks them with CheckFolder; an unreadable directory or file becomes a
 * Diagnostic (line 0).  `visitor`, when given, sees each file as it is read.
 */
Folder ReadFolder(const std::string &dir, FileVisitor *visitor = nullptr);

/* How many files ReadFolder would read in `dir`, from the listing alone;
 * nullopt when the directory cannot be listed. */
std::optional<std::size_t> CountMigrationFiles(const std::string &dir);

/*
 * Reads the whole file at path into out; on failure returns false with the
 * system's text for errno in error (std::generic_category, which unlike
 * strerror is safe on several threads).
 */
bool ReadWholeFile(const std::string &path, std::string &out, std::string &error);

/*
 * The canonical text of a migration: header keys in the order revision,
 * parents, depends_on, branch, message, nontransactional (empty ones left
 * out), the up body, one blank line, "-- pgmig:down" and the down body.
 * ParseMigrationFile gives the same migration back for any MigrationFile it
 * could have produced without diagnostics.
 */
std::string RenderMigrationFile(const MigrationFile &f);

/*
 * A new revision id: the UTC time as YYYYMMDD_HHMMSS, then "_" and a slug of
 * the message (ASCII letters lower-cased and digits kept, every other run of
 * characters one "_", trimmed, at most 48 characters; left out when empty).
 * "20261121_093000_add_users_table".  Always a valid core revision id.
 */
std::string MakeRevisionId(std::time_t when_utc, std::string_view message);

/*
 * Rewrites a server message about a body, "revision \"X\", line N: rest" or
 * "revision \"X\" (down body), line N: rest", as "file:M: rest" with M the
 * file line of body line N.  Returns the message unchanged when it does not
 * have that form or X is not in the folder.
 */
std::string MapServerMessage(const Folder &folder, std::string_view message);

/*
 * Length of the valid UTF-8 sequence starting at text[i] (i < size), or 0
 * when the byte there does not start one: overlong forms, surrogates and
 * code points beyond U+10FFFF are invalid, as in PostgreSQL.
 */
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i);

/* Offset of the first byte of text that is not valid UTF-8, or npos. */
std::size_t FirstInvalidUtf8(std::string_view text);

/* Space, tab or carriage return: what may pad a line without meaning anything. */
bool IsPad(char c);

/* The text without padding (IsPad) at either end. */
std::string_view Trim(std::string_view text);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_MIGFILE_HPP */
