/*
 * test/unit/test_migfile.cpp
 *
 * Unit tests of the migration-file reader and writer (client/core/migfile):
 * one test per diagnostic, asserting the exact "file:line: message" text so
 * that a change of wording or of the reported line is a deliberate act;
 * files with several problems (all reported); the cross-file checks through
 * core::Graph mapped back to files and header lines; BOM, CRLF, encoding;
 * a round-trip property of RenderMigrationFile over generated migrations;
 * MakeRevisionId, MapServerMessage and ReadFolder on a scratch directory.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "graph.hpp"
#include "migfile.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace pgmig::client;

namespace {

/* A minimal valid file with the given revision and extra header lines. */
std::string
File(const std::string &revision, const std::string &extra_header = "", const std::string &body = "SELECT 1;\n")
{
	return "-- pgmig:revision " + revision + "\n" + extra_header + body;
}

/* Every diagnostic of one file, formatted, one per line. */
std::string
Problems(const std::string &content, const std::string &path = "m/x.sql")
{
	std::string out;
	for (const Diagnostic &d : ParseMigrationFile(path, content).diagnostics)
		out += d.Format() + "\n";
	return out;
}

/* Every diagnostic of a folder, formatted, one per line. */
std::string
Problems(const Folder &folder)
{
	std::string out;
	for (const Diagnostic &d : folder.diagnostics)
		out += d.Format() + "\n";
	return out;
}

/* ---- Reading a valid file. ---- */

/* The example of the contract: every key, both bodies, every line number; it is its own canonical form. */
TEST(MigFile, ReadsTheContractExample)
{
	const std::string text = "-- pgmig:revision   20261121_093000_add_users\n"
							 "-- pgmig:parents    20261120_170000_init\n"
							 "-- pgmig:depends_on 20261119_120000_roles\n"
							 "-- pgmig:branch     billing\n"
							 "-- pgmig:message    Add users table\n"
							 "-- pgmig:nontransactional\n"
							 "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n"
							 "\n"
							 "-- pgmig:down\n"
							 "DROP TABLE users;\n";
	ParsedFile p = ParseMigrationFile("m/a.sql", text);
	ASSERT_TRUE(p.diagnostics.empty()) << Problems(text);
	ASSERT_TRUE(p.file.has_value());
	const MigrationFile &f = *p.file;
	EXPECT_EQ(f.path, "m/a.sql");
	EXPECT_EQ(f.revision, "20261121_093000_add_users");
	EXPECT_EQ(f.revision_line, 1);
	EXPECT_EQ(f.parents, std::vector<std::string>{"20261120_170000_init"});
	EXPECT_EQ(f.parents_line, 2);
	EXPECT_EQ(f.depends_on, std::vector<std::string>{"20261119_120000_roles"});
	EXPECT_EQ(f.depends_on_line, 3);
	EXPECT_EQ(f.branch_labels, std::vector<std::string>{"billing"});
	EXPECT_EQ(f.branch_line, 4);
	EXPECT_EQ(f.message, "Add users table");
	EXPECT_TRUE(f.nontransactional);
	EXPECT_EQ(f.up, "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);\n");
	EXPECT_EQ(f.up_line, 7);
	EXPECT_EQ(f.down, std::optional<std::string>("DROP TABLE users;\n"));
	EXPECT_EQ(f.down_line, 10);
	/* The canonical form of the example is the example itself. */
	EXPECT_EQ(RenderMigrationFile(f), text);
}

/* Only a revision and one statement (no final newline): a root without down body. */
TEST(MigFile, MinimalFileHasNoDownBodyAndNoParents)
{
	ParsedFile p = ParseMigrationFile("a.sql", "-- pgmig:revision a1\nSELECT 1;");
	ASSERT_TRUE(p.diagnostics.empty());
	EXPECT_TRUE(p.file->parents.empty());
	EXPECT_EQ(p.file->parents_line, 0);
	EXPECT_FALSE(p.file->message.has_value());
	EXPECT_FALSE(p.file->nontransactional);
	EXPECT_EQ(p.file->up, "SELECT 1;");
	EXPECT_EQ(p.file->up_line, 2);
	EXPECT_FALSE(p.file->down.has_value());
}

/* Blank lines in the header are skipped; bodies keep their bytes except blank lines at their end. */
TEST(MigFile, BodiesKeepTheirBytesButNotTrailingBlankLines)
{
	const std::string text = "\n-- pgmig:revision a1\n\n-- pgmig:parents\n\n"
							 "SELECT 1;  \n\n-- comment\nSELECT 2;\n \t\n\n"
							 "-- pgmig:down\n\n  DROP x;\t\n\n  \n";
	ParsedFile p = ParseMigrationFile("a.sql", text);
	ASSERT_TRUE(p.diagnostics.empty()) << Problems(text);
	EXPECT_TRUE(p.file->parents.empty()); /* an empty parents line: a root */
	EXPECT_EQ(p.file->parents_line, 4);
	EXPECT_EQ(p.file->up, "SELECT 1;  \n\n-- comment\nSELECT 2;\n");
	EXPECT_EQ(p.file->up_line, 6);
	EXPECT_EQ(p.file->down, "\n  DROP x;\t\n");
	EXPECT_EQ(p.file->down_line, 13);
}

