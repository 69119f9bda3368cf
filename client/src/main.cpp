/*
 * client/src/main.cpp
 *
 * The pgmig command line: CLI11 parses global options and one verb (a
 * subcommand), main decides colour, runs the verb and prints its result or
 * its error.
 *
 * Design.  Global options live on the top-level app and subcommands fall
 * through to it, so they can be given before or after the verb
 * (`pgmig --json up` and `pgmig up --json`).  Every verb's --help ends with an
 * example (CLI11's footer).  Exit codes: 0 success, 1 error, 2 usage (every
 * CLI11 parse error), 3 check failed (verify).  In --json mode stdout carries
 * exactly one JSON document, also on error ({"error": {...}} next to whatever
 * the verb had already reported; a usage error is a document of its own,
 * recognised from argv since --json may not have been parsed yet); in text
 * mode errors go to stderr.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <limits>
#include <unistd.h>

#include "errors.hpp"
#include "graph.hpp"
#include "options.hpp"
#include "sqltext.hpp"
#include "verbs.hpp"

using namespace pgmig::client;

namespace {

/* A CLI11 validator for DURATION arguments. */
CLI::Validator
DurationValidator()
{
	return CLI::Validator(
		[](std::string &value) -> std::string {
			if (ParseDuration(value))
				return "";
			return "not a duration: \"" + value + "\" (examples: 500ms, 2s, 10min, 1h)";
		},
		"DURATION");
}

/*
 * A CLI11 validator for the ids and labels `new` writes into a header: the
 * rules the file reader applies (core::CheckRevisionId, docs/errors.md
 * "Identifier rules"), so that `new` never writes a file every later command
 * refuses.  `what` names the value in the message, as the reader does.
 */
CLI::Validator
RevisionIdValidator(const char *what, const char *name)
{
	return CLI::Validator(
		[what](std::string &value) -> std::string {
			std::string reason = pgmig::core::CheckRevisionId(value);
			if (reason.empty())
				return "";
			return std::string("invalid ") + what + " " + pgmig::core::QuoteForMessage(value, 80, true) + ": it " +
				reason;
		},
		name);
}

/*
 * True when the command line asks for --json.  Used when parsing failed, so
 * the flag may not have been parsed yet; arguments after "--" are values.
 */
bool
JsonRequested(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (std::strcmp(argv[i], "--") == 0)
			break;
		if (std::strcmp(argv[i], "--json") == 0)
			return true;
	}
	return false;
}

/* Adds a subcommand with its description and example footer. */
CLI::App *
Verb(CLI::App &app, const char *name, const char *description, const char *example)
{
	CLI::App *sub = app.add_subcommand(name, description);
	sub->footer(std::string("Example:\n  ") + example);
	return sub;
}

} // namespace

