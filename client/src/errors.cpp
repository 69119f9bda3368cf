/*
 * client/src/errors.cpp
 *
 * Rendering and locating errors, as declared in errors.hpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "errors.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "options.hpp"
#include "sqltext.hpp"

namespace pgmig::client {

/* "file:line:column: " as far as known ("" without a file). */
static std::string
Location(const Error &e)
{
	if (e.file.empty())
		return "";
	std::string out = e.file;
	if (e.line > 0)
		out += ":" + std::to_string(e.line);
	if (e.line > 0 && e.column > 0)
		out += ":" + std::to_string(e.column);
	return out + ": ";
}

/* The DETAIL, HINT and SQLSTATE lines of an error, those it has. */
static std::string
Fields(const Error &e)
{
	std::string out;
	if (!e.detail.empty())
		out += "DETAIL:  " + e.detail + "\n";
	if (!e.hint.empty())
		out += "HINT:  " + e.hint + "\n";
	if (!e.sqlstate.empty())
		out += "SQLSTATE: " + e.sqlstate + "\n";
	return out;
}

/* Problems first, then the refusals and unchecked revisions of a push that
 * found several, then the error and its fields. */
std::string
FormatErrorText(const Error &e, bool color)
{
	std::string out;
	for (const std::string &p : e.problems)
		out += p + "\n";
	if (e.refusals.size() > 1 || !e.unchecked.empty()) {
		for (const Error &r : e.refusals)
			out += Location(r) + r.message + "\n" + Fields(r);
		for (const Unchecked &u : e.unchecked)
			out += u.file + ": not checked: its ancestor " + u.ancestor + " was refused\n";
	}
	out += "pgmig: " + Paint("error:", Style::kRed, color) + " " + Location(e) + e.message + "\n";
	return out + Fields(e);
}

/* The fields of one error as a JSON object, null when absent. */
static Json
ErrorObject(const Error &e)
{
	auto opt = [](const std::string &s) { return s.empty() ? Json() : Json(s); };
	Json err = Json::Object();
	err.Set("message", e.message);
	err.Set("sqlstate", opt(e.sqlstate));
	err.Set("detail", opt(e.detail));
	err.Set("hint", opt(e.hint));
	err.Set("file", opt(e.file));
	err.Set("line", e.line > 0 ? Json(e.line) : Json());
	err.Set("revision", opt(e.revision));
	if (e.column > 0)
		err.Set("column", e.column);
	if (!e.problems.empty())
		err.Set("problems", Json::Strings(e.problems));
	return err;
}

/* Every field, null when absent; the refusals and unchecked revisions of a
 * push when there are any. */
Json
ErrorJson(const Error &e)
{
	Json err = ErrorObject(e);
	if (!e.refusals.empty()) {
		Json list = Json::Array();
		for (const Error &r : e.refusals)
			list.Push(ErrorObject(r));
		err.Set("errors", std::move(list));
	}
	if (!e.unchecked.empty()) {
		Json list = Json::Array();
		for (const Unchecked &u : e.unchecked) {
			Json j = Json::Object();
			j.Set("file", u.file);
			j.Set("revision", u.revision);
			j.Set("ancestor", u.ancestor);
			list.Push(std::move(j));
		}
		err.Set("not_checked", std::move(list));
	}
	Json doc = Json::Object();
	doc.Set("error", std::move(err));
	return doc;
}

/* One problem line per diagnostic. */
Error
FolderError(const Folder &folder, const std::string &dir)
{
	Error e(Plural(static_cast<std::int64_t>(folder.diagnostics.size()), "problem", "problems") + " in " + dir +
			"; nothing was sent to the server");
	for (const Diagnostic &d : folder.diagnostics)
		e.problems.push_back(d.Format());
	return e;
}

/*
 * MapServerMessage gives "path:M: rest"; the path is that of the revision
 * named between the first pair of quotes, so the line number and the rest are
 * found right after it.  The server may also give a column
 * ("line N, column C: "), which MapServerMessage does not expect: it is taken
 * out first and kept in e.column.  A message naming a revision of the folder
 * without a body line still gets the file (line 0).
 */
