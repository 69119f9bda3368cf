/*
 * client/core/importers.cpp
 *
 * The public entry points of the importers (importers.hpp): the format
 * names, ImportFiles (one Importer run, import_session.hpp) and
 * ImportDirectory, which reads from disk only the files the format uses and
 * hands them over in memory.  What each tool's import carries over is
 * described in docs/import.md.
 *
 * The importers are one file per topic:
 *   import_text      quoting, digit strings, ids and messages from names;
 *   import_sql       a small SQL lexer (statements as psql splits them) and
 *                    the classifiers of the statements an import strips or notes;
 *   import_body      BuildBody: a body cut out of a region of a source file;
 *   import_session   the Importer: files, notes, errors, Emit, the
 *                    self-check, and the dispatch to the format readers;
 *   import_flyway, import_golang_migrate, import_dbmate, import_diesel,
 *   import_sqitch, import_alembic
 *                    one reader per tool (Importer::Import<Tool>).
 *
 * Offsets are byte offsets into a source file's text (after a UTF-8 byte
 * order mark is dropped, which does not move any line); line numbers are
 * those of the source file, so every note and error points at the tool's
 * file and line.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "importers.hpp"

#include "import_session.hpp"
#include "import_text.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace pgmig::client {

/* The Importer (import_session.hpp) and the text helpers Wanted uses (import_text.hpp). */
using import_impl::Basename;
using import_impl::EndsWith;
using import_impl::Importer;
using import_impl::StartsWith;

namespace {

/* Whether ImportDirectory reads the file at `rel` (a path relative to the folder) for the format. */
bool
Wanted(ImportFormat f, const std::string &rel)
{
	const std::size_t depth = static_cast<std::size_t>(std::count(rel.begin(), rel.end(), '/'));
	std::string_view base = Basename(rel);
	switch (f) {
	case ImportFormat::kFlyway:
		return EndsWith(base, ".sql") || EndsWith(base, ".sql.conf");
	case ImportFormat::kGolangMigrate:
	case ImportFormat::kDbmate:
	case ImportFormat::kAlembicSql:
	case ImportFormat::kPlainSql:
		return depth == 0 && EndsWith(base, ".sql");
	case ImportFormat::kDiesel:
		return depth == 1 && (base == "up.sql" || base == "down.sql" || base == "metadata.toml");
	case ImportFormat::kSqitch:
		return rel == "sqitch.plan" || rel == "sqitch.conf" ||
			((StartsWith(rel, "deploy/") || StartsWith(rel, "revert/") || StartsWith(rel, "verify/")) &&
			 EndsWith(base, ".sql"));
	}
	return false;
}

/* What ImportDirectory reads for the format, for the note on a file it does not. */
const char *
WantedFiles(ImportFormat f)
{
	switch (f) {
	case ImportFormat::kFlyway:
		return "Flyway reads *.sql and *.sql.conf files";
	case ImportFormat::kGolangMigrate:
		return "golang-migrate reads the *.sql files of the folder itself";
	case ImportFormat::kDbmate:
		return "dbmate reads the *.sql files of the folder itself";
	case ImportFormat::kAlembicSql:
		return "the Alembic import reads the *.sql files of the folder itself";
	case ImportFormat::kDiesel:
		return "Diesel reads up.sql, down.sql and metadata.toml of each migration folder";
	case ImportFormat::kSqitch:
		return "Sqitch reads sqitch.plan, sqitch.conf and the *.sql files of deploy/, revert/ and verify/";
	case ImportFormat::kPlainSql:
		return "a plain SQL folder is the *.sql files of the folder itself";
	}
	return "";
}

/* Whether a path relative to the folder has a component starting with "." (not noted). */
bool
Hidden(const std::string &rel)
{
	return StartsWith(rel, ".") || rel.find("/.") != std::string::npos;
}

} // namespace

/* "file:line: message", "file: message" for a whole file, the message alone without a file. */
std::string
ImportNote::Format() const
{
	if (file.empty())
		return message;
	if (line == 0)
		return file + ": " + message;
	return file + ":" + std::to_string(line) + ": " + message;
}

