/*
 * client/core/importers.hpp
 *
 * Importers: turn another migration tool's folder into pgmig migrations
 * (MigrationFile values, migfile.hpp), for `pgmig import --from <tool> <src>
 * --dir <dest>`, which renders them with RenderMigrationFile and writes them.
 * Supported tools: Flyway, golang-migrate, dbmate, Diesel, Sqitch, the
 * offline SQL of Alembic (`alembic upgrade --sql`), and a plain folder of SQL
 * files applied in name order by a home-made script.  docs/import.md describes,
 * per tool, what is carried over and what is not.
 *
 * Design:
 *   - Everything works on in-memory files (relative path -> bytes), so that
 *     the unit tests and the fuzzer need no disk; ImportDirectory only reads
 *     the files a format needs and hands them to ImportFiles.
 *   - Each format finds its migrations and their apply order (version order
 *     for Flyway, golang-migrate, dbmate and Diesel, plan order for Sqitch,
 *     file order for Alembic) and the tool's own identifier of each one.
 *   - Bodies are the tool's bytes, cut out of the source files.  The only
 *     changes are the documented strips (Sqitch's BEGIN;/COMMIT; wrapper,
 *     golang-migrate's too, Alembic's bookkeeping and transaction lines), a
 *     UTF-8 byte order mark, blank lines at either end of a body, and a final
 *     newline.  A SQL lexer (quotes, dollar quotes, nested comments,
 *     BEGIN ATOMIC bodies as psql treats them) finds the statements to strip
 *     and those pgmig treats specially (transaction control, which the server
 *     refuses; CREATE INDEX CONCURRENTLY and the like, which must stand alone).
 *   - Anything that cannot be carried over becomes an ImportNote (the import
 *     still succeeds); anything that makes the result wrong or incomplete
 *     (duplicate versions, a down without an up, unreadable plan lines,
 *     invalid UTF-8, ...) becomes an error, and nothing should be written.
 *   - Finally every migration is rendered and re-read with CheckFolder; any
 *     diagnostic would be reported as an error (none is expected), and the
 *     returned MigrationFile values are the re-read ones, so they are exactly
 *     what `pgmig` will read from the written files.
 *
 * Nothing here talks to a server, includes a PostgreSQL header or throws for
 * bad input (std::bad_alloc aside).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_IMPORTERS_HPP
#define PGMIG_CLIENT_IMPORTERS_HPP

#include "migfile.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgmig::client {

/* The tools pgmig imports from. */
enum class ImportFormat { kFlyway, kGolangMigrate, kDbmate, kDiesel, kSqitch, kAlembicSql, kPlainSql };

/*
 * The format of a command-line name: "flyway", "golang-migrate", "dbmate",
 * "diesel", "sqitch", "alembic-sql" or "sql" (a plain folder of SQL files
 * applied in name order; exactly, lower case); nullopt for any other name.
 */
std::optional<ImportFormat> ParseImportFormat(std::string_view name);

/* The command-line name of a format (the inverse of ParseImportFormat). */
std::string_view ImportFormatName(ImportFormat f);

/* Something about one source file: a note (not carried over) or an error. */
struct ImportNote {
	std::string file;  /* source path, relative to the imported folder (as given to ImportFiles) */
	int line = 0;      /* 1-based line in that file; 0 = the whole file */
	std::string message;

	/* "file:line: message" ("file: message" when line == 0). */
	std::string Format() const;
};

/* What an import produced. */
struct ImportResult {
	/*
	 * In apply order.  Ids are valid pgmig ids; parents are the previous
	 * migration (Sqitch: the previous change, plus depends_on for the other
	 * declared requirements; Alembic: the revision's down revisions).  path
	 * is "<revision>.sql"; the line members are those of the rendered file.
	 */
	std::vector<MigrationFile> migrations;
	std::vector<ImportNote> notes;   /* what could not be carried over (warnings: the import still succeeds) */
	std::vector<ImportNote> errors;  /* fatal problems: nothing should be written when non-empty */
	/*
	 * The tool's identifier of each migration -> its pgmig revision id, in
	 * apply order (for importing the tool's history later).  The identifier
	 * is what the tool records as applied: Flyway's version with "_" written
	 * as "." ("1.1"), golang-migrate's version as a number ("12" for
	 * "000012"), dbmate's version as written, Diesel's version without "-",
	 * Sqitch's change name, Alembic's revision id, a plain SQL file's name.
	 */
	std::vector<std::pair<std::string, std::string>> id_map;

	bool ok() const { return errors.empty(); }
};

/*
 * Imports a folder given in memory: (path relative to the folder, content)
 * pairs, paths with "/" separators.  Files the format does not use are
 * noted and ignored (names starting with "." silently).
 */
ImportResult ImportFiles(ImportFormat f, const std::vector<std::pair<std::string, std::string>> &files);

/*
 * Imports a folder on disk: reads the files the format needs (Flyway: every
 * *.sql and *.sql.conf below the folder; golang-migrate, dbmate: *.sql
 * directly in it; Diesel: up.sql, down.sql and metadata.toml of its
 * subfolders; Sqitch: sqitch.plan and deploy/, revert/, verify/; Alembic:
 * the *.sql files in it (the upgrade output, and the downgrade output when
 * there is one), or `dir` itself when it is a file), then calls
 * ImportFiles; every other file (but for names starting with ".") is a note,
 * after ImportFiles' own.  An unreadable folder or file is an error.
 */
ImportResult ImportDirectory(ImportFormat f, const std::string &dir);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_IMPORTERS_HPP */
