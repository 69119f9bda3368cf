/*
 * client/core/import_session.cpp
 *
 * One import (the Importer of import_session.hpp): the source files by path,
 * the notes and errors, Emit and the self-check; the format readers
 * (import_<tool>.cpp) are its members and call these.
 *
 *   - A source file is checked for encoding when a reader first uses it
 *     (Usable): a NUL byte or invalid UTF-8 is an error, reported once.
 *   - Emit turns one Candidate into a MigrationFile: the id must be valid and
 *     made once; the parent is the previous migration for the linear formats;
 *     the bodies are built (import_body.hpp) and checked (a line that would
 *     read as a "-- pgmig:" header line is an error; transaction control and
 *     a non-transactional statement among others are notes); an empty up
 *     body becomes "SELECT 1; -- empty in <tool>" with a note.
 *   - Run calls the format's reader, then Finish, the self-check: every
 *     migration is rendered and read back with CheckFolder (migfile.hpp), so
 *     the result is exactly what `pgmig` will read from the written files.
 *     Notes and errors are sorted by file, then line.
 *
 * docs/import.md ("What every import does", "Notes and errors common to all
 * tools") describes these rules from the user's side.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "import_session.hpp"

#include "graph.hpp"
#include "import_text.hpp"
#include "sqltext.hpp"

#include <algorithm>

namespace pgmig::client::import_impl {

namespace {

/* The start of a pgmig header line, which a body line must not begin with. */
constexpr std::string_view kDirective = "-- pgmig:";

} // namespace

/* Takes the files (dropping a byte order mark), sorted by path; a path given twice is an error. */
Importer::Importer(ImportFormat format, const std::vector<std::pair<std::string, std::string>> &files)
	: format_(format), tool_(ImportFormatName(format))
{
	std::vector<std::size_t> order(files.size());
	for (std::size_t k = 0; k < order.size(); k++)
		order[k] = k;
	std::stable_sort(order.begin(), order.end(),
					 [&files](std::size_t a, std::size_t b) { return files[a].first < files[b].first; });
	files_.reserve(files.size());
	for (std::size_t k : order) {
		const auto &[path, content] = files[k];
		if (!files_.empty() && files_.back().path == path) {
			Error(path, 0, "file given more than once");
			continue;
		}
		SourceFile f;
		f.path = path;
		f.text = StartsWith(content, "\xEF\xBB\xBF") ? content.substr(3) : content;
		files_.push_back(std::move(f));
	}
}

/* Records a note. */
void
Importer::Note(const std::string &file, int line, std::string message)
{
	result_.notes.push_back({file, line, std::move(message)});
}

/* Records an error. */
void
Importer::Error(const std::string &file, int line, std::string message)
{
	result_.errors.push_back({file, line, std::move(message)});
}

/* The file with that exact path, or nullptr (binary search: files_ is sorted). */
const SourceFile *
Importer::Find(std::string_view path) const
{
	auto it = std::lower_bound(files_.begin(), files_.end(), path,
							   [](const SourceFile &f, std::string_view p) { return f.path < p; });
	return it != files_.end() && it->path == path ? &*it : nullptr;
}

/*
 * Checks a file's encoding the first time it is used: a NUL byte or invalid
 * UTF-8 cannot go into a pgmig file (nor to the server) and is an error.
 */
bool
Importer::Usable(const SourceFile &f)
{
	if (f.checked == 0) {
		f.checked = 1;
		std::size_t nul = f.text.find('\0');
		std::size_t bad = FirstInvalidUtf8(f.text);
		if (nul != std::string::npos) {
			Error(f.path, f.Line(nul), "the file contains a NUL byte");
			f.checked = -1;
		} else if (bad != std::string::npos) {
			static const char hex[] = "0123456789abcdef";
			unsigned char c = static_cast<unsigned char>(f.text[bad]);
			Error(f.path, f.Line(bad),
				  std::string("the file is not valid UTF-8 (byte 0x") + hex[c >> 4] + hex[c & 0xf] + ")");
			f.checked = -1;
		}
	}
	return f.checked > 0;
}

/*
 * The notes and errors about one built body: a line that would read as a
 * pgmig header line (error), transaction control (refused by the server),
 * and a statement that cannot run in a transaction mixed with others.
 */
void
Importer::CheckBody(const Candidate &c, const BuiltBody &body, bool up)
{
	const SourceFile &f = *(up ? c.up.file : c.down->file);
	for (std::size_t at = 0; at < body.text.size();) {
		std::size_t nl = body.text.find('\n', at);
		std::size_t next = nl == std::string::npos ? body.text.size() : nl + 1;
		if (StartsWith(std::string_view(body.text).substr(at, next - at), kDirective))
			Error(f.path, f.Line(body.SourceOffset(at)),
				  "a line starting with \"-- pgmig:\" cannot be put in a pgmig body (it would be read as a header "
				  "line); indent it or reword it");
		at = next;
	}
	std::size_t nontx = 0;
	const Statement *first_nontx = nullptr;
	std::string nontx_tag;
	for (const Statement &s : body.statements) {
		std::string tag = TransactionControlTag(s);
		if (!tag.empty())
			Note(f.path, f.Line(s.begin),
				 "transaction control (" + tag +
					 ") is refused in a pgmig body, which runs in a transaction pgmig manages; remove it from the "
					 "imported file");
		std::string nt = NonTransactionalTag(s);
		if (!nt.empty() && nontx++ == 0) {
			first_nontx = &s;
			nontx_tag = nt;
		}
	}
	if (first_nontx != nullptr && body.statements.size() > 1)
		Note(f.path, f.Line(first_nontx->begin),
			 nontx_tag + " cannot share a pgmig revision with other statements (the server refuses the body); move "
						 "it into a revision of its own");
}