void
LocateInFolder(Error &e, const Folder &folder)
{
	const std::string prefix = "revision \"";
	if (e.message.compare(0, prefix.size(), prefix) != 0)
		return;
	std::size_t close = e.message.find('"', prefix.size());
	if (close == std::string::npos)
		return;
	const MigrationFile *f = folder.Find(std::string_view(e.message).substr(prefix.size(), close - prefix.size()));
	if (e.revision.empty())
		e.revision = e.message.substr(prefix.size(), close - prefix.size());
	if (f == nullptr)
		return;
	std::string message = e.message;
	int column = 0;
	std::size_t line_at = message.find(", line ", close);
	if (line_at != std::string::npos) {
		std::size_t p = line_at + 7;
		while (p < message.size() && message[p] >= '0' && message[p] <= '9')
			p++;
		const std::string col = ", column ";
		if (message.compare(p, col.size(), col) == 0) {
			std::size_t q = p + col.size();
			std::size_t digits = q;
			while (digits < message.size() && message[digits] >= '0' && message[digits] <= '9')
				digits++;
			if (digits > q && message.compare(digits, 2, ": ") == 0) {
				column = std::atoi(message.substr(q, digits - q).c_str());
				message.erase(p, digits - p);
			}
		}
	}
	std::string mapped = MapServerMessage(folder, message);
	e.file = f->path;
	if (mapped == message || mapped.compare(0, f->path.size() + 1, f->path + ":") != 0)
		return;
	std::size_t p = f->path.size() + 1;
	std::size_t digits_end = p;
	while (digits_end < mapped.size() && mapped[digits_end] >= '0' && mapped[digits_end] <= '9')
		digits_end++;
	if (digits_end == p || mapped.compare(digits_end, 2, ": ") != 0)
		return;
	e.line = std::atoi(mapped.substr(p, digits_end - p).c_str());
	e.column = e.line > 0 ? column : 0;
	e.message = mapped.substr(digits_end + 2);
}

/* Character position to body line through the core's text rules. */
std::string
NontxBodyMessage(std::string_view revision, bool down, std::string_view body, int position, std::string_view message)
{
	std::string out = "revision \"" + std::string(revision) + "\"" + (down ? " (down body)" : "");
	if (position > 0) {
		std::size_t offset = core::ByteOffsetOfCharacter(body, static_cast<std::size_t>(position - 1));
		out += ", line " + std::to_string(core::LineColumnAt(body, offset).line);
	}
	return out + ": " + std::string(message);
}

/* See errors.hpp. */
void
AddSetupHints(Error &e)
{
	if (!e.hint.empty())
		return;
	if (e.sqlstate == "3F000" && e.message.find("pgmig") != std::string::npos)
		e.hint = "the pgmig extension is not installed in this database: run `pgmig init`";
	else if ((e.sqlstate == "42883" || e.sqlstate == "42703") && e.message.find("mig_") != std::string::npos)
		e.hint = "the pgmig extension in this database is older than this client: run `pgmig init` to update it";
}

/* The bytes of "0xe2 0x82 0xac". */
static std::string
ParseByteSequence(std::string_view text)
{
	auto hex = [](char c) {
		return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
	};
	std::string bytes;
	std::size_t p = 0;
	while (p + 4 <= text.size() && text.compare(p, 2, "0x") == 0 && hex(text[p + 2]) >= 0 && hex(text[p + 3]) >= 0) {
		bytes += static_cast<char>(hex(text[p + 2]) * 16 + hex(text[p + 3]));
		p += 4;
		if (p < text.size() && text[p] == ' ')
			p++;
	}
	return bytes;
}

