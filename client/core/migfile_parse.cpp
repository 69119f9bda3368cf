/*
 * client/core/migfile_parse.cpp
 *
 * Reading one migration file (ParseMigrationFile, migfile.hpp); the format
 * and every diagnostic are described in docs/format.md.
 *
 * Reading one file is a single pass over its lines (split on "\n" only, as
 * the server counts body lines, with a trailing "\r" ignored where a line's
 * text is interpreted, so CRLF files read like LF files): the header is the
 * leading run of blank lines and "-- pgmig:" lines, ended by the first other
 * line or by "-- pgmig:down"; the rest is scanned for the one "-- pgmig:down"
 * line and for stray "-- pgmig:" lines.  Encoding checks (NUL, UTF-8) run
 * over the whole file first.  Nothing stops at the first problem: each check
 * reports and the pass goes on, keeping whatever was readable, so the caller
 * sees every problem at once.  Invalid ids and labels are reported here and
 * left out of the migration, so that the folder checks (migfile_folder.cpp)
 * do not report them twice.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "migfile.hpp"

#include "graph.hpp"
#include "migfile_syntax.hpp"
#include "sqltext.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>

namespace pgmig::client {

namespace migfile_impl {

namespace {

/* Longest piece of user text quoted in a diagnostic. */
constexpr std::size_t kMaxQuotedLength = 80;

} // namespace

/*
 * Quotes user text for a diagnostic: double quotes around it, '"' and '\'
 * escaped, control and non-ASCII bytes shown as \xNN (ids and keys are
 * ASCII, and the result stays valid UTF-8 whatever the file holds), long
 * text cut short.
 */
std::string
Quote(std::string_view text)
{
	return core::QuoteForMessage(text, kMaxQuotedLength, true);
}

} // namespace migfile_impl

/* The header syntax shared by the reader, the writer and the folder checks (migfile_syntax.hpp). */
using migfile_impl::Key;
using migfile_impl::kDirective;
using migfile_impl::kDownMarker;
using migfile_impl::kKeyNames;
using migfile_impl::Quote;

