/*
 * test/fuzz/fuzz_importers.cpp
 *
 * libFuzzer target for the folder importers (client/core/importers).  The
 * input is a small folder: records separated by the byte 0x1e (ASCII record
 * separator), at most kMaxFiles of them.  A record "name 0x1f content" gives
 * its own path; a record without 0x1f is only content, and gets a path that
 * the format being fuzzed reads (Flyway's V1__first.sql, golang-migrate's
 * 1_first.up.sql, Sqitch's sqitch.plan, ...), so that plain SQL or a plain
 * plan reaches the parsers without the fuzzer having to find file names.
 * The folder is imported with every format.
 *
 * Invariants, any of which failing aborts with a message:
 *   - ImportFiles never crashes and is deterministic (same migrations,
 *     notes, errors and id map twice);
 *   - every note and error has a message; one about a given file has a line
 *     between 0 and the file's number of lines + 1;
 *   - the self-check of the importer never fires (no "does not read back"
 *     error): what the importer's own checks let through always makes valid
 *     pgmig files;
 *   - without errors: ids are valid and unique, paths are "<id>.sql", the
 *     id map pairs each migration in order, parents and dependencies name
 *     earlier migrations, up bodies are not blank and every body ends with a
 *     newline (or is empty), and the migrations render to files that
 *     CheckFolder reads back, without a diagnostic, as the same migrations.
 *
 * Build and run: see test/fuzz/README.md (seed corpus
 * test/fuzz/corpus/importers: the fixture projects of test/fixtures/import
 * as records, and a few small hand-made folders).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "graph.hpp"
#include "importers.hpp"
#include "migfile.hpp"
#include "sqltext.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
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
			std::fprintf(stderr, "fuzz_importers: invariant failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);    \
			std::abort();                                                                                            \
		}                                                                                                            \
	} while (0)

/* Record and name separators. */
constexpr char kRecordSeparator = '\x1e';
constexpr char kNameSeparator = '\x1f';

/* Most files in one input. */
constexpr std::size_t kMaxFiles = 8;

/* Paths given to unnamed records, per format, in record order (cycled). */
const std::vector<std::vector<std::string>> kDefaultNames = {
	/* Flyway */
	{"V1__first.sql", "U1__first.sql", "V1.1__second.sql", "V1.1__second.sql.conf", "V2__third.sql", "R__view.sql",
	 "sub/V3__fourth.sql", "B2__base.sql"},
	/* golang-migrate */
	{"1_first.up.sql", "1_first.down.sql", "2_second.up.sql", "2_second.down.sql", "03_third.up.sql",
	 "10_fourth.up.sql", "4_x.down.sql", "README.md"},
	/* dbmate */
	{"20240101000000_first.sql", "20240102000000_second.sql", "3_third.sql", "20240101000000_again.sql"},
	/* Diesel */
	{"2024-01-01-000000_first/up.sql", "2024-01-01-000000_first/down.sql", "2024-01-02-000000_second/up.sql",
	 "2024-01-02-000000_second/metadata.toml", "00000000000000_diesel_initial_setup/up.sql",
	 "20240103000000_third/down.sql"},
	/* Sqitch */
	{"sqitch.plan", "deploy/a.sql", "revert/a.sql", "deploy/b.sql", "verify/a.sql", "deploy/c.sql",
	 "deploy/a@v1.sql", "revert/b.sql"},
	/* Alembic */
	{"upgrade.sql", "README.md", "downgrade.sql", "other.sql"},
	/* a plain SQL folder */
	{"001_init.sql", "002 users.sql", "010_orders.sql", "create_index.sql", "001-init.sql", "sub/x.sql", "README.md"},
};