/* See errors.hpp. */
void
LocateUnrepresentable(Error &e, const Folder &folder)
{
	const std::string lead = "character with byte sequence ";
	std::size_t at = e.message.find(lead);
	std::size_t in = e.message.find(" in encoding \"UTF8\" has no equivalent in encoding \"");
	if (e.sqlstate != "22P05" || at == std::string::npos || in == std::string::npos)
		return;
	std::string bytes = ParseByteSequence(std::string_view(e.message).substr(at + lead.size(), in - at - lead.size()));
	if (bytes.empty())
		return;
	std::size_t enc_at = in + std::strlen(" in encoding \"UTF8\" has no equivalent in encoding \"");
	std::string encoding = e.message.substr(enc_at, e.message.find('"', enc_at) - enc_at);
	for (const MigrationFile &f : folder.files) {
		struct Part {
			const std::string *text;
			int first_line;
			const char *what;
		};
		std::optional<std::string> header;
		std::vector<Part> parts = {{&f.up, f.up_line, "up body"}};
		if (f.down)
			parts.push_back({&*f.down, f.down_line, "down body"});
		if (f.message)
			parts.push_back({&*f.message, 0, "message"});
		for (const Part &part : parts) {
			std::size_t hit = part.text->find(bytes);
			if (hit == std::string::npos)
				continue;
			e.file = f.path;
			e.revision = f.revision;
			e.line = part.first_line > 0 ? part.first_line + static_cast<int>(std::count(
																  part.text->begin(), part.text->begin() + static_cast<std::ptrdiff_t>(hit), '\n'))
										 : 0;
			e.message = "the " + std::string(part.what) + " of revision " + f.revision + " has the character \"" + bytes +
				"\", which the database's encoding " + encoding + " cannot represent";
			e.hint = "write the text with characters " + encoding + " has, or use a database created with ENCODING "
				"'UTF8'; pgmig stores nothing it cannot store as written";
			return;
		}
	}
}

/*
 * See errors.hpp.  The id ends at the first quote (ids have none); the rule
 * is the last " [...]", which must hold "L", digits, one space and a name.
 */
std::optional<LintWarning>
ParseLintWarning(std::string_view message)
{
	const std::string_view prefix = "pgmig: revision \"";
	if (message.substr(0, prefix.size()) != prefix)
		return std::nullopt;
	std::size_t close = message.find('"', prefix.size());
	const std::string_view line_lead = ", line ";
	if (close == std::string_view::npos || message.substr(close + 1, line_lead.size()) != line_lead)
		return std::nullopt;
	std::size_t digits = close + 1 + line_lead.size();
	std::size_t p = digits;
	while (p < message.size() && message[p] >= '0' && message[p] <= '9')
		p++;
	if (p == digits || p - digits > 9 || message.substr(p, 2) != ": ")
		return std::nullopt;
	std::string_view rest = message.substr(p + 2);
	std::size_t open = rest.rfind(" [");
	if (open == std::string_view::npos || rest.empty() || rest.back() != ']')
		return std::nullopt;
	std::string_view tag = rest.substr(open + 2, rest.size() - open - 3);
	std::size_t space = tag.find(' ');
	if (space == std::string_view::npos || space < 2 || tag[0] != 'L' || space + 1 >= tag.size() ||
		tag.find(' ', space + 1) != std::string_view::npos)
		return std::nullopt;
	for (std::size_t i = 1; i < space; i++)
		if (tag[i] < '0' || tag[i] > '9')
			return std::nullopt;
	LintWarning w;
	w.revision = std::string(message.substr(prefix.size(), close - prefix.size()));
	w.line = std::atoi(std::string(message.substr(digits, p - digits)).c_str());
	w.message = std::string(rest.substr(0, open));
	w.rule = std::string(tag.substr(0, space));
	w.name = std::string(tag.substr(space + 1));
	return w;
}

/* See errors.hpp. */
void
RedactError(Error &e, const std::vector<std::string> &secrets)
{
	e.message = Redact(e.message, secrets);
	e.detail = Redact(e.detail, secrets);
	e.hint = Redact(e.hint, secrets);
	for (std::string &p : e.problems)
		p = Redact(p, secrets);
	for (Error &r : e.refusals)
		RedactError(r, secrets);
}

} // namespace pgmig::client