/* Parses, runs the verb, prints, returns the exit code. */
int
main(int argc, char **argv)
{
	CLI::App app("pgmig: schema migrations that run inside PostgreSQL", "pgmig");
	app.require_subcommand(1);
	app.fallthrough();
	app.footer("Connection: libpq conventions (PGHOST, PGPORT, PGUSER, PGDATABASE, PGSERVICE, ~/.pgpass);\n"
			   "--dbname takes a connection string or URI, else $DATABASE_URL is used when set\n"
			   "(also as postgresql+DRIVER:// or jdbc:postgresql://; see docs/cli.md).\n"
			   "Exit codes: 0 ok, 1 error, 2 usage, 3 verify found problems.  See docs/cli.md.");

	Globals g;
	std::string dbname, direct_dbname, lock_timeout, wait = "10min", retry_budget = "5min", idle_timeout = "60s";
	bool no_color = false;
	app.add_option("--dir", g.dir, "migrations folder")->envname("PGMIG_DIR")->capture_default_str();
	app.add_option("--project", g.project, "pgmig project")->envname("PGMIG_PROJECT")->capture_default_str();
	app.add_option("-d,--dbname", dbname, "libpq connection string or URI (default: $DATABASE_URL, then libpq's)");
	app.add_option("--direct-dbname", direct_dbname,
				   "connection that bypasses a pooler, for non-transactional revisions (default: none)")
		->envname("PGMIG_DIRECT_DBNAME");
	app.add_flag("--json", g.json, "print one JSON document on stdout");
	app.add_flag("-q,--quiet", g.quiet, "print only errors");
	app.add_flag("--no-color", no_color, "no colour (also when NO_COLOR is set or stdout is not a terminal)");
	app.add_option("--lock-timeout", lock_timeout, "longest wait for a table lock inside a body (pgmig.lock_timeout)")
		->check(DurationValidator());
	app.add_option("--wait", wait, "longest wait for the project lock or another session's lease")
		->check(DurationValidator())->capture_default_str();
	app.add_flag("--nowait", g.nowait, "fail at once when the project is busy (also --wait 0)");
	app.add_option("--idle-timeout", idle_timeout,
				   "longest time the server keeps a stalled client's session while it holds the project "
				   "(idle in a transaction, or idle with a non-transactional revision's lease)")
		->check(DurationValidator())->capture_default_str();
	app.add_option("--retry-budget", retry_budget, "time spent retrying lock timeouts in bodies")
		->check(DurationValidator())->capture_default_str();
	app.add_flag("--atomic", g.atomic, "up/down: all revisions in one transaction");
	std::string shadow_dbname, schema_file;
	app.add_option("--shadow-dbname", shadow_dbname,
				   "an empty database where checks build the schema from scratch (default: a temporary one "
				   "on the target's server)")
		->envname("PGMIG_SHADOW_DBNAME");
	app.add_option("--schema-file", schema_file, "the schema file (default: schema.sql beside --dir)")
		->envname("PGMIG_SCHEMA_FILE");

	CLI::App *init = Verb(app, "init", "install or update the pgmig extension in the database", "pgmig -d postgres://deploy@db/app init");

	NewArgs new_args;
	CLI::App *cmd_new = Verb(app, "new", "write a new migration file whose parent is the folder's head",
							 "pgmig new \"add users table\"   # writes migrations/20261121_093000_add_users_table.sql");
	cmd_new->add_option("message", new_args.message, "what the revision does (also makes the id)")->required();
	cmd_new->add_option("--parent", new_args.parents, "parent revision (repeatable; default: the folder's head)")
		->allow_extra_args(false)->check(RevisionIdValidator("parent id", "ID"));
	cmd_new->add_option("--depends-on", new_args.depends_on, "revision to apply first without being its child")
		->allow_extra_args(false)->check(RevisionIdValidator("depends_on id", "ID"));
	cmd_new->add_option("--branch", new_args.branch, "branch label")
		->allow_extra_args(false)->check(RevisionIdValidator("branch label", "LABEL"));
	cmd_new->add_flag("--nontransactional", new_args.nontransactional,
					  "the revision is one statement such as CREATE INDEX CONCURRENTLY");

	NewArgs merge_args;
	CLI::App *merge = Verb(app, "merge", "write a merge revision whose parents are all heads of the folder",
						   "pgmig merge \"join billing and catalog\"");
	merge->add_option("message", merge_args.message, "message (default: merge <heads>)");

	CLI::App *push = Verb(app, "push", "upload every migration file (checked by the server's parser)",
						  "pgmig --dir db/migrations push");

	ApplyArgs up_args;
	CLI::App *up = Verb(app, "up", "push, then apply pending revisions up to TARGET (default: the folder's head)",
						"pgmig up                # everything\n  pgmig up +1             # the next revision\n"
						"  pgmig --atomic up       # all or nothing, one transaction");
	up->add_option("target", up_args.target, "revision id, prefix, label, heads, +N, X@+N (one branch)");

	ApplyArgs down_args;
	down_args.down = true;
	CLI::App *down = Verb(app, "down", "run down bodies until TARGET is the newest applied revision",
						  "pgmig down -1           # undo the last revision\n  pgmig down base         # undo everything\n"
						  "  pgmig down billing@-1   # undo the last revision of branch billing only");
	down->add_option("target", down_args.target, "revision id, prefix, label, base, -N, X@-N or X@base (one branch)")
		->required();

	std::vector<std::string> stamp_targets;
	CLI::App *stamp = Verb(app, "stamp", "record TARGETs as applied without running SQL (base clears)",
						   "pgmig push && pgmig stamp 20261121_093000_add_users");
	stamp->add_option("targets", stamp_targets, "targets")->required();
	SchemaCheckArgs stamp_check;
	stamp_check.check = false;
	stamp->add_flag("--check-schema", stamp_check.check,
					"first compare the schema with what the revisions up to the targets build (shadow database); "
					"refuse on any difference not accepted");
	stamp->add_option("--accept", stamp_check.accept, "with --check-schema: a difference to accept, as listed "
													  "(\"table public.audit\"); repeatable");

	RepairArgs repair_args;
	CLI::App *repair = Verb(app, "repair",
							"make the down bodies and metadata of applied revisions what their files say, on the record",
							"pgmig repair --reason \"the down body dropped the wrong table\"");
	repair->add_option("revisions", repair_args.revisions,
					   "revisions to repair (default: every applied revision whose file differs)");
	repair->add_option("--reason", repair_args.reason, "why: recorded in the history")->required();
	repair->add_flag("--schema-unchanged", repair_args.schema_unchanged,
					 "also replace up bodies, stating that each builds exactly the same schema (recorded)");

	CLI::App *heads = Verb(app, "heads", "list the heads stored in the database", "pgmig heads");
	CLI::App *current = Verb(app, "current", "print the applied heads", "pgmig current");
	HistoryArgs history_args;
	CLI::App *history = Verb(app, "history", "show the event log", "pgmig history --limit 20");
	history->add_option("-n,--limit", history_args.limit, "only the last N events")
		->check(CLI::Range(0, std::numeric_limits<int>::max(), "NONNEGATIVE"));
	CLI::App *status = Verb(app, "status", "where the database stands", "pgmig status");

	ApplyArgs plan_args;
	CLI::App *plan = Verb(app, "plan", "push, then show the statements up (or down) would run, with lock levels",
						  "pgmig plan\n  pgmig plan --down -1");
	plan->add_option("target", plan_args.target, "target (default: the folder's head; required with --down)");
	plan->add_flag("--down", plan_args.down, "plan a downgrade");

	CLI::App *verify = Verb(app, "verify",
							"check the folder against the database, and the schema file against what the "
							"migrations build; exit 3 on any finding",
							"pgmig verify || echo 'fix the migrations first'");
	bool schema_check = false;
	CLI::App *schema = Verb(app, "schema",
							"write the schema file: what the folder's head builds in a shadow database, one object "
							"per block (docs/schema.md)",
							"pgmig schema && git add schema.sql\n  pgmig schema --check   # exit 3 when it is stale");
	schema->add_flag("--check", schema_check, "compare instead of writing; exit 3 when the file differs");
	ImportArgs import_args;
	CLI::App *import = Verb(app, "import", "convert another tool's migrations into pgmig files in --dir (docs/import.md)",
							"pgmig --dir db/pgmig import --from flyway src/main/resources/db/migration");
	import->add_option("--from", import_args.from,
					   "flyway, golang-migrate, dbmate, diesel, sqitch, alembic-sql, or sql (a plain folder of SQL "
					   "files applied in name order)")
		->required()
		->check(CLI::IsMember({"flyway", "golang-migrate", "dbmate", "diesel", "sqitch", "alembic-sql", "sql"}));
	import->add_option("source", import_args.source, "the other tool's folder (or alembic --sql output)")->required();
	ImportArgs import_history_args;
	CLI::App *import_history = Verb(app, "import-history",
									"stamp what another tool recorded as applied in this database (after `pgmig import`)",
									"pgmig --dir db/pgmig import-history --from flyway src/main/resources/db/migration");
	import_history->add_option("--from", import_history_args.from,
							   "flyway, golang-migrate, dbmate, diesel, sqitch, alembic-sql or sql")
		->required()
		->check(CLI::IsMember({"flyway", "golang-migrate", "dbmate", "diesel", "sqitch", "alembic-sql", "sql"}));
	import_history->add_option("source", import_history_args.source, "the other tool's folder (as given to import)")->required();
	import_history->add_option("--table", import_history_args.table,
							   "the tool's history table (default: flyway_schema_history, schema_migrations, "
							   "__diesel_schema_migrations, sqitch.changes or alembic_version; required with --from sql)");
	import_history->add_option("--column", import_history_args.column,
							   "--from sql: the column of --table that names each applied file (with or without .sql)");
	SchemaCheckArgs import_history_check;
	import_history_check.check = false;
	import_history->add_flag("--check-schema", import_history_check.check,
							 "first compare the schema with what the recorded revisions build (shadow database); "
							 "refuse on any difference not accepted (the tool's table is accepted)");
	import_history->add_option("--accept", import_history_check.accept,
							   "with --check-schema: a difference to accept, as listed; repeatable");
	TestArgs test_args;
	CLI::App *test = Verb(app, "test", "push, then up, down and up again for each pending revision, checking the schema; "
							 "everything is rolled back; exit 3 on findings",
						  "pgmig test\n  pgmig test --since origin/main   # only the revisions changed on this branch");
	test->add_option("target", test_args.target, "target (default: the folder's head)");
	test->add_option("--since", test_args.since, "check only revisions whose files changed since this git ref");
	CLI::App *lint = Verb(app, "lint", "check every file with the server's linter (docs/lint.md); exit 3 on findings",
						  "pgmig lint");
	CLI::App *drift = Verb(app, "drift", "list schema changes made outside pgmig since it last recorded the schema; exit 3 on any",
						   "pgmig drift || echo 'someone changed the schema by hand'\n"
						   "  pgmig drift --against-migrations   # is it what the migrations build?");
	bool drift_against = false;
	drift->add_flag("--against-migrations", drift_against,
					"compare with what the applied revisions build in a shadow database instead");
	CLI::App *snapshot = Verb(app, "snapshot", "record the schema as it is now (accepts drift)",
							  "pgmig drift; pgmig snapshot   # after turning the hotfix into a revision");
	std::string baseline_target;
	CLI::App *baseline = Verb(app, "baseline", "adopt an existing database: check that its schema is what TARGET builds, then push, stamp TARGET "
							  "and record the schema",
							  "pgmig baseline 20261121_093000_initial_schema");
	baseline->add_option("target", baseline_target, "the revision the existing schema corresponds to")->required();
	SchemaCheckArgs baseline_check;
	bool baseline_unchecked = false;
	baseline->add_option("--accept", baseline_check.accept,
						 "a difference from what the revisions build to accept, as listed (\"table public.audit\"); "
						 "repeatable");
	baseline->add_flag("--no-schema-check", baseline_unchecked,
					   "record the schema without comparing it with what the revisions build");
	GraphArgs graph_args;
	CLI::App *graph = Verb(app, "graph", "draw the folder's revision graph", "pgmig graph --format dot | dot -Tsvg > graph.svg");
	graph->add_option("--format", graph_args.format, "tree, dot or mermaid")
		->check(CLI::IsMember({"tree", "dot", "mermaid"}))->capture_default_str();

	try {
		app.parse(argc, argv);
		if (plan->parsed() && plan_args.down && !plan_args.target)
			throw CLI::ValidationError("plan", "--down needs a TARGET (for example: pgmig plan --down -1)");
	} catch (const CLI::ParseError &e) {
		/* --help is no error; a usage error with --json is one JSON document too */
		if (e.get_exit_code() != static_cast<int>(CLI::ExitCodes::Success) && JsonRequested(argc, argv)) {
			Error err(e.what(), kExitUsage);
			err.hint = "run with --help for more information";
			std::cout << ErrorJson(err).Dump() << std::endl;
			return kExitUsage;
		}
		int code = app.exit(e);
		return code == 0 ? kExitOk : kExitUsage;
	}

	if (!dbname.empty())
		g.dbname = dbname;
	if (!direct_dbname.empty())
		g.direct_dbname = direct_dbname;
	if (!shadow_dbname.empty())
		g.shadow_dbname = shadow_dbname;
	if (!schema_file.empty())
		g.schema_file = schema_file;
	baseline_check.check = !baseline_unchecked;
	baseline_check.by_default = true;
	if (!lock_timeout.empty())
		g.lock_timeout_ms = ParseDuration(lock_timeout);
	g.wait_ms = ParseDuration(wait).value_or(g.wait_ms);
	if (g.wait_ms == 0)
		g.nowait = true; /* lock_timeout = 0 would wait without limit */
	g.idle_timeout_ms = std::max<std::int64_t>(1000, ParseDuration(idle_timeout).value_or(g.idle_timeout_ms));
	g.retry_budget_ms = ParseDuration(retry_budget).value_or(g.retry_budget_ms);
	bool color_allowed = !no_color && std::getenv("NO_COLOR") == nullptr;
	g.color = color_allowed && !g.json && isatty(STDOUT_FILENO);
	g.stderr_color = color_allowed && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);

	Out out(g);
	int code = kExitOk;
	try {
		if (init->parsed())
			code = VerbInit(g, out);
		else if (cmd_new->parsed())
			code = VerbNew(g, out, new_args);
		else if (merge->parsed())
			code = VerbMerge(g, out, merge_args);
		else if (push->parsed())
			code = VerbPush(g, out);
		else if (up->parsed())
			code = VerbApply(g, out, up_args);
		else if (down->parsed())
			code = VerbApply(g, out, down_args);
		else if (stamp->parsed())
			code = VerbStamp(g, out, stamp_targets, stamp_check);
		else if (repair->parsed())
			code = VerbRepair(g, out, repair_args);
		else if (heads->parsed())
			code = VerbHeads(g, out);
		else if (current->parsed())
			code = VerbCurrent(g, out);
		else if (history->parsed())
			code = VerbHistory(g, out, history_args);
		else if (status->parsed())
			code = VerbStatus(g, out);
		else if (plan->parsed())
			code = VerbPlan(g, out, plan_args);
		else if (verify->parsed())
			code = VerbVerify(g, out);
		else if (schema->parsed())
			code = VerbSchema(g, out, schema_check);
		else if (graph->parsed())
			code = VerbGraph(g, out, graph_args);
		else if (import->parsed())
			code = VerbImport(g, out, import_args);
		else if (import_history->parsed())
			code = VerbImportHistory(g, out, import_history_args, import_history_check);
		else if (test->parsed())
			code = VerbTest(g, out, test_args);
		else if (lint->parsed())
			code = VerbLint(g, out);
		else if (drift->parsed())
			code = VerbDrift(g, out, drift_against);
		else if (snapshot->parsed())
			code = VerbSnapshot(g, out);
		else if (baseline->parsed())
			code = VerbBaseline(g, out, baseline_target, baseline_check);
	} catch (Error &e) {
		AddSetupHints(e);
		/* a connection string's password never reaches the output, also
		 * when libpq echoes a malformed one */
		std::vector<std::string> secrets;
		for (const std::optional<std::string> &c :
			 {g.dbname, g.direct_dbname, g.shadow_dbname, std::optional<std::string>(std::getenv("DATABASE_URL") ? std::getenv("DATABASE_URL") : "")})
			if (c)
				/* as written, and as rewritten for libpq (a JDBC URL's
				 * password is decoded and encoded again) */
				for (const std::string &form : {*c, NormalizeConnString(*c, "").conninfo})
					for (const std::string &x : SecretsOf(form))
						secrets.push_back(x);
		if (const char *pw = std::getenv("PGPASSWORD"); pw && std::strlen(pw) >= 3)
			secrets.emplace_back(pw);
		RedactError(e, secrets);
		if (g.json) {
			out.doc.Set("error", *ErrorJson(e).Get("error"));
			std::cout << out.doc.Dump() << std::endl;
		} else
			std::cerr << FormatErrorText(e, g.stderr_color);
		return e.exit_code;
	} catch (const std::exception &e) {
		Error err(std::string("internal error: ") + e.what());
		if (g.json) {
			out.doc.Set("error", *ErrorJson(err).Get("error"));
			std::cout << out.doc.Dump() << std::endl;
		} else
			std::cerr << FormatErrorText(err, g.stderr_color);
		return kExitError;
	}
	if (g.json)
		std::cout << out.doc.Dump() << std::endl;
	return code;
}
