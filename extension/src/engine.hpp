/*
 * extension/src/engine.hpp
 *
 * The migration engine: what mig_upload, mig_apply, mig_downgrade, mig_stamp,
 * mig_heads and mig_status do, behind the SQL-callable shims in shims.cpp.
 *
 * Every verb that changes a project first refuses a transaction snapshot
 * (REPEATABLE READ, SERIALIZABLE), then takes the project's transaction-level
 * advisory lock, and only then reads the catalog, each query with a fresh
 * snapshot.  A second caller therefore waits and then sees the first one's
 * work.  Graph questions are answered by extension/core (no PostgreSQL
 * there); this file only moves data between the catalog and the core and runs
 * bodies.
 *
 * Bodies run statement by statement through SPI, one subtransaction per
 * revision, as the role that uploaded the revision, inside a GUC nest level
 * (so SET in a body ends with the revision) with lock_timeout set from
 * pgmig.lock_timeout.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_ENGINE_HPP
#define PGMIG_ENGINE_HPP

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "safety.hpp"

namespace pgmig {

/* pgmig.lock_timeout, in milliseconds (0: leave the session's setting). */
extern int lock_timeout_ms;
/* pgmig.nowait: fail with PM035 instead of waiting for the project lock. */
extern bool nowait;
/* pgmig.lease_idle_timeout, in milliseconds (0: never): how long a lease's
 * backend may sit idle before a writer ends its session. */
extern int lease_idle_timeout_ms;

/* One revision as given to upload. */
struct UploadInput {
	std::string revision;
	std::optional<std::string> up;
	std::optional<std::string> down;
	std::vector<std::string> parents;
	std::vector<std::string> depends_on;
	std::vector<std::string> branch_labels;
	std::optional<std::string> message;
	/* the checksums of the bodies as the client read them (mig_upload_batch's
	 * "checksum" and "down_checksum"): given, the body must arrive as the
	 * client sent it, i.e. survive the database's encoding (PM024) */
	std::optional<std::string> client_checksum;
	std::optional<std::string> client_down_checksum;
};

/* What upload did with one revision. */
struct UploadOutcome {
	std::string revision;
	std::string action; /* inserted, unchanged, replaced */
	bool transactional = true;
	std::string checksum;
};

/* One revision run by apply or downgrade. */
struct RunOutcome {
	std::string revision;
	int statements = 0;
	double seconds = 0;
	std::string xid; /* the transaction's id (xid8 text) */
};

/* One statement of a plan (mig_plan). */
struct PlanStep {
	int step = 0;
	std::string revision;
	int statement = 0;
	int line = 0;
	bool transactional = true;
	std::string lock;
	std::string sql;
};

/* What mig_begin_nontx hands to the client. */
struct NontxStart {
	std::string revision;
	std::string body;
	std::string run_as;
	std::string checksum;
};

/* The lease of a non-transactional revision in flight (mig_lease). */
struct LeaseInfo {
	std::string revision;
	std::string direction;
	int backend_pid = 0;
	std::string started_at;
	std::string started_by;
	bool alive = false;
	bool object_existed = false;
	/* the schemas the statement names its objects through (0.5; nullopt for
	 * an older lease: then the current session's search_path is used) */
	std::optional<std::vector<std::string>> search_path;
	/* how long the backend has been idle outside a transaction (nullopt:
	 * not idle, or gone) */
	std::optional<double> idle_seconds;
};

/* One change made by stamp. */
struct StampOutcome {
	std::string revision;
	std::string action; /* added, removed */
};

struct HeadInfo {
	std::string revision;
	bool applied = false;
	std::vector<std::string> branch_labels;
	std::optional<std::string> message;
};

/* What mig_sync returns (see pgmig--0.3--0.4.sql). */
struct SyncInfo {
	std::optional<std::string> digest; /* nullopt: not known until the next upload or apply */
	int revisions = 0;
	int pending = 0;
	std::vector<std::string> nontransactional;
};

