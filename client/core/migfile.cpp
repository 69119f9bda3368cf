/*
 * client/core/migfile.cpp
 *
 * The migration-file reader and writer declared in migfile.hpp; the format
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
 * sees every problem at once.
 *
 * A folder is checked file by file, then as a whole.  Duplicate ids across
 * files are found here (the later file is reported, naming the earlier one)
 * and only the first definition of an id goes into core::Graph::Build, so
 * every Problem it returns names a revision defined by exactly one file;
 * the problem is then reported at the header line it is about (the parents
 * line for an unknown parent, the branch line for a clashing label, ...).
 * Invalid ids and labels are reported by the per-file pass and left out of
 * the graph, so that they are not reported twice.
 *
 * A large folder is read and parsed on a few threads (parallel.hpp); the
 * results are merged in file order, so the diagnostics are the same as with
 * one thread.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "migfile.hpp"

#include "graph.hpp"
#include "parallel.hpp"
#include "sqltext.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <system_error>
#include <unordered_map>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pgmig::client {

namespace {

/* The prefix of every header line, and the down-body marker. */
constexpr std::string_view kDirective = "-- pgmig:";
constexpr std::string_view kDownMarker = "-- pgmig:down";

/* Longest piece of user text quoted in a diagnostic. */
constexpr std::size_t kMaxQuotedLength = 80;

/* Longest slug MakeRevisionId puts after the time. */
constexpr std::size_t kMaxSlugLength = 48;

/* Header keys, in canonical order. */
enum class Key { kRevision, kParents, kDependsOn, kBranch, kMessage, kNontransactional, kCount };
constexpr std::string_view kKeyNames[] = {"revision", "parents", "depends_on", "branch", "message",
										  "nontransactional"};

/* True when a line holds nothing but padding. */
bool
IsBlankLine(std::string_view text)
{
	return std::all_of(text.begin(), text.end(), IsPad);
}

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

/* The file line a graph problem is about, from its kind and the header lines of the file. */
int
ProblemLine(const core::Problem &p, const MigrationFile &f)
{
	int line = 0;
	switch (p.kind) {
	case core::ProblemKind::kUnknownParent:
		line = f.parents_line;
		break;
	case core::ProblemKind::kUnknownDependency:
		line = f.depends_on_line;
		break;
	case core::ProblemKind::kDuplicateParent:
		line = p.message.find(" lists parent ") != std::string::npos ? f.parents_line : f.depends_on_line;
		break;
	case core::ProblemKind::kSelfParent:
		line = p.message.size() >= 10 && p.message.compare(p.message.size() - 10, 10, "its parent") == 0
			? f.parents_line
			: f.depends_on_line;
		break;
	case core::ProblemKind::kDuplicateLabel:
	case core::ProblemKind::kInvalidId:
		line = f.branch_line;
		break;
	case core::ProblemKind::kCycle:
		line = f.parents_line != 0 ? f.parents_line : f.depends_on_line;
		break;
	default:
		break;
	}
	return line != 0 ? line : f.revision_line;
}

