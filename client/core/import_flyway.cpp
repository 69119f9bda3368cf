/*
 * client/core/import_flyway.cpp
 *
 * Flyway: V<version>__<description>.sql files at any depth, applied in
 * version order (numbers separated by "." or "_", compared part by part);
 * U<version>__ undo files become down bodies; <file>.sql.conf with
 * executeInTransaction=false marks a revision non-transactional.
 * Repeatable (R__), baseline (B) and callback scripts are noted and left
 * out; ${...} placeholders are noted and kept as written.  The tool's id
 * (for import-history) is the version with "_" written as ".".
 * docs/import.md, "Flyway", has the details.
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

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace pgmig::client::import_impl {

namespace {

/* A Flyway version: its text and its numeric parts. */
struct FlywayVersion {
	std::string text;                /* as written in the file name */
	std::vector<std::string> parts;  /* the numbers, split on "." and "_" */
};

/* Parses "1", "1.2", "2024_01_15_1030": numbers separated by single "." or "_". */
bool
ParseFlywayVersion(std::string_view text, FlywayVersion *out)
{
	out->text = std::string(text);
	out->parts.clear();
	std::size_t start = 0;
	for (std::size_t i = 0; i <= text.size(); i++) {
		if (i == text.size() || text[i] == '.' || text[i] == '_') {
			std::string_view part = text.substr(start, i - start);
			if (!AllDigits(part))
				return false;
			out->parts.emplace_back(part);
			start = i + 1;
		}
	}
	return true;
}

/* Flyway's order: part by part, numerically, missing parts counting as 0 (so 1.0 == 1). */
int
CompareFlyway(const FlywayVersion &a, const FlywayVersion &b)
{
	for (std::size_t i = 0; i < std::max(a.parts.size(), b.parts.size()); i++) {
		int c = CompareNumbers(i < a.parts.size() ? a.parts[i] : "0", i < b.parts.size() ? b.parts[i] : "0");
		if (c != 0)
			return c;
	}
	return 0;
}

/* The first Flyway placeholder "${...}" of a region, as (offset, text), or offset npos. */
std::pair<std::size_t, std::string>
FindPlaceholder(const BodySource &src)
{
	std::string_view region = std::string_view(src.file->text).substr(src.begin, src.end - src.begin);
	std::size_t at = region.find("${");
	if (at == std::string_view::npos)
		return {std::string_view::npos, {}};
	std::size_t end = std::min(region.find('}', at), region.find('\n', at)); /* npos when neither */
	end = end == std::string_view::npos ? region.size() : end + (region[end] == '}' ? 1 : 0);
	return {src.begin + at, std::string(region.substr(at, std::min<std::size_t>(end - at, 40)))};
}

} // namespace

/*
 * Flyway: V<version>__<description>.sql (any depth), U<version>__ undo
 * files as down bodies, <file>.sql.conf with executeInTransaction=false as
 * the non-transactional flag; repeatable (R__), baseline (B) and callback
 * scripts are noted and left out.
 */
