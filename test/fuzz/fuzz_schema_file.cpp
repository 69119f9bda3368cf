/*
 * test/fuzz/fuzz_schema_file.cpp
 *
 * libFuzzer target for the schema file (client/core/schema_file) and the
 * load order of its blocks (extension/core/schema_order).  The input is read
 * as a schema file; when it holds the separator byte 0x1e, the part after
 * it is a second file to compare with.
 *
 * Invariants, any of which failing aborts with a message:
 *   - ParseSchemaFile and SchemaFileBody never crash and are deterministic;
 *     every block has a known kind and an identity;
 *   - a schema compared with itself has no difference;
 *   - LineDiff(a, b): the " " and "-" lines are a's lines, the " " and "+"
 *     lines are b's, in order;
 *   - LoadOrder over the parsed blocks, with needs taken from the input's
 *     bytes, returns every block exactly once.
 *
 * Build and run: see test/fuzz/README.md (seed corpus test/fuzz/corpus/schema_file).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "schema_file.hpp"
#include "schema_order.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace {

using pgmig::client::CompareSchemas;
using pgmig::client::LineDiff;
using pgmig::client::ParseSchemaFile;
using pgmig::client::SchemaFileBody;
using pgmig::client::SchemaObject;

void
Fail(const char *what)
{
	std::fprintf(stderr, "invariant failed: %s\n", what);
	std::abort();
}

/* The lines of a text as LineDiff splits it (CR normalised as it does). */
std::vector<std::string>
LinesOf(const std::string &text)
{
	std::string t;
	for (std::size_t i = 0; i < text.size(); i++) {
		if (text[i] == '\r') {
			t += '\n';
			if (i + 1 < text.size() && text[i + 1] == '\n')
				i++;
		} else
			t += text[i];
	}
	std::vector<std::string> out;
	std::size_t at = 0;
	while (at < t.size()) {
		std::size_t nl = t.find('\n', at);
		if (nl == std::string::npos) {
			out.push_back(t.substr(at));
			break;
		}
		out.push_back(t.substr(at, nl - at));
		at = nl + 1;
	}
	return out;
}

void
CheckDiff(const std::string &a, const std::string &b)
{
	std::vector<std::string> d = LineDiff(a, b);
	std::vector<std::string> left, right;
	for (const std::string &l : d) {
		if (l.empty())
			Fail("LineDiff: an empty line");
		if (l[0] == ' ' || l[0] == '-')
			left.push_back(l.substr(1));
		if (l[0] == ' ' || l[0] == '+')
			right.push_back(l.substr(1));
		if (l[0] != ' ' && l[0] != '-' && l[0] != '+')
			Fail("LineDiff: a line without its mark");
	}
	if (left != LinesOf(a) || right != LinesOf(b))
		Fail("LineDiff does not rebuild both texts");
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	std::string input(reinterpret_cast<const char *>(data), size);
	std::size_t sep = input.find('\x1e');
	std::string first = sep == std::string::npos ? input : input.substr(0, sep);
	std::string second = sep == std::string::npos ? std::string() : input.substr(sep + 1);

	std::vector<SchemaObject> a = ParseSchemaFile(first);
	std::vector<SchemaObject> again = ParseSchemaFile(first);
	if (a.size() != again.size() || SchemaFileBody(first) != SchemaFileBody(first))
		Fail("ParseSchemaFile is not deterministic");
	for (std::size_t i = 0; i < a.size(); i++) {
		if (a[i].Key() != again[i].Key() || a[i].statement != again[i].statement)
			Fail("ParseSchemaFile is not deterministic");
		if (a[i].kind.empty() || a[i].identity.empty())
			Fail("a block without kind or identity");
	}
	if (!CompareSchemas(a, a).empty())
		Fail("a schema differs from itself");
	std::vector<SchemaObject> b = ParseSchemaFile(second);
	CompareSchemas(a, b);
	if (first.size() < 4096 && second.size() < 4096)
		CheckDiff(first, second);

	std::vector<pgmig::core::SchemaBlock> blocks;
	for (const SchemaObject &o : a)
		blocks.push_back({static_cast<int>(o.identity.size() % 4), o.kind, o.identity, o.statement});
	std::vector<std::pair<std::size_t, std::size_t>> needs;
	for (std::size_t i = 0; i + 1 < size && blocks.size() > 0; i += 2)
		needs.emplace_back(data[i] % (blocks.size() + 1), data[i + 1] % (blocks.size() + 1));
	std::vector<std::size_t> order = pgmig::core::LoadOrder(blocks, needs);
	std::vector<int> seen(blocks.size(), 0);
	for (std::size_t i : order) {
		if (i >= blocks.size() || seen[i]++)
			Fail("LoadOrder: not a permutation");
	}
	if (order.size() != blocks.size())
		Fail("LoadOrder: a block is missing");
	return 0;
}
