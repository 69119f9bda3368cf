/*
 * extension/src/safety.hpp
 *
 * The safety net around the engine: the schema fingerprint recorded with
 * pgmig's changes, drift against it, and the opt-in audit of DDL run outside
 * pgmig (see pgmig--0.2--0.3.sql for the SQL side).
 *
 * A fingerprint is computed by the SQL function pgmig.mig_fingerprint().
 * What pgmig knows of the schema is kept in pgmig.schema_change: a 'full'
 * row (the live schema accepted as it is) and 'delta' rows (what each call
 * changed itself, from the fingerprints before and after its work), all
 * insert-only.  The row draws its event_id first, so it and the event that
 * records it share the id and the event row carries the digest; events stay
 * append-only.
 *
 * The audit's event trigger must not log what pgmig itself runs.  Bodies run
 * inside a PgmigDdlScope (valid only in the transaction that opened it, so a
 * scope lost to an error cannot leak into the next transaction); the
 * statement of a non-transactional revision runs outside any pgmig function,
 * and is recognised by the lease naming this backend.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_SAFETY_HPP
#define PGMIG_SAFETY_HPP

#include <optional>
#include <string>
#include <vector>

#include "spi.hpp"

namespace pgmig {

/* GUC pgmig.fingerprint: what each apply, downgrade and stamp call records
 * of the schema.  off: nothing (a client run of 0.6 records its change once,
 * at its end, with mig_snapshot); on: what the call changed, from the
 * objects it touched (fingerprint.hpp; the whole fingerprint before 0.7);
 * full: the whole fingerprint before and after the call, and its digest. */
enum { kFingerprintOff = 0, kFingerprintOn = 1, kFingerprintFull = 2 };
extern int fingerprint_mode;

/* Whether calls record their change from the objects they touched:
 * pgmig.fingerprint on, and pgmig.schema_object installed (0.7). */
bool ScopedRecording();

/* Called before a statement that changes identities wholesale (a schema
 * renamed, ...) runs in a body: takes the whole "before" the call's record
 * then compares with (fingerprint.hpp).  Guarded C++: call through
 * CppEntry from a hook. */
void NoteWholeBefore();

/* GUC pgmig.run_id: the client run a call belongs to ("" outside one). */
extern char *run_id;

/* A fingerprint taken for an event: the event id drawn for it (the event is
 * not inserted yet), the digest of the live schema and its number of objects. */
struct Fingerprint {
	std::string event_id;
	std::string digest;
	int objects = 0;
};

/* What a fingerprint records besides the digest (see pgmig--0.2--0.3.sql). */
enum class FingerprintMode {
	kChange, /* the objects changed since NoteSchemaBefore, as a schema_change row */
	kAccept, /* the live schema as the new base, a 'full' schema_change row */
	kDigest  /* nothing: only the digest, for the event */
};

/*
 * Notes the live schema before pgmig changes it, so that the next kChange
 * fingerprint records pgmig's own change: for this call when
 * pgmig.fingerprint is on; else once per run in pgmig.run_base when
 * pgmig.run_id names one (the client's runs), else once per session
 * (mig_snapshot at the end of a run uses it).  Nothing when no base exists
 * yet.
 */
void NoteSchemaBefore();

/* The live fingerprint's rows (kind, identity, definition), as the extension owner. */
std::vector<Row> LiveFingerprint();

/* Whether this database's pgmig schema is at 0.3 or later (cached per transaction). */
bool SafetyNetInstalled();

/* Whether a note of the schema before pgmig's changes is held (in this
 * session, or for the run pgmig.run_id names). */
bool SchemaNoted();

/* Drops the note of the current call and starts collecting the objects it
 * touches (at the start of each writer call). */
void ForgetSchemaBefore();

/*
 * Takes the fingerprint now (as the extension owner).  kChange without a
 * note records only the digest; without any base yet, every mode accepts.
 */
Fingerprint TakeFingerprint(FingerprintMode mode, const std::string &project);

/* TakeFingerprint when pgmig.fingerprint is on and the database's pgmig
 * schema has the safety net (0.3), else nothing. */
std::optional<Fingerprint> FingerprintIfEnabled(FingerprintMode mode, const std::string &project);

/* Rows (change, kind, identity, recorded, live) of mig_drift(); throws PM040 without a base. */
std::vector<Row> Drift();

/* Enables or disables the audit's event triggers; returns the new state. */
bool SetAudit(bool enable);

/* The audit's event trigger body: logs the current command unless pgmig runs it. */
void LogDdl(bool drop, const char *tag);

/* Marks DDL run by pgmig itself (bodies, clean-up) for the audit. */
class PgmigDdlScope {
public:
	PgmigDdlScope();
	~PgmigDdlScope();
	PgmigDdlScope(const PgmigDdlScope &) = delete;
	PgmigDdlScope &operator=(const PgmigDdlScope &) = delete;
};

} // namespace pgmig

#endif /* PGMIG_SAFETY_HPP */
