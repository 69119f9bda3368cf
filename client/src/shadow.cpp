/*
 * client/src/shadow.cpp
 *
 * The shadow database's lifetime and the build in it (see shadow.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "shadow.hpp"

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "errors.hpp"
#include "options.hpp"
#include "output.hpp"
#include "verb_context.hpp"

namespace pgmig::client {

namespace {

/* What a database holds that an empty one does not (at most five, named). */
const char *const kLeftovers = R"sql(
SELECT what FROM (
	SELECT 'schema ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname) AS what
	  FROM pg_catalog.pg_namespace n
	 WHERE n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['public', 'pg_catalog', 'information_schema', 'pg_toast', 'pgmig'])
	   AND n.nspname OPERATOR(pg_catalog.!~) '^pg_(toast_)?temp_'
	UNION ALL
	SELECT 'extension ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(e.extname)
	  FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.<>) ALL (ARRAY['plpgsql', 'pgmig'])
	UNION ALL
	SELECT 'relation ' OPERATOR(pg_catalog.||) c.oid::pg_catalog.regclass::pg_catalog.text
	  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
	 WHERE n.nspname OPERATOR(pg_catalog.=) 'public'
	UNION ALL
	SELECT 'routine ' OPERATOR(pg_catalog.||) p.oid::pg_catalog.regprocedure::pg_catalog.text
	  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
	 WHERE n.nspname OPERATOR(pg_catalog.=) 'public'
	UNION ALL
	SELECT 'type ' OPERATOR(pg_catalog.||) t.oid::pg_catalog.regtype::pg_catalog.text
	  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
	 WHERE n.nspname OPERATOR(pg_catalog.=) 'public'
	UNION ALL
	SELECT 'collation ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.collname)
	  FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.collnamespace
	 WHERE n.nspname OPERATOR(pg_catalog.=) 'public'
	UNION ALL
	SELECT 'event trigger ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(et.evtname) FROM pg_catalog.pg_event_trigger et
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_event_trigger'::pg_catalog.regclass
                      AND d.objid OPERATOR(pg_catalog.=) et.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
) x ORDER BY 1 LIMIT 5)sql";

/* The statements that drop what a build created in a named shadow: event
 * triggers, extensions, schemas, then the objects of public, each named
 * with its schema (never through the session's search_path).  pgmig's
 * extension and its schema (which CREATE EXTENSION creates, and DROP
 * EXTENSION leaves) only when the build installed them ($1). */
const char *const kCleanup = R"sql(
SELECT pg_catalog.format('DROP EVENT TRIGGER IF EXISTS %I CASCADE', et.evtname) FROM pg_catalog.pg_event_trigger et
 WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_event_trigger'::pg_catalog.regclass
                      AND d.objid OPERATOR(pg_catalog.=) et.oid AND d.deptype OPERATOR(pg_catalog.=) 'e')
UNION ALL
SELECT pg_catalog.format('DROP EXTENSION IF EXISTS %I CASCADE', e.extname)
  FROM pg_catalog.pg_extension e
 WHERE e.extname OPERATOR(pg_catalog.<>) 'plpgsql' AND (e.extname OPERATOR(pg_catalog.<>) 'pgmig' OR $1::pg_catalog.bool)
UNION ALL
SELECT pg_catalog.format('DROP SCHEMA IF EXISTS %I CASCADE', n.nspname)
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['public', 'pg_catalog', 'information_schema', 'pg_toast'])
   AND (n.nspname OPERATOR(pg_catalog.<>) 'pgmig' OR $1::pg_catalog.bool)
   AND n.nspname OPERATOR(pg_catalog.!~) '^pg_(toast_)?temp_'
UNION ALL
SELECT pg_catalog.format('DROP %s IF EXISTS %I.%I CASCADE',
                         CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                        WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                         n.nspname, c.relname)
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
 WHERE n.nspname OPERATOR(pg_catalog.=) 'public'
   AND c.relkind OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'v', 'm', 'S', 'f']::"char"[])
UNION ALL
SELECT pg_catalog.format('DROP %s IF EXISTS %I.%I(%s) CASCADE', CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END,
                         n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid))
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
 WHERE n.nspname OPERATOR(pg_catalog.=) 'public'