/* A down marker with nothing after it gives an empty, present down body. */
TEST(MigFile, EmptyDownBodyIsPresent)
{
	ParsedFile p = ParseMigrationFile("a.sql", File("a1", "", "SELECT 1;\n-- pgmig:down\n"));
	ASSERT_TRUE(p.diagnostics.empty());
	EXPECT_EQ(p.file->down, std::optional<std::string>(""));
	EXPECT_EQ(p.file->down_line, 4);
}

/* Values lose surrounding blanks; lists split on any run of spaces and tabs. */
TEST(MigFile, ValuesAreTrimmedAndListsSplitOnBlanks)
{
	ParsedFile p = ParseMigrationFile("a.sql", "-- pgmig:revision \t a1 \t\n-- pgmig:parents  p1\t p2  \n"
											   "-- pgmig:message   Hello,   world!  \np0;\n");
	ASSERT_TRUE(p.diagnostics.empty());
	EXPECT_EQ(p.file->revision, "a1");
	EXPECT_EQ(p.file->parents, (std::vector<std::string>{"p1", "p2"}));
	EXPECT_EQ(p.file->message, "Hello,   world!");
}

/* Only a line starting with "-- pgmig:" is a directive; an indented one is SQL. */
TEST(MigFile, IndentedDirectiveIsAnOrdinaryComment)
{
	ParsedFile p = ParseMigrationFile("a.sql", File("a1", "", "SELECT 1;\n  -- pgmig:down\nSELECT 2;\n"));
	ASSERT_TRUE(p.diagnostics.empty());
	EXPECT_FALSE(p.file->down.has_value());
	EXPECT_EQ(p.file->up, "SELECT 1;\n  -- pgmig:down\nSELECT 2;\n");
}

/* "file:line: message", and "file: message" for line 0. */
TEST(MigFile, DiagnosticFormat)
{
	EXPECT_EQ((Diagnostic{"a.sql", 3, "bad"}).Format(), "a.sql:3: bad");
	EXPECT_EQ((Diagnostic{"a.sql", 0, "bad"}).Format(), "a.sql: bad");
}

/* ---- Encoding. ---- */

/* A UTF-8 byte order mark does not hide the first header line nor shift lines. */
TEST(MigFile, ByteOrderMarkIsSkipped)
{
	ParsedFile p = ParseMigrationFile("a.sql", "\xEF\xBB\xBF-- pgmig:revision a1\nSELECT 1;\n");
	ASSERT_TRUE(p.diagnostics.empty()) << Problems("\xEF\xBB\xBF-- pgmig:revision a1\nSELECT 1;\n");
	EXPECT_EQ(p.file->revision, "a1");
	EXPECT_EQ(p.file->up_line, 2);
}

/* CRLF files read like LF files; the bodies keep their carriage returns. */
TEST(MigFile, CrlfLineEndings)
{
	const std::string text = "-- pgmig:revision a1\r\n-- pgmig:parents p0\r\n-- pgmig:nontransactional\r\n"
							 "SELECT 1;\r\n\r\n-- pgmig:down\r\nSELECT 2;\r\n";
	ParsedFile p = ParseMigrationFile("a.sql", text);
	ASSERT_TRUE(p.diagnostics.empty()) << Problems(text);
	EXPECT_EQ(p.file->revision, "a1");
	EXPECT_EQ(p.file->parents, std::vector<std::string>{"p0"});
	EXPECT_TRUE(p.file->nontransactional);
	EXPECT_EQ(p.file->up, "SELECT 1;\r\n");
	EXPECT_EQ(p.file->down, "SELECT 2;\r\n");
	EXPECT_EQ(p.file->down_line, 7);
}

/* Invalid UTF-8: one diagnostic, at the line of the first bad sequence. */
TEST(MigFile, InvalidUtf8ReportsTheLineOfTheFirstBadByte)
{
	EXPECT_EQ(Problems(File("a1", "", "SELECT 'é';\nSELECT 'x\xC3';\nSELECT '\xFF';\n")),
			  "m/x.sql:3: the file is not valid UTF-8 (byte 0xc3)\n");
}

/* Overlong forms, surrogates and code points past U+10FFFF are invalid; 4-byte characters are fine. */
TEST(MigFile, OverlongAndSurrogateUtf8AreInvalid)
{
	EXPECT_EQ(Problems(File("a1", "", "SELECT '\xC0\xAF';\n")), "m/x.sql:2: the file is not valid UTF-8 (byte 0xc0)\n");
	EXPECT_EQ(Problems(File("a1", "", "SELECT '\xED\xA0\x80';\n")),
			  "m/x.sql:2: the file is not valid UTF-8 (byte 0xed)\n");
	EXPECT_EQ(Problems(File("a1", "", "SELECT '\xF4\x90\x80\x80';\n")),
			  "m/x.sql:2: the file is not valid UTF-8 (byte 0xf4)\n");
	EXPECT_EQ(Problems(File("a1", "", "SELECT '\xF0\x9F\x98\x80 \xE2\x82\xAC';\n")), "");
}

/* A NUL byte, at the line of the first one. */
TEST(MigFile, NulByte)
{
	EXPECT_EQ(Problems(File("a1", "", std::string("SELECT 1;\nSELECT '\0';\n", 22))),
			  "m/x.sql:3: the file contains a NUL byte\n");
}

/* ---- Header diagnostics, one each. ---- */

