/*
 * client/core/import_alembic.cpp
 *
 * Alembic: the output of `alembic upgrade --sql` (one file), split at its
 * "-- Running upgrade <from> -> <to>" comments; the parents are the <from>
 * revisions (several for a merge); alembic_version bookkeeping and
 * BEGIN;/COMMIT; are dropped.  That output holds no downgrade SQL, so the
 * revisions have no down body.  The tool's id is the revision id.
 * docs/import.md, "Alembic (offline SQL)", has the details.
 *
 * Like every format reader, this is a member of the Importer
 * (import_session.hpp): it finds the tool's migrations among the files,
 * orders them, reports what cannot be carried over with Note and what makes
 * the result wrong with Error, and hands each migration to Emit.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "import_session.hpp"

#include "graph.hpp"
#include "import_text.hpp"

#include <algorithm>
#include <map>

namespace pgmig::client::import_impl {

namespace {

/* The pgmig id of an Alembic revision: itself when valid, else "a_" before it (or before its slug). */
std::string
AlembicId(const std::string &revision)
{
	if (core::CheckRevisionId(revision).empty())
		return revision;
	std::string prefixed = "a_" + revision;
	if (core::CheckRevisionId(prefixed).empty())
		return prefixed;
	return IdWithSlug("a", revision);
}

} // namespace

/*
 * Alembic: the output of `alembic upgrade --sql`, one file, split at its
 * "-- Running upgrade <from> -> <to>" comments; parents are the <from>
 * revisions (several for a merge); alembic_version statements and
 * BEGIN;/COMMIT; are dropped.  That output holds no downgrade SQL.
 */
void
Importer::ImportAlembic()
{
	const SourceFile *file = nullptr;
	for (const SourceFile &f : files_) {
		if (StartsWith(Basename(f.path), "."))
			continue;
		if (!EndsWith(f.path, ".sql")) {
			Note(f.path, 0, "not a .sql file; ignored");
			continue;
		}
		if (file != nullptr) {
			Error(f.path, 0, "more than one .sql file (also " + file->path +
								 "): import the one output of alembic upgrade --sql");
			return;
		}
		file = &f;
	}
	if (file == nullptr) {
		Error("", 0, "no .sql file to import (expected the output of alembic upgrade --sql)");
		return;
	}
	if (!Usable(*file))
		return;

	/* The "-- Running ..." lines. */
	struct Step {
		int line = 0;
		std::size_t line_begin = 0, body_begin = 0;
		std::vector<std::string> from;
		std::string to;
	};
	std::vector<Step> steps;
	bool bad = false;
	constexpr std::string_view kRunning = "-- Running ";
	const std::string_view text = file->text;
	std::size_t at = 0;
	for (int line = 1; at < text.size(); line++) {
		std::size_t nl = text.find('\n', at);
		std::size_t next = nl == std::string::npos ? text.size() : nl + 1;
		const std::string_view raw = text.substr(at, next - at - (nl == std::string::npos ? 0 : 1));
		const std::string_view l = Trim(raw);
		if (StartsWith(raw, kRunning)) {
			std::string_view what = Trim(raw.substr(kRunning.size()));
			std::size_t arrow = what.find("->");
			if (!StartsWith(what, "upgrade ") || arrow == std::string_view::npos) {
				Error(file->path, line,
					  "only \"-- Running upgrade <from> -> <to>\" steps can be imported (found " + Q(l) +
						  "; import the output of alembic upgrade --sql)");
				bad = true;
			} else {
				Step s;
				s.line = line;
				s.line_begin = at;
				s.body_begin = next;
				std::string_view from = Trim(what.substr(8, arrow - 8));
				s.to = std::string(Trim(what.substr(arrow + 2)));
				while (!from.empty()) {
					std::size_t comma = from.find(',');
					std::string_view one = Trim(from.substr(0, comma));
					if (!one.empty())
						s.from.emplace_back(one);
					from = comma == std::string_view::npos ? std::string_view() : from.substr(comma + 1);
				}
				if (s.to.empty() || s.to.find_first_of(", \t") != std::string::npos) {
					Error(file->path, line, "cannot read the revision after \"->\" in " + Q(l));
					bad = true;
				} else
					steps.push_back(std::move(s));
			}
		}
		at = next;
	}
	if (bad)
		return;
	if (steps.empty()) {
		Error(file->path, 0, "no \"-- Running upgrade\" comment: not the output of alembic upgrade --sql");
		return;
	}

	/* What comes before the first step: alembic's setup, nothing else expected. */
	{
		BodySource pre{file, 0, steps[0].line_begin};
		BuiltBody body = BuildBody(pre, Strip::kAlembic);
		if (!body.statements.empty())
			Note(file->path, file->Line(body.statements[0].begin),
				 "SQL before the first \"-- Running upgrade\" comment belongs to no revision; not imported");
	}
	Note(file->path, 0,
		 "alembic upgrade --sql holds no downgrade SQL: the imported revisions have no down body");

	std::map<std::string, int> seen; /* alembic revision -> line of its step */
	std::map<std::string, std::string> id_of;
	for (std::size_t k = 0; k < steps.size(); k++) {
		const Step &s = steps[k];
		auto [it, inserted] = seen.emplace(s.to, s.line);
		if (!inserted) {
			Error(file->path, s.line,
				  "revision " + Q(s.to) + " is upgraded to twice (also on line " + std::to_string(it->second) + ")");
			continue;
		}
		Candidate c;
		c.tool_id = s.to;
		c.id = AlembicId(s.to);
		c.origin = file;
		c.origin_line = s.line;
		c.linear = false;
		for (const std::string &from : s.from) {
			auto parent = id_of.find(from);
			if (parent == id_of.end())
				Note(file->path, s.line,
					 "down revision " + Q(from) + " of " + Q(s.to) +
						 " is not in this file (the SQL starts after it); it is not a parent");
			else if (std::find(c.parents.begin(), c.parents.end(), parent->second) == c.parents.end())
				c.parents.push_back(parent->second);
		}
		c.up = {file, s.body_begin, k + 1 < steps.size() ? steps[k + 1].line_begin : text.size()};
		c.strip = Strip::kAlembic;
		std::string id = c.id;
		if (Emit(std::move(c)))
			id_of[s.to] = id;
	}
}

} // namespace pgmig::client::import_impl
