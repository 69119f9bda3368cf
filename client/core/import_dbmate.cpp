/*
 * client/core/import_dbmate.cpp
 *
 * dbmate: <version><anything>.sql directly in the folder, in file-name
 * order, each with a "-- migrate:up" section and an optional
 * "-- migrate:down" section; "transaction:false" on the up marker makes the
 * revision non-transactional.  The tool's id is the version as written.
 * docs/import.md, "dbmate", has the details.
 *
 * Like every format reader, this is a member of the Importer
 * (import_session.hpp): it finds the tool's migrations among the files,
 * orders them, reports what cannot be carried over with Note and what makes
 * the result wrong with Error, and hands each migration to Emit.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "import_session.hpp"

#include "import_text.hpp"
#include "sqltext.hpp"

#include <map>
#include <utility>

namespace pgmig::client::import_impl {

namespace {

/* A "-- migrate:up" / "-- migrate:down" line of a dbmate file. */
struct DbmateMarker {
	bool found = false;
	int line = 0;
	std::size_t line_begin = 0;  /* offset of the marker line */
	std::size_t body_begin = 0;  /* offset of the line after it */
	std::vector<std::string> options;
};

/*
 * Reads "--", optional blanks, "migrate:up" or "migrate:down" and options
 * (dbmate's ^--\s*migrate:up(\s*$|\s+\S+)); returns "up", "down" or "".
 */
std::string_view
DbmateMarkerKind(std::string_view line, std::vector<std::string> *options)
{
	if (!StartsWith(line, "--"))
		return {};
	std::string_view rest = line.substr(2);
	while (!rest.empty() && IsPad(rest.front()))
		rest.remove_prefix(1);
	std::string_view kind;
	if (StartsWith(rest, "migrate:up"))
		kind = "up";
	else if (StartsWith(rest, "migrate:down"))
		kind = "down";
	else
		return {};
	rest.remove_prefix(kind == "up" ? 10 : 12);
	if (!rest.empty() && !IsPad(rest.front()))
		return {};
	options->clear();
	std::string_view opts = Trim(rest);
	while (!opts.empty()) {
		std::size_t end = 0;
		while (end < opts.size() && !IsPad(opts[end]))
			end++;
		options->emplace_back(opts.substr(0, end));
		opts = Trim(opts.substr(end));
	}
	return kind;
}

} // namespace

/*
 * dbmate: <version><anything>.sql directly in the folder, in file-name
 * order, each with a "-- migrate:up" section and an optional
 * "-- migrate:down" section; "transaction:false" on the up marker makes the
 * revision non-transactional.
 */
void
Importer::ImportDbmate()
{
	std::map<std::string, const SourceFile *> versions;
	for (const SourceFile &f : files_) {
		std::string_view base = Basename(f.path);
		if (StartsWith(base, "."))
			continue;
		if (base.size() != f.path.size()) {
			Note(f.path, 0, "dbmate reads only the migrations folder itself, not its subfolders; ignored");
			continue;
		}
		std::size_t digits = 0;
		while (digits < base.size() && IsDigit(base[digits]))
			digits++;
		if (digits == 0 || !EndsWith(base, ".sql") || base.size() < digits + 4) {
			Note(f.path, 0, "not a dbmate migration file name (<version>_<name>.sql); ignored");
			continue;
		}
		std::string version(base.substr(0, digits));
		std::string_view name = base.substr(digits, base.size() - 4 - digits);
		while (!name.empty() && name.front() == '_')
			name.remove_prefix(1);
		auto [it, inserted] = versions.emplace(version, &f);
		if (!inserted) {
			Error(f.path, 0, "version " + version + " is also used by " + it->second->path);
			continue;
		}
		if (!Usable(f))
			continue;

		DbmateMarker up, down;
		bool bad = false;
		std::size_t at = 0;
		for (int line = 1; at < f.text.size(); line++) {
			std::size_t nl = f.text.find('\n', at);
			std::size_t next = nl == std::string::npos ? f.text.size() : nl + 1;
			std::string_view text = std::string_view(f.text).substr(at, next - at);
			while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
				text.remove_suffix(1);
			std::vector<std::string> options;
			std::string_view kind = DbmateMarkerKind(text, &options);
			if (!kind.empty()) {
				DbmateMarker &m = kind == "up" ? up : down;
				if (m.found) {
					Error(f.path, line,
						  "second \"-- migrate:" + std::string(kind) + "\" line (the first is on line " +
							  std::to_string(m.line) + ")");
					bad = true;
				} else if (kind == "down" && !up.found) {
					Error(f.path, line, "\"-- migrate:down\" before \"-- migrate:up\" (dbmate refuses it)");
					bad = true;
				} else {
					m = {true, line, at, next, std::move(options)};
				}
			}
			at = next;
		}
		if (!up.found) {
			if (!bad)
				Error(f.path, 0, "no \"-- migrate:up\" line (dbmate requires one)");
			continue;
		}
		std::size_t lead = core::SkipBlanksAndComments(std::string_view(f.text).substr(0, up.line_begin), 0);
		if (lead < up.line_begin) {
			Error(f.path, f.Line(lead), "SQL before \"-- migrate:up\" (dbmate refuses it)");
			bad = true;
		}
		if (bad)
			continue;

		Candidate c;
		c.tool_id = version;
		c.id = IdWithSlug(version, name);
		c.message = MessageFromName(name);
		c.origin = &f;
		c.origin_line = up.line;
		c.up = {&f, up.body_begin, down.found ? down.line_begin : f.text.size()};
		if (down.found)
			c.down = BodySource{&f, down.body_begin, f.text.size()};
		for (const std::string &opt : up.options) {
			if (opt == "transaction:false") {
				c.nontransactional = true;
				c.nontx_setting = "transaction:false";
			} else if (opt != "transaction:true")
				Note(f.path, up.line, "unknown dbmate option " + Q(opt) + "; ignored");
		}
		for (const std::string &opt : down.options) {
			if (opt == "transaction:false")
				Note(f.path, down.line,
					 "transaction:false on the down section is not carried over: pgmig has no such flag for down "
					 "bodies (the server runs a lone CREATE or DROP INDEX CONCURRENTLY outside a transaction by "
					 "itself)");
			else if (opt != "transaction:true")
				Note(f.path, down.line, "unknown dbmate option " + Q(opt) + "; ignored");
		}
		Emit(std::move(c));
	}
}

} // namespace pgmig::client::import_impl
