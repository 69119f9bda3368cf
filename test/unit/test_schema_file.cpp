/*
 * test/unit/test_schema_file.cpp
 *
 * Unit tests of the schema's load order (extension/core/schema_order.cpp)
 * and of the schema file (client/core/schema_file.cpp): the order is the
 * sort unless a dependency says otherwise, a cycle still yields every
 * block once; a file reads back to the objects it was written from (also
 * with CRLF line endings and a comment line inside a body); a comparison
 * names what is missing, extra and different, with a line diff.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "schema_file.hpp"
#include "schema_order.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace {

using pgmig::client::CompareSchemas;
using pgmig::client::LineDiff;
using pgmig::client::ParseSchemaFile;
using pgmig::client::RenderSchemaFile;
using pgmig::client::SchemaDifference;
using pgmig::client::SchemaFileBody;
using pgmig::client::SchemaObject;
using pgmig::core::LoadOrder;
using pgmig::core::SchemaBlock;

std::vector<std::string>
Names(const std::vector<SchemaBlock> &blocks, const std::vector<std::size_t> &order)
{
	std::vector<std::string> out;
	for (std::size_t i : order)
		out.push_back(blocks[i].identity);
	return out;
}

TEST(LoadOrder, SortsByPhaseKindIdentity)
{
	std::vector<SchemaBlock> b = {{7, "table", "public.b", ""}, {0, "schema", "app", ""}, {7, "table", "public.a", ""},
	                              {11, "view", "public.v", ""}};
	EXPECT_EQ(Names(b, LoadOrder(b, {})), (std::vector<std::string>{"app", "public.a", "public.b", "public.v"}));
}

TEST(LoadOrder, DependencyMovesOnlyWhatItMust)
{
	/* view a_v reads view z_v; table t's default calls function later (phase
	 * 5 < 7 anyway); child inherits parent */
	std::vector<SchemaBlock> b = {{11, "view", "public.a_v", ""}, {11, "view", "public.z_v", ""},
	                              {7, "table", "public.child", ""}, {7, "table", "public.parent", ""},
	                              {7, "table", "public.x", ""}};
	std::vector<std::pair<std::size_t, std::size_t>> needs = {{0, 1}, {2, 3}, {0, 0}, {9, 1}};
	EXPECT_EQ(Names(b, LoadOrder(b, needs)),
	          (std::vector<std::string>{"public.parent", "public.child", "public.x", "public.z_v", "public.a_v"}));
}

TEST(LoadOrder, CycleYieldsEveryBlockOnce)
{
	std::vector<SchemaBlock> b = {{1, "t", "a", ""}, {1, "t", "b", ""}, {1, "t", "c", ""}};
	std::vector<std::pair<std::size_t, std::size_t>> needs = {{0, 1}, {1, 0}, {2, 0}};
	EXPECT_EQ(Names(b, LoadOrder(b, needs)), (std::vector<std::string>{"a", "b", "c"}));
}

std::vector<SchemaObject>
Sample()
{
	return {{"schema", "app", "CREATE SCHEMA app;"},
	        {"function", "app.f()", "CREATE OR REPLACE FUNCTION app.f()\n RETURNS integer\n LANGUAGE sql\nAS $function$\n"
	                                "SELECT 1\n\n-- table not.a.header\n$function$;"},
	        {"table", "app.\"Weird Name\"", "CREATE TABLE app.\"Weird Name\" (\n    id integer\n);\nCOMMENT ON TABLE app.\"Weird Name\" IS 'it''s\n\n-- view not.a.header';"},
	        {"materialized view", "app.mv", "CREATE MATERIALIZED VIEW app.mv AS\n SELECT 1\nWITH NO DATA;"},
	        {"collation", "app.ci", "CREATE COLLATION app.ci (provider = icu, locale = 'und');"},
	        {"statistics", "app.st", "CREATE STATISTICS app.st (dependencies) ON a, b FROM app.t;"},
	        {"rule", "app.t.r", "CREATE RULE r AS\n    ON INSERT TO app.t DO INSTEAD NOTHING;"}};
}

