/*
 * test/fuzz/fuzz_migfile.cpp
 *
 * libFuzzer target for the migration-file reader and writer
 * (client/core/migfile) and the graph renderings (client/core/render).  The
 * input bytes are used twice: whole, as the one file "a.sql" of a folder;
 * and, when they contain the separator byte 0x1e (ASCII record separator),
 * split at its first occurrence into the two files "a.sql" and "b.sql" of
 * another folder, so that the cross-file checks (duplicate ids, parents in
 * the other file, cycles, clashing labels) get exercised.
 *
 * Invariants, any of which failing aborts with a message:
 *   - ParseMigrationFile and CheckFolder never crash and are deterministic;
 *   - every Diagnostic names one of the given files, has a message, and a
 *     line between 0 and the file's number of lines + 1;
 *   - a parsed file's line numbers are in range and its bodies are taken
 *     from the file;
 *   - when ParseMigrationFile returns a file with no diagnostics,
 *     RenderMigrationFile gives text that parses back, without
 *     diagnostics, to the same migration, and rendering that again gives
 *     the same text;
 *   - MapServerMessage maps body line 1 of a clean folder's file to its
 *     up_line (or down_line), and leaves other text alone;
 *   - ChecksumBody gives 64 hexadecimal digits, MakeRevisionId a valid id;
 *   - the tree, dot and Mermaid renderings of the folder's revisions do not
 *     crash, and the tree has a "*" row for every revision.
 *
 * Build and run: see test/fuzz/README.md (the same as fuzz_graph, with the
 * seed corpus test/fuzz/corpus/migfile).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "graph.hpp"
#include "migfile.hpp"
#include "render.hpp"
#include "sha256.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace pgmig::client;

namespace {

/* Aborts with a message when an invariant does not hold. */
#define FUZZ_CHECK(cond)                                                                                             \
	do {                                                                                                             \
		if (!(cond)) {                                                                                               \
			std::fprintf(stderr, "fuzz_migfile: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
			std::abort();                                                                                            \
		}                                                                                                            \
	} while (0)

/* The byte that splits the input into two files. */
constexpr char kSeparator = '\x1e';

/* Number of lines of a text, split on "\n" (a last line without one counts). */
int
CountLines(std::string_view text)
{
	int n = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
	return n + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

/* The content fields of two migrations are equal (paths and line numbers aside). */
bool
SameContent(const MigrationFile &a, const MigrationFile &b)
{
	return a.revision == b.revision && a.parents == b.parents && a.depends_on == b.depends_on &&
		a.branch_labels == b.branch_labels && a.message == b.message && a.nontransactional == b.nontransactional &&
		a.up == b.up && a.down == b.down;
}

/* The invariants of one file on its own. */
void
CheckFile(const std::string &path, std::string_view content)
{
	const int lines = CountLines(content);
	ParsedFile p = ParseMigrationFile(path, content);
	for (const Diagnostic &d : p.diagnostics) {
		FUZZ_CHECK(d.file == path);
		FUZZ_CHECK(!d.message.empty());
		FUZZ_CHECK(d.line >= 0 && d.line <= lines + 1);
	}
	ParsedFile again = ParseMigrationFile(path, content);
	FUZZ_CHECK(again.diagnostics.size() == p.diagnostics.size());
	FUZZ_CHECK(again.file.has_value() == p.file.has_value());
	if (!p.file)
		return;

	const MigrationFile &f = *p.file;
	FUZZ_CHECK(pgmig::core::CheckRevisionId(f.revision).empty());
	FUZZ_CHECK(f.revision_line >= 1 && f.revision_line <= lines);
	FUZZ_CHECK(f.up_line >= 1 && f.up_line <= lines + 1);
	FUZZ_CHECK(content.find(f.up) != std::string_view::npos);
	if (f.down) {
		FUZZ_CHECK(f.down_line > f.up_line && f.down_line <= lines + 1);
		FUZZ_CHECK(content.find(*f.down) != std::string_view::npos);
	}
	FUZZ_CHECK(pgmig::core::ChecksumBody(f.up).size() == 64);
	if (!p.diagnostics.empty())
		return;

	/* Clean: the canonical text reads back as the same migration, and is a fixed point. */
	const std::string text = RenderMigrationFile(f);
	ParsedFile back = ParseMigrationFile(path, text);
	if (!back.diagnostics.empty()) {
		std::fprintf(stderr, "fuzz_migfile: rendered text has problems: %s\n",
					 back.diagnostics[0].Format().c_str());
		std::abort();
	}
	FUZZ_CHECK(back.file.has_value());
	FUZZ_CHECK(SameContent(*back.file, f));
	FUZZ_CHECK(RenderMigrationFile(*back.file) == text);
}

/* The invariants of a folder of the given files. */
void
CheckFolderOf(const std::vector<std::pair<std::string, std::string>> &files)
{
	Folder folder = CheckFolder(files);
	for (const Diagnostic &d : folder.diagnostics) {
		auto it = std::find_if(files.begin(), files.end(), [&d](const auto &f) { return f.first == d.file; });
		FUZZ_CHECK(it != files.end());
		FUZZ_CHECK(!d.message.empty());
		FUZZ_CHECK(d.line >= 0 && d.line <= CountLines(it->second) + 1);
	}
	Folder again = CheckFolder(files);
	FUZZ_CHECK(again.diagnostics.size() == folder.diagnostics.size());
	for (std::size_t k = 0; k < folder.diagnostics.size(); k++)
		FUZZ_CHECK(again.diagnostics[k].Format() == folder.diagnostics[k].Format());
	for (std::size_t k = 1; k < folder.files.size(); k++)
		FUZZ_CHECK(folder.files[k - 1].path <= folder.files[k].path);

	std::vector<std::string> heads = folder.Heads();
	FUZZ_CHECK(folder.ok() ? (folder.files.empty() || !heads.empty()) : heads.empty());
	if (folder.ok()) {
		for (const MigrationFile &f : folder.files) {
			FUZZ_CHECK(folder.Find(f.revision) == &f);
			std::string up = MapServerMessage(folder, "revision \"" + f.revision + "\", line 1: boom");
			FUZZ_CHECK(up == f.path + ":" + std::to_string(f.up_line) + ": boom");
			std::string down = MapServerMessage(folder, "revision \"" + f.revision + "\" (down body), line 2: boom");
			FUZZ_CHECK(f.down ? down == f.path + ":" + std::to_string(f.down_line + 1) + ": boom"
							  : down == "revision \"" + f.revision + "\" (down body), line 2: boom");
		}
	}

	/* Renderings of whatever was read (valid or not). */
	std::vector<RenderNode> nodes;
	for (const MigrationFile &f : folder.files)
		nodes.push_back({f.revision, f.parents, f.depends_on, f.branch_labels, f.message.value_or(""),
						 f.nontransactional});
	std::string tree = RenderTree(nodes, nodes.size() % 2 == 0);
	std::size_t rows = 0;
	for (std::size_t at = 0; at < tree.size();) {
		std::size_t end = tree.find('\n', at);
		FUZZ_CHECK(end != std::string::npos);
		std::string_view line(tree.data() + at, end - at);
		rows += line.find('*') != std::string_view::npos && line.find('*') < 2 * nodes.size() + 1 ? 1 : 0;
		at = end + 1;
	}
	FUZZ_CHECK(rows >= nodes.size());
	FUZZ_CHECK(RenderDot(nodes).find("digraph pgmig {") == 0);
	FUZZ_CHECK(RenderMermaid(nodes).find("graph TD\n") == 0);
}

} // namespace

/* libFuzzer entry point: the input as one file, and split in two at the separator. */
extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const std::string input(reinterpret_cast<const char *>(data), size);
	CheckFile("a.sql", input);
	CheckFolderOf({{"a.sql", input}});

	std::size_t cut = input.find(kSeparator);
	if (cut != std::string::npos) {
		std::string first = input.substr(0, cut);
		std::string second = input.substr(cut + 1);
		CheckFile("b.sql", second);
		CheckFolderOf({{"b.sql", second}, {"a.sql", first}});
	}

	/* Ids from arbitrary messages and times. */
	std::time_t when = 0;
	for (std::size_t k = 0; k < std::min<std::size_t>(size, 8); k++)
		when = static_cast<std::time_t>((static_cast<std::uint64_t>(when) << 8) | data[k]);
	FUZZ_CHECK(pgmig::core::CheckRevisionId(MakeRevisionId(when, input)).empty());
	return 0;
}
