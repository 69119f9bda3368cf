/*
 * client/src/shadow.hpp
 *
 * The shadow database (Prisma's word; Atlas calls it the dev database):
 * where a check builds, from scratch, the schema that the migrations make,
 * never in the target database.
 *
 * Design.  Which database:
 *   - --shadow-dbname names one.  It must be empty (no schema but an empty
 *     public, no extension but plpgsql and pgmig, no revision stored for the
 *     project) and must not be the target database; pgmig installs the
 *     extension when it is missing, builds, reads the schema, then drops
 *     what the build created (its schemas, the objects of public, its
 *     extensions, its event triggers), so the next run finds it empty
 *     again.  A session-level advisory lock in the shadow, held from the
 *     check to the end of the cleanup, makes a second check wait for the
 *     first instead of seeing its half-built schema.  Grants on the public schema and default privileges a
 *     migration changed are not undone (docs/schema.md).  When pgmig was
 *     installed there before, the build uses a project of its own, whose
 *     history stays in the shadow's catalog.
 *   - Otherwise pgmig creates a temporary database on the target's server
 *     (from template0, with the target's encoding, collation, ctype and
 *     ICU locale, so a LATIN1 database is checked as LATIN1) and drops it afterwards; the
 *     role needs CREATEDB, and installing pgmig there needs a superuser.
 *     With --direct-dbname (a pooler in front), the shadow is made and
 *     reached through that connection, which reaches PostgreSQL itself.
 *     Its name carries the backend pid of the session that holds it open
 *     for the whole check: a later run drops a temporary shadow whose
 *     session is gone (a run killed, or interrupted with Ctrl-C).
 * The build is `init`, then `up` to each target, as a deploy runs them
 * (non-transactional revisions included), with the output kept quiet; a
 * revision that fails there is an Error that says it failed in the shadow.
 * Cleanup runs on every path, and never hides the error that ended the
 * build.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_SHADOW_HPP
#define PGMIG_CLIENT_SHADOW_HPP

#include <string>
#include <vector>

#include "conn.hpp"
#include "migfile.hpp"
#include "schema_file.hpp"
#include "verbs.hpp"

namespace pgmig::client {

/* Whether the database's pgmig has mig_schema() (0.8). */
bool ServerHasSchema(Connection &conn);

/* The other pgmig projects with applied revisions in a database (none when
 * the role may not read pgmig.applied): their objects are extra to a
 * comparison with one project's migrations. */
std::vector<std::string> OtherProjects(Connection &conn, const std::string &project);

/* The rows of mig_schema() in a database, in their order. */
std::vector<SchemaObject> ReadSchema(Connection &conn);

/*
 * The schema the folder's revisions build up to each target (none: the
 * folder's single head; "base": nothing), read in a shadow database (see
 * the file header).  Progress notes go to out's stderr.
 */
std::vector<SchemaObject> BuildInShadow(const Globals &g, Out &out, const std::vector<std::string> &targets);

/* The schema file's path: --schema-file, else schema.sql beside the folder. */
std::string SchemaFilePath(const Globals &g);

/* Whether a text is a schema file pgmig wrote (its first line says so). */
bool IsPgmigSchemaFile(const std::string &text);

/*
 * The differences between the schema the revisions build (expected) and
 * the live one (actual) as text lines for the output: one line per object
 * ("missing table public.x", "extra index public.i", "different table
 * public.t"), each followed by its indented line diff when with_diff.
 */
std::vector<std::string> DescribeDifferences(const std::vector<SchemaDifference> &d, bool with_diff,
                                             const std::string &missing_word, const std::string &extra_word);

/* The differences as JSON: [{change, kind, identity, diff: [...]}, ...]. */
Json DifferencesJson(const std::vector<SchemaDifference> &d);

/*
 * Checks a live database against what the revisions up to targets build:
 * every difference not named in accept ("KIND IDENTITY" or IDENTITY; a
 * schema that one side lacks entirely covers the objects in it, such a
 * table the constraints, indexes, triggers, policies and sequences on it;
 * one both sides have covers only itself) is
 * printed and makes it throw an Error (exit 3) naming `what` (the verb),
 * with a hint to name them with --accept.  tool_table (may be empty):
 * another tool's history table, which the database has and the migrations
 * do not create; it, and the indexes and constraints on it, are accepted.
 * Returns the differences accepted.
 */
std::vector<SchemaDifference> CheckAgainstMigrations(const Globals &g, Out &out, Connection &live,
                                                     const std::vector<std::string> &targets,
                                                     const std::vector<std::string> &accept, const std::string &what,
                                                     const std::string &tool_table);

/* One finding of verify about the schema file: its path, what is wrong,
 * and the line diff of the object's statements when there is one. */
struct SchemaFileFinding {
	std::string file;
	std::string message;
	std::vector<std::string> diff;
};

/*
 * verify's check of the schema file (verbs_schema.cpp): nothing when there
 * is no file or pgmig did not write it (a note says so); otherwise every
 * object whose statements differ from what the folder's head builds in a
 * shadow database, or the build's error.  *checked says whether it compared.
 */
std::vector<SchemaFileFinding> SchemaFileFindings(const Globals &g, Out &out, const Folder &folder, bool *checked);

/*
 * The adopting verbs' schema check (baseline, stamp --check-schema,
 * import-history --check-schema), before anything is written:
 * CheckAgainstMigrations, with each accepted difference noted.  Relative
 * targets are refused (exit 2).  Without check.check it does nothing (a
 * check on by default, baseline's, warns that the schema is recorded
 * unchecked); such a check against a server whose pgmig predates
 * mig_schema warns and does nothing, an asked-for one is an error.
 */
void CheckSchemaBeforeStamp(const Globals &g, Out &out, Connection &conn, const std::vector<std::string> &targets,
                            const SchemaCheckArgs &check, const std::string &what, const std::string &tool_table);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_SHADOW_HPP */
