/*
 * test/unit/test_cli_errors.cpp
 *
 * Unit tests of the client's error handling (client/src/errors.hpp): the
 * text form for stderr, the {"error": ...} JSON form, folder problems, moving
 * a server message's body line to the migration file and line, the message
 * for an error in a statement the client ran itself, the setup hints, the
 * several refusals of a push (text and JSON) and the lint WARNINGs of an
 * upload taken apart.
 * Folders are built in memory with helper A's CheckFolder.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "errors.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

using namespace pgmig::client;

namespace {

/* A two-file folder: a's up body starts on line 3, its down body on line 6. */
Folder
TwoFiles()
{
	return CheckFolder({
		{"m/a.sql", "-- pgmig:revision a\n\nCREATE TABLE t (id int);\nSELECT 1;\n-- pgmig:down\nDROP TABLE t;\n"},
		{"m/b.sql", "-- pgmig:revision b\n-- pgmig:parents a\nCREATE TABLE u (id int);\n"},
	});
}

} // namespace

/* Message only. */
TEST(FormatErrorText, Plain)
{
	Error e("something broke");
	EXPECT_EQ(FormatErrorText(e, false), "pgmig: error: something broke\n");
	EXPECT_EQ(e.exit_code, 1);
}

/* Every field, in psql's order, and the file location in front. */
TEST(FormatErrorText, AllFields)
{
	Error e("relation \"t\" already exists");
	e.sqlstate = "42P07";
	e.detail = "d";
	e.hint = "h";
	e.file = "m/a.sql";
	e.line = 4;
	e.problems = {"m/x.sql:1: p1", "m/y.sql: p2"};
	EXPECT_EQ(FormatErrorText(e, false),
			  "m/x.sql:1: p1\nm/y.sql: p2\n"
			  "pgmig: error: m/a.sql:4: relation \"t\" already exists\n"
			  "DETAIL:  d\nHINT:  h\nSQLSTATE: 42P07\n");
	EXPECT_NE(FormatErrorText(e, true).find("\x1b[1;31merror:\x1b[0m"), std::string::npos);
}

/* The JSON form has every key, null when absent. */
TEST(ErrorJson, Keys)
{
	Error e("boom");
	EXPECT_EQ(ErrorJson(e).Dump(-1),
			  R"({"error":{"message":"boom","sqlstate":null,"detail":null,"hint":null,"file":null,"line":null,)"
			  R"("revision":null}})");
	e.sqlstate = "PM021";
	e.file = "m/a.sql";
	e.line = 3;
	e.revision = "a";
	e.problems = {"p"};
	EXPECT_EQ(ErrorJson(e).Dump(-1),
			  R"({"error":{"message":"boom","sqlstate":"PM021","detail":null,"hint":null,"file":"m/a.sql","line":3,)"
			  R"("revision":"a","problems":["p"]}})");
}

/* Every folder problem is listed. */
TEST(FolderError, ListsProblems)
{
	Folder f = CheckFolder({{"m/a.sql", "no header\n"}, {"m/b.sql", "-- pgmig:revision b\n-- pgmig:bogus x\nSELECT 1;\n"}});
	ASSERT_FALSE(f.ok());
	Error e = FolderError(f, "m");
	EXPECT_EQ(e.problems.size(), f.diagnostics.size());
	EXPECT_NE(e.message.find("in m; nothing was sent"), std::string::npos) << e.message;
	EXPECT_EQ(e.problems[0].compare(0, 8, "m/a.sql:"), 0) << e.problems[0];
}

/* An up-body line maps to the file line; the message keeps the rest. */
TEST(LocateInFolder, UpBody)
{
	Folder f = TwoFiles();
	ASSERT_TRUE(f.ok()) << f.diagnostics[0].Format();
	Error e("revision \"a\", line 2: syntax error at or near \"SELEC\"");
	LocateInFolder(e, f);
	EXPECT_EQ(e.file, "m/a.sql");
	EXPECT_EQ(e.line, 4);
	EXPECT_EQ(e.message, "syntax error at or near \"SELEC\"");
}

/* A down-body line maps into the down section. */
TEST(LocateInFolder, DownBody)
{
	Folder f = TwoFiles();
	Error e("revision \"a\" (down body), line 1: table \"t\" does not exist");
	LocateInFolder(e, f);
	EXPECT_EQ(e.file, "m/a.sql");
	EXPECT_EQ(e.line, 6);
	EXPECT_EQ(e.message, "table \"t\" does not exist");
}