namespace {

/* True when a line holds nothing but padding. */
bool
IsBlankLine(std::string_view text)
{
	return std::all_of(text.begin(), text.end(), IsPad);
}

/* Splits on spaces and tabs. */
std::vector<std::string>
Words(std::string_view text)
{
	std::vector<std::string> words;
	std::size_t i = 0;
	while (i < text.size()) {
		while (i < text.size() && IsPad(text[i]))
			i++;
		std::size_t start = i;
		while (i < text.size() && !IsPad(text[i]))
			i++;
		if (i > start)
			words.emplace_back(text.substr(start, i - start));
	}
	return words;
}

/* One line of a file: where it starts, where the next one starts, and its text without "\n" or a final "\r". */
struct Line {
	std::size_t begin = 0;
	std::size_t next = 0;
	std::string_view text;
};

/* Splits content into lines on "\n"; a last line without "\n" counts, an empty tail does not. */
std::vector<Line>
SplitLines(std::string_view content)
{
	std::vector<Line> lines;
	std::size_t begin = 0;
	while (begin < content.size()) {
		std::size_t nl = content.find('\n', begin);
		std::size_t end = nl == std::string_view::npos ? content.size() : nl;
		Line line;
		line.begin = begin;
		line.next = nl == std::string_view::npos ? content.size() : nl + 1;
		line.text = content.substr(begin, end - begin);
		if (!line.text.empty() && line.text.back() == '\r')
			line.text.remove_suffix(1);
		lines.push_back(line);
		begin = line.next;
	}
	return lines;
}

/* 1-based line number of a byte offset (lines split on "\n"). */
int
LineOf(std::string_view content, std::size_t offset)
{
	std::size_t n = 1 + static_cast<std::size_t>(std::count(content.begin(), content.begin() + offset, '\n'));
	return n > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(n);
}

/* A line index (0-based) as a 1-based line number, clamped to int. */
int
LineNumber(std::size_t index)
{
	return index >= static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(index + 1);
}


/*
 * Whether a line is the down-body marker: "-- pgmig:down" followed by
 * nothing or by padding; `extra` tells whether other text follows it after
 * padding (still taken as the marker, and reported).
 */
bool
IsDownMarker(std::string_view text, bool *extra)
{
	*extra = false;
	if (text.substr(0, kDownMarker.size()) != kDownMarker)
		return false;
	std::string_view rest = text.substr(kDownMarker.size());
	if (!rest.empty() && !IsPad(rest.front()))
		return false; /* "-- pgmig:downward": another key */
	*extra = !Trim(rest).empty();
	return true;
}

/* The key of a "-- pgmig:" line (up to the first padding). */
std::string_view
KeyOf(std::string_view text)
{
	std::string_view rest = text.substr(kDirective.size());
	std::size_t end = 0;
	while (end < rest.size() && !IsPad(rest[end]))
		end++;
	return rest.substr(0, end);
}

/* Index of a header key, or Key::kCount. */
Key
FindKey(std::string_view name)
{
	for (std::size_t k = 0; k < static_cast<std::size_t>(Key::kCount); k++) {
		if (kKeyNames[k] == name)
			return static_cast<Key>(k);
	}
	return Key::kCount;
}

/*
 * Bytes of lines [from, to) of the content, with blank lines at the end
 * dropped; empty when nothing is left.
 */
std::string
BodyText(std::string_view content, const std::vector<Line> &lines, std::size_t from, std::size_t to)
{
	while (to > from && IsBlankLine(lines[to - 1].text))
		to--;
	if (to <= from)
		return {};
	return std::string(content.substr(lines[from].begin, lines[to - 1].next - lines[from].begin));
}

/* Collects the diagnostics of one file. */
class Reporter {
public:
	explicit Reporter(std::string_view path) : path_(path) {}
	void Add(int line, std::string message) { diagnostics_.push_back({path_, line, std::move(message)}); }
	std::vector<Diagnostic> Take() { return std::move(diagnostics_); }

private:
	std::string path_;
	std::vector<Diagnostic> diagnostics_;
};

/*
 * Reads the value of one header key into the migration, reporting missing
 * or unwanted values and invalid ids or labels (which are left out).
 */
void
ReadKey(Key key, std::string_view value, int line, MigrationFile &f, Reporter &report)
{
	const std::string name(kKeyNames[static_cast<std::size_t>(key)]);
	if (key == Key::kNontransactional) {
		if (!value.empty())
			report.Add(line, "key \"" + name + "\" takes no value (found " + Quote(value) + ")");
		f.nontransactional = true;
		return;
	}
	if (value.empty() && key != Key::kParents && key != Key::kDependsOn) {
		report.Add(line, "key \"" + name + "\" needs a value");
		return;
	}
	switch (key) {
	case Key::kRevision: {
		std::string reason = core::CheckRevisionId(value);
		f.revision_line = line;
		if (reason.empty())
			f.revision = std::string(value);
		else
			report.Add(line, "invalid revision id " + Quote(value) + ": it " + reason);
		break;
	}
	case Key::kMessage:
		f.message = std::string(value);
		break;
	default: {
		std::vector<std::string> *list = key == Key::kParents ? &f.parents
			: key == Key::kDependsOn                          ? &f.depends_on
															  : &f.branch_labels;
		const char *what = key == Key::kParents ? "parent id" : key == Key::kDependsOn ? "depends_on id" : "branch label";
		(key == Key::kParents ? f.parents_line : key == Key::kDependsOn ? f.depends_on_line : f.branch_line) = line;
		for (std::string &word : Words(value)) {
			std::string reason = core::CheckRevisionId(word);
			if (reason.empty())
				list->push_back(std::move(word));
			else
				report.Add(line, std::string("invalid ") + what + " " + Quote(word) + ": it " + reason);
		}
		break;
	}
	}
}

} // namespace

/* "file:line: message", or "file: message" for the whole file. */
std::string
Diagnostic::Format() const
{
	if (line == 0)
		return file + ": " + message;
	return file + ":" + std::to_string(line) + ": " + message;
}

