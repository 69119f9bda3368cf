/*
 * test/unit/test_output.cpp
 *
 * Unit tests of the client's output formatting (client/src/output.hpp): the
 * JSON writer and its string escaping (control characters, invalid UTF-8),
 * aligned text tables with and without colour, human durations, and
 * PostgreSQL array literals in both directions.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "output.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace pgmig::client;

/* Scalars print as JSON literals. */
TEST(Json, Scalars)
{
	EXPECT_EQ(Json().Dump(), "null");
	EXPECT_EQ(Json(true).Dump(), "true");
	EXPECT_EQ(Json(false).Dump(), "false");
	EXPECT_EQ(Json(42).Dump(), "42");
	EXPECT_EQ(Json(static_cast<std::int64_t>(-9000000000)).Dump(), "-9000000000");
	EXPECT_EQ(Json(std::size_t{7}).Dump(), "7");
	EXPECT_EQ(Json(1.5).Dump(), "1.5");
	EXPECT_EQ(Json(0.000123).Dump(), "0.000123");
	EXPECT_EQ(Json("x").Dump(), "\"x\"");
}

/* NaN and infinity are not JSON: they become null. */
TEST(Json, NonFiniteIsNull)
{
	EXPECT_EQ(Json(0.0 / 0.0).Dump(), "null");
	EXPECT_EQ(Json(1e308 * 10).Dump(), "null");
}

/* Objects keep insertion order; Set replaces; compact and pretty forms. */
TEST(Json, ObjectsAndArrays)
{
	Json doc = Json::Object();
	doc.Set("b", 1);
	doc.Set("a", Json::Strings({"x", "y"}));
	doc.Set("b", 2);
	doc.Set("e", Json::Array());
	doc.Set("o", Json::Object());
	EXPECT_EQ(doc.Dump(-1), R"({"b":2,"a":["x","y"],"e":[],"o":{}})");
	EXPECT_EQ(doc.Dump(2), "{\n  \"b\": 2,\n  \"a\": [\n    \"x\",\n    \"y\"\n  ],\n  \"e\": [],\n  \"o\": {}\n}");
	ASSERT_NE(doc.Get("b"), nullptr);
	EXPECT_EQ(doc.Get("b")->Dump(), "2");
	EXPECT_EQ(doc.Get("zz"), nullptr);
	EXPECT_EQ(doc.size(), 4u);
}

/* A null value becomes an array or object on first use. */
TEST(Json, NullGrows)
{
	Json a;
	a.Push(1);
	EXPECT_EQ(a.kind(), Json::Kind::kArray);
	Json o;
	o.Set("k", nullptr);
	EXPECT_EQ(o.Dump(-1), R"({"k":null})");
	EXPECT_EQ(Json::OptString(std::nullopt).Dump(), "null");
	EXPECT_EQ(Json::OptString(std::string("v")).Dump(), "\"v\"");
}