/* No revision line: reported on line 1, and no migration returned. */
TEST(MigFile, MissingRevision)
{
	ParsedFile p = ParseMigrationFile("m/x.sql", "-- pgmig:parents a0\nSELECT 1;\n");
	EXPECT_FALSE(p.file.has_value());
	EXPECT_EQ(Problems("-- pgmig:parents a0\nSELECT 1;\n"), "m/x.sql:1: missing \"-- pgmig:revision <id>\" line\n");
}

/* An empty file lacks both a revision and an up body. */
TEST(MigFile, EmptyFile)
{
	EXPECT_EQ(Problems(""), "m/x.sql:1: missing \"-- pgmig:revision <id>\" line\n"
							"m/x.sql:1: the up body is empty (nothing but blanks and comments)\n");
}

/* An unknown key (branch_labels is not an alias of branch). */
TEST(MigFile, UnknownKey)
{
	EXPECT_EQ(Problems(File("a1", "-- pgmig:branch_labels x\n")),
			  "m/x.sql:2: unknown key \"branch_labels\" (expected revision, parents, depends_on, branch, message or "
			  "nontransactional)\n");
}

/* "-- pgmig:" followed by blanks. */
TEST(MigFile, MissingKey)
{
	EXPECT_EQ(Problems(File("a1", "-- pgmig: parents\n")), "m/x.sql:2: missing key after \"-- pgmig:\"\n");
}

/* A key given twice: reported at the second, the first value kept. */
TEST(MigFile, RepeatedKey)
{
	ParsedFile p = ParseMigrationFile("m/x.sql", File("a1", "-- pgmig:message one\n-- pgmig:message two\n"));
	EXPECT_EQ(p.file->message, "one");
	EXPECT_EQ(Problems(File("a1", "-- pgmig:message one\n-- pgmig:message two\n")),
			  "m/x.sql:3: key \"message\" given more than once (first on line 2)\n");
}

/* The revision key given twice. */
TEST(MigFile, RepeatedRevision)
{
	EXPECT_EQ(Problems(File("a1", "-- pgmig:revision a2\n")),
			  "m/x.sql:2: key \"revision\" given more than once (first on line 1)\n");
}

/* The nontransactional flag takes no value. */
TEST(MigFile, ValueOnFlag)
{
	EXPECT_EQ(Problems(File("a1", "-- pgmig:nontransactional true\n")),
			  "m/x.sql:2: key \"nontransactional\" takes no value (found \"true\")\n");
}

/* A revision line without an id. */
TEST(MigFile, MissingRevisionValue)
{
	EXPECT_EQ(Problems("-- pgmig:revision\nSELECT 1;\n"), "m/x.sql:1: key \"revision\" needs a value\n");
}

/* A message line with only blanks. */
TEST(MigFile, MissingMessageValue)
{
	EXPECT_EQ(Problems(File("a1", "-- pgmig:message   \n")), "m/x.sql:2: key \"message\" needs a value\n");
}

/* A branch line without labels. */
TEST(MigFile, MissingBranchValue)
{
	EXPECT_EQ(Problems(File("a1", "-- pgmig:branch\n")), "m/x.sql:2: key \"branch\" needs a value\n");
}

/* An invalid revision id: reported, and no migration returned. */
TEST(MigFile, InvalidRevisionId)
{
	ParsedFile p = ParseMigrationFile("m/x.sql", File("_a1"));
	EXPECT_FALSE(p.file.has_value());
	EXPECT_EQ(Problems(File("_a1")), "m/x.sql:1: invalid revision id \"_a1\": it must start with a letter or digit\n");
}

/* Reserved words are invalid ids in any case. */
TEST(MigFile, ReservedRevisionId)
{
	EXPECT_EQ(Problems(File("Head")),
			  "m/x.sql:1: invalid revision id \"Head\": it must not be the reserved word \"head\" (in any case)\n");
}

/* A revision value of two words is one invalid id. */
TEST(MigFile, RevisionIdWithTwoWords)
{
	EXPECT_EQ(Problems(File("a1 a2")), "m/x.sql:1: invalid revision id \"a1 a2\": it must contain only ASCII "
									   "letters, digits, \"_\", \".\" and \"-\"\n");
}

/* An invalid entry in parents; the valid ones are kept. */
TEST(MigFile, InvalidParentId)
{
	EXPECT_EQ(Problems(File("a1", "-- pgmig:parents a0 ba$e\n")),
			  "m/x.sql:2: invalid parent id \"ba$e\": it must contain only ASCII letters, digits, \"_\", \".\" and "
			  "\"-\"\n");
}

/* An invalid entry in depends_on. */
TEST(MigFile, InvalidDependsOnId)
{
	EXPECT_EQ(Problems(File("a1", "-- pgmig:depends_on base\n")),
			  "m/x.sql:2: invalid depends_on id \"base\": it must not be the reserved word \"base\" (in any case)\n");
}

/* An invalid branch label. */
TEST(MigFile, InvalidBranchLabel)
{
	EXPECT_EQ(Problems(File("a1", "-- pgmig:branch -main\n")),
			  "m/x.sql:2: invalid branch label \"-main\": it must start with a letter or digit\n");
}

/* Quotes and control bytes from the file are escaped in messages. */
TEST(MigFile, HostileTextIsEscapedInMessages)
{
	EXPECT_EQ(Problems(File("a1", "-- pgmig:branch a\"b\x1b[31m\n")),
			  "m/x.sql:2: invalid branch label \"a\\\"b\\x1b[31m\": it must contain only ASCII letters, digits, "
			  "\"_\", \".\" and \"-\"\n");
}

