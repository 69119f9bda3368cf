/*
 * test/unit/test_importers.cpp
 *
 * Unit tests of the folder importers (client/core/importers): per tool, the
 * revision ids, parents, dependencies, bodies (byte for byte, with exactly
 * the documented strips), down bodies, non-transactional flags, id mapping
 * and notes, asserting the exact "file:line: message" text of notes and
 * errors so that a change of wording or of the reported line is deliberate;
 * the error cases (duplicate versions, a down without an up, unreadable plan
 * lines, bad encodings, lines that would read as pgmig headers); the SQL
 * lexer through its visible effects (quotes, dollar quotes, comments and
 * BEGIN ATOMIC bodies do not confuse the strips); a randomized property of
 * the body trimming; and the fixture projects under test/fixtures/import,
 * read with ImportDirectory, whose every migration must render and read
 * back through CheckFolder without a diagnostic.
 *
 * Most tests use the in-memory ImportFiles; the fixture tests find their
 * folders through the compile definition PGMIG_SOURCE_DIR (CMakeLists.txt).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "graph.hpp"
#include "importers.hpp"
#include "migfile.hpp"
#include "sqltext.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#ifndef PGMIG_SOURCE_DIR
#error "PGMIG_SOURCE_DIR must name the source tree (set by CMakeLists.txt)"
#endif

using namespace pgmig::client;

namespace {

using Files = std::vector<std::pair<std::string, std::string>>;
using Strings = std::vector<std::string>;

/* Notes or errors, formatted, one per line. */
std::string
Lines(const std::vector<ImportNote> &notes)
{
	std::string out;
	for (const ImportNote &n : notes)
		out += n.Format() + "\n";
	return out;
}

/* The revision ids, in apply order. */
Strings
Ids(const ImportResult &r)
{
	Strings ids;
	for (const MigrationFile &m : r.migrations)
		ids.push_back(m.revision);
	return ids;
}

/* The migration with an id (a test failure, and a static empty one, when absent). */
const MigrationFile &
Get(const ImportResult &r, const std::string &id)
{
	for (const MigrationFile &m : r.migrations) {
		if (m.revision == id)
			return m;
	}
	ADD_FAILURE() << "no migration " << id << " among " << ::testing::PrintToString(Ids(r));
	static const MigrationFile kNone;
	return kNone;
}

/*
 * The property every import must have: no error, and each migration renders
 * to a file that CheckFolder reads back, without a diagnostic, as the same
 * migration (path and line numbers included: the importer returns what was
 * read back).
 */
void
ExpectReadsBack(const ImportResult &r)
{
	ASSERT_TRUE(r.ok()) << Lines(r.errors);
	Files rendered;
	for (const MigrationFile &m : r.migrations)
		rendered.emplace_back(m.path, RenderMigrationFile(m));
	Folder folder = CheckFolder(rendered);
	std::string problems;
	for (const Diagnostic &d : folder.diagnostics)
		problems += d.Format() + "\n";
	ASSERT_TRUE(folder.ok()) << problems;
	ASSERT_EQ(folder.files.size(), r.migrations.size());
	for (const MigrationFile &m : r.migrations) {
		const MigrationFile *back = folder.Find(m.revision);
		ASSERT_NE(back, nullptr) << m.revision;
		EXPECT_EQ(back->path, m.path);
		EXPECT_EQ(m.path, m.revision + ".sql");
		EXPECT_EQ(back->parents, m.parents) << m.revision;
		EXPECT_EQ(back->depends_on, m.depends_on) << m.revision;
		EXPECT_EQ(back->message, m.message) << m.revision;
		EXPECT_EQ(back->nontransactional, m.nontransactional) << m.revision;
		EXPECT_EQ(back->up, m.up) << m.revision;
		EXPECT_EQ(back->down, m.down) << m.revision;
		EXPECT_EQ(back->up_line, m.up_line) << m.revision;
		EXPECT_EQ(back->down_line, m.down_line) << m.revision;
		EXPECT_FALSE(pgmig::core::IsBlank(m.up)) << m.revision;
	}
	/* Parents come earlier in apply order. */
	for (std::size_t k = 0; k < r.migrations.size(); k++) {
		for (const std::string &p : r.migrations[k].parents) {
			bool earlier = false;
			for (std::size_t j = 0; j < k; j++)
				earlier = earlier || r.migrations[j].revision == p;
			EXPECT_TRUE(earlier) << r.migrations[k].revision << " has parent " << p;
		}
	}
}

/* The fixture folder of a tool. */
std::string
Fixture(const std::string &tool)
{
	return std::string(PGMIG_SOURCE_DIR) + "/test/fixtures/import/" + tool;
}

/* A small Sqitch plan line for tests. */
std::string
PlanLine(const std::string &name_and_requires, const std::string &note = "")
{
	return name_and_requires + " 2024-02-01T10:00:00Z Marge N. O'Vera <marge@example.com>" +
		(note.empty() ? "" : " # " + note) + "\n";
}

/* The header of a Sqitch plan for project "flipr". */
const std::string kPlanHead = "%syntax-version=1.0.0\n%project=flipr\n\n";

/* ---- Formats and notes. ---- */

/* Every command-line name, exactly; anything else is refused; the names round-trip. */
TEST(ImportFormats, ParseAndName)
{
	const std::vector<std::pair<std::string, ImportFormat>> names = {
		{"flyway", ImportFormat::kFlyway}, {"golang-migrate", ImportFormat::kGolangMigrate},
		{"dbmate", ImportFormat::kDbmate}, {"diesel", ImportFormat::kDiesel},
		{"sqitch", ImportFormat::kSqitch}, {"alembic-sql", ImportFormat::kAlembicSql}};
	for (const auto &[name, format] : names) {
		EXPECT_EQ(ParseImportFormat(name), format) << name;
		EXPECT_EQ(ImportFormatName(format), name);
	}
	for (const char *bad : {"", "Flyway", "golang_migrate", "migrate", "alembic", "sqitch ", "liquibase"})
		EXPECT_FALSE(ParseImportFormat(bad).has_value()) << bad;
}

/* "file:line: message", "file: message", or the message alone. */
TEST(ImportFormats, NoteFormat)
{
	EXPECT_EQ((ImportNote{"a/b.sql", 3, "boom"}).Format(), "a/b.sql:3: boom");
	EXPECT_EQ((ImportNote{"a/b.sql", 0, "boom"}).Format(), "a/b.sql: boom");
	EXPECT_EQ((ImportNote{"", 0, "boom"}).Format(), "boom");
}

/* An empty folder imports nothing, without a note (Sqitch and Alembic need their one file). */
TEST(ImportFormats, EmptyFolders)
{
	for (ImportFormat f : {ImportFormat::kFlyway, ImportFormat::kGolangMigrate, ImportFormat::kDbmate,
						   ImportFormat::kDiesel}) {
		ImportResult r = ImportFiles(f, {});
		EXPECT_TRUE(r.ok()) << ImportFormatName(f);
		EXPECT_TRUE(r.migrations.empty());
		EXPECT_TRUE(r.notes.empty());
	}
	EXPECT_EQ(Lines(ImportFiles(ImportFormat::kSqitch, {}).errors), "sqitch.plan: no sqitch.plan in the folder\n");
	EXPECT_EQ(Lines(ImportFiles(ImportFormat::kAlembicSql, {}).errors),
			  "no .sql file to import (expected the output of alembic upgrade --sql)\n");
}

/* ---- Flyway. ---- */

/* Versions compare part by part as numbers ("." and "_" alike); ids and messages come from the names. */
TEST(ImportFlyway, OrdersVersionsNumericallyAndChainsThem)
{
	ImportResult r = ImportFiles(ImportFormat::kFlyway, {{"V10__Tenth.sql", "SELECT 10;\n"},
														 {"V2__Second_step.sql", "SELECT 2;\n"},
														 {"V1.1__Point_one.sql", "SELECT 11;\n"},
														 {"V1__Init.sql", "CREATE TABLE t (id int);\n"},
														 {"sub/V1_2__Underscore_version.sql", "SELECT 12;"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"v1_init", "v1_1_point_one", "v1_2_underscore_version", "v2_second_step", "v10_tenth"}));
	EXPECT_TRUE(r.migrations[0].parents.empty());
	for (std::size_t k = 1; k < r.migrations.size(); k++)
		EXPECT_EQ(r.migrations[k].parents, Strings{r.migrations[k - 1].revision});
	EXPECT_EQ(Get(r, "v1_init").message, "Init");
	EXPECT_EQ(Get(r, "v2_second_step").message, "Second step");
	EXPECT_EQ(Get(r, "v1_init").up, "CREATE TABLE t (id int);\n");
	EXPECT_EQ(Get(r, "v1_2_underscore_version").up, "SELECT 12;\n"); /* a final newline is added */
	EXPECT_FALSE(Get(r, "v1_init").down.has_value());
	EXPECT_FALSE(Get(r, "v1_init").nontransactional);
	EXPECT_EQ(Get(r, "v1_init").path, "v1_init.sql");
	EXPECT_EQ(Get(r, "v1_1_point_one").up_line, 4); /* revision, parents, message, then the body */
	EXPECT_EQ(r.id_map, (std::vector<std::pair<std::string, std::string>>{{"1", "v1_init"},
																		  {"1.1", "v1_1_point_one"},
																		  {"1.2", "v1_2_underscore_version"},
																		  {"2", "v2_second_step"},
																		  {"10", "v10_tenth"}}));
	EXPECT_TRUE(r.notes.empty()) << Lines(r.notes);
}

