/*
 * client/core/import_diesel.cpp
 *
 * Diesel: one folder <version>_<name> per migration holding up.sql, an
 * optional down.sql and an optional metadata.toml (run_in_transaction =
 * false: non-transactional), in version order.  The tool's id is the
 * version without "-".  docs/import.md, "Diesel", has the details.
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
#include <sstream>

namespace pgmig::client::import_impl {

/*
 * Diesel: one folder <version>_<name> per migration (version digits, with
 * "-" allowed as in 2024-01-10-101500), holding up.sql, an optional down.sql
 * and an optional metadata.toml (run_in_transaction = false: the
 * non-transactional flag); ordered by version.  The folder
 * 00000000000000_diesel_initial_setup is imported like any other: later
 * migrations may call the helper functions it creates.
 */
void
Importer::ImportDiesel()
{
	struct Entry {
		std::string dir;
		std::string version;  /* without "-" */
		std::string name;
		const SourceFile *up = nullptr;
		const SourceFile *down = nullptr;
		const SourceFile *metadata = nullptr;
	};
	std::map<std::string, Entry> dirs; /* by folder name */
	for (const SourceFile &f : files_) {
		std::string_view path = f.path;
		std::size_t slash = path.find('/');
		if (StartsWith(path, ".") || StartsWith(Basename(path), "."))
			continue;
		if (slash == std::string_view::npos) {
			Note(f.path, 0, "not in a Diesel migration folder; ignored");
			continue;
		}
		std::string dir(path.substr(0, slash));
		std::string_view rest = path.substr(slash + 1);
		std::size_t underscore = dir.find('_');
		std::string_view raw_version = std::string_view(dir).substr(0, underscore);
		std::string version;
		for (char ch : raw_version) {
			if (ch != '-')
				version.push_back(ch);
		}
		const bool dashes_ok = !raw_version.empty() && raw_version.front() != '-' && raw_version.back() != '-';
		if (!AllDigits(version) || !dashes_ok ||
			!std::all_of(raw_version.begin(), raw_version.end(), [](char ch) { return IsDigit(ch) || ch == '-'; })) {
			Note(f.path, 0, "not in a Diesel migration folder (<version>_<name>/); ignored");
			continue;
		}
		Entry &e = dirs[dir];
		e.dir = dir;
		e.version = version;
		e.name = underscore == std::string::npos ? std::string() : dir.substr(underscore + 1);
		if (rest == "up.sql")
			e.up = &f;
		else if (rest == "down.sql")
			e.down = &f;
		else if (rest == "metadata.toml")
			e.metadata = &f;
		else
			Note(f.path, 0, "not a Diesel migration file (up.sql, down.sql, metadata.toml); ignored");
	}

	std::vector<Entry *> order;
	for (auto &[dir, e] : dirs)
		order.push_back(&e);
	std::stable_sort(order.begin(), order.end(), [](const Entry *a, const Entry *b) { return a->version < b->version; });
	for (std::size_t k = 0; k < order.size(); k++) {
		Entry &e = *order[k];
		if (k > 0 && order[k - 1]->version == e.version) {
			Error(e.dir, 0, "version " + e.version + " is also used by " + order[k - 1]->dir);
			continue;
		}
		if (e.up == nullptr) {
			if (e.down != nullptr)
				Error(e.down->path, 0, "down.sql without an up.sql");
			else if (e.metadata != nullptr)
				Error(e.dir, 0, "Diesel migration folder without an up.sql");
			continue;
		}
		if (!Usable(*e.up) || (e.down != nullptr && !Usable(*e.down)) || (e.metadata != nullptr && !Usable(*e.metadata)))
			continue;
		Candidate c;
		c.tool_id = e.version;
		c.id = IdWithSlug(e.version, e.name);
		c.message = MessageFromName(e.name);
		c.origin = e.up;
		c.up = {e.up, 0, e.up->text.size()};
		if (e.down != nullptr)
			c.down = BodySource{e.down, 0, e.down->text.size()};
		if (e.metadata != nullptr) {
			std::istringstream in(e.metadata->text);
			std::string raw;
			bool bad = false;
			for (int line = 1; std::getline(in, raw); line++) {
				std::string_view text = Trim(raw);
				if (text.empty() || text[0] == '#')
					continue;
				std::size_t eq = text.find('=');
				if (eq == std::string_view::npos) {
					Note(e.metadata->path, line, "metadata line " + Q(text) + " is not carried over");
					continue;
				}
				std::string_view key = Trim(text.substr(0, eq));
				std::string_view value = Trim(text.substr(eq + 1));
				std::size_t hash = value.find('#');
				if (hash != std::string_view::npos)
					value = Trim(value.substr(0, hash));
				if (key == "run_in_transaction") {
					if (value == "false") {
						c.nontransactional = true;
						c.nontx_setting = "run_in_transaction = false";
					} else if (value != "true") {
						Error(e.metadata->path, line, "run_in_transaction must be true or false, not " + Q(value));
						bad = true;
					}
				} else
					Note(e.metadata->path, line, "Diesel setting " + Q(key) + " is not carried over");
			}
			if (bad)
				continue;
		}
		Emit(std::move(c));
	}
}

} // namespace pgmig::client::import_impl
