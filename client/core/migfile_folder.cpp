/*
 * client/core/migfile_folder.cpp
 *
 * A folder of migration files (CheckFolder, ReadFolder, Folder, and
 * MapServerMessage, migfile.hpp); docs/format.md describes the checks.
 *
 * A folder is checked file by file (ParseMigrationFile), then as a whole.
 * Duplicate ids across files are found here (the later file is reported,
 * naming the earlier one) and only the first definition of an id goes into
 * core::Graph::Build, so every Problem it returns names a revision defined
 * by exactly one file; the problem is then reported at the header line it is
 * about (the parents line for an unknown parent, the branch line for a
 * clashing label, ...).
 *
 * A large folder is read and parsed on a few threads (parallel.hpp); the
 * results are merged in file order, so the diagnostics are the same as with
 * one thread.  The graph CheckFolder builds is kept in the Folder, so that
 * Heads and AncestorIds do not build it again (a no-op `up` on 10,000 files
 * built it three times).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "migfile.hpp"

#include "graph.hpp"
#include "migfile_syntax.hpp"
#include "parallel.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <system_error>
#include <unordered_map>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pgmig::client {

/* The header syntax shared by the reader, the writer and the folder checks (migfile_syntax.hpp). */
using migfile_impl::Quote;

namespace {

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

/*
 * The graph of the folder's files: the one CheckFolder built when files has
 * kept its size (the graph is built once per run, not once per question),
 * else built now from the first definition of each id; nullptr when it has
 * problems.
 */
const core::Graph *
Folder::Graph(std::shared_ptr<const core::Graph> &hold) const
{
	if (graph_ && graph_files_ == files.size())
		return graph_.get();
	std::vector<const MigrationFile *> all;
	all.reserve(files.size());
	for (const MigrationFile &f : files)
		all.push_back(&f);
	core::Graph::BuildResult built = core::Graph::Build(GraphInput(all));
	if (!built.problems.empty())
		return nullptr;
	hold = std::make_shared<const core::Graph>(std::move(built.graph));
	return hold.get();
}

/* Heads through core::Graph, in its order. */
std::vector<std::string>
Folder::Heads() const
{
	std::vector<std::string> heads;
	if (!ok())
		return heads;
	std::shared_ptr<const core::Graph> hold;
	const core::Graph *graph = Graph(hold);
	if (graph == nullptr)
		return heads;
	for (core::Index v : graph->Heads())
		heads.push_back(graph->id(v));
	return heads;
}

/* See migfile.hpp. */
std::optional<std::unordered_set<std::string>>
Folder::AncestorIds(std::string_view target) const
{
	if (!ok() || target.empty() || target[0] == '+' || target[0] == '-')
		return std::nullopt;
	/* X@+N, X@-N and X@base depend on what is applied, which the folder does not know */
	if (std::size_t at = target.rfind('@'); at != std::string_view::npos) {
		std::string_view suffix = target.substr(at + 1);
		if (suffix == "base" || (!suffix.empty() && (suffix[0] == '+' || suffix[0] == '-')))
			return std::nullopt;
	}
	std::shared_ptr<const core::Graph> hold;
	const core::Graph *graph = Graph(hold);
	if (graph == nullptr)
		return std::nullopt;
	core::Resolution r = core::ResolveTarget(*graph, target, std::vector<bool>(graph->size(), false));
	if (!r.ok())
		return std::nullopt;
	std::vector<bool> anc = graph->Ancestors(r.revisions);
	std::unordered_set<std::string> out;
	for (core::Index i = 0; i < anc.size(); i++)
		if (anc[i])
			out.insert(graph->id(i));
	return out;
}

/* See migfile.hpp. */
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

namespace {

/*
 * The files of a folder, each parsed on its own (ParseMigrationFile), in
 * name order: the migration of files[k] when it has one (has[k]) and its
 * diagnostics.  Filled on a few threads, each writing its own k, straight
 * into the vector the Folder then keeps (no second copy of 10,000
 * migrations).
 */
struct ParsedFolder {
	std::vector<std::string> paths;
	std::vector<MigrationFile> files;
	std::vector<char> has; /* not vector<bool>: threads write their own elements */
	std::vector<std::vector<Diagnostic>> diagnostics;

	explicit ParsedFolder(std::size_t n) : paths(n), files(n), has(n, 0), diagnostics(n) {}

