/*
 * client/src/verbs_author.cpp
 *
 * The author verbs, which write a new revision file and touch no database:
 * new (a revision whose parent is the folder's single head, or --parent)
 * and merge (a revision whose parents are all the heads, joining them).
 *
 * Design.  The file is rendered by client/core/migfile and written with an
 * id and an exclusive create from new_files.cpp; the report names the file
 * and its parents.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "verbs.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include "errors.hpp"
#include "migfile.hpp"
#include "new_files.hpp"
#include "options.hpp"
#include "output.hpp"
#include "verb_context.hpp"

namespace pgmig::client {

namespace {

/* new and merge: the file, its report. */
int
CreateRevision(const Globals &g, Out &out, MigrationFile m)
{
	std::error_code ec;
	std::filesystem::create_directories(g.dir, ec);
	if (m.revision.empty())
		m.revision = NewRevisionId(g.dir, m.message.value_or(""));
	m.path = (std::filesystem::path(g.dir) / (m.revision + ".sql")).string();
	WriteNewFile(m.path, RenderMigrationFile(m));
	out.Line("created " + m.path);
	if (!m.parents.empty())
		out.Line("  parents  " + Join(m.parents, " "));
	out.doc.Set("revision", m.revision);
	out.doc.Set("file", m.path);
	out.doc.Set("parents", Json::Strings(m.parents));
	return kExitOk;
}

} // namespace

/* new "message": parents = the folder's head (or --parent). */
int
VerbNew(const Globals &g, Out &out, const NewArgs &args)
{
	MigrationFile m;
	if (!args.message.empty())
		m.message = args.message;
	m.parents = args.parents;
	m.depends_on = args.depends_on;
	m.branch_labels = args.branch;
	m.nontransactional = args.nontransactional;
	if (args.parents.empty()) {
		Folder folder = FolderForMessages(g);
		if (!folder.ok()) {
			Error e = FolderError(folder, g.dir);
			e.message = Plural(static_cast<std::int64_t>(folder.diagnostics.size()), "problem", "problems") + " in " +
				g.dir + "; cannot tell the new revision's parent";
			e.hint = "fix them, or name the parent with --parent ID";
			throw e;
		}
		m.parents = folder.Heads();
		if (m.parents.size() > 1) {
			Error e("the migrations in " + g.dir + " have " + std::to_string(m.parents.size()) +
					" heads: " + Join(m.parents, ", "));
			e.hint = "join them first with `pgmig merge`, or name the parent with --parent ID";
			throw e;
		}
	}
	m.up = args.nontransactional ? "-- one non-transactional statement, e.g. CREATE INDEX CONCURRENTLY ...\n"
								 : "-- write the up migration here\n";
	m.down = "-- write the down migration here (delete this section if the revision cannot be undone)\n";
	return CreateRevision(g, out, std::move(m));
}

/* merge: parents = every head of the folder (at least two). */
int
VerbMerge(const Globals &g, Out &out, const NewArgs &args)
{
	Folder folder = ReadFolderOrThrow(g);
	std::vector<std::string> heads = folder.Heads();
	if (heads.size() < 2) {
		Error e("nothing to merge: the migrations in " + g.dir + " have " + Plural(heads.size(), "head", "heads"));
		throw e;
	}
	MigrationFile m;
	m.message = args.message.empty() ? "merge " + Join(heads, " and ") : args.message;
	m.revision = NewRevisionId(g.dir, args.message.empty() ? "merge" : args.message);
	m.parents = heads;
	m.branch_labels = args.branch;
	m.up = "-- merge revision: joins the heads, changes nothing\nSELECT 1;\n";
	m.down = "SELECT 1;\n";
	return CreateRevision(g, out, std::move(m));
}

} // namespace pgmig::client