/* The graph input of a set of migrations. */
std::vector<core::RevisionInput>
GraphInput(const std::vector<const MigrationFile *> &files)
{
	std::vector<core::RevisionInput> input;
	input.reserve(files.size());
	for (const MigrationFile *f : files)
		input.push_back({f->revision, f->parents, f->depends_on, f->branch_labels});
	return input;
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

/*
 * Through the index by id (callers look up every file of a folder of up to
 * tens of thousands, so a linear search made them quadratic).  A hit is
 * checked against files, and the index is rebuilt when it does not match or
 * does not cover every file (files added, or duplicate ids, which fall back
 * to the linear search).  Renaming a revision in place is not detected: no
 * caller edits a folder after reading it.
 */
const MigrationFile *
Folder::Find(std::string_view revision) const
{
	auto lookup = [&]() -> std::optional<const MigrationFile *> {
		auto it = index_.find(std::string(revision));
		if (it == index_.end())
			return index_.size() == files.size() ? std::optional<const MigrationFile *>(nullptr) : std::nullopt;
		if (it->second < files.size() && files[it->second].revision == revision)
			return &files[it->second];
		return std::nullopt;
	};
	if (auto hit = lookup())
		return *hit;
	index_.clear();
	for (std::size_t i = 0; i < files.size(); i++)
		index_.emplace(files[i].revision, i);
	if (auto hit = lookup())
		return *hit;
	for (const MigrationFile &f : files)
		if (f.revision == revision)
			return &f;
	return nullptr;
}

/* Heads through core::Graph, in its order. */
std::vector<std::string>
Folder::Heads() const
{
	std::vector<std::string> heads;
	if (!ok())
		return heads;
	std::vector<const MigrationFile *> all;
	for (const MigrationFile &f : files)
		all.push_back(&f);
	core::Graph::BuildResult built = core::Graph::Build(GraphInput(all));
	if (!built.problems.empty())
		return heads;
	for (core::Index v : built.graph.Heads())
		heads.push_back(built.graph.id(v));
	return heads;
}

/* See migfile.hpp. */
std::optional<std::unordered_set<std::string>>
Folder::AncestorIds(std::string_view target) const
{
	if (!ok() || target.empty() || target[0] == '+' || target[0] == '-')
		return std::nullopt;
	std::vector<const MigrationFile *> all;
	for (const MigrationFile &f : files)
		all.push_back(&f);
	core::Graph::BuildResult built = core::Graph::Build(GraphInput(all));
	if (!built.problems.empty())
		return std::nullopt;
	core::Resolution r = core::ResolveTarget(built.graph, target, std::vector<bool>(built.graph.size(), false));
	if (!r.ok())
		return std::nullopt;
	std::vector<bool> anc = built.graph.Ancestors(r.revisions);
	std::unordered_set<std::string> out;
	for (core::Index i = 0; i < anc.size(); i++)
		if (anc[i])
			out.insert(built.graph.id(i));
	return out;
}

namespace {

/*
 * Reads the whole file at path into out; on failure returns false with the
 * system's text for errno in error (std::generic_category, which unlike
 * strerror is safe on several threads).
 */
bool
ReadWholeFile(const std::string &path, std::string &out, std::string &error)
{
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		error = std::generic_category().message(errno);
		return false;
	}
	struct stat st;
	std::size_t size = 0;
	if (::fstat(fd, &st) == 0 && st.st_size > 0)
		size = static_cast<std::size_t>(st.st_size);
	/* one byte more than the size, so that a file grown since fstat is read
	 * on to its end */
	out.resize(size + 1);
	std::size_t used = 0;
	for (;;) {
		if (used == out.size())
			out.resize(out.size() * 2);
		ssize_t got = ::read(fd, &out[used], out.size() - used);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			error = std::generic_category().message(errno);
			::close(fd);
			return false;
		}
		if (got == 0)
			break;
		used += static_cast<std::size_t>(got);
	}
	::close(fd);
	out.resize(used);
	return true;
}

} // namespace

/*
 * Checks the files one by one, then duplicate ids and the graph (see the
 * file header); diagnostics end up ordered by file, then line.
 */
Folder
CheckFolder(std::vector<std::pair<std::string, std::string>> files)
{
	std::stable_sort(files.begin(), files.end(),
					 [](const auto &a, const auto &b) { return a.first < b.first; });
	Folder folder;
	std::vector<std::pair<std::size_t, Diagnostic>> found; /* (file index, diagnostic) */
	std::vector<std::size_t> file_index;                   /* folder.files[k] came from files[file_index[k]] */
	std::vector<ParsedFile> parsed_files(files.size());
	ParallelFor(files.size(), [&](std::size_t k) { parsed_files[k] = ParseMigrationFile(files[k].first, files[k].second); });
	for (std::size_t k = 0; k < files.size(); k++) {
		ParsedFile &parsed = parsed_files[k];
		for (Diagnostic &d : parsed.diagnostics)
			found.emplace_back(k, std::move(d));
		if (parsed.file) {
			folder.files.push_back(std::move(*parsed.file));
			file_index.push_back(k);
		}
	}

	/* Duplicate ids: the later file is reported; only first definitions go to the graph. */
	std::unordered_map<std::string, std::size_t> first_by_id;
	std::vector<const MigrationFile *> canonical;
	std::vector<std::size_t> canonical_index;
	for (std::size_t k = 0; k < folder.files.size(); k++) {
		const MigrationFile &f = folder.files[k];
		auto [it, inserted] = first_by_id.emplace(f.revision, k);
		if (inserted) {
			canonical.push_back(&f);
			canonical_index.push_back(k);
			continue;
		}
		const MigrationFile &earlier = folder.files[it->second];
		found.emplace_back(file_index[k], Diagnostic{f.path, f.revision_line,
													 "revision " + Quote(f.revision) + " is also defined in " +
														 earlier.path + ":" + std::to_string(earlier.revision_line)});
	}

	core::Graph::BuildResult built = core::Graph::Build(GraphInput(canonical));
	for (const core::Problem &p : built.problems) {
		auto it = first_by_id.find(p.revision);
		if (it == first_by_id.end()) {
			/* Not about one revision (cannot happen with files); report it on the first file. */
			found.emplace_back(0, Diagnostic{files.empty() ? std::string() : files[0].first, 0, p.message});
			continue;
		}
		const MigrationFile &f = folder.files[it->second];
		found.emplace_back(file_index[it->second], Diagnostic{f.path, ProblemLine(p, f), p.message});
	}

	std::stable_sort(found.begin(), found.end(), [](const auto &a, const auto &b) {
		if (a.first != b.first)
			return a.first < b.first;
		return a.second.line < b.second.line;
	});
	for (auto &entry : found)
		folder.diagnostics.push_back(std::move(entry.second));
	return folder;
}