UNION ALL
SELECT pg_catalog.format('DROP %s IF EXISTS %I.%I CASCADE', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
                         n.nspname, t.typname)
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.typnamespace
 WHERE n.nspname OPERATOR(pg_catalog.=) 'public'
   AND t.typtype OPERATOR(pg_catalog.=) ANY (ARRAY['e', 'r', 'd', 'c']::"char"[])
   AND (t.typtype OPERATOR(pg_catalog.<>) 'c'
        OR (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t.typrelid) OPERATOR(pg_catalog.=) 'c')
UNION ALL
SELECT pg_catalog.format('DROP COLLATION IF EXISTS %I.%I CASCADE', n.nspname, c.collname)
  FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.collnamespace
 WHERE n.nspname OPERATOR(pg_catalog.=) 'public')sql";

/* Which database a session is in, as a comparable text. */
std::string
DatabaseIdentity(Connection &conn)
{
	Result r = conn.Exec("SELECT pg_catalog.current_setting('port') OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||) "
						 "pg_catalog.pg_postmaster_start_time()::pg_catalog.text OPERATOR(pg_catalog.||) '/' "
						 "OPERATOR(pg_catalog.||) d.oid::pg_catalog.text AS id "
						 "FROM pg_catalog.pg_database d WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()");
	return r.rows() > 0 ? r.Text(0, "id") : "";
}

/* Twelve hex digits of randomness. */
std::string
RandomHex()
{
	std::random_device rd;
	std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
	char buf[17];
	std::snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(v & 0xffffffffffffULL));
	return buf;
}

/* An Error of the build, said to have happened in the shadow. */
Error
InShadow(Error e, const std::string &where)
{
	e.message = "in the shadow database (" + where + "): " + e.message;
	return e;
}

/* The shadow's lifetime: made by the constructor, dropped or emptied by Finish. */
class Shadow {
public:
	Shadow(const Globals &g, Out &out) : g_(g), out_(out)
	{
		sg_ = g;
		sg_.quiet = true;
		sg_.json = false;
		sg_.direct_dbname.reset();
		sg_.atomic = false;
		if (g.shadow_dbname) {
			sg_.dbname = g.shadow_dbname;
			sg_.database_override.reset();
			where_ = "--shadow-dbname";
			/* one check at a time in a named shadow: a second waits until the
			 * first has emptied it (a session lock, held until Finish) */
			guard_ = std::make_unique<Connection>(ConnectOptionsFor(sg_));
			guard_->Exec("SELECT pg_catalog.pg_advisory_lock(8099562745767029109)");
			Connection &conn = *guard_;
			/* never the target database */
			try {
				Connection target(ConnectOptionsFor(g));
				if (DatabaseIdentity(target) == DatabaseIdentity(conn)) {
					Error e("--shadow-dbname names the target database; a shadow database must be another, empty one",
							kExitUsage);
					e.hint = "create an empty database for it (createdb app_shadow), or leave --shadow-dbname out to "
							 "let pgmig create a temporary one";
					throw e;
				}
			} catch (Error &e) {
				if (e.exit_code == kExitUsage)
					throw;
				/* no target to compare with (pgmig schema needs none) */
			}
			RequireEmpty(conn);
			Result ext = conn.Exec("SELECT 1 FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pgmig'");
			drop_extension_ = ext.rows() == 0;
			/* a preinstalled pgmig keeps its catalog: the build gets a project of its own */
			if (!drop_extension_)
				sg_.project = "pgmig-shadow-" + RandomHex();
		} else {
			/* behind a pooler, the direct connection reaches PostgreSQL itself,
			 * and a database created a moment ago */
			if (g.direct_dbname)
				sg_.dbname = g.direct_dbname;
			maint_ = std::make_unique<Connection>(ConnectOptionsFor(sg_));
			/* the target's encoding and locale (its ICU locale too: PostgreSQL 15 names it daticulocale) */
			bool icu_column = maint_->server_version() >= 150000 && maint_->server_version() < 170000;
			Result d = maint_->Exec(
				std::string("SELECT pg_catalog.pg_encoding_to_char(encoding) AS enc, datcollate, datctype, ") +
				(icu_column ? "CASE WHEN datlocprovider OPERATOR(pg_catalog.=) 'i' THEN daticulocale END"
							: "NULL::pg_catalog.text") +
				" AS icu FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database()");
			DropAbandoned();
			/* the name carries the backend of the session that holds it for
			 * the whole check, so a later run can tell an abandoned one */
			name_ = "pgmig_shadow_" + maint_->Exec("SELECT pg_catalog.pg_backend_pid() AS pid").Text(0, "pid") + "_" +
					RandomHex();
			where_ = "temporary database " + name_;
			std::optional<std::string> icu = d.Get(0, "icu");
			try {
				maint_->Exec("CREATE DATABASE " + maint_->QuoteIdent(name_) + " TEMPLATE template0 ENCODING " +
							 maint_->QuoteLiteral(d.Text(0, "enc")) + " LC_COLLATE " +
							 maint_->QuoteLiteral(d.Text(0, "datcollate")) + " LC_CTYPE " +
							 maint_->QuoteLiteral(d.Text(0, "datctype")) +
							 (icu ? " LOCALE_PROVIDER icu ICU_LOCALE " + maint_->QuoteLiteral(*icu) : std::string()));
			} catch (Error &e) {
				Error x("could not create a temporary shadow database: " + e.message);
				x.sqlstate = e.sqlstate;
				x.hint = "give --shadow-dbname an empty database that pgmig may use, or run as a role with CREATEDB "
						 "(and the right to install pgmig there)";
				throw x;
			}
			created_ = true;
			sg_.database_override = name_;
		}
	}