/* Number of lines of a text (a last line without "\n" counts). */
int
CountLines(std::string_view text)
{
	int n = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
	return n + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

/* Everything an import returned, as one string, for the determinism check. */
std::string
Fingerprint(const ImportResult &r)
{
	std::string out;
	for (const MigrationFile &m : r.migrations)
		out += RenderMigrationFile(m) + "\x01" + m.path + "\x02";
	for (const ImportNote &n : r.notes)
		out += "N" + n.Format() + "\x03";
	for (const ImportNote &n : r.errors)
		out += "E" + n.Format() + "\x03";
	for (const auto &[tool, id] : r.id_map)
		out += "M" + tool + "\x04" + id + "\x03";
	return out;
}

/* The invariants of one import of a folder. */
void
CheckImport(ImportFormat format, const std::vector<std::pair<std::string, std::string>> &files)
{
	ImportResult r = ImportFiles(format, files);
	FUZZ_CHECK(Fingerprint(ImportFiles(format, files)) == Fingerprint(r));

	for (const std::vector<ImportNote> *list : {&r.notes, &r.errors}) {
		for (const ImportNote &n : *list) {
			FUZZ_CHECK(!n.message.empty());
			FUZZ_CHECK(n.line >= 0);
			auto it = std::find_if(files.begin(), files.end(), [&n](const auto &f) { return f.first == n.file; });
			if (it != files.end())
				FUZZ_CHECK(n.line <= CountLines(it->second) + 1);
		}
	}
	for (const ImportNote &e : r.errors) {
		/* Messages start with fixed text (user text is quoted later on), so the prefix identifies it. */
		if (e.message.rfind("the imported file does not read back: ", 0) == 0) {
			std::fprintf(stderr, "fuzz_importers: self-check fired: %s\n", e.Format().c_str());
			std::abort();
		}
	}
	if (!r.ok())
		return;

	FUZZ_CHECK(r.id_map.size() == r.migrations.size());
	std::set<std::string> seen;
	std::vector<std::pair<std::string, std::string>> rendered;
	for (std::size_t k = 0; k < r.migrations.size(); k++) {
		const MigrationFile &m = r.migrations[k];
		FUZZ_CHECK(pgmig::core::CheckRevisionId(m.revision).empty());
		FUZZ_CHECK(m.path == m.revision + ".sql");
		FUZZ_CHECK(r.id_map[k].second == m.revision);
		for (const std::string &p : m.parents)
			FUZZ_CHECK(seen.count(p) == 1);
		for (const std::string &d : m.depends_on)
			FUZZ_CHECK(seen.count(d) == 1);
		FUZZ_CHECK(seen.insert(m.revision).second);
		FUZZ_CHECK(!pgmig::core::IsBlank(m.up));
		FUZZ_CHECK(m.up.back() == '\n');
		FUZZ_CHECK(!m.down || m.down->empty() || m.down->back() == '\n');
		rendered.emplace_back(m.path, RenderMigrationFile(m));
	}
	Folder folder = CheckFolder(rendered);
	if (!folder.ok()) {
		std::fprintf(stderr, "fuzz_importers: rendered files have problems: %s\n",
					 folder.diagnostics[0].Format().c_str());
		std::abort();
	}
	for (const MigrationFile &m : r.migrations) {
		const MigrationFile *back = folder.Find(m.revision);
		FUZZ_CHECK(back != nullptr);
		FUZZ_CHECK(back->parents == m.parents && back->depends_on == m.depends_on && back->message == m.message &&
				   back->nontransactional == m.nontransactional && back->up == m.up && back->down == m.down &&
				   back->up_line == m.up_line && back->down_line == m.down_line);
	}
}

} // namespace

/* libFuzzer entry point: the input as a folder, imported with every format. */
extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const std::string_view input(reinterpret_cast<const char *>(data), size);
	std::vector<std::string_view> records;
	for (std::size_t at = 0; records.size() < kMaxFiles;) {
		std::size_t end = input.find(kRecordSeparator, at);
		records.push_back(input.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
		if (end == std::string_view::npos)
			break;
		at = end + 1;
	}

	const ImportFormat formats[] = {ImportFormat::kFlyway, ImportFormat::kGolangMigrate, ImportFormat::kDbmate,
									ImportFormat::kDiesel, ImportFormat::kSqitch,        ImportFormat::kAlembicSql,
									ImportFormat::kPlainSql};
	for (std::size_t f = 0; f < std::size(formats); f++) {
		std::vector<std::pair<std::string, std::string>> files;
		for (std::size_t k = 0; k < records.size(); k++) {
			std::string_view record = records[k];
			std::size_t cut = record.find(kNameSeparator);
			if (cut != std::string_view::npos)
				files.emplace_back(std::string(record.substr(0, cut)), std::string(record.substr(cut + 1)));
			else
				files.emplace_back(kDefaultNames[f][k % kDefaultNames[f].size()], std::string(record));
		}
		CheckImport(formats[f], files);
	}
	return 0;
}
