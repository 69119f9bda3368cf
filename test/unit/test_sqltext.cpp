/*
 * test/unit/test_sqltext.cpp
 *
 * Unit tests of the text rules in sqltext.hpp: skipping blanks and comments
 * the way PostgreSQL's scanner does (nested block comments, unterminated
 * comments, every ASCII white space character), line and column in UTF-8
 * characters, character-to-byte offsets, and the checksum normalisation whose
 * exact output is part of the catalog format.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "sqltext.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace pgmig::core;

/* Plain white space of every ASCII kind. */
TEST(SkipBlanksAndComments, WhiteSpace)
{
	EXPECT_EQ(SkipBlanksAndComments("select 1", 0), 0u);
	EXPECT_EQ(SkipBlanksAndComments(" \t\n\r\f\vselect", 0), 6u);
	EXPECT_EQ(SkipBlanksAndComments("a;  b", 2), 4u);
	EXPECT_EQ(SkipBlanksAndComments("", 0), 0u);
	EXPECT_EQ(SkipBlanksAndComments("   ", 0), 3u);
	EXPECT_EQ(SkipBlanksAndComments("abc", 10), 3u) << "a start past the end gives the end";
}

/* Line comments end at a newline or carriage return, or at the end. */
TEST(SkipBlanksAndComments, LineComments)
{
	EXPECT_EQ(SkipBlanksAndComments("-- hello\nselect", 0), 9u);
	EXPECT_EQ(SkipBlanksAndComments("-- a\r-- b\r\n x", 0), 12u);
	EXPECT_EQ(SkipBlanksAndComments("-- only a comment", 0), 17u);
	EXPECT_EQ(SkipBlanksAndComments("--", 0), 2u);
	EXPECT_EQ(SkipBlanksAndComments("-x", 0), 0u) << "a single dash is text";
	EXPECT_EQ(SkipBlanksAndComments("- -", 0), 0u);
}

/* Block comments, nested as PostgreSQL allows. */
TEST(SkipBlanksAndComments, NestedBlockComments)
{
	EXPECT_EQ(SkipBlanksAndComments("/* a */x", 0), 7u);
	EXPECT_EQ(SkipBlanksAndComments("/* a /* b */ still comment */x", 0), 29u);
	EXPECT_EQ(SkipBlanksAndComments("/*/**/*/x", 0), 8u);
	EXPECT_EQ(SkipBlanksAndComments("/**/x", 0), 4u);
	EXPECT_EQ(SkipBlanksAndComments("/*/ x */y", 0), 8u) << "the opening star does not close with the next slash";
	EXPECT_EQ(SkipBlanksAndComments("/* ** */y", 0), 8u);
	EXPECT_EQ(SkipBlanksAndComments("/* -- */y", 0), 8u) << "a dash pair inside a block is no line comment";
	EXPECT_EQ(SkipBlanksAndComments("-- /* \nz", 0), 7u) << "a block opener inside a line comment opens nothing";
	EXPECT_EQ(SkipBlanksAndComments(" /* a */ -- b\n /* c /* d */ */\n\tinsert", 0), 32u);
	EXPECT_EQ(SkipBlanksAndComments("/ *x", 0), 0u);
}

/* An unterminated block comment runs to the end of the text. */
TEST(SkipBlanksAndComments, UnterminatedBlockComment)
{
	EXPECT_EQ(SkipBlanksAndComments("/* never closed", 0), 15u);
	EXPECT_EQ(SkipBlanksAndComments("/* a /* b */ still open", 0), 23u);
	EXPECT_EQ(SkipBlanksAndComments("/*", 0), 2u);
	EXPECT_EQ(SkipBlanksAndComments("/*/", 0), 3u);
	EXPECT_EQ(SkipBlanksAndComments("/* *", 0), 4u);
}