/* The command-line names, exactly. */
std::optional<ImportFormat>
ParseImportFormat(std::string_view name)
{
	static const std::pair<std::string_view, ImportFormat> kNames[] = {
		{"flyway", ImportFormat::kFlyway}, {"golang-migrate", ImportFormat::kGolangMigrate},
		{"dbmate", ImportFormat::kDbmate}, {"diesel", ImportFormat::kDiesel},
		{"sqitch", ImportFormat::kSqitch}, {"alembic-sql", ImportFormat::kAlembicSql}, {"sql", ImportFormat::kPlainSql},
	};
	for (const auto &[n, f] : kNames) {
		if (n == name)
			return f;
	}
	return std::nullopt;
}

/* The inverse of ParseImportFormat. */
std::string_view
ImportFormatName(ImportFormat f)
{
	switch (f) {
	case ImportFormat::kFlyway:
		return "flyway";
	case ImportFormat::kGolangMigrate:
		return "golang-migrate";
	case ImportFormat::kDbmate:
		return "dbmate";
	case ImportFormat::kDiesel:
		return "diesel";
	case ImportFormat::kSqitch:
		return "sqitch";
	case ImportFormat::kAlembicSql:
		return "alembic-sql";
	case ImportFormat::kPlainSql:
		return "sql";
	}
	return "unknown";
}

/* See importers.hpp. */
ImportResult
ImportFiles(ImportFormat f, const std::vector<std::pair<std::string, std::string>> &files)
{
	return Importer(f, files).Run();
}

/*
 * Walks the folder (recursively, without following symbolic links to
 * folders), reads the files Wanted() picks, and imports them; every other
 * file is a note (but for hidden ones), so that nothing is dropped silently.
 * An Alembic file may be given directly.  Read failures are errors and stop
 * the import.
 */
ImportResult
ImportDirectory(ImportFormat f, const std::string &dir)
{
	namespace fs = std::filesystem;
	ImportResult failed;
	std::vector<std::pair<std::string, std::string>> files;
	std::vector<ImportNote> ignored; /* the files the format does not read, as notes */
	std::error_code ec;
	const fs::path root(dir);

	const fs::file_status status = fs::status(root, ec);
	if (status.type() == fs::file_type::not_found) {
		failed.errors.push_back(
			{dir, 0, "cannot read directory: " + std::make_error_code(std::errc::no_such_file_or_directory).message()});
		return failed;
	}
	if (ec) {
		failed.errors.push_back({dir, 0, "cannot read directory: " + ec.message()});
		return failed;
	}
	if (f == ImportFormat::kAlembicSql && fs::is_regular_file(status)) {
		std::string content, why;
		if (!ReadWholeFile(root.string(), content, why)) {
			failed.errors.push_back({dir, 0, "cannot read file: " + why});
			return failed;
		}
		files.emplace_back(root.filename().string(), std::move(content));
		return ImportFiles(f, files);
	}
	if (!fs::is_directory(status)) {
		failed.errors.push_back({dir, 0, "not a directory"});
		return failed;
	}
	fs::recursive_directory_iterator it(root, ec), end;
	if (ec) {
		failed.errors.push_back({dir, 0, "cannot read directory: " + ec.message()});
		return failed;
	}
	for (; it != end; it.increment(ec)) {
		if (ec)
			break;
		std::error_code type_ec;
		if (!it->is_regular_file(type_ec))
			continue;
		std::string rel = it->path().lexically_relative(root).generic_string();
		if (!Wanted(f, rel)) {
			if (!Hidden(rel))
				ignored.push_back({rel, 0, std::string("not read (") + WantedFiles(f) + "); ignored"});
			continue;
		}
		std::string content, why;
		if (!ReadWholeFile(it->path().string(), content, why)) {
			failed.errors.push_back({(root / rel).string(), 0, "cannot read file: " + why});
			continue;
		}
		files.emplace_back(std::move(rel), std::move(content));
	}
	if (ec)
		failed.errors.push_back({dir, 0, "cannot read directory: " + ec.message()});
	if (!failed.errors.empty())
		return failed;
	ImportResult result = ImportFiles(f, files);
	std::sort(ignored.begin(), ignored.end(),
			  [](const ImportNote &a, const ImportNote &b) { return a.file < b.file; });
	result.notes.insert(result.notes.end(), ignored.begin(), ignored.end());
	return result;
}

} // namespace pgmig::client
