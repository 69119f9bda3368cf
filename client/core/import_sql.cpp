/*
 * client/core/import_sql.cpp
 *
 * The small SQL lexer of the importers (import_sql.hpp).  It splits a region
 * of a source file into statements the way psql does: ";" ends a statement
 * outside quotes ('', E'' with backslash escapes, "", dollar quotes), comments
 * (-- and nested C-style comments), parentheses and the BEGIN ATOMIC ... END block of a
 * SQL-standard function body (CASE ... END within it too).  It keeps the
 * first tokens of each statement (words upper-cased), enough for the
 * classifiers below: a plain BEGIN;/COMMIT; (the wrappers that Sqitch,
 * golang-migrate and Alembic strip), transaction control (which the server
 * refuses in a body), statements that cannot run in a transaction block
 * (which must stand alone in a revision), and Alembic's bookkeeping of its
 * alembic_version table.  docs/import.md lists, per tool, what is stripped
 * and what is noted.
 *
 * Offsets are byte offsets into the source file's text, so a statement can
 * be removed from a body or reported at its file line.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "import_sql.hpp"

#include "import_text.hpp"

#include <cstring>
#include <utility>

namespace pgmig::client::import_impl {

namespace {

/* Tokens kept per statement: enough to classify it. */
constexpr std::size_t kMaxTokens = 24;

/* First byte of an identifier (ASCII letter, "_" or any non-ASCII byte). */
bool
IsIdentStart(char ch)
{
	unsigned char c = static_cast<unsigned char>(ch);
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

/* Later byte of an identifier. */
bool
IsIdentChar(char ch)
{
	return IsIdentStart(ch) || IsDigit(ch) || ch == '$';
}

/* Blank as PostgreSQL's scanner sees it. */
bool
IsSqlSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ASCII upper case. */
std::string
Upper(std::string_view text)
{
	std::string s(text);
	for (char &c : s) {
		if (c >= 'a' && c <= 'z')
			c = static_cast<char>(c - 'a' + 'A');
	}
	return s;
}

/*
 * Skips a quoted string or identifier starting at text[i] (the opening
 * quote); a doubled quote stands for one, and with `backslash` a backslash
 * escapes the next byte (E'' strings).  Returns the offset after the closing
 * quote, or `to` when there is none.
 */
std::size_t
SkipQuoted(std::string_view text, std::size_t i, std::size_t to, char quote, bool backslash)
{
	std::size_t j = i + 1;
	while (j < to) {
		if (backslash && text[j] == '\\')
			j += 2;
		else if (text[j] == quote) {
			if (j + 1 < to && text[j + 1] == quote)
				j += 2;
			else
				return j + 1;
		} else
			j++;
	}
	return to;
}

/* True when token i of the statement is the (upper-case) word w. */
bool
IsWord(const Statement &s, std::size_t i, std::string_view w)
{
	return i < s.tokens.size() && s.tokens[i].kind == TokenKind::kWord && s.tokens[i].text == w;
}

/* True when a word appears among the statement's kept tokens from index `from`. */
bool
HasWord(const Statement &s, std::string_view w, std::size_t from = 0)
{
	for (std::size_t i = from; i < s.tokens.size(); i++) {
		if (IsWord(s, i, w))
			return true;
	}
	return false;
}

/*
 * True when the (possibly schema-qualified) name starting at token i is the
 * table `name` (a lower-case identifier, matched as an unquoted word in any
 * case or as the quoted identifier).
 */
bool
IsTableName(const Statement &s, std::size_t i, std::string_view name)
{
	while (i + 2 < s.tokens.size() && s.tokens[i + 1].kind == TokenKind::kPunct && s.tokens[i + 1].text == ".")
		i += 2;
	if (i >= s.tokens.size())
		return false;
	const Token &t = s.tokens[i];
	return (t.kind == TokenKind::kWord && t.text == Upper(name)) || (t.kind == TokenKind::kQuoted && t.text == name);
}

} // namespace

/*
 * Splits text[from, to) into statements at ";" outside quotes, comments and
 * parentheses, the way psql does, including its rule for SQL-standard
 * function bodies: inside CREATE [OR REPLACE] FUNCTION/PROCEDURE, BEGIN
 * (and CASE within it) opens a block that END closes, and ";" inside the
 * block does not end the statement.  Blanks and comments alone are no
 * statement.
 */
