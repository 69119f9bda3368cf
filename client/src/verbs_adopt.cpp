/*
 * client/src/verbs_adopt.cpp
 *
 * The adopt verbs, which bring an existing database or another tool's
 * migrations under pgmig: import (another tool's folder converted into pgmig
 * files, client/core/importers), import-history (what the tool's history
 * table records as applied, stamped as applied), baseline (a target stamped
 * as applied and the schema recorded as it is) and snapshot (the schema
 * recorded as it is, accepting drift), and repair (the down body and
 * metadata of applied revisions made what the folder says, on the record).
 *
 * Design.  Nothing runs a body: adoption records what is already true.
 * So baseline and import-history push and stamp in one transaction, and the
 * server does not lint the revisions they stamp (push.hpp): lint is about
 * running a body, and the adopted database has their objects.
 * import writes nothing unless every file can be written; import-history
 * checks that the tool's history is clean (no failed or dirty migration) and
 * reads only a plain table, resolved once through the search_path.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "verbs.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "folder_sums.hpp"
#include "importers.hpp"
#include "migfile.hpp"
#include "new_files.hpp"
#include "options.hpp"
#include "output.hpp"
#include "project_state.hpp"
#include "push.hpp"
#include "shadow.hpp"
#include "verb_context.hpp"
#include "sha256.hpp"

namespace pgmig::client {

/*
 * repair [REVISION...] --reason TEXT [--schema-unchanged]: sends the files of
 * the named revisions, or of every applied revision whose file differs from
 * what the server holds, to mig_repair in one transaction.  A differing
 * revision that is not applied is left to push (noted); so is a file the
 * server lacks.
 */
int
VerbRepair(const Globals &g, Out &out, const RepairArgs &args)
{
	Folder folder = ReadFolderOrThrow(g);
	FolderSums sums = ChecksumFolder(folder);
	Connection conn(ConnectOptionsFor(g));
	Result has = conn.Exec("SELECT pg_catalog.to_regprocedure('pgmig.mig_repair(pg_catalog.jsonb, pg_catalog.text, "
						   "pg_catalog.bool, pg_catalog.text)') IS NOT NULL AS has");
	if (!has.Bool(0, "has")) {
		Error e("this database's pgmig has no mig_repair (it came in 0.8)");
		e.hint = "update the extension: `pgmig init` (ALTER EXTENSION pgmig UPDATE)";
		throw e;
	}
	std::optional<StoredLines> stored = ReadStoredLines(conn, g);
	std::vector<std::string> pending_list = PendingRevisions(conn, g);
	std::set<std::string> pending(pending_list.begin(), pending_list.end());
	const std::size_t n = folder.files.size();
	std::vector<bool> send(n, false);
	std::vector<std::string> left_to_push;
	std::set<std::string> named(args.revisions.begin(), args.revisions.end());
	for (const std::string &r : named)
		if (!folder.Find(r)) {
			Error e("revision " + r + " is not in " + g.dir, kExitUsage);
			e.hint = "name revisions of the folder; without names, every applied revision whose file differs";
			throw e;
		}
	for (std::size_t i = 0; i < n; i++) {
		const std::string &id = folder.files[i].revision;
		auto it = stored ? stored->find(id) : StoredLines::const_iterator();
		bool held = stored && it != stored->end();
		bool differs = !held || it->second.digest != Sha256Hex(SyncLineOf(folder, sums, i));
		if (!named.empty()) {
			send[i] = named.count(id) > 0;
			continue;
		}
		if (!held || !differs)
			continue;
		if (pending.count(id))
			left_to_push.push_back(id);
		else
			send[i] = true;
	}
	for (const std::string &id : left_to_push)
		out.Note("note: " + id + " differs but is not applied: `pgmig push` replaces it");
	std::size_t sending = static_cast<std::size_t>(std::count(send.begin(), send.end(), true));
	Json rows = Json::Array();
	if (sending == 0) {
		out.Line("nothing to repair: every applied revision is stored as " + g.dir + " has it");
		out.doc.Set("revisions", std::move(rows));
		return kExitOk;
	}
	Result r = [&] {
		try {
			return conn.ExecTx("SELECT revision, pg_catalog.array_to_string(changed, ', ') AS changed "
							   "FROM pgmig.mig_repair($1::pg_catalog.jsonb, $2::pg_catalog.text, $3::pg_catalog.bool, "
							   "$4::pg_catalog.text)",
							   {FolderUploadBatch(conn, folder, sums, &send).Dump(-1), args.reason,
								std::string(args.schema_unchanged ? "true" : "false"), g.project});
		} catch (Error &e) {
			LocateInFolder(e, folder);
			throw;
		}
	}();
	Table t({"revision", "changed"});
	int repaired = 0;
	for (int i = 0; i < r.rows(); i++) {
		std::string changed = r.Text(i, "changed");
		repaired += changed.empty() ? 0 : 1;
		t.AddRow({r.Text(i, "revision"), changed.empty() ? "(unchanged)" : changed});
		Json row = Json::Object();
		row.Set("revision", r.Text(i, "revision"));
		row.Set("changed", changed);
		rows.Push(std::move(row));
	}
	if (out.text() && t.rows() > 0)
		out.Text(t.Render(out.color, false, "  "));
	out.Line("repaired " + Plural(repaired, "revision", "revisions") + "; the history records it with the reason");
	out.doc.Set("revisions", std::move(rows));
	return kExitOk;
}