/* ---- Body diagnostics, one each. ---- */

/* A header line after the first line of SQL. */
TEST(MigFile, DirectiveInUpBody)
{
	EXPECT_EQ(Problems(File("a1", "", "SELECT 1;\n-- pgmig:parents a0\n")),
			  "m/x.sql:3: unexpected \"-- pgmig:parents\" line in the up body (the header ends before line 2, the "
			  "first line of SQL)\n");
}

/* A "-- pgmig:" line in the down body. */
TEST(MigFile, DirectiveInDownBody)
{
	EXPECT_EQ(Problems(File("a1", "", "SELECT 1;\n-- pgmig:down\nSELECT 2;\n-- pgmig:downgrade\n")),
			  "m/x.sql:5: unexpected \"-- pgmig:downgrade\" line in the down body\n");
}

/* A second down marker (trailing blanks do not hide it). */
TEST(MigFile, SecondDownMarker)
{
	EXPECT_EQ(Problems(File("a1", "", "SELECT 1;\n-- pgmig:down\nSELECT 2;\n-- pgmig:down  \n")),
			  "m/x.sql:5: second \"-- pgmig:down\" line (the first is on line 3)\n");
}

/* Text after the down marker on its line. */
TEST(MigFile, TextAfterDownMarker)
{
	EXPECT_EQ(Problems(File("a1", "", "SELECT 1;\n-- pgmig:down please\nSELECT 2;\n")),
			  "m/x.sql:3: unexpected text after \"-- pgmig:down\" (it must be alone on its line)\n");
}

/* An up body of comments only is empty. */
TEST(MigFile, EmptyUpBodyOfComments)
{
	EXPECT_EQ(Problems(File("a1", "", "-- nothing yet\n/* still\nnothing */\n\n-- pgmig:down\nSELECT 1;\n")),
			  "m/x.sql:2: the up body is empty (nothing but blanks and comments)\n");
}

/* The down marker right after the header: the empty up body is on the marker line. */
TEST(MigFile, EmptyUpBodyBeforeDownMarker)
{
	ParsedFile p = ParseMigrationFile("m/x.sql", "-- pgmig:revision a1\n\n-- pgmig:down\nSELECT 1;\n");
	EXPECT_EQ(p.file->up_line, 3);
	EXPECT_EQ(Problems("-- pgmig:revision a1\n\n-- pgmig:down\nSELECT 1;\n"),
			  "m/x.sql:3: the up body is empty (nothing but blanks and comments)\n");
}

/* A file of header lines only: the empty up body is one line past the end. */
TEST(MigFile, HeaderOnlyFile)
{
	/* The up body would start after the last line. */
	EXPECT_EQ(Problems("-- pgmig:revision a1\n-- pgmig:message m\n"),
			  "m/x.sql:3: the up body is empty (nothing but blanks and comments)\n");
}

/* ---- Several problems at once. ---- */

/* Many problems in one file: all reported, in line order. */
TEST(MigFile, EveryProblemOfAFileIsReported)
{
	const std::string text = "-- pgmig:parents p0 p0 _bad\n"
							 "-- pgmig:colour blue\n"
							 "-- pgmig:parents p1\n"
							 "-- pgmig:nontransactional yes\n"
							 "\n"
							 "-- just a comment\n"
							 "-- pgmig:message late\n"
							 "-- pgmig:down\n"
							 "DROP \xFF;\n"
							 "-- pgmig:down\n";
	EXPECT_EQ(Problems(text),
			  "m/x.sql:1: invalid parent id \"_bad\": it must start with a letter or digit\n"
			  "m/x.sql:1: missing \"-- pgmig:revision <id>\" line\n"
			  "m/x.sql:2: unknown key \"colour\" (expected revision, parents, depends_on, branch, message or "
			  "nontransactional)\n"
			  "m/x.sql:3: key \"parents\" given more than once (first on line 1)\n"
			  "m/x.sql:4: key \"nontransactional\" takes no value (found \"yes\")\n"
			  "m/x.sql:6: the up body is empty (nothing but blanks and comments)\n"
			  "m/x.sql:7: unexpected \"-- pgmig:message\" line in the up body (the header ends before line 6, the "
			  "first line of SQL)\n"
			  "m/x.sql:9: the file is not valid UTF-8 (byte 0xff)\n"
			  "m/x.sql:10: second \"-- pgmig:down\" line (the first is on line 8)\n");
}

/* A folder reports by file name, then line, whatever the input order. */
TEST(MigFile, FolderSortsDiagnosticsByFileThenLine)
{
	Folder f = CheckFolder({{"m/b.sql", File("b1", "-- pgmig:colour x\n-- pgmig:parents zz\n")},
							{"m/a.sql", "-- pgmig:bogus\n\xFF\n"}});
	EXPECT_FALSE(f.ok());
	EXPECT_EQ(Problems(f), "m/a.sql:1: unknown key \"bogus\" (expected revision, parents, depends_on, branch, message "
						   "or nontransactional)\n"
						   "m/a.sql:1: missing \"-- pgmig:revision <id>\" line\n"
						   "m/a.sql:2: the file is not valid UTF-8 (byte 0xff)\n"
						   "m/b.sql:2: unknown key \"colour\" (expected revision, parents, depends_on, branch, message "
						   "or nontransactional)\n"
						   "m/b.sql:3: revision \"b1\" names unknown parent \"zz\"\n");
	EXPECT_TRUE(f.Heads().empty());
}