	~Shadow() { Finish(); }

	/* The globals that reach the shadow. */
	const Globals &globals() const { return sg_; }
	const std::string &where() const { return where_; }

	/* Drops the temporary database, or empties the named one; notes what it could not. */
	void Finish() noexcept
	{
		if (finished_)
			return;
		finished_ = true;
		try {
			if (created_) {
				try {
					maint_->Exec("DROP DATABASE IF EXISTS " + maint_->QuoteIdent(name_) + " WITH (FORCE)");
				} catch (Error &e) {
					out_.Note("warning: could not drop the temporary shadow database " + name_ + ": " + e.message);
				}
				return;
			}
			if (!g_.shadow_dbname || !built_) {
				guard_.reset();
				return;
			}
			Connection conn(ConnectOptionsFor(sg_));
			Result r = conn.Exec(kCleanup, {drop_extension_ ? "true" : "false"});
			for (int i = 0; i < r.rows(); i++)
				conn.TryExec(r.Text(i, "format"));
			std::vector<std::string> left = Leftovers(conn);
			if (!left.empty())
				out_.Note("warning: the shadow database still holds " + Join(left, ", ") +
						  " after pgmig dropped what it built; drop them before the next check");
			guard_.reset(); /* the session lock goes with it */
		} catch (Error &e) {
			out_.Note("warning: could not clean the shadow database: " + e.message);
		} catch (...) {
		}
	}

	/* Marks that the build may have created objects (the named shadow is emptied then). */
	void Started() { built_ = true; }

private:
	/*
	 * Drops the temporary shadows of runs that are gone (killed, or
	 * interrupted with Ctrl-C: the client has no cleanup for a signal): the
	 * backend named in the database's name no longer exists.  A shadow
	 * whose name does not say, or that this role may not drop, is left
	 * alone; a pid reused by another backend keeps a shadow (the safe
	 * side).
	 */
	void DropAbandoned()
	{
		Result r = maint_->Exec(
			"SELECT d.datname FROM pg_catalog.pg_database d "
			"WHERE d.datname OPERATOR(pg_catalog.~) '^pgmig_shadow_[0-9]+_[0-9a-f]+$' "
			"AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid OPERATOR(pg_catalog.=) "
			"pg_catalog.substring(d.datname, '^pgmig_shadow_([0-9]+)_')::pg_catalog.int4) "
			"AND pg_catalog.pg_has_role(d.datdba, 'USAGE') ORDER BY 1");
		for (int i = 0; i < r.rows(); i++) {
			std::string name = r.Text(i, "datname");
			try {
				maint_->Exec("DROP DATABASE IF EXISTS " + maint_->QuoteIdent(name) + " WITH (FORCE)");
				out_.Note("note: dropped the temporary shadow database " + name + " of a run that is gone");
			} catch (Error &e) {
				out_.Note("warning: could not drop the abandoned shadow database " + name + ": " + e.message);
			}
		}
	}