/* snapshot: records the schema as it is now (accepting any drift). */
int
VerbSnapshot(const Globals &g, Out &out)
{
	Connection conn(ConnectOptionsFor(g));
	Result r = conn.ExecTx("SELECT digest, objects FROM pgmig.mig_snapshot($1::pg_catalog.text)", {g.project});
	std::string digest = r.Text(0, "digest");
	out.Line("schema recorded: " + Plural(static_cast<std::int64_t>(r.Number(0, "objects")), "object", "objects") +
			 ", digest " + digest.substr(0, 12));
	out.doc.Set("digest", digest);
	out.doc.Set("objects", static_cast<std::int64_t>(r.Number(0, "objects")));
	return kExitOk;
}

/*
 * Runs push and then `stamp` (the call that stamps `targets`) in one
 * transaction, and commits: the upload is told the stamp's targets, so the
 * revisions the stamp covers are not linted (see push.hpp), and when the
 * stamp fails nothing of the push is kept either.  Returns the stamp's rows.
 */
static Result
PushAndStamp(Connection &conn, const Folder &folder, const Globals &g, Out &out,
			 const std::vector<std::string> &targets, const std::string &stamp,
			 const std::vector<std::optional<std::string>> &params)
{
	try {
		conn.Begin();
		Push(conn, folder, g, out, false, &targets);
		Result r = conn.Exec(stamp, params);
		conn.Exec("COMMIT");
		return r;
	} catch (...) {
		RollbackQuietly(conn);
		throw;
	}
}

/* baseline TARGET: push, then mig_baseline (TARGET and its ancestors stamped,
 * the schema recorded), in one transaction (PushAndStamp). */
int
VerbBaseline(const Globals &g, Out &out, const std::string &target, const SchemaCheckArgs &check)
{
	Folder folder = ReadFolderOrThrow(g);
	Connection conn(ConnectOptionsFor(g));
	/* a project with applied revisions is refused by mig_baseline (PM041): say so before building anything */
	if (CurrentHeads(conn, g).empty())
		CheckSchemaBeforeStamp(g, out, conn, {target}, check, "baseline", "");
	Result r = PushAndStamp(
		conn, folder, g, out, {target},
		"SELECT revision, digest, objects FROM pgmig.mig_baseline($1::pg_catalog.text, $2::pg_catalog.text)",
		{target, g.project});
	Json revs = Json::Array();
	for (int i = 0; i < r.rows(); i++)
		revs.Push(Json(r.Text(i, "revision")));
	std::vector<std::string> current = CurrentHeads(conn, g);
	std::string objects = r.rows() > 0 ? r.Text(0, "objects") : "0";
	out.Line("baseline: " + Plural(r.rows(), "revision", "revisions") + " stamped as applied, schema of " + objects +
			 " objects recorded; " + AtText(current));
	out.doc.Set("revisions", std::move(revs));
	out.doc.Set("digest", r.rows() > 0 ? Json(r.Text(0, "digest")) : Json());
	out.doc.Set("current", Json::Strings(current));
	return kExitOk;
}