/* Lists the .sql files of DIR, reads each file whole, and checks them; read failures become diagnostics. */
Folder
ReadFolder(const std::string &dir)
{
	namespace fs = std::filesystem;
	std::vector<Diagnostic> failures;
	std::vector<std::pair<std::string, std::string>> files;
	std::error_code ec;
	fs::directory_iterator it(dir, ec);
	if (ec) {
		Folder folder;
		folder.diagnostics.push_back({dir, 0, "cannot read directory: " + ec.message()});
		return folder;
	}
	std::vector<std::string> names;
	for (fs::directory_iterator end; it != end; it.increment(ec)) {
		if (ec)
			break;
		std::string name = it->path().filename().string();
		if (name.size() < 4 || name.compare(name.size() - 4, 4, ".sql") != 0)
			continue;
		std::error_code type_ec;
		if (!it->is_regular_file(type_ec))
			continue;
		names.push_back(std::move(name));
	}
	if (ec) {
		Folder folder;
		folder.diagnostics.push_back({dir, 0, "cannot read directory: " + ec.message()});
		return folder;
	}
	std::sort(names.begin(), names.end());
	std::vector<std::string> paths(names.size()), contents(names.size()), errors(names.size());
	std::vector<char> ok(names.size(), 0);
	for (std::size_t i = 0; i < names.size(); i++)
		paths[i] = (fs::path(dir) / names[i]).string();
	ParallelFor(names.size(), [&](std::size_t i) { ok[i] = ReadWholeFile(paths[i], contents[i], errors[i]); });
	for (std::size_t i = 0; i < names.size(); i++) {
		if (!ok[i]) {
			failures.push_back({paths[i], 0, "cannot read file: " + errors[i]});
			continue;
		}
		files.emplace_back(std::move(paths[i]), std::move(contents[i]));
	}
	Folder folder = CheckFolder(std::move(files));
	folder.diagnostics.insert(folder.diagnostics.begin(), failures.begin(), failures.end());
	return folder;
}

/* Canonical text: header keys in a fixed order with aligned values, the bodies as they are. */
std::string
RenderMigrationFile(const MigrationFile &f)
{
	std::string out;
	auto key = [&out](Key k, const std::string &value) {
		std::string name(kKeyNames[static_cast<std::size_t>(k)]);
		out += std::string(kDirective) + name;
		if (!value.empty()) {
			out.append(name.size() < 10 ? 11 - name.size() : 1, ' ');
			out += value;
		}
		out += '\n';
	};
	auto join = [](const std::vector<std::string> &words) {
		std::string s;
		for (const std::string &w : words)
			s += (s.empty() ? "" : " ") + w;
		return s;
	};
	key(Key::kRevision, f.revision);
	if (!f.parents.empty())
		key(Key::kParents, join(f.parents));
	if (!f.depends_on.empty())
		key(Key::kDependsOn, join(f.depends_on));
	if (!f.branch_labels.empty())
		key(Key::kBranch, join(f.branch_labels));
	if (f.message && !f.message->empty())
		key(Key::kMessage, *f.message);
	if (f.nontransactional)
		key(Key::kNontransactional, {});
	out += f.up;
	if (f.down) {
		if (!f.up.empty() && f.up.back() != '\n')
			out += '\n';
		out += '\n';
		out += std::string(kDownMarker) + "\n";
		out += *f.down;
	}
	return out;
}

