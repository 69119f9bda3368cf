/*
 * client/core/import_plain_sql.cpp
 *
 * A plain folder of SQL files, applied in name order by a deploy script
 * (psql in a loop, a home-made runner) with its history in a home-made
 * table: every *.sql file directly in the folder is one migration, in
 * byte-wise name order, its whole text the up body, with no down body.  The
 * tool's id is the file name; `import-history --from sql --table T
 * --column C` stamps the files whose name (with or without ".sql") is a
 * value of T.C.  docs/import.md, "A plain folder of SQL files", has the
 * details.
 *
 * Like every format reader, this is a member of the Importer
 * (import_session.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "import_session.hpp"

#include "import_text.hpp"

#include <utility>

namespace pgmig::client::import_impl {

/*
 * Plain SQL: the *.sql files of the folder itself in name order (files_ is
 * sorted by path), each a revision whose parent is the one before.  The id
 * is the name's leading digits and the slug of the rest ("001_init.sql" ->
 * "001_init"), or the slug of the whole name when it starts otherwise.
 */
void
Importer::ImportPlainSql()
{
	for (const SourceFile &f : files_) {
		std::string_view base = Basename(f.path);
		if (StartsWith(base, "."))
			continue;
		if (base.size() != f.path.size()) {
			Note(f.path, 0, "a plain SQL folder is read without its subfolders; ignored");
			continue;
		}
		if (!EndsWith(base, ".sql") || base.size() == 4) {
			Note(f.path, 0, "not a .sql file; ignored");
			continue;
		}
		if (!Usable(f))
			continue;
		std::string_view stem = base.substr(0, base.size() - 4);
		std::size_t digits = 0;
		while (digits < stem.size() && IsDigit(stem[digits]))
			digits++;
		Candidate c;
		c.tool_id = std::string(base);
		c.id = digits > 0 ? IdWithSlug(stem.substr(0, digits), stem.substr(digits)) : Slug(stem);
		if (c.id.empty())
			c.id = std::string(stem); /* no letter nor digit: Emit reports the invalid id */
		std::string_view title = stem.substr(digits);
		while (digits > 0 && !title.empty() && (title[0] == '_' || title[0] == '-' || title[0] == '.'))
			title.remove_prefix(1);
		c.message = MessageFromName(title);
		c.origin = &f;
		c.up = {&f, 0, f.text.size()};
		Emit(std::move(c));
	}
}

} // namespace pgmig::client::import_impl