	/* What a database holds that an empty one does not (kLeftovers). */
	static std::vector<std::string> Leftovers(Connection &conn)
	{
		std::vector<std::string> out;
		Result r = conn.Exec(kLeftovers);
		for (int i = 0; i < r.rows(); i++)
			out.push_back(r.Text(i, "what"));
		return out;
	}

	/* Refuses a named shadow that holds anything, naming what (see the file header). */
	void RequireEmpty(Connection &conn)
	{
		std::vector<std::string> left = Leftovers(conn);
		Result ext = conn.Exec("SELECT 1 FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'pgmig'");
		if (ext.rows() > 0) {
			Result revs = conn.Exec("SELECT pg_catalog.count(*) AS n FROM pgmig.mig_revisions($1::pg_catalog.text)",
									{g_.project});
			if (revs.Text(0, "n") != "0")
				left.push_back(revs.Text(0, "n") + " stored revisions of project " + g_.project);
		}
		if (left.empty())
			return;
		Error e("the shadow database given by --shadow-dbname is not empty: it holds " + Join(left, ", ") +
				(left.size() == 5 ? ", ..." : ""));
		e.detail = "pgmig builds the schema from scratch in the shadow database and drops what it built afterwards, "
				   "so it refuses one that holds anything.";
		e.hint = "give an empty database (dropdb and createdb it), or leave --shadow-dbname out to let pgmig create a "
				 "temporary one";
		throw e;
	}

	const Globals &g_;
	Out &out_;
	Globals sg_;
	std::string where_;
	std::string name_;
	std::unique_ptr<Connection> maint_;
	std::unique_ptr<Connection> guard_; /* a named shadow: the session that holds its lock */
	bool created_ = false;
	bool built_ = false;
	bool drop_extension_ = false;
	bool finished_ = false;
};

} // namespace

/* See shadow.hpp. */
bool
ServerHasSchema(Connection &conn)
{
	Result r = conn.Exec("SELECT pg_catalog.to_regprocedure('pgmig.mig_schema()') IS NOT NULL AS has");
	return r.Bool(0, "has");
}

/* See shadow.hpp. */
std::vector<std::string>
OtherProjects(Connection &conn, const std::string &project)
{
	std::vector<std::string> out;
	Result r = conn.Exec("SELECT pg_catalog.has_table_privilege('pgmig.applied', 'SELECT') AS may");
	if (!r.Bool(0, "may"))
		return out;
	Result p = conn.Exec("SELECT DISTINCT project FROM pgmig.applied WHERE project OPERATOR(pg_catalog.<>) $1 ORDER BY 1",
						 {project});
	for (int i = 0; i < p.rows(); i++)
		out.push_back(p.Text(i, "project"));
	return out;
}

/* See shadow.hpp. */
std::vector<SchemaObject>
ReadSchema(Connection &conn)
{
	std::vector<SchemaObject> out;
	try {
		Result r = conn.Exec("SELECT kind, identity, statement FROM pgmig.mig_schema() WITH ORDINALITY AS s "
							 "ORDER BY s.ordinality");
		for (int i = 0; i < r.rows(); i++)
			out.push_back({r.Text(i, "kind"), r.Text(i, "identity"), r.Text(i, "statement")});
	} catch (Error &e) {
		if (e.connection_lost || e.sqlstate != "42883")
			throw;
		Error x("the server's pgmig predates mig_schema (0.8), which lists the schema to compare");
		x.sqlstate = e.sqlstate;
		x.hint = "update the extension with `pgmig init`";
		throw x;
	}
	return out;
}

/* See shadow.hpp. */
std::vector<SchemaObject>
BuildInShadow(const Globals &g, Out &out, const std::vector<std::string> &targets)
{
	Shadow shadow(g, out);
	std::vector<SchemaObject> schema;
	try {
		Out quiet(shadow.globals());
		shadow.Started();
		VerbInit(shadow.globals(), quiet);
		std::vector<std::optional<std::string>> steps;
		if (targets.empty())
			steps.emplace_back(std::nullopt);
		for (const std::string &t : targets)
			if (t != "base")
				steps.emplace_back(t);
		if (!steps.empty())
			out.Note("building the schema in the shadow database (" + shadow.where() + ")");
		for (const std::optional<std::string> &t : steps) {
			ApplyArgs a;
			a.target = t;
			VerbApply(shadow.globals(), quiet, a);
		}
		Connection conn(ConnectOptionsFor(shadow.globals()));
		schema = ReadSchema(conn);
	} catch (Error &e) {
		Error x = InShadow(e, shadow.where());
		shadow.Finish();
		throw x;
	}
	shadow.Finish();
	return schema;
}