/* Unknown revisions and other messages are left alone. */
TEST(LocateInFolder, LeftAlone)
{
	Folder f = TwoFiles();
	for (const char *m : {"revision \"zz\", line 1: x", "something else", "revision \"a"}) {
		Error e(m);
		LocateInFolder(e, f);
		EXPECT_EQ(e.message, m);
		EXPECT_EQ(e.file, "");
		EXPECT_EQ(e.line, 0);
	}
}

/* A message about a revision of the folder, not about a body line, gets the file. */
TEST(LocateInFolder, WholeFile)
{
	Folder f = TwoFiles();
	Error e("revision \"b\" is applied and differs from the uploaded one");
	LocateInFolder(e, f);
	EXPECT_EQ(e.file, "m/b.sql");
	EXPECT_EQ(e.line, 0);
	EXPECT_EQ(e.message, "revision \"b\" is applied and differs from the uploaded one");
	EXPECT_EQ(FormatErrorText(e, false), "pgmig: error: m/b.sql: revision \"b\" is applied and differs from the uploaded one\n");
}

/* The parser's "line N, column C" keeps the column. */
TEST(LocateInFolder, Column)
{
	Folder f = TwoFiles();
	Error e("revision \"b\", line 1, column 16: syntax error at or near \"here\"");
	LocateInFolder(e, f);
	EXPECT_EQ(e.file, "m/b.sql");
	EXPECT_EQ(e.line, 3);
	EXPECT_EQ(e.column, 16);
	EXPECT_EQ(e.message, "syntax error at or near \"here\"");
	EXPECT_EQ(FormatErrorText(e, false), "pgmig: error: m/b.sql:3:16: syntax error at or near \"here\"\n");
	EXPECT_EQ(ErrorJson(e).Get("error")->Get("column")->Dump(), "16");
}

/* A character position becomes a body line, then maps like a server message. */
TEST(NontxBodyMessage, PositionToLine)
{
	std::string body = "\n-- comment \xc3\xa9\nCREATE INDEX CONCURRENTLY i ON t (x);\n";
	/* position of "CREATE": line 3; the é counts as one character */
	int pos = 1 + 1 + 13 + 1;
	EXPECT_EQ(NontxBodyMessage("a", false, body, pos, "boom"), "revision \"a\", line 3: boom");
	EXPECT_EQ(NontxBodyMessage("a", true, body, 1, "boom"), "revision \"a\" (down body), line 1: boom");
	EXPECT_EQ(NontxBodyMessage("a", false, body, 0, "boom"), "revision \"a\": boom");
	Folder f = TwoFiles();
	Error e(NontxBodyMessage("a", false, "x\ny\n", 3, "boom"));
	LocateInFolder(e, f);
	EXPECT_EQ(e.line, 4);
}

/* Hints for a missing or old extension, never over the server's own. */
TEST(AddSetupHints, MissingOrOld)
{
	Error missing("schema \"pgmig\" does not exist");
	missing.sqlstate = "3F000";
	AddSetupHints(missing);
	EXPECT_NE(missing.hint.find("pgmig init"), std::string::npos);
	Error old("function pgmig.mig_plan(text, text, text) does not exist");
	old.sqlstate = "42883";
	AddSetupHints(old);
	EXPECT_NE(old.hint.find("older than this client"), std::string::npos);
	Error own("function pgmig.mig_plan(text) does not exist");
	own.sqlstate = "42883";
	own.hint = "server hint";
	AddSetupHints(own);
	EXPECT_EQ(own.hint, "server hint");
	Error other("x");
	other.sqlstate = "42601";
	AddSetupHints(other);
	EXPECT_EQ(other.hint, "");
}

/* 22P05 names the bytes; the client finds them in the folder and names the file and line. */
TEST(LocateUnrepresentable, FindsTheCharacter)
{
	Folder folder = CheckFolder({{"m/0001.sql", "-- pgmig:revision 0001\nCREATE TABLE t (p text);\n"},
								 {"m/0002.sql", "-- pgmig:revision 0002\n-- pgmig:parents 0001\n"
												"INSERT INTO t VALUES ('a');\nINSERT INTO t VALUES ('\xe2\x82\xac');\n"}});
	ASSERT_TRUE(folder.ok());
	Error e("character with byte sequence 0xe2 0x82 0xac in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\"");
	e.sqlstate = "22P05";
	LocateUnrepresentable(e, folder);
	EXPECT_EQ(e.file, "m/0002.sql");
	EXPECT_EQ(e.line, 4);
	EXPECT_EQ(e.revision, "0002");
	EXPECT_NE(e.message.find("cannot represent"), std::string::npos);
	EXPECT_NE(e.message.find("LATIN1"), std::string::npos);
	/* another error is left alone */
	Error other("division by zero");
	other.sqlstate = "22012";
	LocateUnrepresentable(other, folder);
	EXPECT_EQ(other.file, "");
}