	/* Stores the result of parsing file k. */
	void Take(std::size_t k, ParsedFile parsed)
	{
		diagnostics[k] = std::move(parsed.diagnostics);
		if (parsed.file) {
			files[k] = std::move(*parsed.file);
			has[k] = 1;
		}
	}
};

/*
 * The checks across the files of a parsed folder: duplicate ids and the
 * graph (see the file header); diagnostics end up ordered by file, then
 * line.
 */
Folder
CheckParsed(ParsedFolder parsed)
{
	const std::size_t n = parsed.paths.size();
	Folder folder;
	std::vector<std::pair<std::size_t, Diagnostic>> found; /* (file index, diagnostic) */
	std::vector<std::size_t> file_index;                   /* folder.files[k] came from file file_index[k] */
	file_index.reserve(n);
	std::size_t kept = 0;
	for (std::size_t k = 0; k < n; k++) {
		for (Diagnostic &d : parsed.diagnostics[k])
			found.emplace_back(k, std::move(d));
		if (parsed.has[k]) {
			if (kept != k)
				parsed.files[kept] = std::move(parsed.files[k]);
			kept++;
			file_index.push_back(k);
		}
	}
	parsed.files.resize(kept);
	folder.files = std::move(parsed.files);
	const std::vector<std::string> &paths = parsed.paths;

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
	if (built.problems.empty() && canonical.size() == folder.files.size()) {
		folder.KeepGraph(std::make_shared<const core::Graph>(std::move(built.graph)));
	}
	for (const core::Problem &p : built.problems) {
		auto it = first_by_id.find(p.revision);
		if (it == first_by_id.end()) {
			/* Not about one revision (cannot happen with files); report it on the first file. */
			found.emplace_back(0, Diagnostic{paths.empty() ? std::string() : paths[0], 0, p.message});
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

} // namespace

/* Parses the files on a few threads in name order, then checks them as a folder (CheckParsed). */
Folder
CheckFolder(std::vector<std::pair<std::string, std::string>> files)
{
	std::stable_sort(files.begin(), files.end(),
					 [](const auto &a, const auto &b) { return a.first < b.first; });
	ParsedFolder parsed(files.size());
	ParallelFor(files.size(), [&](std::size_t k) {
		parsed.paths[k] = files[k].first;
		parsed.Take(k, ParseMigrationFile(files[k].first, files[k].second));
	});
	return CheckParsed(std::move(parsed));
}

namespace {

/* Whether a directory entry is one of the folder's migration files: a
 * regular file whose name ends in ".sql". */
bool
IsMigrationEntry(const std::filesystem::directory_entry &entry)
{
	std::string name = entry.path().filename().string();
	if (name.size() < 4 || name.compare(name.size() - 4, 4, ".sql") != 0)
		return false;
	std::error_code type_ec;
	return entry.is_regular_file(type_ec);
}

} // namespace

/* See migfile.hpp. */
std::optional<std::size_t>
CountMigrationFiles(const std::string &dir)
{
	namespace fs = std::filesystem;
	std::error_code ec;
	std::size_t n = 0;
	fs::directory_iterator it(dir, ec);
	for (fs::directory_iterator end; !ec && it != end; it.increment(ec))
		n += IsMigrationEntry(*it) ? 1 : 0;
	if (ec)
		return std::nullopt;
	return n;
}

/*
 * Lists the .sql files of DIR, reads and parses each (on a few threads, in
 * one buffer per thread), and checks them as a folder; read failures
 * become diagnostics.
 */
Folder
ReadFolder(const std::string &dir, FileVisitor *visitor)
{
	namespace fs = std::filesystem;
	std::vector<Diagnostic> failures;
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
		if (IsMigrationEntry(*it))
			names.push_back(it->path().filename().string());
	}
	if (ec) {
		Folder folder;
		folder.diagnostics.push_back({dir, 0, "cannot read directory: " + ec.message()});
		return folder;
	}
	std::sort(names.begin(), names.end());
	/* Each thread reads a file into its one buffer and parses it there (the
	 * migration copies its bodies out), so a folder's bytes are never all
	 * in memory at once: on 10,000 files that was 2,000 pages to fault in. */
	ParsedFolder parsed(names.size());
	std::vector<std::string> errors(names.size());
	std::vector<char> ok(names.size(), 0);
	if (visitor)
		visitor->Start(names.size());
	ParallelFor(names.size(), [&](std::size_t i) {
		thread_local std::string content;
		parsed.paths[i] = (fs::path(dir) / names[i]).string();
		ok[i] = ReadWholeFile(parsed.paths[i], content, errors[i]);
		if (ok[i]) {
			parsed.Take(i, ParseMigrationFile(parsed.paths[i], content));
			if (visitor && parsed.has[i] && parsed.diagnostics[i].empty())
				visitor->File(i, parsed.files[i]);
		}
	});
	for (std::size_t i = 0; i < names.size(); i++)
		if (!ok[i])
			failures.push_back({parsed.paths[i], 0, "cannot read file: " + errors[i]});
	Folder folder = CheckParsed(std::move(parsed));
	folder.diagnostics.insert(folder.diagnostics.begin(), failures.begin(), failures.end());
	return folder;
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

} // namespace pgmig::client