struct StatusInfo {
	std::vector<std::string> current;
	std::vector<std::string> heads;
	int applied = 0;
	int pending = 0;
	std::vector<std::string> pending_revisions;
	std::vector<std::string> nontransactional_pending;
};

/*
 * What a caller expects to run (mig_apply's and mig_begin_nontx's
 * `expected`): revision id -> checksum of the up body it pushed.  Given,
 * every revision the call would run must be in it with the stored checksum
 * (PM023 before anything runs).
 */
using Expected = std::map<std::string, std::string>;

std::vector<UploadOutcome> Upload(const std::string &project, std::vector<UploadInput> inputs, bool replace);
std::vector<RunOutcome> Apply(const std::string &project, const std::string &target, bool atomic,
                              std::optional<int> max_revisions, const std::optional<Expected> &expected = {});
std::vector<RunOutcome> Downgrade(const std::string &project, const std::string &target, bool atomic,
                                  std::optional<int> max_revisions);
std::vector<PlanStep> PlanStatements(const std::string &project, const std::string &target, bool down);
std::vector<std::vector<std::optional<std::string>>> Revisions(const std::string &project);

/*
 * Non-transactional revisions (see pgmig--0.1--0.2.sql for the protocol).
 * BeginNontx returns nothing when no revision is pending towards target.
 */
std::optional<NontxStart> BeginNontx(const std::string &project, const std::string &target, bool down,
                                     const std::optional<Expected> &expected = {});
RunOutcome FinishNontx(const std::string &project, const std::string &revision);
std::string AbortNontx(const std::string &project, const std::string &revision, const std::string &sqlstate,
                       const std::string &message);
std::optional<LeaseInfo> Lease(const std::string &project);
/* mig_record_failure: a failure of a revision's body that rolled back with
 * its transaction, as the client that ran it saw it (event kind failure). */
void RecordClientFailure(const std::string &project, const std::string &revision, bool down,
                         const std::string &sqlstate, const std::string &message);
/* Recovers a stale lease; returns (revision, action) or nothing when there is no lease. */
std::optional<std::pair<std::string, std::string>> Recover(const std::string &project);
std::vector<StampOutcome> Stamp(const std::string &project, const std::vector<std::string> &targets);

/* mig_baseline: stamp target on a project with nothing applied, and record the fingerprint. */
struct BaselineOutcome {
	std::vector<StampOutcome> stamped;
	Fingerprint fingerprint;
};
BaselineOutcome Baseline(const std::string &project, const std::string &target);

/* mig_roundtrip: one row per check (see engine.cpp). */
struct RoundtripRow {
	std::string revision;
	std::string step;   /* up, down, up again */
	std::string result; /* ok, failed, skipped, no down body, left behind, removed, changed, differs */
	std::string kind;
	std::string identity;
	std::string detail;
};
std::vector<RoundtripRow> Roundtrip(const std::string &project, const std::string &target,
                                    const std::optional<std::vector<std::string>> &only);

/* mig_set_policy: a project's policy (lint: off, warn or error). */
struct PolicyInfo {
	std::string project;
	std::string lint;
};
PolicyInfo SetPolicy(const std::string &project, const std::optional<std::string> &lint);

/* mig_snapshot: record the fingerprint now, under the project lock (event kind snapshot). */
Fingerprint RecordSnapshot(const std::string &project);
std::vector<HeadInfo> Heads(const std::string &project);
StatusInfo Status(const std::string &project);

/* The project's sync digest and counts from pgmig.project_state; nullopt
 * when the extension's schema predates 0.4. */
std::optional<SyncInfo> Sync(const std::string &project);

/* Throws PgmigError (22023) when the project name is not of the allowed form. */
void CheckProject(const std::string &project);

} // namespace pgmig

#endif /* PGMIG_ENGINE_HPP */