/* import --from TOOL DIR: the tool's migrations converted into new files of the folder; all or nothing. */
int
VerbImport(const Globals &g, Out &out, const ImportArgs &args)
{
	std::optional<ImportFormat> format = ParseImportFormat(args.from);
	if (!format)
		throw Error("unknown --from \"" + args.from + "\" (flyway, golang-migrate, dbmate, diesel, sqitch, alembic-sql or sql)",
					kExitUsage);
	ImportResult r = ImportDirectory(*format, args.source);
	Json notes = Json::Array();
	for (const ImportNote &n : r.notes) {
		out.Note("note: " + n.Format());
		notes.Push(Json(n.Format()));
	}
	out.doc.Set("notes", std::move(notes));
	if (!r.ok()) {
		std::string all;
		for (const ImportNote &e : r.errors)
			all += (all.empty() ? "" : "\n") + e.Format();
		Error e("the import of " + args.source + " failed; nothing was written");
		e.detail = all;
		throw e;
	}
	/* a folder with nothing of the tool's is not an import (the notes say
	 * what each file is) */
	if (r.migrations.empty()) {
		Error e("no " + std::string(ImportFormatName(*format)) + " migration found in " + args.source +
				"; nothing was written");
		e.detail = r.notes.empty() ? "The folder holds no file." : "The notes above say why each file was not imported.";
		e.hint = "check --from (flyway, golang-migrate, dbmate, diesel, sqitch, alembic-sql, or sql for a plain folder of "
				 "SQL files applied in name order) and the folder";
		throw e;
	}
	/* nothing is written when any target file exists */
	std::error_code ec;
	std::filesystem::create_directories(g.dir, ec);
	if (ec)
		throw Error("could not create " + g.dir + ": " + ec.message());
	for (const MigrationFile &m : r.migrations) {
		std::filesystem::path path = std::filesystem::path(g.dir) / (m.revision + ".sql");
		if (std::filesystem::exists(path, ec)) {
			Error e(path.string() + " already exists; nothing was written");
			e.hint = "import into an empty folder, then move the files you want";
			throw e;
		}
	}
	Json files = Json::Array();
	for (const MigrationFile &m : r.migrations) {
		std::string path = (std::filesystem::path(g.dir) / (m.revision + ".sql")).string();
		WriteNewFile(path, RenderMigrationFile(m));
		files.Push(Json(path));
	}
	Json ids = Json::Array();
	for (const auto &p : r.id_map) {
		Json j = Json::Object();
		j.Set("source", p.first);
		j.Set("revision", p.second);
		ids.Push(std::move(j));
	}
	out.Line("imported " + Plural(static_cast<std::int64_t>(r.migrations.size()), "migration", "migrations") +
			 " from " + std::string(ImportFormatName(*format)) + " into " + g.dir +
			 (r.notes.empty() ? "" : " (" + Plural(static_cast<std::int64_t>(r.notes.size()), "note", "notes") + " above)"));
	out.doc.Set("files", std::move(files));
	out.doc.Set("ids", std::move(ids));
	return kExitOk;
}

/* The default history table of each tool, and whether it records every applied migration. */
static std::pair<std::string, bool>
HistoryTable(ImportFormat f)
{
	switch (f) {
	case ImportFormat::kFlyway:
		return {"flyway_schema_history", true};
	case ImportFormat::kGolangMigrate:
		return {"schema_migrations", false}; /* the current version only */
	case ImportFormat::kDbmate:
		return {"schema_migrations", true};
	case ImportFormat::kDiesel:
		return {"__diesel_schema_migrations", true};
	case ImportFormat::kSqitch:
		return {"sqitch.changes", true};
	case ImportFormat::kAlembicSql:
		return {"alembic_version", false}; /* the current heads only */
	case ImportFormat::kPlainSql:
		return {"", true}; /* home-made: --table and --column name it */
	}
	return {"", true};
}