/* ---- Cross-file checks. ---- */

/* A valid folder: files in name order, heads in graph order, Find. */
TEST(MigFolder, ValidFolder)
{
	Folder f = CheckFolder({{"m/2.sql", File("r2", "-- pgmig:parents r1\n")},
							{"m/1.sql", File("r1")},
							{"m/3.sql", File("r3", "-- pgmig:parents r1\n-- pgmig:depends_on r2\n")}});
	ASSERT_TRUE(f.ok()) << Problems(f);
	ASSERT_EQ(f.files.size(), 3u);
	EXPECT_EQ(f.files[0].path, "m/1.sql");
	EXPECT_EQ(f.files[2].path, "m/3.sql");
	EXPECT_EQ(f.Heads(), (std::vector<std::string>{"r2", "r3"}));
	ASSERT_NE(f.Find("r2"), nullptr);
	EXPECT_EQ(f.Find("r2")->path, "m/2.sql");
	EXPECT_EQ(f.Find("r9"), nullptr);
}

/* The same id in two files: the later file is reported, naming the earlier one. */
TEST(MigFolder, DuplicateIdNamesBothFiles)
{
	Folder f = CheckFolder({{"m/b.sql", "\n\n" + File("r1")}, {"m/a.sql", File("r1")}});
	EXPECT_EQ(Problems(f), "m/b.sql:3: revision \"r1\" is also defined in m/a.sql:1\n");
	EXPECT_EQ(f.Find("r1")->path, "m/a.sql");
}