/*
 * Adds one migration: checks its id (valid, not made twice), sets its
 * parents (the previous migration for the linear formats), builds and checks
 * its bodies, turns an empty up body into "SELECT 1; -- empty in <tool>"
 * (keeping its comments) with a note, and records the id mapping.  Returns
 * false when the migration could not be added.
 */
bool
Importer::Emit(Candidate c)
{
	const std::string &where = c.origin->path;
	std::string reason = core::CheckRevisionId(c.id);
	if (!reason.empty()) {
		Error(where, c.origin_line,
			  "cannot make a pgmig revision id from " + Q(c.tool_id) + ": " + Q(c.id) + " is not valid: it " + reason);
		return false;
	}
	auto [it, inserted] =
		origin_of_id_.emplace(c.id, c.origin_line != 0 ? where + ":" + std::to_string(c.origin_line) : where);
	if (!inserted) {
		Error(where, c.origin_line, "revision id " + Q(c.id) + " is also made from " + it->second);
		return false;
	}

	MigrationFile m;
	m.revision = c.id;
	m.path = c.id + ".sql";
	if (c.linear) {
		if (!result_.migrations.empty())
			m.parents.push_back(result_.migrations.back().revision);
	} else
		m.parents = c.parents;
	m.depends_on = c.depends_on;
	if (!c.message.empty())
		m.message = c.message;

	const int origin_line = c.origin == c.up.file ? c.origin_line : 0; /* the line that starts the up body */
	BuiltBody up = BuildBody(c.up, c.strip);
	CheckBody(c, up, true);
	if (up.stripped_wrapper && c.note_wrapper)
		Note(c.up.file->path, c.up.file->Line(up.wrapper_at),
			 "removed the BEGIN; and COMMIT; around the body: pgmig runs each revision in its own transaction");
	bool single_nontx = up.statements.size() == 1 && !NonTransactionalTag(up.statements[0]).empty();
	m.nontransactional = c.nontransactional || single_nontx;
	if (c.nontransactional && !single_nontx && !up.statements.empty())
		Note(c.up.file->path, origin_line,
			 c.nontx_setting +
				 " is kept as \"nontransactional\", but the server runs a body in a transaction unless it is a single "
				 "statement that cannot run in one (such as CREATE INDEX CONCURRENTLY): this one will run in a "
				 "transaction");
	m.up = std::move(up.text);
	if (core::IsBlank(m.up)) {
		m.up += "SELECT 1; -- empty in " + tool_ + "\n";
		if (core::IsBlank(m.up)) /* the placeholder went into a comment that never ends */
			Error(c.up.file->path, origin_line,
				  "the up body of " + Q(c.id) + " is empty and ends inside an unterminated /* comment");
		else
			Note(c.up.file->path, origin_line,
				 "the up body of " + Q(c.id) + " is empty; imported as \"SELECT 1; -- empty in " + tool_ +
					 "\" (pgmig refuses empty bodies)");
	}
	if (c.down) {
		BuiltBody down = BuildBody(*c.down, c.strip);
		CheckBody(c, down, false);
		if (down.stripped_wrapper && c.note_wrapper)
			Note(c.down->file->path, c.down->file->Line(down.wrapper_at),
				 "removed the BEGIN; and COMMIT; around the body: pgmig runs each revision in its own transaction");
		m.down = std::move(down.text);
	}
	result_.id_map.emplace_back(c.tool_id, c.id);
	result_.migrations.push_back(std::move(m));
	return true;
}

/*
 * The self-check: renders every migration and reads the lot back with
 * CheckFolder.  A diagnostic (none is expected) becomes an error; otherwise
 * the migrations are replaced by what was read back, so that they carry the
 * rendered files' line numbers.
 */
void
Importer::Finish()
{
	if (!result_.errors.empty())
		return;
	std::vector<std::pair<std::string, std::string>> rendered;
	rendered.reserve(result_.migrations.size());
	for (const MigrationFile &m : result_.migrations)
		rendered.emplace_back(m.path, RenderMigrationFile(m));
	Folder folder = CheckFolder(std::move(rendered));
	for (const Diagnostic &d : folder.diagnostics)
		Error(d.file, d.line, "the imported file does not read back: " + d.message);
	if (!folder.ok())
		return;
	for (MigrationFile &m : result_.migrations) {
		const MigrationFile *back = folder.Find(m.revision);
		if (back != nullptr)
			m = *back;
	}
}

/* Runs the format's importer, then the self-check; sorts the notes and errors. */
ImportResult
Importer::Run()
{
	switch (format_) {
	case ImportFormat::kFlyway:
		ImportFlyway();
		break;
	case ImportFormat::kGolangMigrate:
		ImportGolangMigrate();
		break;
	case ImportFormat::kDbmate:
		ImportDbmate();
		break;
	case ImportFormat::kDiesel:
		ImportDiesel();
		break;
	case ImportFormat::kSqitch:
		ImportSqitch();
		break;
	case ImportFormat::kAlembicSql:
		ImportAlembic();
		break;
	case ImportFormat::kPlainSql:
		ImportPlainSql();
		break;
	}
	Finish();
	/* Like CheckFolder's diagnostics: by file, then line (the order found within a line). */
	auto by_place = [](const ImportNote &a, const ImportNote &b) {
		return a.file != b.file ? a.file < b.file : a.line < b.line;
	};
	std::stable_sort(result_.notes.begin(), result_.notes.end(), by_place);
	std::stable_sort(result_.errors.begin(), result_.errors.end(), by_place);
	return std::move(result_);
}

} // namespace pgmig::client::import_impl