/* Several refusals of a push: each at its file line with its fields, the
 * unchecked revisions, then the summary; one refusal prints as any error. */
TEST(FormatErrorText, Refusals)
{
	Error a("syntax error at or near \";\"");
	a.file = "m/a.sql";
	a.line = 4;
	a.column = 24;
	a.detail = "line 2: CREATE TABLE t (id int;";
	a.sqlstate = "42601";
	Error b("revision \"b\" is applied and differs from the uploaded one");
	b.file = "m/b.sql";
	b.hint = "h";
	b.sqlstate = "PM021";
	Error e("the server refused 2 revisions; nothing was stored");
	e.refusals = {a, b};
	e.unchecked = {{"m/c.sql", "c", "a"}};
	EXPECT_EQ(FormatErrorText(e, false),
			  "m/a.sql:4:24: syntax error at or near \";\"\nDETAIL:  line 2: CREATE TABLE t (id int;\nSQLSTATE: 42601\n"
			  "m/b.sql: revision \"b\" is applied and differs from the uploaded one\nHINT:  h\nSQLSTATE: PM021\n"
			  "m/c.sql: not checked: its ancestor a was refused\n"
			  "pgmig: error: the server refused 2 revisions; nothing was stored\n");
	Error one = a;
	one.refusals = {a};
	EXPECT_EQ(FormatErrorText(one, false), "pgmig: error: " + FormatErrorText(a, false).substr(14));
}

/* The JSON form lists the refusals with every key, and the unchecked revisions. */
TEST(ErrorJson, Refusals)
{
	Error a("boom");
	a.file = "m/a.sql";
	a.line = 3;
	a.revision = "a";
	a.sqlstate = "PM011";
	Error e("the server refused 1 revision");
	e.refusals = {a};
	e.unchecked = {{"m/c.sql", "c", "a"}};
	EXPECT_EQ(ErrorJson(e).Dump(-1),
			  R"({"error":{"message":"the server refused 1 revision","sqlstate":null,"detail":null,"hint":null,)"
			  R"("file":null,"line":null,"revision":null,"errors":[{"message":"boom","sqlstate":"PM011","detail":null,)"
			  R"("hint":null,"file":"m/a.sql","line":3,"revision":"a"}],)"
			  R"("not_checked":[{"file":"m/c.sql","revision":"c","ancestor":"a"}]}})");
}

/* A lint WARNING of an upload is taken apart; any other message is not one. */
TEST(ParseLintWarning, Parts)
{
	std::optional<LintWarning> w = ParseLintWarning(
		"pgmig: revision \"r_1\", line 12: CREATE INDEX on existing table public.big without CONCURRENTLY "
		"blocks writes [x] to it [L004 index-without-concurrently]");
	ASSERT_TRUE(w);
	EXPECT_EQ(w->revision, "r_1");
	EXPECT_EQ(w->line, 12);
	EXPECT_EQ(w->message, "CREATE INDEX on existing table public.big without CONCURRENTLY blocks writes [x] to it");
	EXPECT_EQ(w->rule, "L004");
	EXPECT_EQ(w->name, "index-without-concurrently");
	for (const char *other : {"pgmig: revision \"w3\", line 1: canceling statement due to lock timeout",
							  "pgmig: applying r (1/1)", "pgmig: revision \"a\": x [L001 n]",
							  "pgmig: revision \"a\", line : x [L001 n]", "pgmig: revision \"a\", line 2: x [X001 n]",
							  "pgmig: revision \"a\", line 2: x [L0a1 n]",
							  "pgmig: revision \"a\", line 2: x [L001 two words]",
							  "revision \"a\", line 2: x [L001 n]", "pgmig: revision \"a\", line 2: x [L001 n] tail"})
		EXPECT_FALSE(ParseLintWarning(other)) << other;
}