void
Importer::ImportFlyway()
{
	struct Entry {
		FlywayVersion version;
		std::string description;
		const SourceFile *file = nullptr;
	};
	std::vector<Entry> versioned, undo;
	std::map<std::string, const SourceFile *> configs; /* "<file>.sql" -> its .sql.conf */
	std::set<std::string> used_configs;

	for (const SourceFile &f : files_) {
		std::string_view base = Basename(f.path);
		if (StartsWith(base, "."))
			continue;
		if (EndsWith(base, ".sql.conf")) {
			configs[f.path.substr(0, f.path.size() - 5)] = &f;
			continue;
		}
		if (!EndsWith(base, ".sql")) {
			Note(f.path, 0, "not a Flyway SQL migration (only *.sql files and their *.sql.conf are read); ignored");
			continue;
		}
		std::string_view stem = base.substr(0, base.size() - 4);
		const char prefix = stem.empty() ? '\0' : stem[0];
		std::string_view rest = stem.substr(stem.empty() ? 0 : 1);
		std::size_t sep = rest.find("__");
		std::string_view version = sep == std::string_view::npos ? rest : rest.substr(0, sep);
		std::string_view description = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 2);
		if ((prefix == 'V' || prefix == 'U' || prefix == 'B') && !rest.empty() && IsDigit(rest[0])) {
			Entry e;
			if (!ParseFlywayVersion(version, &e.version)) {
				Error(f.path, 0,
					  "invalid Flyway version " + Q(version) + " (expected numbers separated by \".\" or \"_\")");
				continue;
			}
			if (prefix == 'B') {
				Note(f.path, 0,
					 "Flyway baseline migration: not imported (pgmig applies the versioned migrations instead; a "
					 "database already at this version can be stamped)");
				continue;
			}
			e.description = std::string(description);
			e.file = &f;
			(prefix == 'V' ? versioned : undo).push_back(std::move(e));
		} else if (prefix == 'R' && StartsWith(rest, "__")) {
			Note(f.path, 0,
				 "Flyway repeatable migration: not imported (pgmig has no repeatable migrations; put its SQL in a new "
				 "revision whenever it changes)");
		} else if (StartsWith(stem, "before") || StartsWith(stem, "after")) {
			Note(f.path, 0, "Flyway callback script: not imported (pgmig has no callbacks)");
		} else
			Note(f.path, 0, "not a Flyway migration file name (V<version>__<description>.sql); ignored");
	}

	auto by_version = [](const Entry &a, const Entry &b) {
		int c = CompareFlyway(a.version, b.version);
		return c != 0 ? c < 0 : a.file->path < b.file->path;
	};
	std::stable_sort(versioned.begin(), versioned.end(), by_version);
	std::stable_sort(undo.begin(), undo.end(), by_version);

	/* Undo files: at most one per version, each for a versioned migration. */
	std::vector<const Entry *> undo_of(versioned.size(), nullptr);
	for (std::size_t k = 0; k < undo.size(); k++) {
		const Entry &u = undo[k];
		if (k > 0 && CompareFlyway(undo[k - 1].version, u.version) == 0) {
			Error(u.file->path, 0,
				  "undo version " + u.version.text + " is also used by " + undo[k - 1].file->path);
			continue;
		}
		auto match = std::lower_bound(versioned.begin(), versioned.end(), u,
									  [](const Entry &a, const Entry &b) { return CompareFlyway(a.version, b.version) < 0; });
		if (match == versioned.end() || CompareFlyway(match->version, u.version) != 0) {
			Error(u.file->path, 0,
				  "undo migration without a versioned migration: there is no V" + u.version.text + "__*.sql");
			continue;
		}
		undo_of[static_cast<std::size_t>(match - versioned.begin())] = &u;
	}

	for (std::size_t k = 0; k < versioned.size(); k++) {
		const Entry &e = versioned[k];
		if (k > 0 && CompareFlyway(versioned[k - 1].version, e.version) == 0) {
			Error(e.file->path, 0, "version " + e.version.text + " is also used by " + versioned[k - 1].file->path);
			continue;
		}
		if (!Usable(*e.file))
			continue;
		Candidate c;
		c.tool_id = e.version.text;
		std::replace(c.tool_id.begin(), c.tool_id.end(), '_', '.');
		std::string id_version = e.version.text;
		std::replace(id_version.begin(), id_version.end(), '.', '_');
		c.id = IdWithSlug("v" + id_version, e.description);
		c.message = MessageFromName(e.description);
		c.origin = e.file;
		c.up = {e.file, 0, e.file->text.size()};
		if (const Entry *u = undo_of[k]; u != nullptr && Usable(*u->file))
			c.down = BodySource{u->file, 0, u->file->text.size()};

		auto conf = configs.find(e.file->path);
		if (conf != configs.end() && Usable(*conf->second)) {
			used_configs.insert(conf->first);
			const SourceFile &cf = *conf->second;
			std::istringstream in(cf.text);
			std::string raw;
			for (int line = 1; std::getline(in, raw); line++) {
				std::string_view text = Trim(raw);
				if (text.empty() || text[0] == '#' || text[0] == '!')
					continue;
				std::size_t eq = text.find('=');
				std::string key(Trim(text.substr(0, eq)));
				std::string value(eq == std::string_view::npos ? std::string_view() : Trim(text.substr(eq + 1)));
				if (key == "executeInTransaction" && (value == "false" || value == "true")) {
					if (value == "false") {
						c.nontransactional = true;
						c.nontx_setting = "executeInTransaction=false";
					}
				} else if (key == "encoding")
					continue; /* the file had to be UTF-8 to be read at all */
				else
					Note(cf.path, line, "Flyway script setting " + Q(text) + " is not carried over");
			}
		}
		for (const BodySource *src : {&c.up, c.down ? &*c.down : nullptr}) {
			if (src == nullptr)
				continue;
			auto [at, placeholder] = FindPlaceholder(*src);
			if (at != std::string::npos)
				Note(src->file->path, src->file->Line(at),
					 "Flyway placeholder " + Q(placeholder) + " is not replaced by pgmig; the body keeps it as written");
		}
		Emit(std::move(c));
	}
	for (const auto &[sql, conf] : configs) {
		if (used_configs.count(sql) == 0)
			Note(conf->path, 0, "settings of a file that is not imported as a versioned migration; ignored");
	}
}

} // namespace pgmig::client::import_impl