std::vector<Statement>
SplitStatements(std::string_view text, std::size_t from, std::size_t to)
{
	std::vector<Statement> out;
	Statement cur;
	bool open = false;
	int paren = 0, begin_depth = 0;
	std::size_t ident_count = 0;
	char idents[4] = {};
	std::size_t last_end = from;

	auto add = [&cur](TokenKind kind, std::string token) {
		if (cur.tokens.size() < kMaxTokens)
			cur.tokens.push_back({kind, std::move(token)});
	};

	std::size_t i = from;
	while (i < to) {
		const char c = text[i];
		if (IsSqlSpace(c)) {
			i++;
			continue;
		}
		if (c == '-' && i + 1 < to && text[i + 1] == '-') {
			while (i < to && text[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && i + 1 < to && text[i + 1] == '*') {
			int depth = 1;
			i += 2;
			while (i < to && depth > 0) {
				if (text[i] == '/' && i + 1 < to && text[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (text[i] == '*' && i + 1 < to && text[i + 1] == '/') {
					depth--;
					i += 2;
				} else
					i++;
			}
			continue;
		}
		if (!open) {
			cur = Statement();
			cur.begin = i;
			open = true;
			paren = 0;
			begin_depth = 0;
			ident_count = 0;
			std::memset(idents, 0, sizeof idents);
		}
		if (c == ';') {
			if (paren == 0 && begin_depth == 0) {
				cur.end = i + 1;
				cur.terminated = true;
				out.push_back(std::move(cur));
				open = false;
				i++;
				continue;
			}
			add(TokenKind::kPunct, ";");
			i++;
		} else if (c == '\'') {
			i = SkipQuoted(text, i, to, '\'', false);
			add(TokenKind::kString, "");
		} else if (c == '"') {
			std::size_t end = SkipQuoted(text, i, to, '"', false);
			std::size_t stop = end > i + 1 && text[end - 1] == '"' ? end - 1 : end; /* without the closing quote */
			add(TokenKind::kQuoted, std::string(text.substr(i + 1, stop - (i + 1))));
			i = end;
		} else if (c == '$') {
			/* A dollar quote $tag$ ... $tag$ (the tag may be empty); else a parameter or operator. */
			std::size_t j = i + 1;
			if (j < to && IsIdentStart(text[j])) {
				while (j < to && (IsIdentStart(text[j]) || IsDigit(text[j])))
					j++;
			}
			if (j < to && text[j] == '$') {
				std::string_view delimiter = text.substr(i, j + 1 - i);
				std::size_t close = text.substr(0, to).find(delimiter, j + 1);
				i = close == std::string_view::npos ? to : close + delimiter.size();
				add(TokenKind::kString, "");
			} else {
				add(TokenKind::kPunct, "$");
				i++;
			}
		} else if (IsIdentStart(c)) {
			std::size_t j = i;
			while (j < to && IsIdentChar(text[j]))
				j++;
			if (j - i == 1 && (c == 'E' || c == 'e') && j < to && text[j] == '\'') {
				i = SkipQuoted(text, j, to, '\'', true);
				add(TokenKind::kString, "");
			} else {
				std::string word = Upper(text.substr(i, j - i));
				/* psql's heuristic for CREATE [OR REPLACE] FUNCTION/PROCEDURE ... BEGIN ATOMIC ... END. */
				if (word == "CREATE" || word == "FUNCTION" || word == "PROCEDURE" || word == "OR" || word == "REPLACE") {
					if (ident_count < sizeof idents)
						idents[ident_count] = static_cast<char>(word[0]);
				}
				ident_count++;
				if (idents[0] == 'C' &&
					(idents[1] == 'F' || idents[1] == 'P' ||
					 (idents[1] == 'O' && idents[2] == 'R' && (idents[3] == 'F' || idents[3] == 'P'))) &&
					paren == 0) {
					if (word == "BEGIN")
						begin_depth++;
					else if (word == "CASE") {
						if (begin_depth >= 1)
							begin_depth++;
					} else if (word == "END") {
						if (begin_depth > 0)
							begin_depth--;
					}
				}
				add(TokenKind::kWord, std::move(word));
				i = j;
			}
		} else if (IsDigit(c)) {
			std::size_t j = i;
			while (j < to && (IsIdentChar(text[j]) || text[j] == '.'))
				j++;
			add(TokenKind::kNumber, std::string(text.substr(i, j - i)));
			i = j;
		} else {
			if (c == '(')
				paren++;
			else if (c == ')' && paren > 0)
				paren--;
			add(TokenKind::kPunct, std::string(1, c));
			i++;
		}
		last_end = i;
	}
	if (open) {
		cur.end = last_end;
		out.push_back(std::move(cur));
	}
	return out;
}

/* "BEGIN;", "BEGIN WORK;", "BEGIN TRANSACTION;" or "START TRANSACTION;" and nothing else. */
bool
IsPlainBegin(const Statement &s)
{
	if (!s.terminated)
		return false;
	if (s.tokens.size() == 1)
		return IsWord(s, 0, "BEGIN");
	return s.tokens.size() == 2 &&
		((IsWord(s, 0, "BEGIN") && (IsWord(s, 1, "WORK") || IsWord(s, 1, "TRANSACTION"))) ||
		 (IsWord(s, 0, "START") && IsWord(s, 1, "TRANSACTION")));
}

/* "COMMIT;", "COMMIT WORK;" or "COMMIT TRANSACTION;" and nothing else. */
bool
IsPlainCommit(const Statement &s)
{
	if (!s.terminated)
		return false;
	if (s.tokens.size() == 1)
		return IsWord(s, 0, "COMMIT");
	return s.tokens.size() == 2 && IsWord(s, 0, "COMMIT") && (IsWord(s, 1, "WORK") || IsWord(s, 1, "TRANSACTION"));
}

/* The name of a transaction control statement (which the server refuses in a body), or "". */
std::string
TransactionControlTag(const Statement &s)
{
	if (IsWord(s, 0, "BEGIN") || IsWord(s, 0, "END") || IsWord(s, 0, "ABORT") || IsWord(s, 0, "SAVEPOINT") ||
		IsWord(s, 0, "RELEASE"))
		return s.tokens[0].text;
	if (IsWord(s, 0, "COMMIT") || IsWord(s, 0, "ROLLBACK"))
		return IsWord(s, 1, "PREPARED") ? s.tokens[0].text + " PREPARED" : s.tokens[0].text;
	if ((IsWord(s, 0, "START") || IsWord(s, 0, "PREPARE")) && IsWord(s, 1, "TRANSACTION"))
		return s.tokens[0].text + " TRANSACTION";
	return {};
}

/*
 * The name of a statement PostgreSQL cannot run inside a transaction block
 * (the server's list, extension/src/body.cpp), or "": such a statement makes
 * a revision non-transactional and must be its only statement.
 */
std::string
NonTransactionalTag(const Statement &s)
{
	if (IsWord(s, 0, "CREATE")) {
		std::size_t k = IsWord(s, 1, "UNIQUE") ? 2 : 1;
		if (IsWord(s, k, "INDEX") && IsWord(s, k + 1, "CONCURRENTLY"))
			return "CREATE INDEX CONCURRENTLY";
	}
	if (IsWord(s, 0, "DROP") && IsWord(s, 1, "INDEX") && IsWord(s, 2, "CONCURRENTLY"))
		return "DROP INDEX CONCURRENTLY";
	if (IsWord(s, 0, "REINDEX")) {
		if (HasWord(s, "CONCURRENTLY", 1))
			return "REINDEX CONCURRENTLY";
		for (std::size_t i = 1; i < s.tokens.size(); i++) {
			if (IsWord(s, i, "SCHEMA") || IsWord(s, i, "DATABASE") || IsWord(s, i, "SYSTEM"))
				return "REINDEX SCHEMA/SYSTEM/DATABASE";
			if (IsWord(s, i, "INDEX") || IsWord(s, i, "TABLE"))
				break;
		}
	}
	if (IsWord(s, 0, "VACUUM"))
		return "VACUUM";
	if (IsWord(s, 0, "CLUSTER") && (s.tokens.size() == 1 || (s.tokens.size() == 2 && IsWord(s, 1, "VERBOSE"))))
		return "CLUSTER (all tables)";
	if (IsWord(s, 0, "ALTER") && IsWord(s, 1, "TABLE")) {
		for (std::size_t i = 2; i < s.tokens.size(); i++) {
			if (IsWord(s, i, "DETACH") && HasWord(s, "CONCURRENTLY", i))
				return "DETACH PARTITION CONCURRENTLY";
		}
	}
	return {};
}

/* Alembic's bookkeeping of its version table (CREATE TABLE, INSERT, UPDATE, DELETE on alembic_version). */
bool
IsAlembicBookkeeping(const Statement &s)
{
	constexpr std::string_view kTable = "alembic_version";
	return (IsWord(s, 0, "CREATE") && IsWord(s, 1, "TABLE") && IsTableName(s, 2, kTable)) ||
		(IsWord(s, 0, "INSERT") && IsWord(s, 1, "INTO") && IsTableName(s, 2, kTable)) ||
		(IsWord(s, 0, "UPDATE") && IsTableName(s, 1, kTable)) ||
		(IsWord(s, 0, "DELETE") && IsWord(s, 1, "FROM") && IsTableName(s, 2, kTable)) ||
		(IsWord(s, 0, "DROP") && IsWord(s, 1, "TABLE") && IsTableName(s, 2, kTable));
}

} // namespace pgmig::client::import_impl
