/*
 * client/core/schema_file.cpp
 *
 * Writing, reading and comparing schema files (see schema_file.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "schema_file.hpp"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <map>
#include <string_view>

namespace pgmig::client {

namespace {

/* The line the blocks start after; it lets psql load functions whose bodies
 * name tables created later in the file, as pg_dump does. */
const char *const kFirstLine = "SET check_function_bodies = false;\n";

/* The kinds mig_schema names, longest first where one is a prefix of another. */
const std::vector<std::string> &
Kinds()
{
	static const std::vector<std::string> kinds = {
	    "materialized view", "event trigger", "foreign table", "foreign key", "statistics", "constraint",
	    "collation",         "extension",     "aggregate",     "procedure",   "function",   "sequence",
	    "trigger",           "domain",        "policy",        "schema",      "index",      "table",
	    "rule",              "type",          "view"};
	return kinds;
}

/* "\r\n" and lone "\r" as "\n". */
std::string
Normalised(const std::string &text)
{
	std::string out;
	out.reserve(text.size());
	for (std::size_t i = 0; i < text.size(); i++) {
		if (text[i] == '\r') {
			out += '\n';
			if (i + 1 < text.size() && text[i + 1] == '\n')
				i++;
		} else
			out += text[i];
	}
	return out;
}

/* The lines of a text (a final newline ends the last line, it adds none). */
std::vector<std::string>
Lines(const std::string &text)
{
	std::vector<std::string> lines;
	std::size_t at = 0;
	while (at < text.size()) {
		std::size_t nl = text.find('\n', at);
		if (nl == std::string::npos) {
			lines.push_back(text.substr(at));
			break;
		}
		lines.push_back(text.substr(at, nl - at));
		at = nl + 1;
	}
	return lines;
}

/* The kind a header line names ("-- KIND IDENTITY"), or "" when it is none. */
std::string
HeaderKind(const std::string &line)
{
	if (line.compare(0, 3, "-- ") != 0)
		return "";
	for (const std::string &k : Kinds())
		if (line.size() > 3 + k.size() + 1 && line.compare(3, k.size(), k) == 0 && line[3 + k.size()] == ' ')
			return k;
	return "";
}

} // namespace

/* See schema_file.hpp. */
std::string
RenderSchemaFile(const std::vector<SchemaObject> &objects, const std::vector<std::string> &heads)
{
	std::string heads_text;
	for (const std::string &h : heads)
		heads_text += (heads_text.empty() ? "" : ", ") + h;
	std::string out;
	out += "-- pgmig schema file: the schema that the migrations of this project build";
	out += heads_text.empty() ? std::string(" (no revision)") : " at " + heads_text;
	out += ",\n-- one object per block, in PostgreSQL's own words.  Written by `pgmig schema`;\n"
	       "-- `pgmig verify` fails when the migrations no longer build exactly this.\n"
	       "-- Do not edit it: change the migrations, then run `pgmig schema` again.\n\n";
	out += kFirstLine;
	for (const SchemaObject &o : objects) {
		out += "\n-- " + o.Key() + "\n" + o.statement;
		if (o.statement.empty() || o.statement.back() != '\n')
			out += '\n';
	}
	return out;
}

/* See schema_file.hpp. */
std::string
SchemaFileBody(const std::string &text)
{
	std::string t = Normalised(text);
	std::size_t at = t.find(kFirstLine);
	return at == std::string::npos ? t : t.substr(at);
}

