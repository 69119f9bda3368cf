/*
 * client/core/import_alembic.cpp
 *
 * Alembic: the output of `alembic upgrade --sql` (one file), split at its
 * "-- Running upgrade <from> -> <to>" comments; the parents are the <from>
 * revisions (several for a merge); alembic_version bookkeeping and
 * BEGIN;/COMMIT; are dropped.  That output holds no downgrade SQL; the
 * output of `alembic downgrade --sql` beside it (a second .sql file, told
 * apart by its "-- Running downgrade <rev> -> <down revisions>" comments)
 * gives each revision it undoes its down body.  The tool's id is the
 * revision id.
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

/* One "-- Running upgrade|downgrade <a> -> <b>" step of an Alembic file. */
struct AlembicStep {
	int line = 0;
	std::size_t line_begin = 0, body_begin = 0;
	std::vector<std::string> from; /* upgrade: the down revisions; downgrade: the revision undone */
	std::string to;                /* upgrade: the revision; downgrade: unused */
};

/* The revisions of one side of "->": comma-separated, blanks around. */
std::vector<std::string>
AlembicRevisions(std::string_view list)
{
	std::vector<std::string> out;
	while (!list.empty()) {
		std::size_t comma = list.find(',');
		std::string_view one = Trim(list.substr(0, comma));
		if (!one.empty())
			out.emplace_back(one);
		list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
	}
	return out;
}

/* The kind of an Alembic file: "upgrade" or "downgrade" as its first
 * "-- Running " line says, "" when it has none. */
std::string
AlembicKind(std::string_view text)
{
	constexpr std::string_view kRunning = "\n-- Running ";
	std::string_view t = text;
	std::size_t at = StartsWith(t, kRunning.substr(1)) ? 0 : t.find(kRunning);
	if (at == std::string_view::npos)
		return "";
	std::string_view what = Trim(t.substr(at + (at == 0 ? kRunning.size() - 1 : kRunning.size())));
	if (StartsWith(what, "downgrade "))
		return "downgrade";
	return "upgrade";
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
	const SourceFile *down_file = nullptr;
	for (const SourceFile &f : files_) {
		if (StartsWith(Basename(f.path), "."))
			continue;
		if (!EndsWith(f.path, ".sql")) {
			Note(f.path, 0, "not a .sql file; ignored");
			continue;
		}
		const SourceFile *&slot = AlembicKind(f.text) == "downgrade" ? down_file : file;
		if (slot != nullptr) {
			Error(f.path, 0, "more than one .sql file of the same kind (also " + slot->path +
								 "): import the one output of alembic upgrade --sql, and beside it the one of "
								 "alembic downgrade --sql");
			return;
		}
		slot = &f;
	}
	if (file == nullptr) {
		Error("", 0, "no .sql file to import (expected the output of alembic upgrade --sql)");
		return;
	}
	if (!Usable(*file))
		return;

	/* The "-- Running ..." lines. */
	std::vector<AlembicStep> steps;
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
				AlembicStep s;
				s.line = line;
				s.line_begin = at;
				s.body_begin = next;
				s.from = AlembicRevisions(what.substr(8, arrow - 8));
				s.to = std::string(Trim(what.substr(arrow + 2)));
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
	/* The down bodies: "-- Running downgrade <rev> -> <down revisions>" steps of the downgrade file. */
	std::map<std::string, std::pair<BodySource, int>> down_of; /* alembic revision -> body, line */
	if (down_file == nullptr)
		Note(file->path, 0,
			 "alembic upgrade --sql holds no downgrade SQL: the imported revisions have no down body");
	else if (Usable(*down_file)) {
		constexpr std::string_view kRunningDown = "-- Running downgrade ";
		const std::string_view dtext = down_file->text;
		std::vector<AlembicStep> dsteps;
		std::size_t dat = 0;
		for (int line = 1; dat < dtext.size(); line++) {
			std::size_t nl = dtext.find('\n', dat);
			std::size_t next = nl == std::string::npos ? dtext.size() : nl + 1;
			const std::string_view raw = dtext.substr(dat, next - dat - (nl == std::string::npos ? 0 : 1));
			if (StartsWith(raw, kRunning)) {
				std::vector<std::string> undone;
				if (StartsWith(raw, kRunningDown)) {
					std::string_view what = raw.substr(kRunningDown.size());
					std::size_t arrow = what.find("->");
					if (arrow != std::string_view::npos)
						undone = AlembicRevisions(what.substr(0, arrow));
				}
				if (undone.size() != 1) {
					Error(down_file->path, line,
						  "only \"-- Running downgrade <revision> -> <down revisions>\" steps can be imported from "
						  "the downgrade file (found " + Q(Trim(raw)) + ")");
					return;
				}
				AlembicStep st;
				st.line = line;
				st.line_begin = dat;
				st.body_begin = next;
				st.from = std::move(undone);
				dsteps.push_back(std::move(st));
			}
			dat = next;
		}
		for (std::size_t k = 0; k < dsteps.size(); k++) {
			BodySource body{down_file, dsteps[k].body_begin,
							k + 1 < dsteps.size() ? dsteps[k + 1].line_begin : dtext.size()};
			auto [it, inserted] = down_of.emplace(dsteps[k].from[0], std::make_pair(body, dsteps[k].line));
			if (!inserted) {
				Error(down_file->path, dsteps[k].line,
					  "revision " + Q(dsteps[k].from[0]) + " is downgraded twice (also on line " +
						  std::to_string(it->second.second) + ")");
				return;
			}
		}
	}

	std::map<std::string, int> seen; /* alembic revision -> line of its step */
	std::map<std::string, std::string> id_of;
	for (std::size_t k = 0; k < steps.size(); k++) {
		const AlembicStep &s = steps[k];
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
		if (auto d = down_of.find(s.to); d != down_of.end()) {
			c.down = d->second.first;
			down_of.erase(d);
		} else if (down_file != nullptr)
			Note(down_file->path, 0, "no \"-- Running downgrade " + s.to + " -> ...\" step: revision " + Q(s.to) +
										 " has no down body");
		c.strip = Strip::kAlembic;
		std::string id = c.id;
		if (Emit(std::move(c)))
			id_of[s.to] = id;
	}
	for (const auto &[revision, body] : down_of)
		Note(down_file->path, body.second,
			 "downgrade of " + Q(revision) + ", which the upgrade file does not have; ignored");
}

} // namespace pgmig::client::import_impl