/* IsBlank is "only blanks and comments". */
TEST(IsBlank, BlanksAndComments)
{
	EXPECT_TRUE(IsBlank(""));
	EXPECT_TRUE(IsBlank(" \n\t"));
	EXPECT_TRUE(IsBlank("-- nothing\n/* at /* all */ */\n"));
	EXPECT_TRUE(IsBlank("/* unterminated"));
	EXPECT_FALSE(IsBlank("-- c\n;"));
	EXPECT_FALSE(IsBlank("x"));
	EXPECT_FALSE(IsBlank("/* a */ */"));
}

/* Lines count '\n' only; columns count characters. */
TEST(LineColumnAt, AsciiLinesAndColumns)
{
	const std::string text = "ab\ncd\r\nef\n";
	auto at = [&text](std::size_t off) {
		LineColumn lc = LineColumnAt(text, off);
		return std::to_string(lc.line) + ":" + std::to_string(lc.column);
	};
	EXPECT_EQ(at(0), "1:1");
	EXPECT_EQ(at(1), "1:2");
	EXPECT_EQ(at(2), "1:3");
	EXPECT_EQ(at(3), "2:1");
	EXPECT_EQ(at(5), "2:3") << "a carriage return is a character, not a line end";
	EXPECT_EQ(at(7), "3:1");
	EXPECT_EQ(at(10), "4:1");
	EXPECT_EQ(at(1000), "4:1") << "offsets past the end are the end";
	LineColumn empty = LineColumnAt("", 0);
	EXPECT_EQ(empty.line, 1);
	EXPECT_EQ(empty.column, 1);
}

/* Multi-byte characters take one column each. */
TEST(LineColumnAt, Utf8Columns)
{
	/* "é" is 2 bytes, "€" 3, "😀" 4 */
	const std::string text = "x\n\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
	EXPECT_EQ(LineColumnAt(text, 2).column, 1);
	EXPECT_EQ(LineColumnAt(text, 4).column, 2);
	EXPECT_EQ(LineColumnAt(text, 7).column, 3);
	EXPECT_EQ(LineColumnAt(text, 11).column, 4);
	EXPECT_EQ(LineColumnAt(text, 11).line, 2);
	/* inside a character: that character's column */
	EXPECT_EQ(LineColumnAt(text, 3).column, 1);
	EXPECT_EQ(LineColumnAt(text, 6).column, 2);
	EXPECT_EQ(LineColumnAt(text, 9).column, 3);
	/* stray continuation bytes never make a column below 1 */
	EXPECT_EQ(LineColumnAt("\n\x80\x80", 2).column, 1);
	EXPECT_EQ(LineColumnAt("\x80\x80", 1).column, 1);
}

/* LineIndex answers exactly as LineColumnAt, for every offset of assorted texts. */
TEST(LineIndex, AgreesWithLineColumnAt)
{
	const std::string texts[] = {"",
								 "a",
								 "\n",
								 "\n\n",
								 "ab\ncd\r\nef\n",
								 "x\n\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z\n\n",
								 "\x80\x80\n\x80",
								 "select 1;\n  select 2; -- c\n/* \n */ select 3;"};
	for (const std::string &text : texts) {
		LineIndex index(text);
		for (std::size_t off = 0; off <= text.size() + 2; off++) {
			LineColumn a = LineColumnAt(text, off);
			LineColumn b = index.At(off);
			EXPECT_EQ(a.line, b.line) << off;
			EXPECT_EQ(a.column, b.column) << off;
			EXPECT_EQ(index.LineAt(off), a.line) << off;
		}
	}
}

/* A body of 200,000 statements on their own lines: one index answers every statement's line. */
TEST(LineIndex, ManyStatements)
{
	std::string body;
	std::vector<std::size_t> starts;
	for (int k = 0; k < 200000; k++) {
		starts.push_back(body.size());
		body += "insert into t values (" + std::to_string(k) + ");\n";
	}
	LineIndex index(body);
	for (std::size_t k = 0; k < starts.size(); k++) {
		ASSERT_EQ(index.LineAt(starts[k]), static_cast<int>(k + 1));
		ASSERT_EQ(index.At(starts[k] + 7).column, 8);
	}
	EXPECT_EQ(index.LineAt(body.size()), 200001);
}