/* See shadow.hpp. */
std::string
SchemaFilePath(const Globals &g)
{
	if (g.schema_file)
		return *g.schema_file;
	std::filesystem::path dir(g.dir);
	while (!dir.empty() && !dir.has_filename())
		dir = dir.parent_path(); /* "migrations/" */
	return (dir.parent_path() / "schema.sql").string();
}

/* See shadow.hpp. */
bool
IsPgmigSchemaFile(const std::string &text)
{
	return text.rfind("-- pgmig schema file", 0) == 0;
}

/* See shadow.hpp. */
std::vector<std::string>
DescribeDifferences(const std::vector<SchemaDifference> &d, bool with_diff, const std::string &missing_word,
					const std::string &extra_word)
{
	std::vector<std::string> lines;
	for (const SchemaDifference &x : d) {
		std::string word = x.change == SchemaDifference::Change::kMissing ? missing_word
						   : x.change == SchemaDifference::Change::kExtra ? extra_word
																		  : "different";
		lines.push_back(word + " " + x.Key());
		if (with_diff)
			for (const std::string &l : x.diff)
				lines.push_back("    " + l);
	}
	return lines;
}

/* See shadow.hpp. */
Json
DifferencesJson(const std::vector<SchemaDifference> &d)
{
	Json arr = Json::Array();
	for (const SchemaDifference &x : d) {
		Json j = Json::Object();
		j.Set("change", x.change == SchemaDifference::Change::kMissing ? "missing"
						: x.change == SchemaDifference::Change::kExtra ? "extra"
																	   : "different");
		j.Set("kind", x.kind);
		j.Set("identity", x.identity);
		j.Set("diff", Json::Strings(x.diff));
		arr.Push(std::move(j));
	}
	return arr;
}

/* Whether a difference is about the table `ident` or an object on it: its
 * constraints, triggers and policies (named ident.NAME) and its indexes. */
static bool
OnTable(const SchemaDifference &d, const std::string &ident)
{
	if (ident.empty())
		return false;
	if (d.kind == "table")
		return d.identity == ident;
	if (d.identity.rfind(ident + ".", 0) == 0)
		return true;
	if (d.kind == "index")
		for (const std::string &l : d.diff)
			if (l.find(" ON " + ident + " ") != std::string::npos)
				return true;
	return false;
}

