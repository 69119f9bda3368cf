/*
 * client/src/verbs.hpp
 *
 * One function per pgmig verb.  main.cpp parses the command line into a
 * Globals value and one of these argument structs, then calls the verb.
 *
 * Design.  A verb reports through an Out: text lines go to stdout as they are
 * produced (so a long `up` shows each revision when it completes), progress
 * notes such as "waiting for ..." go to stderr, and in --json mode the verb
 * fills Out::doc, which main prints as the one document on stdout when the
 * verb returns (or, with an "error" member added, when it throws: a failed
 * `up` still lists the revisions it applied).  A verb returns its exit code
 * (0, or 3 for `verify` findings) and throws Error for everything else.
 *
 * The verbs live by family:
 *   verbs_deploy.cpp   init, push, up, down, stamp
 *   verbs_inspect.cpp  status, heads, current, history, graph, plan
 *   verbs_check.cpp    verify, lint, test, drift
 *   verbs_schema.cpp   schema (and verify's check of the schema file)
 *   verbs_adopt.cpp    import, import-history, baseline, snapshot
 *   verbs_author.cpp   new, merge
 * and what they share in files of their own: verb_context (Out, connection
 * options, the folder), project_state (applied heads, pending revisions),
 * push (uploading the folder), applier (the step loop of up and down), run
 * (run id, fingerprint and snapshot of one run), new_files (ids and writing
 * of new files), git (changed revisions since a ref), waits (the clock),
 * shadow (the shadow database, and the comparison of a live schema with
 * what the migrations build).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_VERBS_HPP
#define PGMIG_CLIENT_VERBS_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "conn.hpp"
#include "output.hpp"

namespace pgmig::client {

/* The global options (see docs/cli.md). */
struct Globals {
	std::string dir = "migrations";
	std::string project = "default";
	std::optional<std::string> dbname;
	std::optional<std::string> direct_dbname; /* for non-transactional revisions behind a pooler */
	bool json = false;
	bool quiet = false;
	bool color = false;          /* stdout colour (decided by main) */
	bool stderr_color = false;   /* stderr colour */
	std::optional<std::int64_t> lock_timeout_ms;
	std::int64_t wait_ms = 10 * 60 * 1000;
	bool nowait = false;
	std::int64_t retry_budget_ms = 5 * 60 * 1000;
	std::int64_t idle_timeout_ms = 60 * 1000; /* a stalled client's hold on the project */
	bool atomic = false;
	std::optional<std::string> shadow_dbname; /* the shadow database (shadow.hpp); none: a temporary one */
	std::optional<std::string> schema_file;   /* none: schema.sql beside the folder */
	std::optional<std::string> database_override; /* the database to use on dbname's server (a temporary shadow) */
};

/* Where a verb's output goes; see the file header. */
class Out {
public:
	explicit Out(const Globals &g) : json(g.json), quiet(g.quiet), color(g.color), stderr_color(g.stderr_color) {}

	/* A line of the result on stdout (text mode, not quiet). */
	void Line(const std::string &text) const;
	/* Text already ending in '\n' on stdout (text mode, not quiet). */
	void Text(const std::string &text) const;
	/* A progress note on stderr (not quiet; also in --json mode). */
	void Note(const std::string &text) const;
	/* True when text results are printed. */
	bool text() const { return !json && !quiet; }

	bool json;
	bool quiet;
	bool color;
	bool stderr_color;
	Json doc = Json::Object();
};

/* Arguments of the verbs that take any. */
struct NewArgs {
	std::string message;
	std::vector<std::string> parents;
	std::vector<std::string> depends_on;
	std::vector<std::string> branch;
	bool nontransactional = false;
};
struct ApplyArgs {
	std::optional<std::string> target;
	bool down = false;
};
struct GraphArgs {
	std::string format = "tree";
};
struct HistoryArgs {
	std::optional<int> limit;
};

int VerbInit(const Globals &g, Out &out);
int VerbNew(const Globals &g, Out &out, const NewArgs &args);
int VerbMerge(const Globals &g, Out &out, const NewArgs &args);
int VerbPush(const Globals &g, Out &out);
int VerbApply(const Globals &g, Out &out, const ApplyArgs &args);
/* The adopting verbs' (baseline, stamp, import-history) schema check (shadow.hpp). */
struct SchemaCheckArgs {
	bool check = true;               /* compare the live schema with what the revisions build */
	bool by_default = false;         /* the check is the verb's default (baseline): warn when it is
	                                    skipped, and against a server before 0.8 go on unchecked */
	std::vector<std::string> accept; /* differences accepted by name ("KIND IDENTITY" or IDENTITY) */
};
int VerbStamp(const Globals &g, Out &out, const std::vector<std::string> &targets, const SchemaCheckArgs &check);

/* repair's arguments. */
struct RepairArgs {
	std::vector<std::string> revisions;
	std::string reason;
	bool schema_unchanged = false;
};
int VerbRepair(const Globals &g, Out &out, const RepairArgs &args);
int VerbHeads(const Globals &g, Out &out);
int VerbCurrent(const Globals &g, Out &out);
int VerbHistory(const Globals &g, Out &out, const HistoryArgs &args);
int VerbStatus(const Globals &g, Out &out);
int VerbPlan(const Globals &g, Out &out, const ApplyArgs &args);
int VerbVerify(const Globals &g, Out &out);
int VerbGraph(const Globals &g, Out &out, const GraphArgs &args);
struct ImportArgs {
	std::string from;
	std::string source;
	std::string table; /* import-history: the tool's history table (default per tool) */
	std::string column; /* import-history --from sql: the column naming each applied file */
};
int VerbImport(const Globals &g, Out &out, const ImportArgs &args);
int VerbImportHistory(const Globals &g, Out &out, const ImportArgs &args, const SchemaCheckArgs &check);
struct TestArgs {
	std::optional<std::string> target;
	std::optional<std::string> since;
};
int VerbTest(const Globals &g, Out &out, const TestArgs &args);
int VerbLint(const Globals &g, Out &out);
int VerbDrift(const Globals &g, Out &out, bool against_migrations);
int VerbSnapshot(const Globals &g, Out &out);
int VerbBaseline(const Globals &g, Out &out, const std::string &target, const SchemaCheckArgs &check);
/* schema: write the schema file (or, with check, compare it; exit 3 when it differs). */
int VerbSchema(const Globals &g, Out &out, bool check);

/* One row of pgmig.mig_drift(). */
struct DriftRow {
	std::string change;
	std::string kind;
	std::string identity;
	std::optional<std::string> recorded;
	std::optional<std::string> live;
};

/* mig_drift()'s rows; with quiet_when_unavailable, none when nothing was
 * recorded yet (PM040) or the server predates it (42883). */
std::vector<DriftRow> ReadDrift(Connection &conn, bool quiet_when_unavailable);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_VERBS_HPP */