/* Time stamp plus slug (see migfile.hpp); times outside years 0..9999 are clamped. */
std::string
MakeRevisionId(std::time_t when_utc, std::string_view message)
{
	constexpr std::time_t kLatest = static_cast<std::time_t>(253402300799LL); /* 9999-12-31 23:59:59 */
	constexpr std::time_t kEarliest = static_cast<std::time_t>(-62167219200LL); /* 0000-01-01 00:00:00 */
	std::time_t t = std::min(std::max(when_utc, kEarliest), kLatest);
	std::tm tm{};
	if (gmtime_r(&t, &tm) == nullptr) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	char stamp[32];
	std::snprintf(stamp, sizeof stamp, "%04d%02d%02d_%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				  tm.tm_hour, tm.tm_min, tm.tm_sec);

	std::string slug;
	bool gap = false;
	for (char ch : message) {
		unsigned char c = static_cast<unsigned char>(ch);
		if (c >= 'A' && c <= 'Z')
			c = static_cast<unsigned char>(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (gap && !slug.empty())
				slug.push_back('_');
			slug.push_back(static_cast<char>(c));
			gap = false;
			if (slug.size() >= kMaxSlugLength)
				break;
		} else
			gap = true;
	}
	if (slug.size() > kMaxSlugLength)
		slug.resize(kMaxSlugLength);
	while (!slug.empty() && slug.back() == '_')
		slug.pop_back();
	return slug.empty() ? std::string(stamp) : std::string(stamp) + "_" + slug;
}

/* Parses "revision \"X\"[ (down body)], line N: rest" and maps it through the folder. */
std::string
MapServerMessage(const Folder &folder, std::string_view message)
{
	constexpr std::string_view kPrefix = "revision \"";
	constexpr std::string_view kDown = " (down body)";
	constexpr std::string_view kLine = ", line ";
	const std::string unchanged(message);
	if (message.substr(0, kPrefix.size()) != kPrefix)
		return unchanged;
	std::string_view rest = message.substr(kPrefix.size());
	std::size_t close = rest.find('"');
	if (close == std::string_view::npos)
		return unchanged;
	std::string_view id = rest.substr(0, close);
	rest.remove_prefix(close + 1);
	bool down = false;
	if (rest.substr(0, kDown.size()) == kDown) {
		down = true;
		rest.remove_prefix(kDown.size());
	}
	if (rest.substr(0, kLine.size()) != kLine)
		return unchanged;
	rest.remove_prefix(kLine.size());
	long long n = 0;
	std::size_t digits = 0;
	while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9' && digits < 9)
		n = n * 10 + (rest[digits++] - '0');
	if (digits == 0 || n < 1 || digits >= rest.size() || rest[digits] != ':')
		return unchanged;
	rest.remove_prefix(digits + 1);
	if (!rest.empty() && rest.front() == ' ')
		rest.remove_prefix(1);

	const MigrationFile *f = folder.Find(id);
	if (f == nullptr || (down && !f->down))
		return unchanged;
	long long line = (down ? f->down_line : f->up_line) + n - 1;
	return f->path + ":" + std::to_string(line) + ": " + std::string(rest);
}

/* See migfile.hpp. */
std::size_t
Utf8SequenceLength(std::string_view text, std::size_t i)
{
	unsigned char c = static_cast<unsigned char>(text[i]);
	if (c < 0x80)
		return 1;
	std::size_t length;
	unsigned char low = 0x80, high = 0xbf; /* range of the second byte */
	if (c >= 0xc2 && c <= 0xdf)
		length = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		length = 3;
		if (c == 0xe0)
			low = 0xa0;
		else if (c == 0xed)
			high = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		length = 4;
		if (c == 0xf0)
			low = 0x90;
		else if (c == 0xf4)
			high = 0x8f;
	} else
		return 0;
	if (text.size() - i < length)
		return 0;
	unsigned char second = static_cast<unsigned char>(text[i + 1]);
	if (second < low || second > high)
		return 0;
	for (std::size_t k = 2; k < length; k++) {
		if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80)
			return 0;
	}
	return length;
}

/* See migfile.hpp. */
std::size_t
FirstInvalidUtf8(std::string_view text)
{
	for (std::size_t i = 0; i < text.size();) {
		std::size_t n = Utf8SequenceLength(text, i);
		if (n == 0)
			return i;
		i += n;
	}
	return std::string_view::npos;
}

/* See migfile.hpp. */
bool
IsPad(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* See migfile.hpp. */
std::string_view
Trim(std::string_view text)
{
	while (!text.empty() && IsPad(text.front()))
		text.remove_prefix(1);
	while (!text.empty() && IsPad(text.back()))
		text.remove_suffix(1);
	return text;
}

} // namespace pgmig::client