TEST(SchemaFile, RoundTrips)
{
	std::string text = RenderSchemaFile(Sample(), {"r2"});
	EXPECT_NE(text.find("at r2,"), std::string::npos);
	std::vector<SchemaObject> back = ParseSchemaFile(text);
	ASSERT_EQ(back.size(), Sample().size());
	for (std::size_t i = 0; i < back.size(); i++) {
		EXPECT_EQ(back[i].kind, Sample()[i].kind);
		EXPECT_EQ(back[i].identity, Sample()[i].identity);
		EXPECT_EQ(back[i].statement, Sample()[i].statement);
	}
	EXPECT_TRUE(CompareSchemas(Sample(), back).empty());
	/* the body does not depend on the heads named in the preamble */
	EXPECT_EQ(SchemaFileBody(text), SchemaFileBody(RenderSchemaFile(Sample(), {"r9"})));
}

TEST(SchemaFile, CrLfReadsTheSame)
{
	std::string text = RenderSchemaFile(Sample(), {});
	std::string crlf;
	for (char c : text)
		crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
	EXPECT_TRUE(CompareSchemas(Sample(), ParseSchemaFile(crlf)).empty());
	EXPECT_EQ(SchemaFileBody(crlf), SchemaFileBody(text));
}

TEST(CompareSchemas, NamesMissingExtraAndDifferent)
{
	std::vector<SchemaObject> expected = {{"table", "public.a", "CREATE TABLE public.a (\n    id integer\n);"},
	                                      {"table", "public.b", "CREATE TABLE public.b ();"}};
	std::vector<SchemaObject> actual = {{"table", "public.a", "CREATE TABLE public.a (\n    id bigint\n);"},
	                                    {"index", "public.i", "CREATE INDEX i ON public.a USING btree (id);"}};
	std::vector<SchemaDifference> d = CompareSchemas(expected, actual);
	ASSERT_EQ(d.size(), 3u);
	EXPECT_EQ(d[0].change, SchemaDifference::Change::kDifferent);
	EXPECT_EQ(d[0].Key(), "table public.a");
	EXPECT_EQ(d[0].diff, (std::vector<std::string>{" CREATE TABLE public.a (", "-    id integer", "+    id bigint", " );"}));
	EXPECT_EQ(d[1].change, SchemaDifference::Change::kMissing);
	EXPECT_EQ(d[1].Key(), "table public.b");
	EXPECT_EQ(d[2].change, SchemaDifference::Change::kExtra);
	EXPECT_EQ(d[2].diff, (std::vector<std::string>{"+CREATE INDEX i ON public.a USING btree (id);"}));
}

TEST(CompareSchemas, RepeatedKeysMatchInOrder)
{
	/* a hand-edited file that holds a block twice (found by fuzz_schema_file) */
	std::vector<SchemaObject> twice = {{"table", "a.b", "CREATE ;"}, {"table", "a.b", "CREATE TABLE a.b ();"}};
	EXPECT_TRUE(CompareSchemas(twice, twice).empty());
	std::vector<SchemaDifference> d = CompareSchemas(twice, {{"table", "a.b", "CREATE TABLE a.b ();"}});
	ASSERT_EQ(d.size(), 2u);
	EXPECT_EQ(d[0].change, SchemaDifference::Change::kDifferent);
	EXPECT_EQ(d[1].change, SchemaDifference::Change::kMissing);
}

TEST(LineDiff, KeepsCommonLines)
{
	EXPECT_EQ(LineDiff("a\nb\nc", "a\nc\nd"), (std::vector<std::string>{" a", "-b", " c", "+d"}));
	EXPECT_EQ(LineDiff("", "x"), (std::vector<std::string>{"+x"}));
	EXPECT_TRUE(LineDiff("same\n", "same").size() == 1);
}

} // namespace