/*
 * Reads one file: encoding checks, then the header, then the bodies (see the
 * file header).  Every problem is reported, in line order; the migration is
 * returned when it has a valid revision id.
 */
ParsedFile
ParseMigrationFile(std::string_view path, std::string_view content)
{
	Reporter report(path);
	MigrationFile f;
	f.path = std::string(path);

	if (content.substr(0, 3) == "\xEF\xBB\xBF")
		content.remove_prefix(3);
	std::size_t nul = content.find('\0');
	if (nul != std::string_view::npos)
		report.Add(LineOf(content, nul), "the file contains a NUL byte");
	std::size_t bad = FirstInvalidUtf8(content);
	if (bad != std::string_view::npos) {
		char byte[8];
		std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned>(static_cast<unsigned char>(content[bad])));
		report.Add(LineOf(content, bad), std::string("the file is not valid UTF-8 (byte ") + byte + ")");
	}

	const std::vector<Line> lines = SplitLines(content);

	/* Header. */
	int seen[static_cast<std::size_t>(Key::kCount)] = {};
	std::size_t i = 0;
	bool extra = false;
	for (; i < lines.size(); i++) {
		std::string_view text = lines[i].text;
		if (IsBlankLine(text))
			continue;
		if (text.substr(0, kDirective.size()) != kDirective || IsDownMarker(text, &extra))
			break;
		const int line = LineNumber(i);
		std::string_view name = KeyOf(text);
		Key key = FindKey(name);
		if (key == Key::kCount) {
			if (name.empty())
				report.Add(line, "missing key after \"-- pgmig:\"");
			else
				report.Add(line, "unknown key " + Quote(name) +
									 " (expected revision, parents, depends_on, branch, message or nontransactional)");
			continue;
		}
		int &first = seen[static_cast<std::size_t>(key)];
		if (first != 0) {
			report.Add(line, "key " + Quote(name) + " given more than once (first on line " + std::to_string(first) +
								 ")");
			continue;
		}
		first = line;
		ReadKey(key, Trim(text.substr(kDirective.size() + name.size())), line, f, report);
	}
	if (seen[static_cast<std::size_t>(Key::kRevision)] == 0)
		report.Add(1, "missing \"-- pgmig:revision <id>\" line");

	/* Bodies: the first "-- pgmig:down", and any other "-- pgmig:" line. */
	const std::size_t up_start = i;
	std::size_t marker = lines.size();
	for (; i < lines.size(); i++) {
		std::string_view text = lines[i].text;
		if (text.substr(0, kDirective.size()) != kDirective)
			continue;
		const int line = LineNumber(i);
		if (IsDownMarker(text, &extra)) {
			if (marker == lines.size()) {
				marker = i;
				if (extra)
					report.Add(line, "unexpected text after \"-- pgmig:down\" (it must be alone on its line)");
			} else
				report.Add(line, "second \"-- pgmig:down\" line (the first is on line " +
									 std::to_string(LineNumber(marker)) + ")");
		} else if (marker == lines.size())
			report.Add(line, "unexpected " + Quote(text.substr(0, kDirective.size() + KeyOf(text).size())) +
								 " line in the up body (the header ends before line " +
								 std::to_string(LineNumber(up_start)) + ", the first line of SQL)");
		else
			report.Add(line, "unexpected " + Quote(text.substr(0, kDirective.size() + KeyOf(text).size())) +
								 " line in the down body");
	}

	f.up_line = LineNumber(up_start);
	f.up = BodyText(content, lines, up_start, marker);
	if (core::IsBlank(f.up))
		report.Add(f.up_line, "the up body is empty (nothing but blanks and comments)");
	if (marker < lines.size()) {
		f.down_line = LineNumber(marker + 1);
		f.down = BodyText(content, lines, marker + 1, lines.size());
	}

	ParsedFile result;
	result.diagnostics = report.Take();
	std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
					 [](const Diagnostic &a, const Diagnostic &b) { return a.line < b.line; });
	if (!f.revision.empty())
		result.file = std::move(f);
	return result;
}

} // namespace pgmig::client