/* An unknown parent, reported on the parents line. */
TEST(MigFolder, UnknownParent)
{
	Folder f = CheckFolder({{"m/a.sql", File("r1", "-- pgmig:message m\n-- pgmig:parents r0\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:3: revision \"r1\" names unknown parent \"r0\"\n");
}

/* An unknown dependency, reported on the depends_on line. */
TEST(MigFolder, UnknownDependency)
{
	Folder f = CheckFolder({{"m/a.sql", File("r1", "-- pgmig:depends_on r0\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:2: revision \"r1\" names unknown dependency \"r0\"\n");
}

/* Files with a missing or invalid id: their own problems only, no duplicates from the graph. */
TEST(MigFolder, ParentOfAnInvalidFileIsUnknown)
{
	Folder f = CheckFolder({{"m/a.sql", "-- pgmig:revision r0\n-- nothing\n"},
							{"m/b.sql", File("r1", "-- pgmig:parents r0\n")},
							{"m/c.sql", "-- pgmig:revision _r2\nSELECT 1;\n"},
							{"m/d.sql", File("r3", "-- pgmig:parents _r2\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:2: the up body is empty (nothing but blanks and comments)\n"
						   "m/c.sql:1: invalid revision id \"_r2\": it must start with a letter or digit\n"
						   "m/d.sql:2: invalid parent id \"_r2\": it must start with a letter or digit\n");
}

/* A cycle through parents, reported once, at the first file on it. */
TEST(MigFolder, Cycle)
{
	Folder f = CheckFolder({{"m/a.sql", File("r1", "-- pgmig:parents r2\n")},
							{"m/b.sql", File("r2", "-- pgmig:parents r1\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:2: revision \"r1\" is on a cycle through parents and dependencies (each naming "
						   "the next): \"r1\" -> \"r2\" -> \"r1\"\n");
}

/* A cycle through depends_on, reported on the depends_on line. */
TEST(MigFolder, CycleThroughDependencies)
{
	Folder f = CheckFolder({{"m/a.sql", File("r1", "-- pgmig:depends_on r2\n")},
							{"m/b.sql", File("r2", "-- pgmig:message m\n-- pgmig:depends_on r1\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:2: revision \"r1\" is on a cycle through parents and dependencies (each naming "
						   "the next): \"r1\" -> \"r2\" -> \"r1\"\n");
}

/* A revision naming itself as parent. */
TEST(MigFolder, SelfParent)
{
	Folder f = CheckFolder({{"m/a.sql", File("r1", "-- pgmig:parents r1\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:2: revision \"r1\" names itself as its parent\n");
}

/* A revision naming itself as dependency. */
TEST(MigFolder, SelfDependency)
{
	Folder f = CheckFolder({{"m/a.sql", File("r1", "-- pgmig:message m\n-- pgmig:depends_on r1\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:3: revision \"r1\" names itself as a dependency\n");
}

/* The same parent twice. */
TEST(MigFolder, RepeatedParent)
{
	Folder f = CheckFolder({{"m/0.sql", File("r0")}, {"m/a.sql", File("r1", "-- pgmig:parents r0 r0\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:2: revision \"r1\" lists parent \"r0\" more than once\n");
}

/* The same revision as parent and dependency, on the depends_on line. */
TEST(MigFolder, ParentAlsoDependency)
{
	Folder f = CheckFolder(
		{{"m/0.sql", File("r0")}, {"m/a.sql", File("r1", "-- pgmig:parents r0\n-- pgmig:depends_on r0\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:3: revision \"r1\" names \"r0\" both as parent and as dependency\n");
}

/* A branch label on two revisions, reported at the later one. */
TEST(MigFolder, DuplicateLabel)
{
	Folder f = CheckFolder({{"m/a.sql", File("r1", "-- pgmig:branch main\n")},
							{"m/b.sql", File("r2", "-- pgmig:parents r1\n-- pgmig:branch main\n")}});
	EXPECT_EQ(Problems(f), "m/b.sql:3: revision \"r2\" has branch label \"main\", which revision \"r1\" already "
						   "carries\n");
}

/* A branch label that is also a revision id. */
TEST(MigFolder, LabelEqualToAnId)
{
	Folder f = CheckFolder({{"m/a.sql", File("r1", "-- pgmig:branch r2\n")},
							{"m/b.sql", File("r2", "-- pgmig:parents r1\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:2: revision \"r1\" has branch label \"r2\", which is also a revision id\n");
}

/* A branch label listed twice in one file. */
TEST(MigFolder, LabelRepeatedInOneFile)
{
	Folder f = CheckFolder({{"m/a.sql", File("r1", "-- pgmig:branch x x\n")}});
	EXPECT_EQ(Problems(f), "m/a.sql:2: revision \"r1\" lists branch label \"x\" more than once\n");
}

/* Several heads are fine for the folder; Heads lists them.  An empty folder is valid. */
TEST(MigFolder, SeveralHeads)
{
	Folder f = CheckFolder({{"a.sql", File("r0")}, {"b.sql", File("r1", "-- pgmig:parents r0\n")},
							{"c.sql", File("r2", "-- pgmig:parents r0\n")}});
	ASSERT_TRUE(f.ok());
	EXPECT_EQ(f.Heads(), (std::vector<std::string>{"r1", "r2"}));
	EXPECT_TRUE(CheckFolder({}).ok());
	EXPECT_TRUE(CheckFolder({}).Heads().empty());
}

/* ---- ReadFolder. ---- */

/* A fresh scratch directory under the system temporary directory. */
std::filesystem::path
ScratchDir(const std::string &name)
{
	std::filesystem::path dir = std::filesystem::temp_directory_path() /
		("pgmig_test_migfile_" + name + "_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
	std::filesystem::remove_all(dir);
	std::filesystem::create_directories(dir);
	return dir;
}

/* Writes a file's bytes. */
void
WriteFile(const std::filesystem::path &path, const std::string &content)
{
	std::ofstream out(path, std::ios::binary);
	out << content;
}

/* ReadFolder reads *.sql regular files directly in the folder, in name order. */
TEST(MigFolder, ReadFolderTakesSqlFilesInNameOrder)
{
	std::filesystem::path dir = ScratchDir("read");
	WriteFile(dir / "b.sql", File("r2", "-- pgmig:parents r1\n"));
	WriteFile(dir / "a.sql", File("r1"));
	WriteFile(dir / "notes.txt", "not a migration");
	WriteFile(dir / "c.sql.bak", "not a migration");
	std::filesystem::create_directories(dir / "sub.sql");
	WriteFile(dir / "sub.sql" / "d.sql", "not read: not directly in the folder");
	Folder f = ReadFolder(dir.string());
	ASSERT_TRUE(f.ok()) << Problems(f);
	ASSERT_EQ(f.files.size(), 2u);
	EXPECT_EQ(f.files[0].path, (dir / "a.sql").string());
	EXPECT_EQ(f.files[1].path, (dir / "b.sql").string());
	EXPECT_EQ(f.Heads(), std::vector<std::string>{"r2"});
	/* the count from the listing alone (the client's early mig_sync_lines)
	 * takes the same files */
	EXPECT_EQ(CountMigrationFiles(dir.string()), std::optional<std::size_t>(2));
	EXPECT_EQ(CountMigrationFiles((dir / "missing").string()), std::nullopt);

	WriteFile(dir / "c.sql", File("r1"));
	f = ReadFolder(dir.string());
	EXPECT_EQ(Problems(f), (dir / "c.sql").string() + ":1: revision \"r1\" is also defined in " +
							   (dir / "a.sql").string() + ":1\n");
	std::filesystem::remove_all(dir);
}

/* A folder large enough to be read and parsed on several threads
 * (parallel.hpp) gives what one thread would: every file in name order with
 * its whole content, diagnostics in file order. */
TEST(MigFolder, ReadFolderLargeFolderInOrder)
{
	std::filesystem::path dir = ScratchDir("large");
	constexpr int kFiles = 1500;
	auto name = [](int i) {
		char buf[16];
		std::snprintf(buf, sizeof buf, "r%04d", i);
		return std::string(buf);
	};
	const std::string big_body = "SELECT 1;\n" + std::string(300000, '-') + "\n";
	for (int i = 0; i < kFiles; i++)
		WriteFile(dir / (name(i) + ".sql"),
				  File(name(i), i == 0 ? "" : "-- pgmig:parents " + name(i - 1) + "\n", i == 0 ? big_body : "SELECT 1;\n"));
	WriteFile(dir / "z_dup.sql", File(name(10)));
	Folder f = ReadFolder(dir.string());
	ASSERT_EQ(f.files.size(), static_cast<std::size_t>(kFiles + 1));
	for (int i = 0; i < kFiles; i++)
		ASSERT_EQ(f.files[i].path, (dir / (name(i) + ".sql")).string()) << i;
	EXPECT_EQ(f.files[0].up, big_body);
	EXPECT_EQ(Problems(f), (dir / "z_dup.sql").string() + ":1: revision \"r0010\" is also defined in " +
							   (dir / "r0010.sql").string() + ":1\n");
	std::filesystem::remove(dir / "z_dup.sql");
	f = ReadFolder(dir.string());
	ASSERT_TRUE(f.ok()) << Problems(f);
	EXPECT_EQ(f.Heads(), std::vector<std::string>{name(kFiles - 1)});
	std::filesystem::remove_all(dir);
}

/* A missing folder is one whole-file diagnostic. */
TEST(MigFolder, ReadFolderMissingDirectory)
{
	Folder f = ReadFolder("/nonexistent/pgmig/migrations");
	ASSERT_EQ(f.diagnostics.size(), 1u);
	EXPECT_EQ(f.diagnostics[0].Format(), "/nonexistent/pgmig/migrations: cannot read directory: No such file or "
										 "directory");
}

/* ---- RenderMigrationFile round trip. ---- */

/* Key order, alignment, omitted keys, the blank line before the down marker. */
TEST(MigRender, CanonicalForm)
{
	MigrationFile f;
	f.revision = "r3";
	f.parents = {"r1", "r2"};
	f.depends_on = {"d1"};
	f.branch_labels = {"main", "x"};
	f.message = "Merge it";
	f.nontransactional = true;
	f.up = "CREATE INDEX CONCURRENTLY i ON t (a);\n";
	f.down = "DROP INDEX CONCURRENTLY i;\n";
	EXPECT_EQ(RenderMigrationFile(f), "-- pgmig:revision   r3\n"
									  "-- pgmig:parents    r1 r2\n"
									  "-- pgmig:depends_on d1\n"
									  "-- pgmig:branch     main x\n"
									  "-- pgmig:message    Merge it\n"
									  "-- pgmig:nontransactional\n"
									  "CREATE INDEX CONCURRENTLY i ON t (a);\n"
									  "\n"
									  "-- pgmig:down\n"
									  "DROP INDEX CONCURRENTLY i;\n");
	f = MigrationFile{};
	f.revision = "r1";
	f.up = "SELECT 1;";
	EXPECT_EQ(RenderMigrationFile(f), "-- pgmig:revision   r1\nSELECT 1;");
	f.down = "";
	EXPECT_EQ(RenderMigrationFile(f), "-- pgmig:revision   r1\nSELECT 1;\n\n-- pgmig:down\n");
}

/* Whether two migrations hold the same content (paths and line numbers aside). */
void
ExpectSameContent(const MigrationFile &a, const MigrationFile &b, const std::string &text)
{
	EXPECT_EQ(a.revision, b.revision) << text;
	EXPECT_EQ(a.parents, b.parents) << text;
	EXPECT_EQ(a.depends_on, b.depends_on) << text;
	EXPECT_EQ(a.branch_labels, b.branch_labels) << text;
	EXPECT_EQ(a.message, b.message) << text;
	EXPECT_EQ(a.nontransactional, b.nontransactional) << text;
	EXPECT_EQ(a.up, b.up) << text;
	EXPECT_EQ(a.down, b.down) << text;
}

/* A random valid id from a small alphabet. */
std::string
RandomId(std::mt19937 &rng)
{
	static const char chars[] = "abcxyz019_.-";
	std::string id(1, "abz09"[rng() % 5]);
	for (std::size_t n = rng() % 12; n > 0; n--)
		id.push_back(chars[rng() % (sizeof chars - 1)]);
	return id;
}

/* A random body of lines (SQL, comments, blanks, CRLF, tabs, UTF-8), ending in a line end after a non-blank line. */
std::string
RandomBody(std::mt19937 &rng, bool up)
{
	static const char *const pieces[] = {"SELECT 1;", "  -- pgmig:down", "-- a comment", "", "   ", "\t",
										 "INSERT INTO t VALUES ('é€😀');", "/* block */", "CREATE TABLE t (a int);\t",
										 "x\r", "-- pgmig", "--pgmig:down"};
	std::string body;
	if (up)
		body = std::string(rng() % 2 ? "SELECT 0;" : "CREATE TABLE u ();") + (rng() % 4 ? "\n" : "\r\n");
	for (std::size_t n = rng() % 6; n > 0; n--)
		body += std::string(pieces[rng() % (sizeof pieces / sizeof pieces[0])]) + (rng() % 4 ? "\n" : "\r\n");
	/* The last line is never blank (blank lines at the end are not part of a body). */
	body += std::string(rng() % 2 ? "SELECT 2;" : "-- end") + (rng() % 4 ? "\n" : "\r\n");
	return body;
}

/* Parse(Render(x)) == x for generated migrations, and the text is a fixed point. */
TEST(MigRender, RoundTripProperty)
{
	std::mt19937 rng(20261121);
	for (int round = 0; round < 2000; round++) {
		MigrationFile f;
		f.path = "m/x.sql";
		f.revision = RandomId(rng);
		for (std::size_t n = rng() % 3; n > 0; n--)
			f.parents.push_back(RandomId(rng));
		for (std::size_t n = rng() % 3; n > 0; n--)
			f.depends_on.push_back(RandomId(rng));
		for (std::size_t n = rng() % 3; n > 0; n--)
			f.branch_labels.push_back(RandomId(rng));
		if (rng() % 2)
			f.message = "Add " + RandomId(rng) + (rng() % 2 ? " and  some \"quoted\" téxt" : "");
		f.nontransactional = rng() % 2 == 0;
		f.up = RandomBody(rng, true);
		if (rng() % 4 == 0 && f.up.back() == '\n')
			f.up.pop_back(); /* the last line without a line end, when there is no down body */
		else if (rng() % 3 != 0)
			f.down = rng() % 5 == 0 ? std::string() : RandomBody(rng, false);
		if (f.down && !f.down->empty() && rng() % 3 == 0)
			f.down->pop_back();

		const std::string text = RenderMigrationFile(f);
		ParsedFile p = ParseMigrationFile(f.path, text);
		ASSERT_TRUE(p.diagnostics.empty()) << text << "\n" << Problems(text);
		ASSERT_TRUE(p.file.has_value());
		ExpectSameContent(*p.file, f, text);
		/* The canonical text is a fixed point. */
		ASSERT_EQ(RenderMigrationFile(*p.file), text);
	}
}

/* ---- MakeRevisionId. ---- */

/* Time stamp and slug: lower case, runs of other characters as one '_', trimmed. */
TEST(MakeRevisionId, TimeAndSlug)
{
	/* 2026-11-21 09:30:00 UTC */
	const std::time_t when = 1795253400;
	EXPECT_EQ(MakeRevisionId(when, "Add users table"), "20261121_093000_add_users_table");
	EXPECT_EQ(MakeRevisionId(when, "  Add users -- table!! "), "20261121_093000_add_users_table");
	EXPECT_EQ(MakeRevisionId(when, "Ünïcode ñame 2"), "20261121_093000_n_code_ame_2");
	EXPECT_EQ(MakeRevisionId(when, ""), "20261121_093000");
	EXPECT_EQ(MakeRevisionId(when, "!!! ---"), "20261121_093000");
	EXPECT_EQ(MakeRevisionId(0, "init"), "19700101_000000_init");
	EXPECT_EQ(MakeRevisionId(when, "CamelCase_and.dots"), "20261121_093000_camelcase_and_dots");
}

/* The slug is cut to 48 characters and trimmed again. */
TEST(MakeRevisionId, SlugIsAtMost48CharactersAndNotEndingInUnderscore)
{
	const std::time_t when = 1795253400;
	const std::string id = MakeRevisionId(when, std::string(100, 'a'));
	EXPECT_EQ(id, "20261121_093000_" + std::string(48, 'a'));
	/* The 48th character would be '_': it is trimmed. */
	EXPECT_EQ(MakeRevisionId(when, std::string(47, 'b') + " c"), "20261121_093000_" + std::string(47, 'b'));
}

/* Any time and any bytes give a valid id of bounded length. */
TEST(MakeRevisionId, AlwaysValid)
{
	std::mt19937 rng(7);
	for (int round = 0; round < 2000; round++) {
		std::string message;
		for (std::size_t n = rng() % 80; n > 0; n--)
			message.push_back(static_cast<char>(rng() % 256));
		std::time_t when = static_cast<std::time_t>(static_cast<long long>(rng()) * (rng() % 2 ? 1 : -1) *
													(rng() % 3 == 0 ? 100000 : 1));
		std::string id = MakeRevisionId(when, message);
		EXPECT_EQ(pgmig::core::CheckRevisionId(id), "") << id;
		EXPECT_GE(id.size(), 15u);
		EXPECT_LE(id.size(), 15u + 1 + 48);
	}
}

/* ---- MapServerMessage. ---- */

/* A folder of two files for the mapping tests. */
Folder
MappingFolder()
{
	return CheckFolder({{"m/a.sql", "-- pgmig:revision r1\n\nCREATE TABLE t ();\nSELECT 1/0;\n\n-- pgmig:down\n"
									"DROP TABLE t;\n"},
						{"m/b.sql", File("r2", "-- pgmig:parents r1\n")}});
}

/* Up-body lines map to file lines from up_line. */
TEST(MapServerMessage, UpBody)
{
	Folder f = MappingFolder();
	ASSERT_TRUE(f.ok()) << Problems(f);
	EXPECT_EQ(MapServerMessage(f, "revision \"r1\", line 2: division by zero"), "m/a.sql:4: division by zero");
	EXPECT_EQ(MapServerMessage(f, "revision \"r1\", line 1: x"), "m/a.sql:3: x");
	EXPECT_EQ(MapServerMessage(f, "revision \"r2\", line 1: relation \"t\" already exists"),
			  "m/b.sql:3: relation \"t\" already exists");
}

/* Down-body lines map from down_line; a file without down body is left alone. */
TEST(MapServerMessage, DownBody)
{
	Folder f = MappingFolder();
	EXPECT_EQ(MapServerMessage(f, "revision \"r1\" (down body), line 1: table \"t\" does not exist"),
			  "m/a.sql:7: table \"t\" does not exist");
	/* r2 has no down body. */
	EXPECT_EQ(MapServerMessage(f, "revision \"r2\" (down body), line 1: x"), "revision \"r2\" (down body), line 1: x");
}

/* Anything else comes back unchanged. */
TEST(MapServerMessage, UnknownRevisionOrOtherTextIsUnchanged)
{
	Folder f = MappingFolder();
	for (const char *m : {"revision \"r9\", line 2: boom", "revision \"r1\", line 0: boom",
						  "revision \"r1\", line x: boom", "revision \"r1\" line 2: boom", "revision \"r1, line 2: boom",
						  "ERROR: revision \"r1\", line 2: x", "revision \"r1\", line 2", "",
						  "revision \"r1\", line 99999999999: boom"})
		EXPECT_EQ(MapServerMessage(f, m), m);
}

} // namespace
