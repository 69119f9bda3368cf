/*
 * client/core/import_sql.hpp
 *
 * The importers' SQL lexer (import_sql.cpp): a region of a source file split
 * into statements as psql splits it, each with its first tokens, and the
 * tests on a statement that decide what an import strips (a BEGIN;/COMMIT;
 * wrapper, Alembic's bookkeeping) and what it notes (transaction control,
 * statements that cannot run in a transaction block).  Internal to the
 * importers.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_IMPORT_SQL_HPP
#define PGMIG_CLIENT_IMPORT_SQL_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pgmig::client::import_impl {

enum class TokenKind { kWord, kQuoted, kString, kNumber, kPunct };

/* One token: words upper-cased, quoted identifiers as written (without quotes). */
struct Token {
	TokenKind kind = TokenKind::kPunct;
	std::string text;
};

/* One statement of a region. */
struct Statement {
	std::size_t begin = 0;    /* offset of its first token */
	std::size_t end = 0;      /* offset just past its ";" (or past its last token when unterminated) */
	bool terminated = false;  /* ended by ";" */
	std::vector<Token> tokens;
};

/*
 * Splits text[from, to) into statements at ";" outside quotes, comments and
 * parentheses, the way psql does (SQL-standard function bodies included);
 * blanks and comments alone are no statement.
 */
std::vector<Statement> SplitStatements(std::string_view text, std::size_t from, std::size_t to);

/* "BEGIN;", "BEGIN WORK;", "BEGIN TRANSACTION;" or "START TRANSACTION;" and nothing else. */
bool IsPlainBegin(const Statement &s);

/* "COMMIT;", "COMMIT WORK;" or "COMMIT TRANSACTION;" and nothing else. */
bool IsPlainCommit(const Statement &s);

/* The name of a transaction control statement (which the server refuses in a body), or "". */
std::string TransactionControlTag(const Statement &s);

/* The name of a statement PostgreSQL cannot run inside a transaction block, or "". */
std::string NonTransactionalTag(const Statement &s);

/* Alembic's bookkeeping of its version table (CREATE TABLE, INSERT, UPDATE, DELETE on alembic_version). */
bool IsAlembicBookkeeping(const Statement &s);

} // namespace pgmig::client::import_impl

#endif /* PGMIG_CLIENT_IMPORT_SQL_HPP */
