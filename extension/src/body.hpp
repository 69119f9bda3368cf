/*
 * extension/src/body.hpp
 *
 * Migration bodies: parsing with the server's own grammar (raw_parser),
 * classification of every statement (allowed, non-transactional, forbidden)
 * and the sha-256 checksum.
 *
 * A body is accepted when it parses, holds no forbidden statement, and is
 * either all-transactional or exactly one non-transactional statement.  The
 * same parse runs again at apply time to split the body into statements, so
 * what runs is exactly what was validated.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_BODY_HPP
#define PGMIG_BODY_HPP

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_cryptohash_ctx; /* common/cryptohash.h */

namespace pgmig {

/*
 * What a non-transactional statement acts on, so that the server can check
 * its outcome after the client ran it and clean up after an interrupted run.
 * Names are as written (schema may be empty: resolved with the search_path).
 */
struct NontxObject {
	enum class Kind { kNone, kCreateIndex, kDropIndex, kReindex } kind = Kind::kNone;
	std::string schema;   /* of the table (create, reindex) or of the index (drop) */
	std::string relation; /* table (create, reindex table) or index (drop, reindex index) */
	std::string index;    /* index name (create) */
	bool reindex_table = false;
	bool if_not_exists = false; /* CREATE INDEX ... IF NOT EXISTS / DROP INDEX ... IF EXISTS */
};

/* One statement of a body. */
struct BodyStatement {
	std::size_t offset = 0; /* byte offset of its first non-blank character */
	std::size_t length = 0; /* bytes up to (not including) its semicolon */
	int line = 1;           /* 1-based line of offset */
	bool transactional = true;
	std::string tag;        /* what it is, for messages ("CREATE INDEX CONCURRENTLY") */
	std::string lock;       /* the table locks it takes, for plans ("AccessExclusiveLock on users") */
	NontxObject object;     /* for a non-transactional statement */
};

/* A parsed, validated body. */
struct ParsedBody {
	std::vector<BodyStatement> statements;
	bool transactional = true;
};

/*
 * Parses and validates a body.  `which` is "up" or "down", used in messages.
 * Throws PgmigError naming the revision, line and column for a syntax error,
 * a psql meta-command, a forbidden statement, or a mix of non-transactional
 * and other statements; an empty body is an error only when allow_empty is
 * false.
 */
ParsedBody ParseBody(const std::string &revision, const char *which, const std::string &body, bool allow_empty);

/*
 * sha-256 of the normalised body, in hex (core::ChecksumBody), computed over
 * its UTF-8 form: the text a client read from a migration file (which is
 * UTF-8), whatever the database's encoding, so that the server and the
 * client's verify agree on a LATIN1 or EUC_JP database too.
 */
std::string BodyChecksum(const std::string &body);

/* SHA-256 of the bytes as 64 lower-case hex digits, by the server's
 * implementation (core::Sha256Hex's value). */
std::string ServerSha256Hex(std::string_view data);

/*
 * The server's SHA-256 over text given in pieces, for a digest of more
 * text than is worth holding at once (the sync digest of a long history):
 * Buffer() is a string to append to, hashed whenever it grows past 64 kB
 * (Flush) and at the end (FinalHex).  An error of the implementation (out
 * of memory) is raised as an internal error.
 */
class ServerSha256 {
  public:
	ServerSha256();
	~ServerSha256();
	ServerSha256(const ServerSha256 &) = delete;
	ServerSha256 &operator=(const ServerSha256 &) = delete;
	std::string &Buffer() { return buffer_; }
	/* Hashes the buffer when it holds 64 kB or more. */
	void Flush(bool force = false);
	/* The digest of everything appended, in hex; call once. */
	std::string FinalHex();

  private:
	::pg_cryptohash_ctx *ctx_ = nullptr;
	std::string buffer_;
};

/* Whether the database's text is already UTF-8 as far as a digest of it
 * goes (UTF8 and SQL_ASCII databases: ToUtf8 returns it unchanged). */
bool DatabaseTextIsUtf8();

/*
 * The transactional form of a non-transactional body (one statement), for
 * the checks that run it inside a transaction (mig_check): CREATE INDEX,
 * DROP INDEX and DETACH PARTITION without CONCURRENTLY, which change the
 * schema as the concurrent form does.  nullopt for a statement that has no
 * such form or does not change the schema (VACUUM, REINDEX, CLUSTER).
 * *note says what was run instead, or why nothing is.
 */
std::optional<std::string> TransactionalForm(const std::string &revision, const char *which, const std::string &body,
                                             const ParsedBody &parsed, std::string *note);

/* The checksum libraries before 0.5 stored: over the database encoding's
 * bytes (equal to BodyChecksum in UTF8 and SQL_ASCII databases, and for
 * ASCII text in any). */
std::string LegacyBodyChecksum(const std::string &body);

/* Text of the database's encoding converted to UTF-8 (unchanged in UTF8 and
 * SQL_ASCII databases, where no conversion is defined). */
std::string ToUtf8(const std::string &text);

} // namespace pgmig

#endif /* PGMIG_BODY_HPP */