/* Quotes, backslashes and every control character are escaped. */
TEST(JsonQuote, Escapes)
{
	EXPECT_EQ(JsonQuote(""), "\"\"");
	EXPECT_EQ(JsonQuote("a\"b\\c"), R"("a\"b\\c")");
	EXPECT_EQ(JsonQuote("\n\r\t\b\f"), R"("\n\r\t\b\f")");
	EXPECT_EQ(JsonQuote(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
	EXPECT_EQ(JsonQuote(std::string("a\0b", 3)), R"("a\u0000b")");
	EXPECT_EQ(JsonQuote("/"), "\"/\"") << "a slash needs no escape";
}

/* Valid UTF-8 passes through; invalid bytes become U+FFFD, one per byte. */
TEST(JsonQuote, Utf8)
{
	EXPECT_EQ(JsonQuote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	const std::string fffd = "\xef\xbf\xbd";
	EXPECT_EQ(JsonQuote("\xff"), "\"" + fffd + "\"");
	EXPECT_EQ(JsonQuote("a\xc3"), "\"a" + fffd + "\"") << "truncated sequence";
	EXPECT_EQ(JsonQuote("\xc0\xaf"), "\"" + fffd + fffd + "\"") << "overlong";
	EXPECT_EQ(JsonQuote("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"") << "surrogate";
	EXPECT_EQ(JsonQuote("\xf4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"") << "past U+10FFFF";
}

/* Columns as wide as the widest cell, two spaces apart, no trailing blanks. */
TEST(Table, Aligned)
{
	Table t({"revision", "n", "message"});
	t.AlignRight(1);
	t.AddRow({"0001_users", "3", "users"});
	t.AddRow({"0002", "12", ""});
	EXPECT_EQ(t.Render(false),
			  "revision     n  message\n"
			  "0001_users   3  users\n"
			  "0002        12\n");
	EXPECT_EQ(t.rows(), 2u);
}

/* Without a header, with an indent; missing and extra cells. */
TEST(Table, NoHeaderIndentAndShortRows)
{
	Table t({"a", "b"});
	t.AddRow({"x"});
	t.AddRow({"long", "y", "dropped"});
	EXPECT_EQ(t.Render(false, false, "  "), "  x\n  long  y\n");
	Table empty({"h1", "h2"});
	EXPECT_EQ(empty.Render(false), "h1  h2\n");
	EXPECT_EQ(empty.Render(false, false), "");
}

/* Width counts code points, not bytes, and ignores colour escapes. */
TEST(Table, Utf8AndColour)
{
	EXPECT_EQ(DisplayWidth("caf\xc3\xa9"), 4u);
	EXPECT_EQ(DisplayWidth(Paint("abc", Style::kGreen, true)), 3u);
	Table t({"k", "v"});
	t.AddRow({"\xc3\xa9t\xc3\xa9", "1"});
	t.AddRow({Paint("ab", Style::kGreen, true), "2"});
	std::string r = t.Render(false);
	EXPECT_EQ(r, "k    v\n\xc3\xa9t\xc3\xa9  1\n\x1b[32mab\x1b[0m   2\n");
	EXPECT_EQ(t.Render(true).substr(0, 9), "\x1b[1mk\x1b[0m") << "bold header";
}

/* Newlines and tabs in a cell keep the row on one line. */
TEST(Table, CellsStayOnOneLine)
{
	Table t({"m"});
	t.AddRow({"a\nb\tc"});
	EXPECT_EQ(t.Render(false, false), "a b c\n");
}

/* Paint is the identity without colour. */
TEST(Paint, Disabled)
{
	EXPECT_EQ(Paint("x", Style::kRed, false), "x");
	EXPECT_EQ(Paint("x", Style::kRed, true), "\x1b[1;31mx\x1b[0m");
}

/* Durations for people. */
TEST(FormatSeconds, Ranges)
{
	EXPECT_EQ(FormatSeconds(0), "0 ms");
	EXPECT_EQ(FormatSeconds(0.0123), "12 ms");
	EXPECT_EQ(FormatSeconds(0.999), "999 ms");
	EXPECT_EQ(FormatSeconds(1.234), "1.23 s");
	EXPECT_EQ(FormatSeconds(12.34), "12.3 s");
	EXPECT_EQ(FormatSeconds(125), "2 min 05 s");
	EXPECT_EQ(FormatSeconds(3725), "1 h 02 min");
	EXPECT_EQ(FormatSeconds(-1), "0 ms") << "clock skew never shows a negative time";
}

/* Singular and plural. */
TEST(Plural, Forms)
{
	EXPECT_EQ(Plural(1, "revision", "revisions"), "1 revision");
	EXPECT_EQ(Plural(0, "revision", "revisions"), "0 revisions");
	EXPECT_EQ(Plural(3, "revision", "revisions"), "3 revisions");
}

/* text[] literals quote every element. */
TEST(PgArray, Literal)
{
	EXPECT_EQ(PgArrayLiteral({}), "{}");
	EXPECT_EQ(PgArrayLiteral({"a", "b c"}), R"({"a","b c"})");
	EXPECT_EQ(PgArrayLiteral({"q\"x", "b\\s", ""}), R"({"q\"x","b\\s",""})");
}

/* array_out's text form parsed back, including a round trip. */
TEST(PgArray, Parse)
{
	EXPECT_EQ(ParsePgArray("{}"), std::vector<std::string>{});
	EXPECT_EQ(ParsePgArray("{a,b}"), (std::vector<std::string>{"a", "b"}));
	EXPECT_EQ(ParsePgArray(R"({"a b","c,d",NULL,"e\"f"})"), (std::vector<std::string>{"a b", "c,d", "", "e\"f"}));
	EXPECT_EQ(ParsePgArray("garbage"), std::vector<std::string>{});
	std::vector<std::string> items{"x", "y z", "q\"\\", ""};
	EXPECT_EQ(ParsePgArray(PgArrayLiteral(items)), items);
}

/* Join. */
TEST(Join, Separator)
{
	EXPECT_EQ(Join({}, ", "), "");
	EXPECT_EQ(Join({"a"}, ", "), "a");
	EXPECT_EQ(Join({"a", "b"}, ", "), "a, b");
}
