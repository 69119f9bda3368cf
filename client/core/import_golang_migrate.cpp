/*
 * client/core/import_golang_migrate.cpp
 *
 * golang-migrate: <version>_<title>.up.sql and .down.sql directly in the
 * folder, in numeric version order (leading zeros do not count); a
 * BEGIN;/COMMIT; pair around a body is removed, with a note, since pgmig
 * provides the transaction.  The tool's id is the version as a number.
 * docs/import.md, "golang-migrate", has the details.
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

#include <map>
#include <utility>

namespace pgmig::client::import_impl {

/*
 * golang-migrate: <version>_<title>.up.sql and .down.sql directly in the
 * folder, in numeric version order; a BEGIN;/COMMIT; pair around a body is
 * removed (with a note) since pgmig provides the transaction.
 */
void
Importer::ImportGolangMigrate()
{
	struct Entry {
		std::string version;  /* as written */
		std::string title;
		const SourceFile *up = nullptr;
		const SourceFile *down = nullptr;
	};
	/* Keyed by the version without leading zeros, ordered numerically. */
	auto numeric = [](const std::string &a, const std::string &b) { return CompareNumbers(a, b) < 0; };
	std::map<std::string, Entry, decltype(numeric)> entries(numeric);

	for (const SourceFile &f : files_) {
		std::string_view base = Basename(f.path);
		if (StartsWith(base, "."))
			continue;
		if (base.size() != f.path.size()) {
			Note(f.path, 0, "golang-migrate reads only the folder itself, not its subfolders; ignored");
			continue;
		}
		const bool up = EndsWith(base, ".up.sql");
		const bool down = EndsWith(base, ".down.sql");
		std::size_t digits = 0;
		while (digits < base.size() && IsDigit(base[digits]))
			digits++;
		if ((!up && !down) || digits == 0 || digits >= base.size() || base[digits] != '_' ||
			base.size() < digits + 1 + (up ? 7 : 9)) {
			Note(f.path, 0, "not a golang-migrate file name (<version>_<title>.up.sql or .down.sql); ignored");
			continue;
		}
		std::string version(base.substr(0, digits));
		std::string title(base.substr(digits + 1, base.size() - digits - 1 - (up ? 7 : 9)));
		Entry &e = entries[std::string(StripZeros(version))];
		const SourceFile *&slot = up ? e.up : e.down;
		if (slot != nullptr) {
			Error(f.path, 0,
				  "version " + std::string(StripZeros(version)) + " is also used by " + slot->path);
			continue;
		}
		slot = &f;
		if (up) {
			e.version = version;
			e.title = title;
		}
	}

	for (auto &[key, e] : entries) {
		if (e.up == nullptr) {
			Error(e.down->path, 0, "down migration without an up migration (no " + key + "_*.up.sql)");
			continue;
		}
		if (!Usable(*e.up) || (e.down != nullptr && !Usable(*e.down)))
			continue;
		Candidate c;
		c.tool_id = key;
		c.id = IdWithSlug(e.version, e.title);
		c.message = MessageFromName(e.title);
		c.origin = e.up;
		c.up = {e.up, 0, e.up->text.size()};
		if (e.down != nullptr)
			c.down = BodySource{e.down, 0, e.down->text.size()};
		c.strip = Strip::kWrapper;
		c.note_wrapper = true;
		Emit(std::move(c));
	}
}

} // namespace pgmig::client::import_impl