namespace {

/*
 * Whether each line of a text starts outside any quoted text: outside '...'
 * (and E'...' with its backslash escapes), "...", $tag$...$tag$ and block
 * comments, so that a header-like line inside a function body or a comment's
 * text is not taken for a header.
 */
std::vector<bool>
LineStartsOutsideQuotes(const std::string &text)
{
	std::vector<bool> outside;
	enum class In { kNone, kSingle, kEscaped, kDouble, kDollar, kBlock, kLine } in = In::kNone;
	std::string tag;
	int depth = 0;
	bool at_line_start = true;
	for (std::size_t i = 0; i < text.size(); i++) {
		if (at_line_start) {
			outside.push_back(in == In::kNone);
			at_line_start = false;
		}
		char c = text[i];
		char next = i + 1 < text.size() ? text[i + 1] : '\0';
		switch (in) {
		case In::kNone:
			if (c == '\'')
				in = (i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e')) ? In::kEscaped : In::kSingle;
			else if (c == '"')
				in = In::kDouble;
			else if (c == '-' && next == '-')
				in = In::kLine;
			else if (c == '/' && next == '*') {
				in = In::kBlock;
				depth = 1;
				i++;
			} else if (c == '$') {
				std::size_t end = text.find('$', i + 1);
				if (end != std::string::npos) {
					std::string t = text.substr(i, end - i + 1);
					bool ok = t.size() == 2 || !std::isdigit(static_cast<unsigned char>(t[1]));
					for (std::size_t k = 1; ok && k + 1 < t.size(); k++)
						ok = std::isalnum(static_cast<unsigned char>(t[k])) || t[k] == '_' ||
						     static_cast<unsigned char>(t[k]) >= 0x80;
					if (ok) {
						tag = t;
						in = In::kDollar;
						i = end;
					}
				}
			}
			break;
		case In::kSingle:
			if (c == '\'') {
				if (next == '\'')
					i++;
				else
					in = In::kNone;
			}
			break;
		case In::kEscaped:
			if (c == '\\')
				i++;
			else if (c == '\'') {
				if (next == '\'')
					i++;
				else
					in = In::kNone;
			}
			break;
		case In::kDouble:
			if (c == '"') {
				if (next == '"')
					i++;
				else
					in = In::kNone;
			}
			break;
		case In::kDollar:
			if (c == '$' && text.compare(i, tag.size(), tag) == 0) {
				i += tag.size() - 1;
				in = In::kNone;
			}
			break;
		case In::kBlock:
			if (c == '/' && next == '*') {
				depth++;
				i++;
			} else if (c == '*' && next == '/') {
				i++;
				if (--depth == 0)
					in = In::kNone;
			}
			break;
		case In::kLine:
			if (c == '\n')
				in = In::kNone;
			break;
		}
		if (i < text.size() && text[i] == '\n')
			at_line_start = true;
	}
	return outside;
}

} // namespace

/* See schema_file.hpp. */
std::vector<SchemaObject>
ParseSchemaFile(const std::string &text)
{
	std::vector<SchemaObject> objects;
	std::string body = SchemaFileBody(text);
	std::vector<std::string> lines = Lines(body);
	std::vector<bool> outside = LineStartsOutsideQuotes(body);
	SchemaObject *current = nullptr;
	for (std::size_t i = 0; i < lines.size(); i++) {
		const std::string &line = lines[i];
		bool may_be_header = i > 0 && lines[i - 1].empty() && i < outside.size() && outside[i];
		std::string kind = may_be_header ? HeaderKind(line) : "";
		if (!kind.empty()) {
			/* the blank line before a header belongs to no block */
			if (current && !current->statement.empty() && current->statement.back() == '\n')
				current->statement.pop_back();
			objects.push_back({kind, line.substr(3 + kind.size() + 1), ""});
			current = &objects.back();
			continue;
		}
		if (current)
			current->statement += line + "\n";
	}
	for (SchemaObject &o : objects) {
		while (!o.statement.empty() && o.statement.back() == '\n')
			o.statement.pop_back();
	}
	return objects;
}

/* See schema_file.hpp. */
std::vector<std::string>
LineDiff(const std::string &a, const std::string &b)
{
	std::vector<std::string> x = Lines(Normalised(a));
	std::vector<std::string> y = Lines(Normalised(b));
	std::vector<std::string> out;
	/* too large for the table: one side, then the other */
	if (x.size() * y.size() > 4000000) {
		for (const std::string &l : x)
			out.push_back("-" + l);
		for (const std::string &l : y)
			out.push_back("+" + l);
		return out;
	}
	const std::size_t n = x.size(), m = y.size();
	std::vector<std::vector<std::size_t>> lcs(n + 1, std::vector<std::size_t>(m + 1, 0));
	for (std::size_t i = n; i-- > 0;)
		for (std::size_t j = m; j-- > 0;)
			lcs[i][j] = x[i] == y[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
	std::size_t i = 0, j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && x[i] == y[j]) {
			out.push_back(" " + x[i]);
			i++;
			j++;
		} else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
			out.push_back("+" + y[j]);
			j++;
		} else {
			out.push_back("-" + x[i]);
			i++;
		}
	}
	return out;
}

/* See schema_file.hpp. */
std::vector<SchemaDifference>
CompareSchemas(const std::vector<SchemaObject> &expected, const std::vector<SchemaObject> &actual)
{
	auto normal = [](std::string s) {
		s = Normalised(s);
		while (!s.empty() && s.back() == '\n')
			s.pop_back();
		return s;
	};
	/* a key that repeats (a hand-edited file) matches its occurrences in order */
	std::map<std::string, std::vector<const SchemaObject *>> by_key;
	for (const SchemaObject &o : actual)
		by_key[o.Key()].push_back(&o);
	std::map<std::string, std::size_t> used;
	std::vector<SchemaDifference> out;
	for (const SchemaObject &e : expected) {
		std::size_t n = used[e.Key()]++;
		auto found = by_key.find(e.Key());
		const SchemaObject *match = found != by_key.end() && n < found->second.size() ? found->second[n] : nullptr;
		if (match == nullptr) {
			SchemaDifference d{SchemaDifference::Change::kMissing, e.kind, e.identity, {}};
			for (const std::string &l : Lines(normal(e.statement)))
				d.diff.push_back("-" + l);
			out.push_back(std::move(d));
		} else if (normal(e.statement) != normal(match->statement)) {
			out.push_back({SchemaDifference::Change::kDifferent, e.kind, e.identity,
			               LineDiff(normal(e.statement), normal(match->statement))});
		}
	}
	std::map<std::string, std::size_t> extra;
	for (const SchemaObject &a : actual) {
		if (extra[a.Key()]++ < used[a.Key()])
			continue;
		SchemaDifference d{SchemaDifference::Change::kExtra, a.kind, a.identity, {}};
		for (const std::string &l : Lines(normal(a.statement)))
			d.diff.push_back("+" + l);
		out.push_back(std::move(d));
	}
	return out;
}

} // namespace pgmig::client