/* Character index to byte offset, and back through LineColumnAt. */
TEST(ByteOffsetOfCharacter, Utf8)
{
	const std::string text = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";
	EXPECT_EQ(ByteOffsetOfCharacter(text, 0), 0u);
	EXPECT_EQ(ByteOffsetOfCharacter(text, 1), 1u);
	EXPECT_EQ(ByteOffsetOfCharacter(text, 2), 3u);
	EXPECT_EQ(ByteOffsetOfCharacter(text, 3), 6u);
	EXPECT_EQ(ByteOffsetOfCharacter(text, 4), 10u);
	EXPECT_EQ(ByteOffsetOfCharacter(text, 5), text.size());
	EXPECT_EQ(ByteOffsetOfCharacter(text, 500), text.size());
	EXPECT_EQ(ByteOffsetOfCharacter("", 0), 0u);
	EXPECT_EQ(ByteOffsetOfCharacter("\x80x", 0), 0u) << "offset 0 always starts a character";
	EXPECT_EQ(ByteOffsetOfCharacter("\x80x", 1), 1u);
	for (std::size_t c = 0; c < 5; c++)
		EXPECT_EQ(LineColumnAt(text, ByteOffsetOfCharacter(text, c)).column, static_cast<int>(c + 1)) << c;
}

/* Line endings become "\n". */
TEST(NormalizeForChecksum, LineEndings)
{
	EXPECT_EQ(NormalizeForChecksum("a\r\nb\rc\nd"), "a\nb\nc\nd");
	EXPECT_EQ(NormalizeForChecksum("a\r\r\nb"), "a\n\nb") << "a lone CR then a CRLF are two line ends";
	EXPECT_EQ(NormalizeForChecksum("a\n\rb"), "a\n\nb");
}

/* Trailing spaces and tabs go, leading and inner blanks stay. */
TEST(NormalizeForChecksum, TrailingBlanks)
{
	EXPECT_EQ(NormalizeForChecksum("a  \t\nb\t"), "a\nb");
	EXPECT_EQ(NormalizeForChecksum("  a b\t c  \r\n"), "  a b\t c");
	EXPECT_EQ(NormalizeForChecksum("a \r\n \t \r\nb"), "a\n\nb");
	EXPECT_EQ(NormalizeForChecksum("a\f \n"), "a\f") << "only spaces and tabs are trailing blanks";
}

/* Trailing newlines at the end go; leading ones stay. */
TEST(NormalizeForChecksum, TrailingNewlines)
{
	EXPECT_EQ(NormalizeForChecksum("select 1;\n\n\n"), "select 1;");
	EXPECT_EQ(NormalizeForChecksum("\n\nselect 1;"), "\n\nselect 1;");
	EXPECT_EQ(NormalizeForChecksum("x\n \n\t\r\n\r"), "x");
	EXPECT_EQ(NormalizeForChecksum(""), "");
	EXPECT_EQ(NormalizeForChecksum(" \n\t\r\n"), "");
}

/* Normalising is idempotent, and equivalent bodies normalise alike. */
TEST(NormalizeForChecksum, IdempotentAndEquivalent)
{
	const char *bodies[] = {"create table t (a int);  \r\n\r\ninsert into t values (1);\t\r\n\r\n",
							"create table t (a int);\n\ninsert into t values (1);\n",
							"create table t (a int);\r\rinsert into t values (1);"};
	std::string first = NormalizeForChecksum(bodies[0]);
	EXPECT_EQ(first, "create table t (a int);\n\ninsert into t values (1);");
	for (const char *b : bodies) {
		EXPECT_EQ(NormalizeForChecksum(b), first);
		EXPECT_EQ(NormalizeForChecksum(NormalizeForChecksum(b)), NormalizeForChecksum(b));
	}
	EXPECT_NE(NormalizeForChecksum("create table t (a  int);"), first) << "inner blanks count";
}