/* The identifiers the tool recorded as applied, read from its history table. */
static std::vector<std::string>
ReadToolHistory(Connection &conn, ImportFormat f, const std::string &table, const std::string &column)
{
	/* The name is resolved once, through the session's search_path as the
	 * tool would have; what is read must be a plain table: reading a view
	 * (or a foreign table) would run whatever functions it calls as the role
	 * running import-history, and a schema earlier in a hostile search_path
	 * could hold one of that name. */
	Result found = conn.Exec(
		"SELECT n.nspname, c.relname, c.relkind::pg_catalog.text AS relkind "
		"  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
		" WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1::pg_catalog.text)::pg_catalog.oid",
		{table});
	if (found.rows() == 0)
		throw Error("no history table " + table + " in this database (use --table to name it)", kExitUsage);
	std::string t = conn.QuoteIdent(found.Text(0, "nspname")) + "." + conn.QuoteIdent(found.Text(0, "relname"));
	if (found.Text(0, "relkind") != "r" && found.Text(0, "relkind") != "p") {
		Error e(table + " is " + found.Text(0, "nspname") + "." + found.Text(0, "relname") +
				", which is not a table; import-history reads only a table");
		e.hint = "name the tool's history table with --table schema.table";
		throw e;
	}
	std::string sql;
	switch (f) {
	case ImportFormat::kFlyway: {
		Result bad = conn.Exec("SELECT version, description FROM " + t + " WHERE NOT success ORDER BY installed_rank");
		if (bad.rows() > 0) {
			Error e("the Flyway history records a failed migration: version " + bad.Text(0, "version") + " (" +
					bad.Text(0, "description") + ")");
			e.hint = "repair it with Flyway first (flyway repair), then import the history";
			throw e;
		}
		sql = "SELECT version::pg_catalog.text AS v FROM " + t + " WHERE success AND version IS NOT NULL ORDER BY installed_rank";
		break;
	}
	case ImportFormat::kGolangMigrate: {
		Result r = conn.Exec("SELECT version::pg_catalog.text AS v, dirty FROM " + t);
		if (r.rows() > 0 && r.Bool(0, "dirty")) {
			Error e("the golang-migrate history is dirty at version " + r.Text(0, "v") +
					" (a migration failed half-way)");
			e.hint = "fix the schema and run `migrate force VERSION` first, then import the history";
			throw e;
		}
		sql = "SELECT version::pg_catalog.text AS v FROM " + t;
		break;
	}
	case ImportFormat::kDbmate:
	case ImportFormat::kDiesel:
		sql = "SELECT version::pg_catalog.text AS v FROM " + t + " ORDER BY version";
		break;
	case ImportFormat::kSqitch:
		sql = "SELECT change AS v FROM " + t + " ORDER BY committed_at";
		break;
	case ImportFormat::kAlembicSql:
		sql = "SELECT version_num AS v FROM " + t;
		break;
	case ImportFormat::kPlainSql: {
		Result col = conn.Exec("SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid OPERATOR(pg_catalog.=) "
							   "pg_catalog.to_regclass($1::pg_catalog.text)::pg_catalog.oid AND attname OPERATOR(pg_catalog.=) "
							   "$2::pg_catalog.name AND attnum OPERATOR(pg_catalog.>) 0 AND NOT attisdropped",
							   {table, column});
		if (col.rows() == 0)
			throw Error(table + " has no column " + column + " (--column names the one that holds each applied file)",
						kExitUsage);
		sql = "SELECT " + conn.QuoteIdent(column) + "::pg_catalog.text AS v FROM " + t + " WHERE " +
			  conn.QuoteIdent(column) + " IS NOT NULL ORDER BY 1";
		break;
	}
	}
	Result r = conn.Exec(sql);
	std::vector<std::string> out;
	for (int i = 0; i < r.rows(); i++)
		out.push_back(r.Text(i, "v"));
	return out;
}

/*
 * import-history --from TOOL DIR: the migrations the tool's history table
 * records as applied, stamped as applied (after a push, in the same
 * transaction: PushAndStamp).
 */