/* See shadow.hpp. */
std::vector<SchemaDifference>
CheckAgainstMigrations(const Globals &g, Out &out, Connection &live, const std::vector<std::string> &targets,
					   const std::vector<std::string> &accept, const std::string &what, const std::string &tool_table)
{
	/* the tool's table as mig_schema names it (public when unqualified) */
	std::string tool_ident = tool_table.find('.') == std::string::npos && !tool_table.empty() ? "public." + tool_table
																							 : tool_table;
	std::vector<SchemaObject> now = ReadSchema(live);
	std::vector<SchemaObject> built = BuildInShadow(g, out, targets);
	std::vector<SchemaDifference> all = CompareSchemas(built, now);
	/* the sequences a table owns go with it (its block says OWNED BY) */
	std::map<std::string, std::string> owner_of;
	for (const SchemaDifference &d : all)
		if (d.kind == "table")
			for (const std::string &l : d.diff) {
				std::size_t at = l.find("ALTER SEQUENCE ");
				std::size_t by = l.find(" OWNED BY " + d.identity + ".");
				if (at != std::string::npos && by != std::string::npos && by > at + 15)
					owner_of[l.substr(at + 15, by - at - 15)] = d.identity;
			}
	auto on_table = [&](const SchemaDifference &d, const std::string &table) {
		if (d.kind == "sequence") {
			auto it = owner_of.find(d.identity);
			return it != owner_of.end() && it->second == table;
		}
		return OnTable(d, table);
	};
	/* A table or schema that one side lacks entirely covers what is on or in
	 * it; one that both have, not alike (a grant on the public schema),
	 * covers nothing but itself. */
	std::set<std::string> whole_tables, whole_schemas;
	for (const SchemaDifference &d : all) {
		if (d.change == SchemaDifference::Change::kDifferent)
			continue;
		if (d.kind == "table")
			whole_tables.insert(d.identity);
		else if (d.kind == "schema")
			whole_schemas.insert(d.identity);
	}
	auto covers = [&](const std::string &container, const SchemaDifference &d) {
		if (d.identity == container)
			return false;
		return (whole_tables.count(container) && on_table(d, container)) ||
			   (whole_schemas.count(container) && d.identity.rfind(container + ".", 0) == 0);
	};
	std::vector<SchemaDifference> refused, accepted;
	std::set<std::string> used;
	for (SchemaDifference &d : all) {
		std::string hit;
		for (const std::string &a : accept) {
			std::string name = a.rfind("table ", 0) == 0 ? a.substr(6) : a.rfind("schema ", 0) == 0 ? a.substr(7) : a;
			if (a == d.Key() || a == d.identity || covers(name, d)) {
				hit = a;
				break;
			}
		}
		if (!hit.empty())
			used.insert(hit);
		bool tool = d.change == SchemaDifference::Change::kExtra && !tool_ident.empty() &&
					((d.kind == "table" && d.identity == tool_ident) || covers(tool_ident, d));
		if (!hit.empty() || tool)
			accepted.push_back(std::move(d));
		else
			refused.push_back(std::move(d));
	}
	for (const std::string &a : accept)
		if (!used.count(a))
			out.Note("note: --accept " + a + " names no difference");
	out.doc.Set("differences", DifferencesJson(refused));
	out.doc.Set("accepted", DifferencesJson(accepted));
	if (refused.empty())
		return accepted;
	for (const std::string &l : DescribeDifferences(refused, true, "missing", "extra"))
		out.Line(l);
	/* one --accept per whole schema or table covers the objects in or on it */
	std::vector<std::string> keys;
	for (const SchemaDifference &d : refused) {
		bool covered = false;
		for (const SchemaDifference &t : refused)
			covered = covered || ((t.kind == "table" || t.kind == "schema") && covers(t.identity, d));
		if (!covered)
			keys.push_back("--accept '" + d.Key() + "'");
	}
	Error e(what + ": the database is not the schema the migrations build (" +
				Plural(static_cast<std::int64_t>(refused.size()), "difference", "differences") + "); nothing was changed",
			kExitCheckFailed);
	e.detail = "missing: the migrations create it and the database lacks it; extra: the database has it and the "
			   "migrations do not create it; different: both have it, not alike.";
	e.hint = "fix the database or the migrations, or accept the differences by name: " + Join(keys, " ");
	std::vector<std::string> others = OtherProjects(live, g.project);
	if (!others.empty())
		e.detail += "  This database also holds the pgmig " + std::string(others.size() == 1 ? "project " : "projects ") +
					Join(others, ", ") + ", whose objects the migrations of " + g.project +
					" do not build: they are extra here (a schema of their own is accepted whole with --accept "
					"'schema NAME').";
	throw e;
}

/* See shadow.hpp. */
void
CheckSchemaBeforeStamp(const Globals &g, Out &out, Connection &conn, const std::vector<std::string> &targets,
					   const SchemaCheckArgs &check, const std::string &what, const std::string &tool_table)
{
	if (!check.check) {
		if (check.by_default)
			out.Note("warning: --no-schema-check: the schema is recorded as it is, not compared with what the "
					 "revisions build");
		return;
	}
	for (const std::string &t : targets)
		if (!t.empty() && (t[0] == '+' || t[0] == '-'))
			throw Error(what + " --check-schema takes revisions, labels or heads, not the relative target " + t,
						kExitUsage);
	/* a check on by default (baseline's): against an old server it goes on as before, saying so */
	if (check.by_default && !ServerHasSchema(conn)) {
		out.Note("warning: the server's pgmig predates mig_schema (0.8): " + what +
				 " does not compare the schema; `pgmig init` updates the extension");
		return;
	}
	std::vector<SchemaDifference> accepted =
		CheckAgainstMigrations(g, out, conn, targets, check.accept, what, tool_table);
	for (const SchemaDifference &d : accepted)
		out.Note("note: accepted difference: " +
				 DescribeDifferences({d}, false, "missing", "extra").front());
}

} // namespace pgmig::client