/* A description-less name gives the bare version as id and no message. */
TEST(ImportFlyway, NoDescription)
{
	ImportResult r = ImportFiles(ImportFormat::kFlyway, {{"V7.sql", "SELECT 7;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), Strings{"v7"});
	EXPECT_FALSE(r.migrations[0].message.has_value());
}

/* U<version>__ becomes the down body of the same version (its description does not matter). */
TEST(ImportFlyway, UndoBecomesDownBody)
{
	ImportResult r = ImportFiles(ImportFormat::kFlyway, {{"V1__Create_t.sql", "CREATE TABLE t (id int);\n"},
														 {"U1__Drop_t.sql", "DROP TABLE t;\n"},
														 {"V2__Add_c.sql", "ALTER TABLE t ADD c int;\n"},
														 {"U2.0__Whatever.sql", "ALTER TABLE t DROP c;\n"},
														 {"V3__No_undo.sql", "SELECT 3;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Get(r, "v1_create_t").down, std::optional<std::string>("DROP TABLE t;\n"));
	EXPECT_EQ(Get(r, "v2_add_c").down, std::optional<std::string>("ALTER TABLE t DROP c;\n"));
	EXPECT_FALSE(Get(r, "v3_no_undo").down.has_value());
}

/* executeInTransaction=false in <file>.sql.conf sets the flag; other settings are noted. */
TEST(ImportFlyway, ScriptConfigMakesItNonTransactional)
{
	ImportResult r = ImportFiles(
		ImportFormat::kFlyway,
		{{"V1__Index.sql", "CREATE INDEX CONCURRENTLY t_c_idx ON t (c);\n"},
		 {"V1__Index.sql.conf", "# why\nexecuteInTransaction=false\nencoding=UTF-8\nshouldExecute=true\n"},
		 {"V2__Two.sql", "ALTER TYPE e ADD VALUE 'x';\nUPDATE t SET e = 'x';\n"},
		 {"V2__Two.sql.conf", "executeInTransaction = false\n"},
		 {"V3__Plain.sql", "SELECT 3;\n"},
		 {"V3__Plain.sql.conf", "executeInTransaction=true\n"},
		 {"V9__Gone.sql.conf", "executeInTransaction=false\n"}});
	ExpectReadsBack(r);
	EXPECT_TRUE(Get(r, "v1_index").nontransactional);
	EXPECT_TRUE(Get(r, "v2_two").nontransactional);
	EXPECT_FALSE(Get(r, "v3_plain").nontransactional);
	EXPECT_EQ(Lines(r.notes),
			  "V1__Index.sql.conf:4: Flyway script setting \"shouldExecute=true\" is not carried over\n"
			  "V2__Two.sql: executeInTransaction=false is kept as \"nontransactional\", but the server runs a body in a "
			  "transaction unless it is a single statement that cannot run in one (such as CREATE INDEX "
			  "CONCURRENTLY): this one will run in a transaction\n"
			  "V9__Gone.sql.conf: settings of a file that is not imported as a versioned migration; ignored\n");
}

/* A statement that cannot run in a transaction, alone in its body, sets the flag without any setting. */
TEST(ImportFlyway, LoneConcurrentIndexIsNonTransactional)
{
	ImportResult r = ImportFiles(ImportFormat::kFlyway,
								 {{"V1__A.sql", "-- c\nCREATE UNIQUE INDEX CONCURRENTLY a_idx ON t (a);\n"},
								  {"V2__B.sql", "VACUUM t;\n"},
								  {"V3__C.sql", "CREATE INDEX a_idx2 ON t (a);\n"}});
	ExpectReadsBack(r);
	EXPECT_TRUE(Get(r, "v1_a").nontransactional);
	EXPECT_TRUE(Get(r, "v2_b").nontransactional);
	EXPECT_FALSE(Get(r, "v3_c").nontransactional);
}

/* Repeatable, baseline and callback scripts and other files are noted and left out; dot files silently. */
TEST(ImportFlyway, UnsupportedFilesAreNoted)
{
	ImportResult r = ImportFiles(ImportFormat::kFlyway, {{"V1__Init.sql", "SELECT 1;\n"},
														 {"R__View.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;\n"},
														 {"B5__Baseline.sql", "CREATE TABLE t ();\n"},
														 {"db/beforeMigrate.sql", "SET x = 1;\n"},
														 {"Users.sql", "SELECT 1;\n"},
														 {"README.md", "# migrations\n"},
														 {".hidden.sql", "SELECT 1;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), Strings{"v1_init"});
	EXPECT_EQ(Lines(r.notes),
			  "B5__Baseline.sql: Flyway baseline migration: not imported (pgmig applies the versioned migrations "
			  "instead; a database already at this version can be stamped)\n"
			  "README.md: not a Flyway SQL migration (only *.sql files and their *.sql.conf are read); ignored\n"
			  "R__View.sql: Flyway repeatable migration: not imported (pgmig has no repeatable migrations; put its SQL "
			  "in a new revision whenever it changes)\n"
			  "Users.sql: not a Flyway migration file name (V<version>__<description>.sql); ignored\n"
			  "db/beforeMigrate.sql: Flyway callback script: not imported (pgmig has no callbacks)\n");
	EXPECT_TRUE(r.errors.empty());
}

/* Two files with the same version (1 == 1.0, 1_1 == 1.1) are an error on the later path. */
TEST(ImportFlyway, DuplicateVersionsAreErrors)
{
	ImportResult r = ImportFiles(ImportFormat::kFlyway, {{"V1__A.sql", "SELECT 1;\n"},
														 {"V1.0__B.sql", "SELECT 1;\n"},
														 {"V1.1__C.sql", "SELECT 1;\n"},
														 {"V1_1__D.sql", "SELECT 1;\n"}});
	EXPECT_EQ(Lines(r.errors), "V1_1__D.sql: version 1_1 is also used by V1.1__C.sql\n"
							   "V1__A.sql: version 1 is also used by V1.0__B.sql\n"
							   );
}

/* An undo file needs its versioned migration; two undo files for one version are an error. */
TEST(ImportFlyway, UndoProblemsAreErrors)
{
	ImportResult r = ImportFiles(ImportFormat::kFlyway, {{"V1__A.sql", "SELECT 1;\n"},
														 {"U1__A.sql", "SELECT 1;\n"},
														 {"U1.0__Again.sql", "SELECT 1;\n"},
														 {"U2__B.sql", "SELECT 2;\n"}});
	EXPECT_EQ(Lines(r.errors), "U1__A.sql: undo version 1 is also used by U1.0__Again.sql\n"
							   "U2__B.sql: undo migration without a versioned migration: there is no V2__*.sql\n");
}

/* A version that is not numbers separated by "." or "_" is an error. */
TEST(ImportFlyway, InvalidVersionIsAnError)
{
	ImportResult r = ImportFiles(ImportFormat::kFlyway, {{"V1a__X.sql", "SELECT 1;\n"},
														 {"V1..2__Y.sql", "SELECT 1;\n"},
														 {"V2.__Z.sql", "SELECT 1;\n"}});
	EXPECT_EQ(Lines(r.errors),
			  "V1..2__Y.sql: invalid Flyway version \"1..2\" (expected numbers separated by \".\" or \"_\")\n"
			  "V1a__X.sql: invalid Flyway version \"1a\" (expected numbers separated by \".\" or \"_\")\n"
			  "V2.__Z.sql: invalid Flyway version \"2.\" (expected numbers separated by \".\" or \"_\")\n");
}

/* Placeholders are not replaced: noted at their line, in up and down bodies. */
TEST(ImportFlyway, PlaceholdersAreNoted)
{
	ImportResult r = ImportFiles(ImportFormat::kFlyway,
								 {{"V1__A.sql", "CREATE TABLE t (id int);\nGRANT SELECT ON t TO ${reader};\n"},
								  {"U1__A.sql", "-- by ${flyway:user}\nDROP TABLE t;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Get(r, "v1_a").up, "CREATE TABLE t (id int);\nGRANT SELECT ON t TO ${reader};\n");
	EXPECT_EQ(Lines(r.notes),
			  "U1__A.sql:1: Flyway placeholder \"${flyway:user}\" is not replaced by pgmig; the body keeps it as "
			  "written\n"
			  "V1__A.sql:2: Flyway placeholder \"${reader}\" is not replaced by pgmig; the body keeps it as written\n");
}

/* A version too long for an id is an error, not a bad file. */
TEST(ImportFlyway, IdTooLongIsAnError)
{
	const std::string version(130, '1');
	ImportResult r = ImportFiles(ImportFormat::kFlyway, {{"V" + version + "__X.sql", "SELECT 1;\n"}});
	ASSERT_EQ(r.errors.size(), 1u);
	EXPECT_NE(r.errors[0].Format().find("cannot make a pgmig revision id from \"" + version.substr(0, 80) + "...\""),
			  std::string::npos)
		<< r.errors[0].Format();
	EXPECT_NE(r.errors[0].message.find("is not valid: it "), std::string::npos);
}

/* ---- golang-migrate. ---- */

/* Up and down files pair by version; numeric order; the id_map key is the number without leading zeros. */
TEST(ImportGolangMigrate, PairsFilesInNumericOrder)
{
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate,
								 {{"10_ten.up.sql", "SELECT 10;\n"},
								  {"2_two.up.sql", "CREATE TABLE two (id int);\n"},
								  {"2_two.down.sql", "DROP TABLE two;\n"},
								  {"000001_init_schema.up.sql", "CREATE SCHEMA app;\n"},
								  {"000001_init_schema.down.sql", "DROP SCHEMA app;\n"},
								  {"11_.up.sql", "SELECT 11;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"000001_init_schema", "2_two", "10_ten", "11"}));
	EXPECT_EQ(Get(r, "2_two").parents, Strings{"000001_init_schema"});
	EXPECT_EQ(Get(r, "2_two").down, std::optional<std::string>("DROP TABLE two;\n"));
	EXPECT_FALSE(Get(r, "10_ten").down.has_value()); /* a missing down file: no down body */
	EXPECT_EQ(Get(r, "000001_init_schema").message, "init schema");
	EXPECT_FALSE(Get(r, "11").message.has_value());
	EXPECT_EQ(r.id_map, (std::vector<std::pair<std::string, std::string>>{
							{"1", "000001_init_schema"}, {"2", "2_two"}, {"10", "10_ten"}, {"11", "11"}}));
	EXPECT_TRUE(r.notes.empty()) << Lines(r.notes);
}

/* BEGIN; ... COMMIT; around a body is removed (its lines and one blank line after BEGIN), with a note. */
TEST(ImportGolangMigrate, StripsTheTransactionWrapper)
{
	ImportResult r = ImportFiles(
		ImportFormat::kGolangMigrate,
		{{"1_a.up.sql", "-- create a and b\nBEGIN;\n\nCREATE TABLE a (id int);\n\nCREATE TABLE b (id int);\n\nCOMMIT;\n"},
		 {"1_a.down.sql", "begin transaction;\nDROP TABLE b;\nDROP TABLE a;\ncommit work;\n"},
		 {"2_b.up.sql", "START TRANSACTION;\r\nCREATE TABLE c (id int);\r\nCOMMIT;\r\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Get(r, "1_a").up, "-- create a and b\nCREATE TABLE a (id int);\n\nCREATE TABLE b (id int);\n");
	EXPECT_EQ(Get(r, "1_a").down, std::optional<std::string>("DROP TABLE b;\nDROP TABLE a;\n"));
	EXPECT_EQ(Get(r, "2_b").up, "CREATE TABLE c (id int);\r\n");
	EXPECT_EQ(Lines(r.notes),
			  "1_a.down.sql:1: removed the BEGIN; and COMMIT; around the body: pgmig runs each revision in its own "
			  "transaction\n"
			  "1_a.up.sql:2: removed the BEGIN; and COMMIT; around the body: pgmig runs each revision in its own "
			  "transaction\n"
			  "2_b.up.sql:1: removed the BEGIN; and COMMIT; around the body: pgmig runs each revision in its own "
			  "transaction\n");
}

/* Only a plain pair is a wrapper: a lone BEGIN, or BEGIN with options, stays and is noted. */
TEST(ImportGolangMigrate, OtherTransactionControlIsKeptAndNoted)
{
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate,
								 {{"1_a.up.sql", "BEGIN;\nCREATE TABLE a (id int);\n"},
								  {"2_b.up.sql", "BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;\n"},
								  {"3_c.up.sql", "SELECT 1; SAVEPOINT s; ROLLBACK TO s;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Get(r, "1_a").up, "BEGIN;\nCREATE TABLE a (id int);\n");
	EXPECT_EQ(Get(r, "2_b").up, "BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;\n");
	const std::string tail = ") is refused in a pgmig body, which runs in a transaction pgmig manages; remove it "
							 "from the imported file\n";
	EXPECT_EQ(Lines(r.notes), "1_a.up.sql:1: transaction control (BEGIN" + tail +
								  "2_b.up.sql:1: transaction control (BEGIN" + tail +
								  "2_b.up.sql:3: transaction control (COMMIT" + tail +
								  "3_c.up.sql:1: transaction control (SAVEPOINT" + tail +
								  "3_c.up.sql:1: transaction control (ROLLBACK" + tail);
}

/* A down file without its up file is an error. */
TEST(ImportGolangMigrate, DownWithoutUpIsAnError)
{
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate,
								 {{"1_a.up.sql", "SELECT 1;\n"}, {"2_b.down.sql", "SELECT 2;\n"}});
	EXPECT_EQ(Lines(r.errors), "2_b.down.sql: down migration without an up migration (no 2_*.up.sql)\n");
}

/* 1 and 01 are the same version for golang-migrate. */
TEST(ImportGolangMigrate, DuplicateVersionIsAnError)
{
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate,
								 {{"1_a.up.sql", "SELECT 1;\n"},
								  {"01_b.up.sql", "SELECT 1;\n"},
								  {"1_a.down.sql", "SELECT 1;\n"},
								  {"1_c.down.sql", "SELECT 1;\n"}});
	EXPECT_EQ(Lines(r.errors), "1_a.up.sql: version 1 is also used by 01_b.up.sql\n"
							   "1_c.down.sql: version 1 is also used by 1_a.down.sql\n");
}

/* Files golang-migrate would not read are noted. */
TEST(ImportGolangMigrate, OtherFilesAreNoted)
{
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate, {{"1_a.up.sql", "SELECT 1;\n"},
																{"README.md", "x"},
																{"old/2_b.up.sql", "SELECT 2;\n"},
																{"3.up.sql", "SELECT 3;\n"},
																{"x_4.up.sql", "SELECT 4;\n"},
																{"5_e.up.json", "{}"},
																{".keep", ""}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), Strings{"1_a"});
	const std::string bad = ": not a golang-migrate file name (<version>_<title>.up.sql or .down.sql); ignored\n";
	EXPECT_EQ(Lines(r.notes), "3.up.sql" + bad + "5_e.up.json" + bad + "README.md" + bad +
								  "old/2_b.up.sql: golang-migrate reads only the folder itself, not its subfolders; "
								  "ignored\n"
								  "x_4.up.sql" +
								  bad);
}

/* An empty up body (or one of comments) becomes "SELECT 1; -- empty in <tool>", comments kept, with a note. */
TEST(ImportGolangMigrate, EmptyUpBodyBecomesSelectOne)
{
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate, {{"1_a.up.sql", ""},
																{"1_a.down.sql", ""},
																{"2_b.up.sql", "-- nothing yet\n\n"},
																{"3_c.up.sql", "BEGIN;\nCOMMIT;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Get(r, "1_a").up, "SELECT 1; -- empty in golang-migrate\n");
	EXPECT_EQ(Get(r, "1_a").down, std::optional<std::string>("")); /* an empty down body is allowed */
	EXPECT_EQ(Get(r, "2_b").up, "-- nothing yet\nSELECT 1; -- empty in golang-migrate\n");
	EXPECT_EQ(Get(r, "3_c").up, "SELECT 1; -- empty in golang-migrate\n");
	EXPECT_EQ(Lines(r.notes),
			  "1_a.up.sql: the up body of \"1_a\" is empty; imported as \"SELECT 1; -- empty in golang-migrate\" "
			  "(pgmig refuses empty bodies)\n"
			  "2_b.up.sql: the up body of \"2_b\" is empty; imported as \"SELECT 1; -- empty in golang-migrate\" "
			  "(pgmig refuses empty bodies)\n"
			  "3_c.up.sql: the up body of \"3_c\" is empty; imported as \"SELECT 1; -- empty in golang-migrate\" "
			  "(pgmig refuses empty bodies)\n"
			  "3_c.up.sql:1: removed the BEGIN; and COMMIT; around the body: pgmig runs each revision in its own "
			  "transaction\n");
}

/* A blank body that ends inside an unterminated block comment would swallow the placeholder: an error (found by fuzzing). */
TEST(ImportGolangMigrate, EmptyBodyInsideUnterminatedCommentIsAnError)
{
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate, {{"1_a.up.sql", "/* never closed\nSELECT 1;\n"}});
	EXPECT_EQ(Lines(r.errors),
			  "1_a.up.sql: the up body of \"1_a\" is empty and ends inside an unterminated /* comment\n");
	EXPECT_TRUE(r.notes.empty()) << Lines(r.notes);
}

/* ---- dbmate. ---- */

/* The sections are cut byte for byte; the marker lines are not part of either body. */
TEST(ImportDbmate, SplitsTheSections)
{
	const std::string file = "-- accounts table\n"
							 "-- migrate:up\n"
							 "CREATE TABLE accounts (\n  id bigserial PRIMARY KEY -- the key\n);\n"
							 "\n"
							 "-- migrate:down\n"
							 "DROP TABLE accounts;\n";
	ImportResult r = ImportFiles(ImportFormat::kDbmate, {{"20240105093000_create_accounts.sql", file},
														 {"20240105094500_no_down.sql", "--migrate:up\nSELECT 1;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"20240105093000_create_accounts", "20240105094500_no_down"}));
	const MigrationFile &m = Get(r, "20240105093000_create_accounts");
	EXPECT_EQ(m.up, "CREATE TABLE accounts (\n  id bigserial PRIMARY KEY -- the key\n);\n");
	EXPECT_EQ(m.down, std::optional<std::string>("DROP TABLE accounts;\n"));
	EXPECT_EQ(m.message, "create accounts");
	EXPECT_FALSE(m.nontransactional);
	EXPECT_FALSE(Get(r, "20240105094500_no_down").down.has_value());
	EXPECT_EQ(Get(r, "20240105094500_no_down").parents, Strings{"20240105093000_create_accounts"});
	EXPECT_EQ(r.id_map[0], (std::pair<std::string, std::string>{"20240105093000", "20240105093000_create_accounts"}));
	EXPECT_TRUE(r.notes.empty()) << Lines(r.notes);
}

/* "transaction:false" on the up marker sets the flag; on the down marker it is noted. */
TEST(ImportDbmate, TransactionFalse)
{
	ImportResult r = ImportFiles(
		ImportFormat::kDbmate,
		{{"1_idx.sql", "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (c);\n\n"
					   "-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY i;\n"},
		 {"2_enum.sql", "-- migrate:up   transaction:false  \nALTER TYPE e ADD VALUE 'b';\nUPDATE t SET e = 'b';\n"},
		 {"3_plain.sql", "-- migrate:up transaction:true colour:blue\nSELECT 3;\n"}});
	ExpectReadsBack(r);
	EXPECT_TRUE(Get(r, "1_idx").nontransactional);
	EXPECT_EQ(Get(r, "1_idx").down, std::optional<std::string>("DROP INDEX CONCURRENTLY i;\n"));
	EXPECT_TRUE(Get(r, "2_enum").nontransactional);
	EXPECT_FALSE(Get(r, "3_plain").nontransactional);
	EXPECT_EQ(Lines(r.notes),
			  "1_idx.sql:4: transaction:false on the down section is not carried over: pgmig has no such flag for "
			  "down bodies (the server runs a lone CREATE or DROP INDEX CONCURRENTLY outside a transaction by "
			  "itself)\n"
			  "2_enum.sql:1: transaction:false is kept as \"nontransactional\", but the server runs a body in a "
			  "transaction unless it is a single statement that cannot run in one (such as CREATE INDEX "
			  "CONCURRENTLY): this one will run in a transaction\n"
			  "3_plain.sql:1: unknown dbmate option \"colour:blue\"; ignored\n");
}

/* Marker problems dbmate itself refuses are errors, reported on their lines. */
TEST(ImportDbmate, MarkerProblemsAreErrors)
{
	ImportResult r = ImportFiles(
		ImportFormat::kDbmate,
		{{"1_none.sql", "CREATE TABLE t ();\n"},
		 {"2_order.sql", "-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t ();\n"},
		 {"3_twice.sql", "-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n"},
		 {"4_before.sql", "-- a comment is fine\n\nCREATE TABLE t ();\n-- migrate:up\nSELECT 1;\n"},
		 {"5_upx.sql", "-- migrate:upgrade\nSELECT 1;\n"},
		 {"6_ok.sql", "/* header */\n-- migrate:up\nSELECT 6;\n"}});
	EXPECT_EQ(Lines(r.errors), "1_none.sql: no \"-- migrate:up\" line (dbmate requires one)\n"
							   "2_order.sql:1: \"-- migrate:down\" before \"-- migrate:up\" (dbmate refuses it)\n"
							   "2_order.sql:2: SQL before \"-- migrate:up\" (dbmate refuses it)\n"
							   "3_twice.sql:3: second \"-- migrate:up\" line (the first is on line 1)\n"
							   "4_before.sql:3: SQL before \"-- migrate:up\" (dbmate refuses it)\n"
							   "5_upx.sql: no \"-- migrate:up\" line (dbmate requires one)\n");
	EXPECT_EQ(Ids(r), Strings{"6_ok"});
}

/* The same version in two files is an error; order is file-name order; other files are noted. */
TEST(ImportDbmate, VersionsAndOtherFiles)
{
	ImportResult r = ImportFiles(ImportFormat::kDbmate, {{"20240101_a.sql", "-- migrate:up\nSELECT 1;\n"},
														 {"20240101_b.sql", "-- migrate:up\nSELECT 2;\n"},
														 {"schema.sql", "CREATE TABLE t ();\n"},
														 {"old/20230101_x.sql", "-- migrate:up\nSELECT 0;\n"}});
	EXPECT_EQ(Lines(r.errors), "20240101_b.sql: version 20240101 is also used by 20240101_a.sql\n");
	EXPECT_EQ(Lines(r.notes),
			  "old/20230101_x.sql: dbmate reads only the migrations folder itself, not its subfolders; ignored\n"
			  "schema.sql: not a dbmate migration file name (<version>_<name>.sql); ignored\n");

	ImportResult ordered = ImportFiles(ImportFormat::kDbmate, {{"2_b.sql", "-- migrate:up\nSELECT 2;\n"},
															   {"10_c.sql", "-- migrate:up\nSELECT 10;\n"},
															   {"1_a.sql", "-- migrate:up\nSELECT 1;\n"}});
	ExpectReadsBack(ordered);
	EXPECT_EQ(Ids(ordered), (Strings{"10_c", "1_a", "2_b"})); /* dbmate applies in file-name order */
}

/* CRLF files: markers found, bodies keep their carriage returns. */
TEST(ImportDbmate, CrLfFiles)
{
	ImportResult r = ImportFiles(ImportFormat::kDbmate,
								 {{"1_a.sql", "-- migrate:up\r\nCREATE TABLE a ();\r\n\r\n-- migrate:down\r\nDROP TABLE a;\r\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(r.migrations[0].up, "CREATE TABLE a ();\r\n");
	EXPECT_EQ(r.migrations[0].down, std::optional<std::string>("DROP TABLE a;\r\n"));
}

/* ---- Diesel. ---- */

/* Folders in version order ("-" dropped), the initial setup included; up, down, ids, id_map. */
TEST(ImportDiesel, FoldersInVersionOrder)
{
	ImportResult r = ImportFiles(ImportFormat::kDiesel,
								 {{"2024-01-10-102000_create_books/up.sql", "CREATE TABLE books ();\n"},
								  {"2024-01-10-102000_create_books/down.sql", "DROP TABLE books;\n"},
								  {"00000000000000_diesel_initial_setup/up.sql", "SELECT 0;\n"},
								  {"00000000000000_diesel_initial_setup/down.sql", "SELECT 0;\n"},
								  {"2024-01-10-101500_create_authors/up.sql", "CREATE TABLE authors ();\n"},
								  {"20240111080000_no_down/up.sql", "SELECT 1;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"00000000000000_diesel_initial_setup", "20240110101500_create_authors",
							   "20240110102000_create_books", "20240111080000_no_down"}));
	EXPECT_EQ(Get(r, "20240110102000_create_books").down, std::optional<std::string>("DROP TABLE books;\n"));
	EXPECT_FALSE(Get(r, "20240110101500_create_authors").down.has_value());
	EXPECT_EQ(Get(r, "20240110102000_create_books").parents, Strings{"20240110101500_create_authors"});
	EXPECT_EQ(Get(r, "20240110102000_create_books").message, "create books");
	EXPECT_EQ(r.id_map[1], (std::pair<std::string, std::string>{"20240110101500", "20240110101500_create_authors"}));
	EXPECT_TRUE(r.notes.empty()) << Lines(r.notes);
}

/* metadata.toml: run_in_transaction = false sets the flag; other keys are noted; a bad value is an error. */
TEST(ImportDiesel, Metadata)
{
	ImportResult r = ImportFiles(
		ImportFormat::kDiesel,
		{{"1_idx/up.sql", "CREATE INDEX CONCURRENTLY i ON t (c);\n"},
		 {"1_idx/metadata.toml", "# no transaction\nrun_in_transaction = false # CONCURRENTLY\n"},
		 {"2_tx/up.sql", "SELECT 2;\n"},
		 {"2_tx/metadata.toml", "run_in_transaction = true\nfoo = 1\n[table]\n"}});
	ExpectReadsBack(r);
	EXPECT_TRUE(Get(r, "1_idx").nontransactional);
	EXPECT_FALSE(Get(r, "2_tx").nontransactional);
	EXPECT_EQ(Lines(r.notes), "2_tx/metadata.toml:2: Diesel setting \"foo\" is not carried over\n"
							  "2_tx/metadata.toml:3: metadata line \"[table]\" is not carried over\n");

	ImportResult bad = ImportFiles(ImportFormat::kDiesel,
								   {{"1_x/up.sql", "SELECT 1;\n"}, {"1_x/metadata.toml", "run_in_transaction = no\n"}});
	EXPECT_EQ(Lines(bad.errors), "1_x/metadata.toml:1: run_in_transaction must be true or false, not \"no\"\n");
}

/* A down.sql without up.sql, a folder without up.sql and a repeated version are errors. */
TEST(ImportDiesel, Errors)
{
	ImportResult r = ImportFiles(ImportFormat::kDiesel, {{"1_a/down.sql", "SELECT 1;\n"},
														 {"2_b/metadata.toml", "run_in_transaction = false\n"},
														 {"2024-01-01-000000_c/up.sql", "SELECT 1;\n"},
														 {"20240101000000_d/up.sql", "SELECT 1;\n"}});
	EXPECT_EQ(Lines(r.errors), "1_a/down.sql: down.sql without an up.sql\n"
							   "20240101000000_d: version 20240101000000 is also used by 2024-01-01-000000_c\n"
							   "2_b: Diesel migration folder without an up.sql\n");
}

/* Files outside migration folders, unknown files and odd folder names are noted. */
TEST(ImportDiesel, OtherFilesAreNoted)
{
	ImportResult r = ImportFiles(ImportFormat::kDiesel, {{"1_a/up.sql", "SELECT 1;\n"},
														 {"1_a/notes.txt", "x"},
														 {"1_a/sub/up.sql", "x"},
														 {"drafts/up.sql", "SELECT 2;\n"},
														 {"-1_x/up.sql", "SELECT 2;\n"},
														 {"diesel.toml", "x"},
														 {".keep", ""}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), Strings{"1_a"});
	EXPECT_EQ(Lines(r.notes),
			  "-1_x/up.sql: not in a Diesel migration folder (<version>_<name>/); ignored\n"
			  "1_a/notes.txt: not a Diesel migration file (up.sql, down.sql, metadata.toml); ignored\n"
			  "1_a/sub/up.sql: not a Diesel migration file (up.sql, down.sql, metadata.toml); ignored\n"
			  "diesel.toml: not in a Diesel migration folder; ignored\n"
			  "drafts/up.sql: not in a Diesel migration folder (<version>_<name>/); ignored\n");
}

/* ---- Sqitch. ---- */

/* Plan order; parent = previous change; other requirements as depends_on; notes as messages. */
TEST(ImportSqitch, PlanOrderParentsAndDependencies)
{
	const std::string plan = kPlanHead + PlanLine("appschema", "App schema.") + PlanLine("users [appschema]") +
		PlanLine("flips [appschema users flipr:appschema]", "Flips table.") +
		PlanLine("+audit [users flips]");
	ImportResult r = ImportFiles(ImportFormat::kSqitch, {{"sqitch.plan", plan},
														 {"deploy/appschema.sql", "CREATE SCHEMA flipr;\n"},
														 {"revert/appschema.sql", "DROP SCHEMA flipr;\n"},
														 {"deploy/users.sql", "CREATE TABLE flipr.users ();\n"},
														 {"deploy/flips.sql", "CREATE TABLE flipr.flips ();\n"},
														 {"deploy/audit.sql", "CREATE TABLE flipr.audit ();\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"appschema", "users", "flips", "audit"}));
	EXPECT_TRUE(Get(r, "appschema").parents.empty());
	EXPECT_EQ(Get(r, "users").parents, Strings{"appschema"});
	EXPECT_TRUE(Get(r, "users").depends_on.empty()); /* its one requirement is its parent */
	EXPECT_EQ(Get(r, "flips").parents, Strings{"users"});
	EXPECT_EQ(Get(r, "flips").depends_on, Strings{"appschema"}); /* flipr:appschema is the same change */
	EXPECT_EQ(Get(r, "audit").parents, Strings{"flips"});
	EXPECT_EQ(Get(r, "audit").depends_on, Strings{"users"});
	EXPECT_EQ(Get(r, "appschema").message, "App schema.");
	EXPECT_FALSE(Get(r, "users").message.has_value());
	EXPECT_EQ(Get(r, "appschema").down, std::optional<std::string>("DROP SCHEMA flipr;\n"));
	EXPECT_FALSE(Get(r, "users").down.has_value());
	EXPECT_EQ(r.id_map, (std::vector<std::pair<std::string, std::string>>{
							{"appschema", "appschema"}, {"users", "users"}, {"flips", "flips"}, {"audit", "audit"}}));
	EXPECT_TRUE(r.notes.empty()) << Lines(r.notes);
}

/* The wrapper goes (the BEGIN line with one blank line after it, the COMMIT line); comments stay. */
TEST(ImportSqitch, StripsTheWrapperSilently)
{
	ImportResult r = ImportFiles(
		ImportFormat::kSqitch,
		{{"sqitch.plan", kPlanHead + PlanLine("users")},
		 {"deploy/users.sql", "-- Deploy flipr:users to pg\n-- requires: appschema\n\nBEGIN;\n\n"
							  "CREATE TABLE flipr.users (\n    nickname TEXT PRIMARY KEY\n);\n\nCOMMIT;\n"},
		 {"revert/users.sql", "-- Revert flipr:users from pg\n\nbegin; /* go */\n\nDROP TABLE flipr.users;\n\n"
							  "Commit ; -- done\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(r.migrations[0].up,
			  "-- Deploy flipr:users to pg\n-- requires: appschema\n\nCREATE TABLE flipr.users (\n    nickname TEXT "
			  "PRIMARY KEY\n);\n");
	EXPECT_EQ(r.migrations[0].down,
			  std::optional<std::string>("-- Revert flipr:users from pg\n\n/* go */\n\nDROP TABLE flipr.users;\n\n"
										 "-- done\n"));
	EXPECT_TRUE(r.notes.empty()) << Lines(r.notes);
}

/* Tags, conflicts and requirements on other projects are noted; "@tag" resolves to the tagged change. */
TEST(ImportSqitch, TagsConflictsAndOtherProjects)
{
	const std::string plan = kPlanHead + PlanLine("a") + PlanLine("b") +
		"@v1.0 2024-02-01T11:00:00Z Marge <marge@example.com> # Tag v1.0.\n" + PlanLine("c") +
		PlanLine("d [!old_thing other:widgets @v1.0]");
	ImportResult r = ImportFiles(ImportFormat::kSqitch, {{"sqitch.plan", plan},
														 {"deploy/a.sql", "SELECT 1;\n"},
														 {"deploy/b.sql", "SELECT 2;\n"},
														 {"deploy/c.sql", "SELECT 3;\n"},
														 {"deploy/d.sql", "SELECT 4;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Get(r, "d").parents, Strings{"c"});
	EXPECT_EQ(Get(r, "d").depends_on, Strings{"b"});
	EXPECT_EQ(Lines(r.notes),
			  "sqitch.plan:6: tag @v1.0 is not carried over (pgmig has no tags; target the revision \"b\" instead)\n"
			  "sqitch.plan:8: conflict \"!old_thing\" is not carried over (pgmig has no conflicts)\n"
			  "sqitch.plan:8: requirement \"other:widgets\" on another project is not carried over\n");
}

/* Every unreadable plan line is an error on its line, and nothing is imported. */
TEST(ImportSqitch, UnreadablePlanLinesAreErrors)
{
	const std::string plan = kPlanHead +                                    /* lines 1-3 */
		"a 2024-02-01 Marge <m@x>\n" +                                      /* 4: bad time */
		"b 2024-02-01T10:00:00Z <m@x>\n" +                                  /* 5: no planner */
		"c [x 2024-02-01T10:00:00Z Marge <m@x>\n" +                         /* 6: no ] */
		"d 2024-02-01T10:00:00Z Marge <m@x> trailing\n" +                   /* 7: junk */
		"-e 2024-02-01T10:00:00Z Marge <m@x>\n" +                           /* 8: revert op */
		"f:g 2024-02-01T10:00:00Z Marge <m@x>\n" +                          /* 9: bad name */
		"h 2024-02-01T10:00:00Z Marge <m@x\n" +                             /* 10: no > */
		"@ 2024-02-01T10:00:00Z Marge <m@x>\n" +                            /* 11: empty tag */
		"# a comment\n" +                                                   /* 12 */
		PlanLine("ok");                                                     /* 13 */
	ImportResult r = ImportFiles(ImportFormat::kSqitch, {{"sqitch.plan", plan}, {"deploy/ok.sql", "SELECT 1;\n"}});
	const std::string expected = std::string("cannot read this plan line (expected \"name [requires] ") +
		"YYYY-MM-DDTHH:MM:SSZ planner <email> # note\"): ";
	EXPECT_EQ(Lines(r.errors),
			  "sqitch.plan:4: " + expected + "expected a time YYYY-MM-DDTHH:MM:SSZ, found \"2024-02-01\"\n" +
				  "sqitch.plan:5: " + expected + "expected the planner's name and <email>\n" + "sqitch.plan:6: " +
				  expected + "the requirements have no closing \"]\"\n" + "sqitch.plan:7: " + expected +
				  "unexpected text \"trailing\" after the planner's email\n" +
				  "sqitch.plan:8: cannot read this plan line: revert operations (\"-name\") are not supported\n" +
				  "sqitch.plan:9: " + expected + "invalid change name \"f:g\"\n" + "sqitch.plan:10: " + expected +
				  "the planner's email has no closing \">\"\n" +
				  "sqitch.plan:11: cannot read this plan line: invalid tag name \"\"\n");
	EXPECT_TRUE(r.migrations.empty());
}

/* Requirements must name earlier changes; deploy scripts must exist; the plan must be there. */
TEST(ImportSqitch, MissingThingsAreErrors)
{
	const std::string plan = kPlanHead + PlanLine("a [b]") + PlanLine("b") + PlanLine("c [c]") + PlanLine("d");
	ImportResult r = ImportFiles(ImportFormat::kSqitch, {{"sqitch.plan", plan},
														 {"deploy/a.sql", "SELECT 1;\n"},
														 {"deploy/b.sql", "SELECT 1;\n"},
														 {"deploy/c.sql", "SELECT 1;\n"}});
	EXPECT_EQ(Lines(r.errors), "sqitch.plan:4: change \"a\" requires \"b\", which is not earlier in the plan\n"
							   "sqitch.plan:6: change \"c\" requires \"c\", which is not earlier in the plan\n"
							   "sqitch.plan:7: no deploy script deploy/d.sql for change \"d\"\n");
}

/* A reworked change is noted and left out; the original takes the scripts saved under @tag. */
TEST(ImportSqitch, ReworkedChange)
{
	const std::string plan = kPlanHead + PlanLine("users") +
		"@v1 2024-02-01T11:00:00Z Marge <marge@example.com>\n" + PlanLine("users [users@v1]", "Reworked.");
	ImportResult r = ImportFiles(ImportFormat::kSqitch, {{"sqitch.plan", plan},
														 {"deploy/users@v1.sql", "CREATE TABLE users ();\n"},
														 {"deploy/users.sql", "CREATE TABLE users (id int);\n"},
														 {"revert/users@v1.sql", "DROP TABLE users;\n"},
														 {"revert/users.sql", "ALTER TABLE users DROP id;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), Strings{"users"});
	EXPECT_EQ(r.migrations[0].up, "CREATE TABLE users ();\n");
	EXPECT_EQ(r.migrations[0].down, std::optional<std::string>("DROP TABLE users;\n"));
	EXPECT_EQ(Lines(r.notes),
			  "deploy/users.sql: script of no change in sqitch.plan; ignored\n"
			  "revert/users.sql: script of no change in sqitch.plan; ignored\n"
			  "sqitch.plan:5: tag @v1 is not carried over (pgmig has no tags; target the revision \"users\" instead)\n"
			  "sqitch.plan:6: reworked change \"users\" is not imported (pgmig revisions cannot be reworked): its new "
			  "deploy script is left out; write it as a new revision\n");
}

/* Change names that are not pgmig ids get an "s_" slug; verify scripts and sqitch.conf are noted once. */
TEST(ImportSqitch, OddNamesAndOtherFiles)
{
	const std::string plan = kPlanHead + PlanLine("head") + PlanLine("münze [head]");
	ImportResult r = ImportFiles(ImportFormat::kSqitch, {{"sqitch.plan", plan},
														 {"sqitch.conf", "[core]\n\tengine = pg\n"},
														 {"deploy/head.sql", "SELECT 1;\n"},
														 {"deploy/münze.sql", "SELECT 2;\n"},
														 {"deploy/stray.sql", "SELECT 3;\n"},
														 {"verify/head.sql", "SELECT 1;\n"},
														 {"verify/münze.sql", "SELECT 2;\n"},
														 {"notes.txt", "x"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"s_head", "s_m_nze"}));
	EXPECT_EQ(Get(r, "s_m_nze").parents, Strings{"s_head"});
	EXPECT_EQ(r.id_map[1], (std::pair<std::string, std::string>{"münze", "s_m_nze"}));
	EXPECT_EQ(Lines(r.notes),
			  "deploy/stray.sql: script of no change in sqitch.plan; ignored\n"
			  "notes.txt: not a Sqitch file; ignored\n"
			  "sqitch.conf: sqitch.conf is not read: deploy/, revert/ and verify/ are expected beside sqitch.plan\n"
			  "verify: 2 verify scripts are not carried over (pgmig has no verify step)\n");
}

/* Two change names with the same slug cannot both become ids. */
TEST(ImportSqitch, IdCollisionIsAnError)
{
	const std::string plan = kPlanHead + PlanLine("s_a") + PlanLine("_a");
	ImportResult r = ImportFiles(ImportFormat::kSqitch,
								 {{"sqitch.plan", plan}, {"deploy/s_a.sql", "SELECT 1;\n"}, {"deploy/_a.sql", "SELECT 2;\n"}});
	EXPECT_EQ(Lines(r.errors), "sqitch.plan:5: revision id \"s_a\" is also made from sqitch.plan:4\n");
}

/* ---- Alembic offline SQL. ---- */

/* The output of alembic upgrade --sql with transaction_per_migration, as alembic writes it. */
const std::string kAlembic = "BEGIN;\n"                                                        /* 1 */
							 "\n"                                                              /* 2 */
							 "CREATE TABLE alembic_version (\n"                                /* 3 */
							 "    version_num VARCHAR(32) NOT NULL, \n"                        /* 4 */
							 "    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"  /* 5 */
							 ");\n"                                                            /* 6 */
							 "\n"                                                              /* 7 */
							 "COMMIT;\n"                                                       /* 8 */
							 "\n"                                                              /* 9 */
							 "BEGIN;\n"                                                        /* 10 */
							 "\n"                                                              /* 11 */
							 "-- Running upgrade  -> ae1027a6acf\n"                            /* 12 */
							 "\n"                                                              /* 13 */
							 "CREATE TABLE account (\n    id SERIAL NOT NULL, \n    PRIMARY KEY (id)\n);\n" /* 14-17 */
							 "\n"                                                              /* 18 */
							 "INSERT INTO alembic_version (version_num) VALUES ('ae1027a6acf') RETURNING "
							 "alembic_version.version_num;\n"                                  /* 19 */
							 "\n"                                                              /* 20 */
							 "COMMIT;\n"                                                       /* 21 */
							 "\n"                                                              /* 22 */
							 "BEGIN;\n"                                                        /* 23 */
							 "\n"                                                              /* 24 */
							 "-- Running upgrade ae1027a6acf -> 1975ea83b712\n"                /* 25 */
							 "\n"                                                              /* 26 */
							 "ALTER TABLE account ADD COLUMN last_login TIMESTAMP WITHOUT TIME ZONE;\n" /* 27 */
							 "\n"                                                              /* 28 */
							 "-- keep this comment\n"                                          /* 29 */
							 "UPDATE alembic_version SET version_num='1975ea83b712' WHERE "
							 "alembic_version.version_num = 'ae1027a6acf';\n"                  /* 30 */
							 "\n"                                                              /* 31 */
							 "COMMIT;\n"                                                       /* 32 */
							 "\n";                                                             /* 33 */

/* Steps split at "-- Running upgrade"; bookkeeping and BEGIN;/COMMIT; lines dropped; comments kept. */
TEST(ImportAlembic, SplitsStepsAndDropsBookkeeping)
{
	ImportResult r = ImportFiles(ImportFormat::kAlembicSql, {{"upgrade.sql", kAlembic}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"ae1027a6acf", "1975ea83b712"}));
	EXPECT_TRUE(Get(r, "ae1027a6acf").parents.empty());
	EXPECT_EQ(Get(r, "1975ea83b712").parents, Strings{"ae1027a6acf"});
	EXPECT_EQ(Get(r, "ae1027a6acf").up, "CREATE TABLE account (\n    id SERIAL NOT NULL, \n    PRIMARY KEY (id)\n);\n");
	EXPECT_EQ(Get(r, "1975ea83b712").up,
			  "ALTER TABLE account ADD COLUMN last_login TIMESTAMP WITHOUT TIME ZONE;\n\n-- keep this comment\n");
	EXPECT_FALSE(Get(r, "ae1027a6acf").down.has_value());
	EXPECT_FALSE(Get(r, "ae1027a6acf").message.has_value());
	EXPECT_EQ(r.id_map, (std::vector<std::pair<std::string, std::string>>{{"ae1027a6acf", "ae1027a6acf"},
																		  {"1975ea83b712", "1975ea83b712"}}));
	EXPECT_EQ(Lines(r.notes),
			  "upgrade.sql: alembic upgrade --sql holds no downgrade SQL: the imported revisions have no down body\n");
}

/* Branches and merges keep alembic's parents; an empty merge becomes SELECT 1 with a note. */
TEST(ImportAlembic, BranchesAndMerges)
{
	const std::string sql = "-- Running upgrade  -> a1\n\nCREATE TABLE a ();\n\n"
							"INSERT INTO alembic_version (version_num) VALUES ('a1');\n\n"
							"-- Running upgrade a1 -> b1\n\nCREATE TABLE b ();\n\n"
							"UPDATE alembic_version SET version_num='b1' WHERE alembic_version.version_num = 'a1';\n\n"
							"-- Running upgrade a1 -> c1\n\nCREATE TABLE c ();\n\n"
							"INSERT INTO alembic_version (version_num) VALUES ('c1');\n\n"
							"-- Running upgrade b1, c1 -> m1\n\n"
							"DELETE FROM alembic_version WHERE alembic_version.version_num = 'b1';\n\n"
							"UPDATE alembic_version SET version_num='m1' WHERE alembic_version.version_num = 'c1';\n\n";
	ImportResult r = ImportFiles(ImportFormat::kAlembicSql, {{"out.sql", sql}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"a1", "b1", "c1", "m1"}));
	EXPECT_EQ(Get(r, "c1").parents, Strings{"a1"});
	EXPECT_EQ(Get(r, "m1").parents, (Strings{"b1", "c1"}));
	EXPECT_EQ(Get(r, "m1").up, "SELECT 1; -- empty in alembic-sql\n");
	EXPECT_EQ(Lines(r.notes),
			  "out.sql: alembic upgrade --sql holds no downgrade SQL: the imported revisions have no down body\n"
			  "out.sql:19: the up body of \"m1\" is empty; imported as \"SELECT 1; -- empty in alembic-sql\" (pgmig "
			  "refuses empty bodies)\n");
}

/* An autocommit block (COMMIT; ... BEGIN; inside a step) leaves one CONCURRENTLY statement: non-transactional. */
TEST(ImportAlembic, AutocommitBlockIsNonTransactional)
{
	const std::string sql = "-- Running upgrade  -> a1\n\nCREATE TABLE t (c int);\n\n"
							"INSERT INTO alembic_version (version_num) VALUES ('a1');\n\n"
							"-- Running upgrade a1 -> b2\n\nCOMMIT;\n\n"
							"CREATE INDEX CONCURRENTLY ix_t_c ON t (c);\n\nBEGIN;\n\n"
							"UPDATE alembic_version SET version_num='b2' WHERE alembic_version.version_num = 'a1';\n\n"
							"COMMIT;\n\n";
	ImportResult r = ImportFiles(ImportFormat::kAlembicSql, {{"out.sql", sql}});
	ExpectReadsBack(r);
	EXPECT_FALSE(Get(r, "a1").nontransactional);
	EXPECT_TRUE(Get(r, "b2").nontransactional);
	EXPECT_EQ(Get(r, "b2").up, "CREATE INDEX CONCURRENTLY ix_t_c ON t (c);\n");
}

/* Schema-qualified or quoted version tables are bookkeeping too; other tables named alike are not. */
TEST(ImportAlembic, QualifiedVersionTable)
{
	const std::string sql = "-- Running upgrade  -> a1\n"
							"CREATE TABLE alembic_version_history (id int);\n"
							"INSERT INTO app.alembic_version (version_num) VALUES ('a1');\n"
							"-- Running upgrade a1 -> a2\n"
							"UPDATE \"app\".\"alembic_version\" SET version_num='a2';\n"
							"update ALEMBIC_VERSION set version_num='a2';\n"
							"SELECT 'alembic_version';\n";
	ImportResult r = ImportFiles(ImportFormat::kAlembicSql, {{"out.sql", sql}});
	ExpectReadsBack(r);
	EXPECT_EQ(Get(r, "a1").up, "CREATE TABLE alembic_version_history (id int);\n");
	EXPECT_EQ(Get(r, "a2").up, "SELECT 'alembic_version';\n");
}

/* Ids that are not valid pgmig ids get "a_" (or "a_" and a slug). */
TEST(ImportAlembic, InvalidIdsArePrefixed)
{
	const std::string sql = "-- Running upgrade  -> _init\nSELECT 1;\n"
							"-- Running upgrade _init -> head\nSELECT 2;\n"
							"-- Running upgrade head -> rev#3\nSELECT 3;\n";
	ImportResult r = ImportFiles(ImportFormat::kAlembicSql, {{"out.sql", sql}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"a__init", "a_head", "a_rev_3"}));
	EXPECT_EQ(Get(r, "a_rev_3").parents, Strings{"a_head"});
	EXPECT_EQ(r.id_map[2], (std::pair<std::string, std::string>{"rev#3", "a_rev_3"}));
}

/* A down revision that is not in the file (the SQL of a range) is noted and left out of the parents. */
TEST(ImportAlembic, UnknownDownRevisionIsNoted)
{
	ImportResult r = ImportFiles(ImportFormat::kAlembicSql,
								 {{"out.sql", "-- Running upgrade x0 -> x1\nSELECT 1;\n"
											  "-- Running upgrade x1, y0 -> x2\nSELECT 2;\n"}});
	ExpectReadsBack(r);
	EXPECT_TRUE(Get(r, "x1").parents.empty());
	EXPECT_EQ(Get(r, "x2").parents, Strings{"x1"});
	EXPECT_EQ(Lines(r.notes),
			  "out.sql: alembic upgrade --sql holds no downgrade SQL: the imported revisions have no down body\n"
			  "out.sql:1: down revision \"x0\" of \"x1\" is not in this file (the SQL starts after it); it is not a "
			  "parent\n"
			  "out.sql:3: down revision \"y0\" of \"x2\" is not in this file (the SQL starts after it); it is not a "
			  "parent\n");
}

/* SQL before the first step is noted (not imported); alembic's own setup there is not. */
TEST(ImportAlembic, SqlBeforeTheFirstStepIsNoted)
{
	ImportResult r = ImportFiles(ImportFormat::kAlembicSql,
								 {{"out.sql", "BEGIN;\nCREATE TABLE alembic_version (version_num varchar(32));\n"
											  "SET lock_timeout = '5s';\n-- Running upgrade  -> a1\nSELECT 1;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Lines(r.notes),
			  "out.sql: alembic upgrade --sql holds no downgrade SQL: the imported revisions have no down body\n"
			  "out.sql:3: SQL before the first \"-- Running upgrade\" comment belongs to no revision; not imported\n");
}

/* Downgrade output, no step at all, a repeated revision, several files: errors. */
TEST(ImportAlembic, Errors)
{
	EXPECT_EQ(Lines(ImportFiles(ImportFormat::kAlembicSql,
								{{"down.sql", "-- Running downgrade b1 -> a1\nDROP TABLE b;\n"}})
						.errors),
			  "no .sql file to import (expected the output of alembic upgrade --sql)\n");
	/* "-- Running " with nothing after it (found by fuzzing: it used to read past the trimmed line). */
	EXPECT_EQ(Lines(ImportFiles(ImportFormat::kAlembicSql, {{"x.sql", "-- Running  \r\nSELECT 1;\n"}}).errors),
			  "x.sql:1: only \"-- Running upgrade <from> -> <to>\" steps can be imported (found \"-- Running\"; "
			  "import the output of alembic upgrade --sql)\n");
	EXPECT_EQ(Lines(ImportFiles(ImportFormat::kAlembicSql, {{"x.sql", "CREATE TABLE t ();\n"}}).errors),
			  "x.sql: no \"-- Running upgrade\" comment: not the output of alembic upgrade --sql\n");
	EXPECT_EQ(Lines(ImportFiles(ImportFormat::kAlembicSql,
								{{"x.sql", "-- Running upgrade  -> a1\nSELECT 1;\n-- Running upgrade a1 -> a1\nSELECT 2;\n"}})
						.errors),
			  "x.sql:3: revision \"a1\" is upgraded to twice (also on line 1)\n");
	EXPECT_EQ(Lines(ImportFiles(ImportFormat::kAlembicSql, {{"x.sql", "-- Running upgrade a1 -> b1, c1\nSELECT 1;\n"}})
						.errors),
			  "x.sql:1: cannot read the revision after \"->\" in \"-- Running upgrade a1 -> b1, c1\"\n");
	EXPECT_EQ(Lines(ImportFiles(ImportFormat::kAlembicSql, {{"a.sql", "x"}, {"b.sql", "y"}, {"c.txt", "z"}}).errors),
			  "b.sql: more than one .sql file of the same kind (also a.sql): import the one output of alembic upgrade "
			  "--sql, and beside it the one of alembic downgrade --sql\n");
}

/* The output of alembic downgrade --sql beside the upgrade output gives each
 * revision it undoes its down body (issue 18); what it lacks or has in excess
 * is noted. */
TEST(ImportAlembic, DownBodiesFromTheDowngradeOutput)
{
	ImportResult r = ImportFiles(
		ImportFormat::kAlembicSql,
		{{"up.sql", "BEGIN;\n-- Running upgrade  -> a1\nCREATE TABLE a (id int);\nINSERT INTO alembic_version "
					"(version_num) VALUES ('a1');\n-- Running upgrade a1 -> b1\nCREATE TABLE b (id int);\n"
					"-- Running upgrade b1 -> c1\nCREATE TABLE c (id int);\nCOMMIT;\n"},
		 {"down.sql", "BEGIN;\n-- Running downgrade b1 -> a1\nDROP TABLE b;\nUPDATE alembic_version SET "
					  "version_num='a1' WHERE alembic_version.version_num = 'b1';\n-- Running downgrade a1 -> \n"
					  "DROP TABLE a;\nDELETE FROM alembic_version WHERE alembic_version.version_num = 'a1';\n"
					  "DROP TABLE alembic_version;\n-- Running downgrade z9 -> a1\nDROP TABLE z;\nCOMMIT;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(*Get(r, "a1").down, "DROP TABLE a;\n");
	EXPECT_EQ(*Get(r, "b1").down, "DROP TABLE b;\n");
	EXPECT_FALSE(Get(r, "c1").down.has_value());
	EXPECT_EQ(Lines(r.notes), "down.sql: no \"-- Running downgrade c1 -> ...\" step: revision \"c1\" has no down body\n"
							  "down.sql:9: downgrade of \"z9\", which the upgrade file does not have; ignored\n");
	EXPECT_EQ(Lines(ImportFiles(ImportFormat::kAlembicSql,
								{{"up.sql", "-- Running upgrade  -> a1\nSELECT 1;\n"},
								 {"down.sql", "-- Running downgrade a1 -> \nSELECT 2;\n-- Running downgrade a1 -> \n"}})
						.errors),
			  "down.sql:3: revision \"a1\" is downgraded twice (also on line 1)\n");
}

/* ---- Bodies: the lexer, encodings, header lines. ---- */

/* Semicolons and BEGIN/COMMIT inside quotes, dollar quotes and comments do not confuse the wrapper strip. */
TEST(ImportBodies, QuotesAndCommentsDoNotSplitStatements)
{
	const std::string inner = "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $fn$\n"
							  "BEGIN\n  RETURN 'COMMIT;';\nEND;\n$fn$;\n"
							  "SELECT E'it\\'s; fine', \"odd;name\" FROM (SELECT 1 AS \"odd;name\") s; "
							  "/* a /* nested; */ COMMIT; */\n"
							  "DO $do$\nBEGIN\n  PERFORM 1;\nEND\n$do$;\n"
							  "SELECT $$;$$, 'x'';y' -- COMMIT;\n;\n";
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate, {{"1_a.up.sql", "BEGIN;\n" + inner + "COMMIT;\n"},
																{"2_b.up.sql", "BEGIN;\n" + inner}});
	ExpectReadsBack(r);
	EXPECT_EQ(Get(r, "1_a").up, inner); /* stripped: the last statement is the real COMMIT */
	EXPECT_EQ(Get(r, "2_b").up, "BEGIN;\n" + inner); /* no COMMIT outside quotes and comments: kept */
	/* Only the real BEGIN is transaction control: none is seen inside a quote, dollar quote or comment. */
	EXPECT_EQ(Lines(r.notes),
			  "1_a.up.sql:1: removed the BEGIN; and COMMIT; around the body: pgmig runs each revision in its own "
			  "transaction\n"
			  "2_b.up.sql:1: transaction control (BEGIN) is refused in a pgmig body, which runs in a transaction pgmig "
			  "manages; remove it from the imported file\n");
}

/* A SQL-standard function body (BEGIN ATOMIC ... END) is one statement, as psql reads it. */
TEST(ImportBodies, BeginAtomicIsOneStatement)
{
	const std::string proc = "CREATE OR REPLACE PROCEDURE add_row(v int) LANGUAGE sql\nBEGIN ATOMIC\n"
							 "  INSERT INTO t VALUES (v);\n  SELECT CASE WHEN v > 0 THEN 1 ELSE 0 END;\nEND;\n";
	ImportResult r = ImportFiles(ImportFormat::kSqitch, {{"sqitch.plan", kPlanHead + PlanLine("p")},
														 {"deploy/p.sql", "BEGIN;\n" + proc + "COMMIT;\n"},
														 {"revert/p.sql", proc}});
	ExpectReadsBack(r);
	EXPECT_EQ(r.migrations[0].up, proc);
	/* Split wrongly, "END;" would be a statement of its own, noted as transaction control. */
	EXPECT_TRUE(r.notes.empty()) << Lines(r.notes);
}

/* Transaction control and a lone-statement kind mixed with others are noted on their lines. */
TEST(ImportBodies, StatementsPgmigTreatsDifferentlyAreNoted)
{
	ImportResult r = ImportFiles(ImportFormat::kFlyway,
								 {{"V1__A.sql", "CREATE TABLE a (c int);\nCOMMIT;\nVACUUM a;\n"},
								  {"V2__B.sql", "CREATE TABLE b (c int);\nCREATE INDEX CONCURRENTLY b_c ON b (c);\n"},
								  {"U2__B.sql", "DROP INDEX CONCURRENTLY b_c;\nDROP TABLE b;\n"}});
	ExpectReadsBack(r);
	EXPECT_FALSE(Get(r, "v2_b").nontransactional);
	EXPECT_EQ(Lines(r.notes),
			  "U2__B.sql:1: DROP INDEX CONCURRENTLY cannot share a pgmig revision with other statements (the server "
			  "refuses the body); move it into a revision of its own\n"
			  "V1__A.sql:2: transaction control (COMMIT) is refused in a pgmig body, which runs in a transaction pgmig "
			  "manages; remove it from the imported file\n"
			  "V1__A.sql:3: VACUUM cannot share a pgmig revision with other statements (the server refuses the "
			  "body); move it into a revision of its own\n"
			  "V2__B.sql:2: CREATE INDEX CONCURRENTLY cannot share a pgmig revision with other statements (the "
			  "server refuses the body); move it into a revision of its own\n");
}

/* A body line starting with "-- pgmig:" would be read as a header: an error at its source line. */
TEST(ImportBodies, PgmigHeaderLineIsAnError)
{
	ImportResult r = ImportFiles(ImportFormat::kDbmate,
								 {{"1_a.sql", "-- migrate:up\nSELECT 1;\n-- pgmig:down\nSELECT 2;\n"
											  "-- migrate:down\n-- pgmig:x\n  -- pgmig:indented is fine\n"}});
	EXPECT_EQ(Lines(r.errors),
			  "1_a.sql:3: a line starting with \"-- pgmig:\" cannot be put in a pgmig body (it would be read as a "
			  "header line); indent it or reword it\n"
			  "1_a.sql:6: a line starting with \"-- pgmig:\" cannot be put in a pgmig body (it would be read as a "
			  "header line); indent it or reword it\n");
}

/* NUL bytes and invalid UTF-8 are errors at their line; a byte order mark is dropped. */
TEST(ImportBodies, Encodings)
{
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate,
								 {{"1_a.up.sql", "SELECT 1;\nSELECT '\xC3(';\n"},
								  {"2_b.up.sql", std::string("SELECT 1;\n\n\0;\n", 14)},
								  {"3_c.up.sql", "\xEF\xBB\xBFSELECT 3;\n"}});
	EXPECT_EQ(Lines(r.errors), "1_a.up.sql:2: the file is not valid UTF-8 (byte 0xc3)\n"
							   "2_b.up.sql:3: the file contains a NUL byte\n");
	ImportResult bom = ImportFiles(ImportFormat::kGolangMigrate, {{"3_c.up.sql", "\xEF\xBB\xBFSELECT 3;\n"}});
	ExpectReadsBack(bom);
	EXPECT_EQ(bom.migrations[0].up, "SELECT 3;\n");
	/* Messages from names are cleaned: control bytes become spaces, bad UTF-8 "?". */
	ImportResult names = ImportFiles(ImportFormat::kGolangMigrate, {{"4_caf\xC3\xA9\x01\xFFx.up.sql", "SELECT 4;\n"}});
	ExpectReadsBack(names);
	EXPECT_EQ(names.migrations[0].message, "caf\xC3\xA9 ?x");
	EXPECT_EQ(names.migrations[0].revision, "4_caf_x");
}

/* Blank lines at both ends of a body go; a final newline is added; everything else is kept. */
TEST(ImportBodies, BlankLinesAtTheEndsAreTrimmed)
{
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate,
								 {{"1_a.up.sql", "\n  \n\t\r\n  SELECT 1;  \n\n  -- tail\n \n\n"},
								  {"1_a.down.sql", "\r\n\r\nSELECT 2;"}});
	ExpectReadsBack(r);
	EXPECT_EQ(r.migrations[0].up, "  SELECT 1;  \n\n  -- tail\n");
	EXPECT_EQ(r.migrations[0].down, std::optional<std::string>("SELECT 2;\n"));
}

/* The same path twice is an error. */
TEST(ImportBodies, PathGivenTwiceIsAnError)
{
	ImportResult r = ImportFiles(ImportFormat::kGolangMigrate, {{"1_a.up.sql", "SELECT 1;\n"}, {"1_a.up.sql", "SELECT 2;\n"}});
	EXPECT_EQ(Lines(r.errors), "1_a.up.sql: file given more than once\n");
}

/*
 * Property: for random bodies built from statements, comments, blank lines
 * (LF or CRLF) and an optional wrapper, the golang-migrate import keeps
 * exactly the bytes between the first and the last non-blank line (wrapper
 * lines removed), adds a final newline, and reads back.
 */
TEST(ImportBodies, RandomBodiesKeepTheirBytes)
{
	std::mt19937 rng(20260115);
	const std::vector<std::string> pieces = {"SELECT 1;",         "CREATE TABLE t (a int);", "-- note; with semicolon",
											 "/* block; */",      "INSERT INTO t VALUES (1);", "SELECT 'BEGIN;';",
											 "SELECT $$COMMIT;$$;", "  indented text;",        "\t"};
	for (int round = 0; round < 300; round++) {
		const std::string nl = rng() % 3 == 0 ? "\r\n" : "\n";
		std::vector<std::string> lines;
		const int n = 1 + static_cast<int>(rng() % 6);
		for (int k = 0; k < n; k++)
			lines.push_back(rng() % 4 == 0 ? std::string() : pieces[rng() % pieces.size()]);
		lines.push_back("SELECT 42;"); /* at least one statement */
		std::rotate(lines.begin(), lines.begin() + static_cast<long>(rng() % lines.size()), lines.end());
		std::string core;
		for (const std::string &l : lines)
			core += l + nl;
		/* The expected body: without blank lines (only blanks) at either end. */
		std::size_t first = 0, last = lines.size();
		auto blank = [](const std::string &l) { return l.find_first_not_of(" \t") == std::string::npos; };
		while (first < last && blank(lines[first]))
			first++;
		while (last > first && blank(lines[last - 1]))
			last--;
		std::string expected;
		for (std::size_t k = first; k < last; k++)
			expected += lines[k] + nl;
		const bool wrap = rng() % 2 == 0;
		const std::string text = wrap ? "BEGIN;" + nl + core + "COMMIT;" + nl : core;
		ImportResult r = ImportFiles(ImportFormat::kGolangMigrate, {{"1_x.up.sql", text}});
		ExpectReadsBack(r);
		ASSERT_EQ(r.migrations.size(), 1u);
		EXPECT_EQ(r.migrations[0].up, expected) << "input: " << ::testing::PrintToString(text);
	}
}

/* ---- The fixture projects, read from disk. ---- */

/* Flyway: V1, V1.1 (+U1.1), V2 (.sql.conf: non-transactional), V3 (+U3, a placeholder); R__ noted. */
TEST(ImportFixtures, Flyway)
{
	ImportResult r = ImportDirectory(ImportFormat::kFlyway, Fixture("flyway"));
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"v1_create_customers", "v1_1_create_orders", "v2_index_orders_by_customer",
							   "v3_add_order_notes"}));
	EXPECT_EQ(Get(r, "v1_1_create_orders").parents, Strings{"v1_create_customers"});
	EXPECT_EQ(Get(r, "v1_1_create_orders").down, std::optional<std::string>("DROP TABLE order_lines;\nDROP TABLE orders;\n"));
	EXPECT_FALSE(Get(r, "v1_create_customers").down.has_value());
	EXPECT_TRUE(Get(r, "v2_index_orders_by_customer").nontransactional);
	EXPECT_EQ(Get(r, "v2_index_orders_by_customer").up,
			  "CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);\n");
	EXPECT_EQ(Get(r, "v3_add_order_notes").message, "Add order notes");
	EXPECT_NE(Get(r, "v1_create_customers").up.find("CREATE TYPE customer_status AS ENUM"), std::string::npos);
	EXPECT_EQ(r.id_map.size(), 4u);
	EXPECT_EQ(r.id_map[1], (std::pair<std::string, std::string>{"1.1", "v1_1_create_orders"}));
	EXPECT_EQ(Lines(r.notes),
			  "V3__Add_order_notes.sql:1: Flyway placeholder \"${ticket_owner}\" is not replaced by pgmig; the body "
			  "keeps it as written\n"
			  "views/R__Customer_order_totals.sql: Flyway repeatable migration: not imported (pgmig has no repeatable "
			  "migrations; put its SQL in a new revision whenever it changes)\n");
}

/* golang-migrate: the wrapper of 000001 stripped with notes; 000003 non-transactional; 000004 without down. */
TEST(ImportFixtures, GolangMigrate)
{
	ImportResult r = ImportDirectory(ImportFormat::kGolangMigrate, Fixture("golang-migrate"));
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"000001_create_users_table", "000002_create_posts_table",
							   "000003_add_posts_author_index", "000004_seed_admin_user"}));
	const MigrationFile &users = Get(r, "000001_create_users_table");
	EXPECT_EQ(users.up.substr(0, 60), "CREATE TYPE user_role AS ENUM ('reader', 'author', 'admin');");
	EXPECT_EQ(users.up.find("COMMIT"), std::string::npos);
	EXPECT_EQ(users.down, std::optional<std::string>("DROP TABLE IF EXISTS users;\nDROP TYPE IF EXISTS user_role;\n"));
	EXPECT_TRUE(Get(r, "000003_add_posts_author_index").nontransactional);
	EXPECT_FALSE(Get(r, "000002_create_posts_table").nontransactional);
	EXPECT_FALSE(Get(r, "000004_seed_admin_user").down.has_value());
	EXPECT_EQ(r.id_map[3], (std::pair<std::string, std::string>{"4", "000004_seed_admin_user"}));
	EXPECT_EQ(Lines(r.notes),
			  "000001_create_users_table.down.sql:1: removed the BEGIN; and COMMIT; around the body: pgmig runs each "
			  "revision in its own transaction\n"
			  "000001_create_users_table.up.sql:1: removed the BEGIN; and COMMIT; around the body: pgmig runs each "
			  "revision in its own transaction\n");
}

/* dbmate: sections, transaction:false on 20240106120000 (noted on its down). */
TEST(ImportFixtures, Dbmate)
{
	ImportResult r = ImportDirectory(ImportFormat::kDbmate, Fixture("dbmate"));
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"20240105093000_create_accounts", "20240105094500_create_invoices",
							   "20240106120000_index_invoices_account", "20240110080000_unpaid_invoices_view"}));
	EXPECT_TRUE(Get(r, "20240106120000_index_invoices_account").nontransactional);
	EXPECT_EQ(Get(r, "20240106120000_index_invoices_account").down,
			  std::optional<std::string>("DROP INDEX CONCURRENTLY invoices_account_id_idx;\n"));
	EXPECT_EQ(Get(r, "20240105093000_create_accounts").down,
			  std::optional<std::string>("DROP TABLE accounts;\nDROP TYPE plan_tier;\n"));
	EXPECT_EQ(Get(r, "20240105094500_create_invoices").up.find("-- migrate"), std::string::npos);
	EXPECT_EQ(Lines(r.notes),
			  "20240106120000_index_invoices_account.sql:4: transaction:false on the down section is not carried "
			  "over: pgmig has no such flag for down bodies (the server runs a lone CREATE or DROP INDEX "
			  "CONCURRENTLY outside a transaction by itself)\n");
}

/* Diesel: the initial setup first, run_in_transaction = false, the empty placeholder noted. */
TEST(ImportFixtures, Diesel)
{
	ImportResult r = ImportDirectory(ImportFormat::kDiesel, Fixture("diesel"));
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"00000000000000_diesel_initial_setup", "20240110101500_create_authors",
							   "20240110102000_create_books", "20240111080000_index_books_title",
							   "20240112090000_reporting_placeholder"}));
	EXPECT_NE(Get(r, "00000000000000_diesel_initial_setup").up.find("diesel_manage_updated_at"), std::string::npos);
	EXPECT_TRUE(Get(r, "20240111080000_index_books_title").nontransactional);
	EXPECT_EQ(Get(r, "20240112090000_reporting_placeholder").up,
			  "-- Your SQL goes here\nSELECT 1; -- empty in diesel\n");
	EXPECT_EQ(Get(r, "20240112090000_reporting_placeholder").down,
			  std::optional<std::string>("-- This file should undo anything in `up.sql`\n"));
	EXPECT_EQ(r.id_map[2], (std::pair<std::string, std::string>{"20240110102000", "20240110102000_create_books"}));
	EXPECT_EQ(Lines(r.notes),
			  "2024-01-12-090000_reporting_placeholder/up.sql: the up body of "
			  "\"20240112090000_reporting_placeholder\" is empty; imported as \"SELECT 1; -- empty in diesel\" (pgmig "
			  "refuses empty bodies)\n");
}

/* Sqitch: plan order, requirements, wrappers stripped, a tag and the verify scripts noted. */
TEST(ImportFixtures, Sqitch)
{
	ImportResult r = ImportDirectory(ImportFormat::kSqitch, Fixture("sqitch"));
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"appschema", "users", "flip_kind", "flips", "flips_nickname_index"}));
	EXPECT_EQ(Get(r, "flips").parents, Strings{"flip_kind"});
	EXPECT_EQ(Get(r, "flips").depends_on, (Strings{"appschema", "users"}));
	EXPECT_EQ(Get(r, "flip_kind").depends_on, Strings{"appschema"});
	EXPECT_EQ(Get(r, "appschema").up, "-- Deploy flipr:appschema to pg\n\nCREATE SCHEMA flipr;\n");
	EXPECT_EQ(Get(r, "appschema").down, std::optional<std::string>("-- Revert flipr:appschema from pg\n\nDROP SCHEMA flipr;\n"));
	EXPECT_EQ(Get(r, "users").message, "Creates table to track our users.");
	EXPECT_TRUE(Get(r, "flips_nickname_index").nontransactional);
	EXPECT_FALSE(Get(r, "flips").nontransactional);
	EXPECT_EQ(Lines(r.notes),
			  "sqitch.plan:9: tag @v1.0.0-dev1 is not carried over (pgmig has no tags; target the revision \"flips\" "
			  "instead)\n"
			  "verify: 5 verify scripts are not carried over (pgmig has no verify step)\n");
}

/* Alembic: a branch and its merge (empty: SELECT 1), an autocommit block; the
 * down bodies from the output of alembic downgrade --sql beside it (issue 18),
 * none when the upgrade file is imported alone. */
TEST(ImportFixtures, AlembicSql)
{
	ImportResult r = ImportDirectory(ImportFormat::kAlembicSql, Fixture("alembic-sql"));
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"1a2b3c4d5e6f", "2b3c4d5e6f70", "3c4d5e6f7081", "4d5e6f708192", "5e6f708192a3"}));
	EXPECT_EQ(Get(r, "3c4d5e6f7081").parents, Strings{"1a2b3c4d5e6f"});
	EXPECT_EQ(Get(r, "4d5e6f708192").parents, (Strings{"2b3c4d5e6f70", "3c4d5e6f7081"}));
	EXPECT_EQ(Get(r, "4d5e6f708192").up, "SELECT 1; -- empty in alembic-sql\n");
	EXPECT_TRUE(Get(r, "5e6f708192a3").nontransactional);
	EXPECT_EQ(Get(r, "5e6f708192a3").up, "CREATE INDEX CONCURRENTLY ix_tickets_project_id ON tickets (project_id);\n");
	for (const MigrationFile &m : r.migrations) {
		ASSERT_TRUE(m.down.has_value()) << m.revision;
		for (const std::string *body : {&m.up, &*m.down}) {
			EXPECT_EQ(body->find("alembic_version"), std::string::npos) << m.revision;
			EXPECT_EQ(body->find("BEGIN"), std::string::npos) << m.revision;
			EXPECT_EQ(body->find("COMMIT"), std::string::npos) << m.revision;
		}
	}
	EXPECT_EQ(*Get(r, "1a2b3c4d5e6f").down, "DROP TABLE projects;\n\nDROP TYPE ticket_priority;\n");
	EXPECT_EQ(*Get(r, "4d5e6f708192").down, "");
	EXPECT_EQ(*Get(r, "5e6f708192a3").down, "DROP INDEX CONCURRENTLY ix_tickets_project_id;\n");
	EXPECT_EQ(Lines(r.notes), "upgrade.sql:48: the up body of \"4d5e6f708192\" is empty; imported as \"SELECT 1; -- "
							  "empty in alembic-sql\" (pgmig refuses empty bodies)\n");
	/* The upgrade file given directly (pgmig import --from alembic-sql upgrade.sql): no down bodies. */
	ImportResult direct = ImportDirectory(ImportFormat::kAlembicSql, Fixture("alembic-sql") + "/upgrade.sql");
	ExpectReadsBack(direct);
	EXPECT_EQ(Ids(direct), Ids(r));
	for (const MigrationFile &m : direct.migrations)
		EXPECT_FALSE(m.down.has_value()) << m.revision;
	EXPECT_EQ(Lines(direct.notes),
			  "upgrade.sql: alembic upgrade --sql holds no downgrade SQL: the imported revisions have no down body\n"
			  "upgrade.sql:48: the up body of \"4d5e6f708192\" is empty; imported as \"SELECT 1; -- empty in "
			  "alembic-sql\" (pgmig refuses empty bodies)\n");
}

/* ---- A plain folder of SQL files (--from sql). ---- */

/* Every *.sql file of the folder itself, in byte-wise name order, each the
 * child of the one before, with no down body; the tool's id is the file name. */
TEST(PlainSql, FilesInNameOrder)
{
	ImportResult r = ImportFiles(ImportFormat::kPlainSql,
								 {{"010_orders.sql", "CREATE TABLE orders (id int);\n"},
								  {"001_init.sql", "CREATE TABLE a (id int);\n"},
								  {"002 add users.sql", "CREATE TABLE users (id int);\n"},
								  {"create_index.sql", "CREATE INDEX ON a (id);\n"},
								  {"README.md", "how we migrate\n"},
								  {"old/000_x.sql", "SELECT 1;\n"},
								  {".hidden.sql", "SELECT 2;\n"}});
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), (Strings{"001_init", "002_add_users", "010_orders", "create_index"}));
	EXPECT_EQ(Get(r, "001_init").parents, Strings{});
	EXPECT_EQ(Get(r, "002_add_users").parents, Strings{"001_init"});
	EXPECT_EQ(Get(r, "create_index").parents, Strings{"010_orders"});
	EXPECT_EQ(Get(r, "002_add_users").message, "add users");
	EXPECT_EQ(Get(r, "010_orders").up, "CREATE TABLE orders (id int);\n");
	EXPECT_FALSE(Get(r, "010_orders").down.has_value());
	EXPECT_EQ(Lines(r.notes), "README.md: not a .sql file; ignored\n"
							  "old/000_x.sql: a plain SQL folder is read without its subfolders; ignored\n");
	ASSERT_EQ(r.id_map.size(), 4u);
	EXPECT_EQ(r.id_map[1], (std::pair<std::string, std::string>{"002 add users.sql", "002_add_users"}));
}

/* Names that make the same id, or none, are errors. */
TEST(PlainSql, IdProblems)
{
	ImportResult r = ImportFiles(ImportFormat::kPlainSql,
								 {{"001_a.sql", "SELECT 1;\n"}, {"001-a.sql", "SELECT 2;\n"}, {"__.sql", "SELECT 3;\n"}});
	EXPECT_FALSE(r.ok());
	EXPECT_NE(Lines(r.errors).find("001_a.sql: revision id \"001_a\" is also made from 001-a.sql"), std::string::npos)
		<< Lines(r.errors);
	EXPECT_NE(Lines(r.errors).find("__.sql: cannot make a pgmig revision id"), std::string::npos) << Lines(r.errors);
}

/* ---- ImportDirectory. ---- */

/* A missing folder, or a file where a folder is needed, is one error. */
TEST(ImportDirectory, MissingOrNotAFolder)
{
	ImportResult r = ImportDirectory(ImportFormat::kFlyway, "/nonexistent/pgmig/flyway");
	EXPECT_EQ(Lines(r.errors), "/nonexistent/pgmig/flyway: cannot read directory: No such file or directory\n");
	const std::string file = Fixture("flyway") + "/V1__Create_customers.sql";
	EXPECT_EQ(Lines(ImportDirectory(ImportFormat::kFlyway, file).errors), file + ": not a directory\n");
}

/* Only the files a format needs are read: a stray binary in a dbmate folder's subfolder is not even noted. */
TEST(ImportDirectory, ReadsWhatTheFormatNeedsAndNotesTheRest)
{
	namespace fs = std::filesystem;
	fs::path dir = fs::temp_directory_path() /
		("pgmig_test_importers_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
	fs::remove_all(dir);
	fs::create_directories(dir / "sub");
	std::ofstream(dir / "1_a.sql") << "-- migrate:up\nSELECT 1;\n";
	std::ofstream(dir / "notes.txt") << "not read";
	std::ofstream(dir / "sub" / "2_b.sql") << "-- migrate:up\nSELECT 2;\n";
	fs::create_directories(dir / ".git");
	std::ofstream(dir / ".git" / "HEAD") << "ref: refs/heads/main\n";
	std::ofstream(dir / ".keep") << "";
	ImportResult r = ImportDirectory(ImportFormat::kDbmate, dir.string());
	ExpectReadsBack(r);
	EXPECT_EQ(Ids(r), Strings{"1_a"});
	/* what is not read is said, but for hidden files (issue 18: they were dropped silently) */
	EXPECT_EQ(Lines(r.notes), "notes.txt: not read (dbmate reads the *.sql files of the folder itself); ignored\n"
							  "sub/2_b.sql: not read (dbmate reads the *.sql files of the folder itself); ignored\n");
	fs::remove_all(dir);
}

} // namespace