int
VerbImportHistory(const Globals &g, Out &out, const ImportArgs &args, const SchemaCheckArgs &check)
{
	std::optional<ImportFormat> format = ParseImportFormat(args.from);
	if (!format)
		throw Error("unknown --from \"" + args.from + "\"", kExitUsage);
	ImportResult imp = ImportDirectory(*format, args.source);
	if (!imp.ok()) {
		Error e("the migrations in " + args.source + " could not be read; nothing was stamped");
		for (const ImportNote &n : imp.errors)
			e.detail += (e.detail.empty() ? "" : "\n") + n.Format();
		throw e;
	}
	Folder folder = ReadFolderOrThrow(g);
	std::map<std::string, std::string> to_revision;
	for (const auto &[tool_id, revision] : imp.id_map) {
		if (folder.Find(revision) == nullptr) {
			Error e("revision " + revision + " (" + tool_id + " in " + std::string(ImportFormatName(*format)) +
					") is not in " + g.dir);
			e.hint = "convert the migrations first: pgmig --dir " + g.dir + " import --from " + args.from + " " +
					 args.source;
			throw e;
		}
		to_revision.emplace(tool_id, revision);
		/* a home-made table may name the file with or without ".sql" */
		if (*format == ImportFormat::kPlainSql && tool_id.size() > 4)
			to_revision.emplace(tool_id.substr(0, tool_id.size() - 4), revision);
	}
	auto [default_table, full] = HistoryTable(*format);
	std::string table = args.table.empty() ? default_table : args.table;
	if (*format == ImportFormat::kPlainSql && (args.table.empty() || args.column.empty()))
		throw Error("import-history --from sql needs --table and --column: the home-made table that records each "
					"applied file, and its column that holds the file's name",
					kExitUsage);
	if (*format != ImportFormat::kPlainSql && !args.column.empty())
		throw Error("--column is for --from sql: the other tools' history tables have known columns", kExitUsage);

	Connection conn(ConnectOptionsFor(g));
	std::vector<std::string> recorded = ReadToolHistory(conn, *format, table, args.column);
	std::vector<std::string> targets;
	std::vector<std::string> unknown;
	for (const std::string &v : recorded) {
		auto it = to_revision.find(v);
		if (it == to_revision.end())
			unknown.push_back(v);
		else
			targets.push_back(it->second);
	}
	if (!unknown.empty()) {
		Error e(table + " records " + Plural(static_cast<std::int64_t>(unknown.size()), "migration", "migrations") +
				" that " + args.source + " does not have: " + Join(unknown, ", "));
		e.hint = "import the history with the migration folder the database was built from";
		throw e;
	}
	if (targets.empty()) {
		out.Line("import-history: " + table + " records nothing applied; nothing to stamp");
		out.doc.Set("revisions", Json::Array());
		return kExitOk;
	}
	CheckSchemaBeforeStamp(g, out, conn, targets, check, "import-history", table);
	Result r = PushAndStamp(conn, folder, g, out, targets,
							"SELECT revision, action FROM pgmig.mig_stamp($1::pg_catalog.text[], $2::pg_catalog.text)",
							{PgArrayLiteral(targets), g.project});
	Json revs = Json::Array();
	std::set<std::string> wanted(targets.begin(), targets.end());
	std::vector<std::string> implied;
	int added = 0;
	for (int i = 0; i < r.rows(); i++) {
		if (r.Text(i, "action") != "added")
			continue;
		added++;
		revs.Push(Json(r.Text(i, "revision")));
		if (full && wanted.count(r.Text(i, "revision")) == 0)
			implied.push_back(r.Text(i, "revision"));
	}
	for (const std::string &rev : implied)
		out.Note("note: " + rev + " was stamped as an ancestor of a recorded migration, though " + table +
				 " does not record it (applied out of order?)");
	std::vector<std::string> current = CurrentHeads(conn, g);
	out.Line("import-history: " + Plural(added, "revision", "revisions") + " stamped as applied from " + table + "; " +
			 AtText(current));
	out.doc.Set("revisions", std::move(revs));
	out.doc.Set("current", Json::Strings(current));
	return kExitOk;
}

} // namespace pgmig::client
