/*
 * client/core/importers.cpp
 *
 * The importers declared in importers.hpp; what each tool's import carries
 * over is described in docs/import.md.
 *
 * Structure:
 *   1. text helpers (slugs, version numbers, UTF-8, messages);
 *   2. a small SQL lexer that splits a region of a file into statements the
 *      way psql does (quotes, E'' strings, dollar quotes, nested comments,
 *      parentheses, CREATE FUNCTION ... BEGIN ATOMIC ... END), keeping the
 *      first tokens of each statement for classification;
 *   3. bodies: a BodySource is a region of a source file; BuildBody removes
 *      the statements a format strips (always whole statements, with their
 *      line when they stand alone on it, and one blank line after), notes
 *      what pgmig will treat differently, trims blank lines at both ends,
 *      and checks that the text can live in a pgmig file (no line starting
 *      with "-- pgmig:");
 *   4. the Importer: source files by path (a UTF-8 check when a file is
 *      first used), notes and errors, Emit (one migration: id check, parents,
 *      bodies) and Finish (render + CheckFolder self-check);
 *   5. one function per format, which finds the migrations, orders them and
 *      emits them;
 *   6. ImportFiles / ImportDirectory.
 *
 * Offsets are byte offsets into a source file's text (after a UTF-8 byte
 * order mark is dropped, which does not move any line); line numbers are
 * those of the source file, so every note and error points at the tool's
 * file and line.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "importers.hpp"

#include "graph.hpp"
#include "sqltext.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <system_error>
#include <unordered_map>

namespace pgmig::client {

namespace {

/* ======================================================================
 * 1. Text helpers
 * ====================================================================== */

/* Longest piece of user text quoted in a note or error. */
constexpr std::size_t kMaxQuoted = 80;

/* Longest slug put into an id (as MakeRevisionId does). */
constexpr std::size_t kMaxSlug = 48;

/* The start of a pgmig header line, which a body line must not begin with. */
constexpr std::string_view kDirective = "-- pgmig:";

/* Quotes user text for a message (escaped, ASCII, cut when long). */
std::string
Q(std::string_view text)
{
	return core::QuoteForMessage(text, kMaxQuoted, true);
}


/* Prefix and suffix tests. */
bool
StartsWith(std::string_view text, std::string_view prefix)
{
	return text.substr(0, prefix.size()) == prefix;
}

/* True when `text` ends with `suffix`. */
bool
EndsWith(std::string_view text, std::string_view suffix)
{
	return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

/* ASCII digit test that never sees a negative char. */
bool
IsDigit(char c)
{
	return c >= '0' && c <= '9';
}

/* True for a non-empty run of ASCII digits. */
bool
AllDigits(std::string_view text)
{
	return !text.empty() && std::all_of(text.begin(), text.end(), IsDigit);
}

/* The last component of a "/"-separated path. */
std::string_view
Basename(std::string_view path)
{
	std::size_t slash = path.rfind('/');
	return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/* A digit string without its leading zeros ("0" stays "0"). */
std::string_view
StripZeros(std::string_view digits)
{
	while (digits.size() > 1 && digits.front() == '0')
		digits.remove_prefix(1);
	return digits;
}

/* Compares two digit strings as (arbitrarily large) numbers: -1, 0 or 1. */
int
CompareNumbers(std::string_view a, std::string_view b)
{
	a = StripZeros(a);
	b = StripZeros(b);
	if (a.size() != b.size())
		return a.size() < b.size() ? -1 : 1;
	int c = a.compare(b);
	return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/*
 * The slug MakeRevisionId puts after the time: ASCII letters (lower-cased)
 * and digits kept, every other run of bytes one "_", trimmed, at most 48
 * characters.
 */
std::string
Slug(std::string_view text)
{
	std::string slug;
	bool gap = false;
	for (char ch : text) {
		char c = ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch;
		if ((c >= 'a' && c <= 'z') || IsDigit(c)) {
			if (gap && !slug.empty())
				slug.push_back('_');
			slug.push_back(c);
			gap = false;
			if (slug.size() >= kMaxSlug)
				break;
		} else
			gap = true;
	}
	if (slug.size() > kMaxSlug)
		slug.resize(kMaxSlug);
	while (!slug.empty() && slug.back() == '_')
		slug.pop_back();
	return slug;
}

/* `prefix` + "_" + slug of `name`, or just `prefix` when the slug is empty. */
std::string
IdWithSlug(std::string_view prefix, std::string_view name)
{
	std::string slug = Slug(name);
	return slug.empty() ? std::string(prefix) : std::string(prefix) + "_" + slug;
}

/*
 * A header-safe message from a tool's text (a file name's description, a
 * plan note): control bytes become spaces, bytes that are not valid UTF-8
 * become "?", padding is trimmed.
 */
std::string
CleanMessage(std::string_view text)
{
	std::string out;
	for (std::size_t i = 0; i < text.size();) {
		std::size_t n = Utf8SequenceLength(text, i);
		unsigned char c = static_cast<unsigned char>(text[i]);
		if (n == 0) {
			out.push_back('?');
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			out.push_back(' ');
			i++;
		} else {
			out.append(text.substr(i, n));
			i += n;
		}
	}
	return std::string(Trim(out));
}

/* A description from a file or folder name: "_" read as a space. */
std::string
MessageFromName(std::string_view name)
{
	std::string s(name);
	std::replace(s.begin(), s.end(), '_', ' ');
	return CleanMessage(s);
}

/* ======================================================================
 * 2. SQL lexer
 * ====================================================================== */

enum class TokenKind { kWord, kQuoted, kString, kNumber, kPunct };

/* One token: words upper-cased, quoted identifiers as written (without quotes). */
struct Token {
	TokenKind kind = TokenKind::kPunct;
	std::string text;
};

/* Tokens kept per statement: enough to classify it. */
constexpr std::size_t kMaxTokens = 24;

/* One statement of a region. */
struct Statement {
	std::size_t begin = 0;    /* offset of its first token */
	std::size_t end = 0;      /* offset just past its ";" (or past its last token when unterminated) */
	bool terminated = false;  /* ended by ";" */
	std::vector<Token> tokens;
};

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

/* True when token i of the statement is the (upper-case) word w. */
bool
IsWord(const Statement &s, std::size_t i, std::string_view w)
{
	return i < s.tokens.size() && s.tokens[i].kind == TokenKind::kWord && s.tokens[i].text == w;
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

/* Alembic's bookkeeping of its version table (CREATE TABLE, INSERT, UPDATE, DELETE on alembic_version). */
bool
IsAlembicBookkeeping(const Statement &s)
{
	constexpr std::string_view kTable = "alembic_version";
	return (IsWord(s, 0, "CREATE") && IsWord(s, 1, "TABLE") && IsTableName(s, 2, kTable)) ||
		(IsWord(s, 0, "INSERT") && IsWord(s, 1, "INTO") && IsTableName(s, 2, kTable)) ||
		(IsWord(s, 0, "UPDATE") && IsTableName(s, 1, kTable)) ||
		(IsWord(s, 0, "DELETE") && IsWord(s, 1, "FROM") && IsTableName(s, 2, kTable));
}

/* ======================================================================
 * 3. Source files and bodies
 * ====================================================================== */

/* One input file. */
struct SourceFile {
	std::string path;
	std::string text;  /* content without a leading UTF-8 byte order mark */
	mutable int checked = 0;  /* 0: encoding not checked yet, 1: valid, -1: invalid (reported) */
	mutable std::unique_ptr<core::LineIndex> lines;

	/* 1-based line of a byte offset. */
	int Line(std::size_t offset) const
	{
		if (!lines)
			lines = std::make_unique<core::LineIndex>(text);
		return lines->LineAt(offset);
	}
};

/* A byte range [begin, end). */
struct Span {
	std::size_t begin = 0;
	std::size_t end = 0;
};

/* A body to cut out of a source file: the region [begin, end) of its text. */
struct BodySource {
	const SourceFile *file = nullptr;
	std::size_t begin = 0;
	std::size_t end = 0;
};

/* What a format strips from its bodies. */
enum class Strip {
	kNone,
	kWrapper,        /* a leading BEGIN; with a trailing COMMIT; (Sqitch, golang-migrate) */
	kAlembic,        /* every BEGIN;, COMMIT; and alembic_version statement */
};

/*
 * The span to remove for a statement: the statement itself; when it stands
 * alone on its line(s), the whole line(s) and one blank line after; else
 * the padding after it (and, at the end of its line, the padding before it).
 */
Span
RemovalSpan(std::string_view text, const BodySource &src, const Statement &s)
{
	std::size_t start = s.begin, stop = s.end;
	std::size_t before = start;
	while (before > src.begin && IsPad(text[before - 1]))
		before--;
	const bool at_line_start = before == src.begin || text[before - 1] == '\n';
	std::size_t after = stop;
	while (after < src.end && IsPad(text[after]))
		after++;
	const bool at_line_end = after == src.end || text[after] == '\n';
	if (at_line_start && at_line_end) {
		start = before;
		stop = after < src.end ? after + 1 : after;
		std::size_t blank = stop;
		while (blank < src.end && IsPad(text[blank]))
			blank++;
		if (blank < src.end && text[blank] == '\n')
			stop = blank + 1;
	} else if (at_line_end) {
		start = before;
		stop = after;
	} else
		stop = after;
	return {start, stop};
}

/* A piece of a built body: `length` bytes at `out` in the body came from `src` in the file. */
struct Segment {
	std::size_t out = 0;
	std::size_t src = 0;
	std::size_t length = 0;
};

/* A body built from a BodySource. */
struct BuiltBody {
	std::string text;
	std::vector<Segment> map;          /* body offset -> file offset */
	std::vector<Statement> statements; /* the statements kept, with file offsets */
	bool stripped_wrapper = false;     /* Strip::kWrapper removed a BEGIN;/COMMIT; pair */
	std::size_t wrapper_at = 0;        /* file offset of that BEGIN */

	/* The file offset of a body offset (the start of the body for offsets in added text). */
	std::size_t SourceOffset(std::size_t at) const
	{
		for (const Segment &seg : map) {
			if (at >= seg.out && at < seg.out + seg.length)
				return seg.src + (at - seg.out);
		}
		return map.empty() ? 0 : map.back().src + map.back().length;
	}
};

/*
 * Cuts a body out of its region: removes what `strip` asks for, then blank
 * lines at both ends (a pgmig file cannot keep them), and ends the text with
 * a newline.  The kept statements are returned for the caller's checks.
 */
BuiltBody
BuildBody(const BodySource &src, Strip strip)
{
	const std::string_view text = src.file->text;
	BuiltBody body;
	std::vector<Statement> all = SplitStatements(text, src.begin, src.end);
	std::vector<bool> removed(all.size(), false);
	if (strip == Strip::kWrapper && all.size() >= 2 && IsPlainBegin(all.front()) && IsPlainCommit(all.back())) {
		removed.front() = removed.back() = true;
		body.stripped_wrapper = true;
		body.wrapper_at = all.front().begin;
	} else if (strip == Strip::kAlembic) {
		for (std::size_t k = 0; k < all.size(); k++)
			removed[k] = IsPlainBegin(all[k]) || IsPlainCommit(all[k]) || IsAlembicBookkeeping(all[k]);
	}
	std::vector<Span> spans;
	for (std::size_t k = 0; k < all.size(); k++) {
		if (removed[k])
			spans.push_back(RemovalSpan(text, src, all[k]));
		else
			body.statements.push_back(std::move(all[k]));
	}
	/* The kept ranges: the region minus the (sorted, possibly touching) removed spans. */
	std::string out;
	std::vector<Segment> map;
	std::size_t at = src.begin;
	auto keep = [&](std::size_t from, std::size_t to) {
		if (to > from) {
			map.push_back({out.size(), from, to - from});
			out.append(text.substr(from, to - from));
		}
	};
	for (const Span &span : spans) {
		if (span.begin > at)
			keep(at, span.begin);
		at = std::max(at, span.end);
	}
	keep(at, src.end);

	/* Drop blank lines (nothing but spaces, tabs, carriage returns) at the start and at the end. */
	std::size_t first = out.size(), last = 0;
	for (std::size_t line_start = 0; line_start < out.size();) {
		std::size_t nl = out.find('\n', line_start);
		std::size_t next = nl == std::string::npos ? out.size() : nl + 1;
		std::string_view line(out.data() + line_start, (nl == std::string::npos ? out.size() : nl) - line_start);
		if (!Trim(line).empty()) {
			first = std::min(first, line_start);
			last = next;
		}
		line_start = next;
	}
	if (first >= last)
		first = last = 0;
	body.text = out.substr(first, last - first);
	for (const Segment &seg : map) {
		std::size_t b = std::max(seg.out, first), e = std::min(seg.out + seg.length, last);
		if (e > b)
			body.map.push_back({b - first, seg.src + (b - seg.out), e - b});
	}
	if (!body.text.empty() && body.text.back() != '\n')
		body.text.push_back('\n');
	return body;
}

/* ======================================================================
 * 4. The importer
 * ====================================================================== */

/* One migration found by a format, before its bodies are built. */
struct Candidate {
	std::string tool_id;   /* the tool's identifier (id_map key) */
	std::string id;        /* the pgmig revision id (checked by Emit) */
	std::string message;   /* empty: none */
	const SourceFile *origin = nullptr; /* the file errors about the migration name */
	int origin_line = 0;
	BodySource up;
	std::optional<BodySource> down;
	bool nontransactional = false;     /* the tool said so */
	std::string nontx_setting;         /* how the tool said so, for a note ("transaction:false") */
	bool linear = true;                /* parent = the previous migration */
	std::vector<std::string> parents;  /* when !linear */
	std::vector<std::string> depends_on;
	Strip strip = Strip::kNone;
	bool note_wrapper = false;         /* note a stripped BEGIN;/COMMIT; pair */
};

/* The state of one import. */
class Importer {
public:
	Importer(ImportFormat format, const std::vector<std::pair<std::string, std::string>> &files);

	ImportResult Run();

private:
	void Note(const std::string &file, int line, std::string message);
	void Error(const std::string &file, int line, std::string message);
	const SourceFile *Find(std::string_view path) const;
	bool Usable(const SourceFile &f);
	bool Emit(Candidate c);
	void CheckBody(const Candidate &c, const BuiltBody &body, bool up);
	void Finish();

	void ImportFlyway();
	void ImportGolangMigrate();
	void ImportDbmate();
	void ImportDiesel();
	void ImportSqitch();
	void ImportAlembic();

	ImportFormat format_;
	std::string tool_;                  /* the format's name, for notes */
	std::vector<SourceFile> files_;     /* sorted by path; never resized after construction */
	std::unordered_map<std::string, std::string> origin_of_id_; /* id -> "file" that made it */
	ImportResult result_;
};

/* Takes the files (dropping a byte order mark), sorted by path; a path given twice is an error. */
Importer::Importer(ImportFormat format, const std::vector<std::pair<std::string, std::string>> &files)
	: format_(format), tool_(ImportFormatName(format))
{
	std::vector<std::size_t> order(files.size());
	for (std::size_t k = 0; k < order.size(); k++)
		order[k] = k;
	std::stable_sort(order.begin(), order.end(),
					 [&files](std::size_t a, std::size_t b) { return files[a].first < files[b].first; });
	files_.reserve(files.size());
	for (std::size_t k : order) {
		const auto &[path, content] = files[k];
		if (!files_.empty() && files_.back().path == path) {
			Error(path, 0, "file given more than once");
			continue;
		}
		SourceFile f;
		f.path = path;
		f.text = StartsWith(content, "\xEF\xBB\xBF") ? content.substr(3) : content;
		files_.push_back(std::move(f));
	}
}

/* Records a note. */
void
Importer::Note(const std::string &file, int line, std::string message)
{
	result_.notes.push_back({file, line, std::move(message)});
}

/* Records an error. */
void
Importer::Error(const std::string &file, int line, std::string message)
{
	result_.errors.push_back({file, line, std::move(message)});
}

/* The file with that exact path, or nullptr (binary search: files_ is sorted). */
const SourceFile *
Importer::Find(std::string_view path) const
{
	auto it = std::lower_bound(files_.begin(), files_.end(), path,
							   [](const SourceFile &f, std::string_view p) { return f.path < p; });
	return it != files_.end() && it->path == path ? &*it : nullptr;
}

/*
 * Checks a file's encoding the first time it is used: a NUL byte or invalid
 * UTF-8 cannot go into a pgmig file (nor to the server) and is an error.
 */
bool
Importer::Usable(const SourceFile &f)
{
	if (f.checked == 0) {
		f.checked = 1;
		std::size_t nul = f.text.find('\0');
		std::size_t bad = FirstInvalidUtf8(f.text);
		if (nul != std::string::npos) {
			Error(f.path, f.Line(nul), "the file contains a NUL byte");
			f.checked = -1;
		} else if (bad != std::string::npos) {
			static const char hex[] = "0123456789abcdef";
			unsigned char c = static_cast<unsigned char>(f.text[bad]);
			Error(f.path, f.Line(bad),
				  std::string("the file is not valid UTF-8 (byte 0x") + hex[c >> 4] + hex[c & 0xf] + ")");
			f.checked = -1;
		}
	}
	return f.checked > 0;
}

/*
 * The notes and errors about one built body: a line that would read as a
 * pgmig header line (error), transaction control (refused by the server),
 * and a statement that cannot run in a transaction mixed with others.
 */
void
Importer::CheckBody(const Candidate &c, const BuiltBody &body, bool up)
{
	const SourceFile &f = *(up ? c.up.file : c.down->file);
	for (std::size_t at = 0; at < body.text.size();) {
		std::size_t nl = body.text.find('\n', at);
		std::size_t next = nl == std::string::npos ? body.text.size() : nl + 1;
		if (StartsWith(std::string_view(body.text).substr(at, next - at), kDirective))
			Error(f.path, f.Line(body.SourceOffset(at)),
				  "a line starting with \"-- pgmig:\" cannot be put in a pgmig body (it would be read as a header "
				  "line); indent it or reword it");
		at = next;
	}
	std::size_t nontx = 0;
	const Statement *first_nontx = nullptr;
	std::string nontx_tag;
	for (const Statement &s : body.statements) {
		std::string tag = TransactionControlTag(s);
		if (!tag.empty())
			Note(f.path, f.Line(s.begin),
				 "transaction control (" + tag +
					 ") is refused in a pgmig body, which runs in a transaction pgmig manages; remove it from the "
					 "imported file");
		std::string nt = NonTransactionalTag(s);
		if (!nt.empty() && nontx++ == 0) {
			first_nontx = &s;
			nontx_tag = nt;
		}
	}
	if (first_nontx != nullptr && body.statements.size() > 1)
		Note(f.path, f.Line(first_nontx->begin),
			 nontx_tag + " cannot share a pgmig revision with other statements (the server refuses the body); move "
						 "it into a revision of its own");
}

/*
 * Adds one migration: checks its id (valid, not made twice), sets its
 * parents (the previous migration for the linear formats), builds and checks
 * its bodies, turns an empty up body into "SELECT 1; -- empty in <tool>"
 * (keeping its comments) with a note, and records the id mapping.  Returns
 * false when the migration could not be added.
 */
bool
Importer::Emit(Candidate c)
{
	const std::string &where = c.origin->path;
	std::string reason = core::CheckRevisionId(c.id);
	if (!reason.empty()) {
		Error(where, c.origin_line,
			  "cannot make a pgmig revision id from " + Q(c.tool_id) + ": " + Q(c.id) + " is not valid: it " + reason);
		return false;
	}
	auto [it, inserted] =
		origin_of_id_.emplace(c.id, c.origin_line != 0 ? where + ":" + std::to_string(c.origin_line) : where);
	if (!inserted) {
		Error(where, c.origin_line, "revision id " + Q(c.id) + " is also made from " + it->second);
		return false;
	}

	MigrationFile m;
	m.revision = c.id;
	m.path = c.id + ".sql";
	if (c.linear) {
		if (!result_.migrations.empty())
			m.parents.push_back(result_.migrations.back().revision);
	} else
		m.parents = c.parents;
	m.depends_on = c.depends_on;
	if (!c.message.empty())
		m.message = c.message;

	const int origin_line = c.origin == c.up.file ? c.origin_line : 0; /* the line that starts the up body */
	BuiltBody up = BuildBody(c.up, c.strip);
	CheckBody(c, up, true);
	if (up.stripped_wrapper && c.note_wrapper)
		Note(c.up.file->path, c.up.file->Line(up.wrapper_at),
			 "removed the BEGIN; and COMMIT; around the body: pgmig runs each revision in its own transaction");
	bool single_nontx = up.statements.size() == 1 && !NonTransactionalTag(up.statements[0]).empty();
	m.nontransactional = c.nontransactional || single_nontx;
	if (c.nontransactional && !single_nontx && !up.statements.empty())
		Note(c.up.file->path, origin_line,
			 c.nontx_setting +
				 " is kept as \"nontransactional\", but the server runs a body in a transaction unless it is a single "
				 "statement that cannot run in one (such as CREATE INDEX CONCURRENTLY): this one will run in a "
				 "transaction");
	m.up = std::move(up.text);
	if (core::IsBlank(m.up)) {
		m.up += "SELECT 1; -- empty in " + tool_ + "\n";
		if (core::IsBlank(m.up)) /* the placeholder went into a comment that never ends */
			Error(c.up.file->path, origin_line,
				  "the up body of " + Q(c.id) + " is empty and ends inside an unterminated /* comment");
		else
			Note(c.up.file->path, origin_line,
				 "the up body of " + Q(c.id) + " is empty; imported as \"SELECT 1; -- empty in " + tool_ +
					 "\" (pgmig refuses empty bodies)");
	}
	if (c.down) {
		BuiltBody down = BuildBody(*c.down, c.strip);
		CheckBody(c, down, false);
		if (down.stripped_wrapper && c.note_wrapper)
			Note(c.down->file->path, c.down->file->Line(down.wrapper_at),
				 "removed the BEGIN; and COMMIT; around the body: pgmig runs each revision in its own transaction");
		m.down = std::move(down.text);
	}
	result_.id_map.emplace_back(c.tool_id, c.id);
	result_.migrations.push_back(std::move(m));
	return true;
}

/*
 * The self-check: renders every migration and reads the lot back with
 * CheckFolder.  A diagnostic (none is expected) becomes an error; otherwise
 * the migrations are replaced by what was read back, so that they carry the
 * rendered files' line numbers.
 */
void
Importer::Finish()
{
	if (!result_.errors.empty())
		return;
	std::vector<std::pair<std::string, std::string>> rendered;
	rendered.reserve(result_.migrations.size());
	for (const MigrationFile &m : result_.migrations)
		rendered.emplace_back(m.path, RenderMigrationFile(m));
	Folder folder = CheckFolder(std::move(rendered));
	for (const Diagnostic &d : folder.diagnostics)
		Error(d.file, d.line, "the imported file does not read back: " + d.message);
	if (!folder.ok())
		return;
	for (MigrationFile &m : result_.migrations) {
		const MigrationFile *back = folder.Find(m.revision);
		if (back != nullptr)
			m = *back;
	}
}

/* ---------------------------------------------------------------------
 * 5a. Flyway
 * --------------------------------------------------------------------- */

/* A Flyway version: its text and its numeric parts. */
struct FlywayVersion {
	std::string text;                /* as written in the file name */
	std::vector<std::string> parts;  /* the numbers, split on "." and "_" */
};

/* Parses "1", "1.2", "2024_01_15_1030": numbers separated by single "." or "_". */
bool
ParseFlywayVersion(std::string_view text, FlywayVersion *out)
{
	out->text = std::string(text);
	out->parts.clear();
	std::size_t start = 0;
	for (std::size_t i = 0; i <= text.size(); i++) {
		if (i == text.size() || text[i] == '.' || text[i] == '_') {
			std::string_view part = text.substr(start, i - start);
			if (!AllDigits(part))
				return false;
			out->parts.emplace_back(part);
			start = i + 1;
		}
	}
	return true;
}

/* Flyway's order: part by part, numerically, missing parts counting as 0 (so 1.0 == 1). */
int
CompareFlyway(const FlywayVersion &a, const FlywayVersion &b)
{
	for (std::size_t i = 0; i < std::max(a.parts.size(), b.parts.size()); i++) {
		int c = CompareNumbers(i < a.parts.size() ? a.parts[i] : "0", i < b.parts.size() ? b.parts[i] : "0");
		if (c != 0)
			return c;
	}
	return 0;
}

/* The first Flyway placeholder "${...}" of a region, as (offset, text), or offset npos. */
std::pair<std::size_t, std::string>
FindPlaceholder(const BodySource &src)
{
	std::string_view region = std::string_view(src.file->text).substr(src.begin, src.end - src.begin);
	std::size_t at = region.find("${");
	if (at == std::string_view::npos)
		return {std::string_view::npos, {}};
	std::size_t end = std::min(region.find('}', at), region.find('\n', at)); /* npos when neither */
	end = end == std::string_view::npos ? region.size() : end + (region[end] == '}' ? 1 : 0);
	return {src.begin + at, std::string(region.substr(at, std::min<std::size_t>(end - at, 40)))};
}

/*
 * Flyway: V<version>__<description>.sql (any depth), U<version>__ undo
 * files as down bodies, <file>.sql.conf with executeInTransaction=false as
 * the non-transactional flag; repeatable (R__), baseline (B) and callback
 * scripts are noted and left out.
 */
void
Importer::ImportFlyway()
{
	struct Entry {
		FlywayVersion version;
		std::string description;
		const SourceFile *file = nullptr;
	};
	std::vector<Entry> versioned, undo;
	std::map<std::string, const SourceFile *> configs; /* "<file>.sql" -> its .sql.conf */
	std::set<std::string> used_configs;

	for (const SourceFile &f : files_) {
		std::string_view base = Basename(f.path);
		if (StartsWith(base, "."))
			continue;
		if (EndsWith(base, ".sql.conf")) {
			configs[f.path.substr(0, f.path.size() - 5)] = &f;
			continue;
		}
		if (!EndsWith(base, ".sql")) {
			Note(f.path, 0, "not a Flyway SQL migration (only *.sql files and their *.sql.conf are read); ignored");
			continue;
		}
		std::string_view stem = base.substr(0, base.size() - 4);
		const char prefix = stem.empty() ? '\0' : stem[0];
		std::string_view rest = stem.substr(stem.empty() ? 0 : 1);
		std::size_t sep = rest.find("__");
		std::string_view version = sep == std::string_view::npos ? rest : rest.substr(0, sep);
		std::string_view description = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 2);
		if ((prefix == 'V' || prefix == 'U' || prefix == 'B') && !rest.empty() && IsDigit(rest[0])) {
			Entry e;
			if (!ParseFlywayVersion(version, &e.version)) {
				Error(f.path, 0,
					  "invalid Flyway version " + Q(version) + " (expected numbers separated by \".\" or \"_\")");
				continue;
			}
			if (prefix == 'B') {
				Note(f.path, 0,
					 "Flyway baseline migration: not imported (pgmig applies the versioned migrations instead; a "
					 "database already at this version can be stamped)");
				continue;
			}
			e.description = std::string(description);
			e.file = &f;
			(prefix == 'V' ? versioned : undo).push_back(std::move(e));
		} else if (prefix == 'R' && StartsWith(rest, "__")) {
			Note(f.path, 0,
				 "Flyway repeatable migration: not imported (pgmig has no repeatable migrations; put its SQL in a new "
				 "revision whenever it changes)");
		} else if (StartsWith(stem, "before") || StartsWith(stem, "after")) {
			Note(f.path, 0, "Flyway callback script: not imported (pgmig has no callbacks)");
		} else
			Note(f.path, 0, "not a Flyway migration file name (V<version>__<description>.sql); ignored");
	}

	auto by_version = [](const Entry &a, const Entry &b) {
		int c = CompareFlyway(a.version, b.version);
		return c != 0 ? c < 0 : a.file->path < b.file->path;
	};
	std::stable_sort(versioned.begin(), versioned.end(), by_version);
	std::stable_sort(undo.begin(), undo.end(), by_version);

	/* Undo files: at most one per version, each for a versioned migration. */
	std::vector<const Entry *> undo_of(versioned.size(), nullptr);
	for (std::size_t k = 0; k < undo.size(); k++) {
		const Entry &u = undo[k];
		if (k > 0 && CompareFlyway(undo[k - 1].version, u.version) == 0) {
			Error(u.file->path, 0,
				  "undo version " + u.version.text + " is also used by " + undo[k - 1].file->path);
			continue;
		}
		auto match = std::lower_bound(versioned.begin(), versioned.end(), u,
									  [](const Entry &a, const Entry &b) { return CompareFlyway(a.version, b.version) < 0; });
		if (match == versioned.end() || CompareFlyway(match->version, u.version) != 0) {
			Error(u.file->path, 0,
				  "undo migration without a versioned migration: there is no V" + u.version.text + "__*.sql");
			continue;
		}
		undo_of[static_cast<std::size_t>(match - versioned.begin())] = &u;
	}

	for (std::size_t k = 0; k < versioned.size(); k++) {
		const Entry &e = versioned[k];
		if (k > 0 && CompareFlyway(versioned[k - 1].version, e.version) == 0) {
			Error(e.file->path, 0, "version " + e.version.text + " is also used by " + versioned[k - 1].file->path);
			continue;
		}
		if (!Usable(*e.file))
			continue;
		Candidate c;
		c.tool_id = e.version.text;
		std::replace(c.tool_id.begin(), c.tool_id.end(), '_', '.');
		std::string id_version = e.version.text;
		std::replace(id_version.begin(), id_version.end(), '.', '_');
		c.id = IdWithSlug("v" + id_version, e.description);
		c.message = MessageFromName(e.description);
		c.origin = e.file;
		c.up = {e.file, 0, e.file->text.size()};
		if (const Entry *u = undo_of[k]; u != nullptr && Usable(*u->file))
			c.down = BodySource{u->file, 0, u->file->text.size()};

		auto conf = configs.find(e.file->path);
		if (conf != configs.end() && Usable(*conf->second)) {
			used_configs.insert(conf->first);
			const SourceFile &cf = *conf->second;
			std::istringstream in(cf.text);
			std::string raw;
			for (int line = 1; std::getline(in, raw); line++) {
				std::string_view text = Trim(raw);
				if (text.empty() || text[0] == '#' || text[0] == '!')
					continue;
				std::size_t eq = text.find('=');
				std::string key(Trim(text.substr(0, eq)));
				std::string value(eq == std::string_view::npos ? std::string_view() : Trim(text.substr(eq + 1)));
				if (key == "executeInTransaction" && (value == "false" || value == "true")) {
					if (value == "false") {
						c.nontransactional = true;
						c.nontx_setting = "executeInTransaction=false";
					}
				} else if (key == "encoding")
					continue; /* the file had to be UTF-8 to be read at all */
				else
					Note(cf.path, line, "Flyway script setting " + Q(text) + " is not carried over");
			}
		}
		for (const BodySource *src : {&c.up, c.down ? &*c.down : nullptr}) {
			if (src == nullptr)
				continue;
			auto [at, placeholder] = FindPlaceholder(*src);
			if (at != std::string::npos)
				Note(src->file->path, src->file->Line(at),
					 "Flyway placeholder " + Q(placeholder) + " is not replaced by pgmig; the body keeps it as written");
		}
		Emit(std::move(c));
	}
	for (const auto &[sql, conf] : configs) {
		if (used_configs.count(sql) == 0)
			Note(conf->path, 0, "settings of a file that is not imported as a versioned migration; ignored");
	}
}

/* ---------------------------------------------------------------------
 * 5b. golang-migrate
 * --------------------------------------------------------------------- */

/*
 * golang-migrate: <version>_<title>.up.sql and .down.sql directly in the
 * folder, in numeric version order; a BEGIN;/COMMIT; pair around a body is
 * removed (with a note) since pgmig provides the transaction.
 */
void
Importer::ImportGolangMigrate()
{
	struct Entry {
		std::string version;  /* as written */
		std::string title;
		const SourceFile *up = nullptr;
		const SourceFile *down = nullptr;
	};
	/* Keyed by the version without leading zeros, ordered numerically. */
	auto numeric = [](const std::string &a, const std::string &b) { return CompareNumbers(a, b) < 0; };
	std::map<std::string, Entry, decltype(numeric)> entries(numeric);

	for (const SourceFile &f : files_) {
		std::string_view base = Basename(f.path);
		if (StartsWith(base, "."))
			continue;
		if (base.size() != f.path.size()) {
			Note(f.path, 0, "golang-migrate reads only the folder itself, not its subfolders; ignored");
			continue;
		}
		const bool up = EndsWith(base, ".up.sql");
		const bool down = EndsWith(base, ".down.sql");
		std::size_t digits = 0;
		while (digits < base.size() && IsDigit(base[digits]))
			digits++;
		if ((!up && !down) || digits == 0 || digits >= base.size() || base[digits] != '_' ||
			base.size() < digits + 1 + (up ? 7 : 9)) {
			Note(f.path, 0, "not a golang-migrate file name (<version>_<title>.up.sql or .down.sql); ignored");
			continue;
		}
		std::string version(base.substr(0, digits));
		std::string title(base.substr(digits + 1, base.size() - digits - 1 - (up ? 7 : 9)));
		Entry &e = entries[std::string(StripZeros(version))];
		const SourceFile *&slot = up ? e.up : e.down;
		if (slot != nullptr) {
			Error(f.path, 0,
				  "version " + std::string(StripZeros(version)) + " is also used by " + slot->path);
			continue;
		}
		slot = &f;
		if (up) {
			e.version = version;
			e.title = title;
		}
	}

	for (auto &[key, e] : entries) {
		if (e.up == nullptr) {
			Error(e.down->path, 0, "down migration without an up migration (no " + key + "_*.up.sql)");
			continue;
		}
		if (!Usable(*e.up) || (e.down != nullptr && !Usable(*e.down)))
			continue;
		Candidate c;
		c.tool_id = key;
		c.id = IdWithSlug(e.version, e.title);
		c.message = MessageFromName(e.title);
		c.origin = e.up;
		c.up = {e.up, 0, e.up->text.size()};
		if (e.down != nullptr)
			c.down = BodySource{e.down, 0, e.down->text.size()};
		c.strip = Strip::kWrapper;
		c.note_wrapper = true;
		Emit(std::move(c));
	}
}

/* ---------------------------------------------------------------------
 * 5c. dbmate
 * --------------------------------------------------------------------- */

/* A "-- migrate:up" / "-- migrate:down" line of a dbmate file. */
struct DbmateMarker {
	bool found = false;
	int line = 0;
	std::size_t line_begin = 0;  /* offset of the marker line */
	std::size_t body_begin = 0;  /* offset of the line after it */
	std::vector<std::string> options;
};

/*
 * Reads "--", optional blanks, "migrate:up" or "migrate:down" and options
 * (dbmate's ^--\s*migrate:up(\s*$|\s+\S+)); returns "up", "down" or "".
 */
std::string_view
DbmateMarkerKind(std::string_view line, std::vector<std::string> *options)
{
	if (!StartsWith(line, "--"))
		return {};
	std::string_view rest = line.substr(2);
	while (!rest.empty() && IsPad(rest.front()))
		rest.remove_prefix(1);
	std::string_view kind;
	if (StartsWith(rest, "migrate:up"))
		kind = "up";
	else if (StartsWith(rest, "migrate:down"))
		kind = "down";
	else
		return {};
	rest.remove_prefix(kind == "up" ? 10 : 12);
	if (!rest.empty() && !IsPad(rest.front()))
		return {};
	options->clear();
	std::string_view opts = Trim(rest);
	while (!opts.empty()) {
		std::size_t end = 0;
		while (end < opts.size() && !IsPad(opts[end]))
			end++;
		options->emplace_back(opts.substr(0, end));
		opts = Trim(opts.substr(end));
	}
	return kind;
}

/*
 * dbmate: <version><anything>.sql directly in the folder, in file-name
 * order, each with a "-- migrate:up" section and an optional
 * "-- migrate:down" section; "transaction:false" on the up marker makes the
 * revision non-transactional.
 */
void
Importer::ImportDbmate()
{
	std::map<std::string, const SourceFile *> versions;
	for (const SourceFile &f : files_) {
		std::string_view base = Basename(f.path);
		if (StartsWith(base, "."))
			continue;
		if (base.size() != f.path.size()) {
			Note(f.path, 0, "dbmate reads only the migrations folder itself, not its subfolders; ignored");
			continue;
		}
		std::size_t digits = 0;
		while (digits < base.size() && IsDigit(base[digits]))
			digits++;
		if (digits == 0 || !EndsWith(base, ".sql") || base.size() < digits + 4) {
			Note(f.path, 0, "not a dbmate migration file name (<version>_<name>.sql); ignored");
			continue;
		}
		std::string version(base.substr(0, digits));
		std::string_view name = base.substr(digits, base.size() - 4 - digits);
		while (!name.empty() && name.front() == '_')
			name.remove_prefix(1);
		auto [it, inserted] = versions.emplace(version, &f);
		if (!inserted) {
			Error(f.path, 0, "version " + version + " is also used by " + it->second->path);
			continue;
		}
		if (!Usable(f))
			continue;

		DbmateMarker up, down;
		bool bad = false;
		std::size_t at = 0;
		for (int line = 1; at < f.text.size(); line++) {
			std::size_t nl = f.text.find('\n', at);
			std::size_t next = nl == std::string::npos ? f.text.size() : nl + 1;
			std::string_view text = std::string_view(f.text).substr(at, next - at);
			while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
				text.remove_suffix(1);
			std::vector<std::string> options;
			std::string_view kind = DbmateMarkerKind(text, &options);
			if (!kind.empty()) {
				DbmateMarker &m = kind == "up" ? up : down;
				if (m.found) {
					Error(f.path, line,
						  "second \"-- migrate:" + std::string(kind) + "\" line (the first is on line " +
							  std::to_string(m.line) + ")");
					bad = true;
				} else if (kind == "down" && !up.found) {
					Error(f.path, line, "\"-- migrate:down\" before \"-- migrate:up\" (dbmate refuses it)");
					bad = true;
				} else {
					m = {true, line, at, next, std::move(options)};
				}
			}
			at = next;
		}
		if (!up.found) {
			if (!bad)
				Error(f.path, 0, "no \"-- migrate:up\" line (dbmate requires one)");
			continue;
		}
		std::size_t lead = core::SkipBlanksAndComments(std::string_view(f.text).substr(0, up.line_begin), 0);
		if (lead < up.line_begin) {
			Error(f.path, f.Line(lead), "SQL before \"-- migrate:up\" (dbmate refuses it)");
			bad = true;
		}
		if (bad)
			continue;

		Candidate c;
		c.tool_id = version;
		c.id = IdWithSlug(version, name);
		c.message = MessageFromName(name);
		c.origin = &f;
		c.origin_line = up.line;
		c.up = {&f, up.body_begin, down.found ? down.line_begin : f.text.size()};
		if (down.found)
			c.down = BodySource{&f, down.body_begin, f.text.size()};
		for (const std::string &opt : up.options) {
			if (opt == "transaction:false") {
				c.nontransactional = true;
				c.nontx_setting = "transaction:false";
			} else if (opt != "transaction:true")
				Note(f.path, up.line, "unknown dbmate option " + Q(opt) + "; ignored");
		}
		for (const std::string &opt : down.options) {
			if (opt == "transaction:false")
				Note(f.path, down.line,
					 "transaction:false on the down section is not carried over: pgmig has no such flag for down "
					 "bodies (the server runs a lone CREATE or DROP INDEX CONCURRENTLY outside a transaction by "
					 "itself)");
			else if (opt != "transaction:true")
				Note(f.path, down.line, "unknown dbmate option " + Q(opt) + "; ignored");
		}
		Emit(std::move(c));
	}
}

/* ---------------------------------------------------------------------
 * 5d. Diesel
 * --------------------------------------------------------------------- */

/*
 * Diesel: one folder <version>_<name> per migration (version digits, with
 * "-" allowed as in 2024-01-10-101500), holding up.sql, an optional down.sql
 * and an optional metadata.toml (run_in_transaction = false: the
 * non-transactional flag); ordered by version.  The folder
 * 00000000000000_diesel_initial_setup is imported like any other: later
 * migrations may call the helper functions it creates.
 */
void
Importer::ImportDiesel()
{
	struct Entry {
		std::string dir;
		std::string version;  /* without "-" */
		std::string name;
		const SourceFile *up = nullptr;
		const SourceFile *down = nullptr;
		const SourceFile *metadata = nullptr;
	};
	std::map<std::string, Entry> dirs; /* by folder name */
	for (const SourceFile &f : files_) {
		std::string_view path = f.path;
		std::size_t slash = path.find('/');
		if (StartsWith(path, ".") || StartsWith(Basename(path), "."))
			continue;
		if (slash == std::string_view::npos) {
			Note(f.path, 0, "not in a Diesel migration folder; ignored");
			continue;
		}
		std::string dir(path.substr(0, slash));
		std::string_view rest = path.substr(slash + 1);
		std::size_t underscore = dir.find('_');
		std::string_view raw_version = std::string_view(dir).substr(0, underscore);
		std::string version;
		for (char ch : raw_version) {
			if (ch != '-')
				version.push_back(ch);
		}
		const bool dashes_ok = !raw_version.empty() && raw_version.front() != '-' && raw_version.back() != '-';
		if (!AllDigits(version) || !dashes_ok ||
			!std::all_of(raw_version.begin(), raw_version.end(), [](char ch) { return IsDigit(ch) || ch == '-'; })) {
			Note(f.path, 0, "not in a Diesel migration folder (<version>_<name>/); ignored");
			continue;
		}
		Entry &e = dirs[dir];
		e.dir = dir;
		e.version = version;
		e.name = underscore == std::string::npos ? std::string() : dir.substr(underscore + 1);
		if (rest == "up.sql")
			e.up = &f;
		else if (rest == "down.sql")
			e.down = &f;
		else if (rest == "metadata.toml")
			e.metadata = &f;
		else
			Note(f.path, 0, "not a Diesel migration file (up.sql, down.sql, metadata.toml); ignored");
	}

	std::vector<Entry *> order;
	for (auto &[dir, e] : dirs)
		order.push_back(&e);
	std::stable_sort(order.begin(), order.end(), [](const Entry *a, const Entry *b) { return a->version < b->version; });
	for (std::size_t k = 0; k < order.size(); k++) {
		Entry &e = *order[k];
		if (k > 0 && order[k - 1]->version == e.version) {
			Error(e.dir, 0, "version " + e.version + " is also used by " + order[k - 1]->dir);
			continue;
		}
		if (e.up == nullptr) {
			if (e.down != nullptr)
				Error(e.down->path, 0, "down.sql without an up.sql");
			else if (e.metadata != nullptr)
				Error(e.dir, 0, "Diesel migration folder without an up.sql");
			continue;
		}
		if (!Usable(*e.up) || (e.down != nullptr && !Usable(*e.down)) || (e.metadata != nullptr && !Usable(*e.metadata)))
			continue;
		Candidate c;
		c.tool_id = e.version;
		c.id = IdWithSlug(e.version, e.name);
		c.message = MessageFromName(e.name);
		c.origin = e.up;
		c.up = {e.up, 0, e.up->text.size()};
		if (e.down != nullptr)
			c.down = BodySource{e.down, 0, e.down->text.size()};
		if (e.metadata != nullptr) {
			std::istringstream in(e.metadata->text);
			std::string raw;
			bool bad = false;
			for (int line = 1; std::getline(in, raw); line++) {
				std::string_view text = Trim(raw);
				if (text.empty() || text[0] == '#')
					continue;
				std::size_t eq = text.find('=');
				if (eq == std::string_view::npos) {
					Note(e.metadata->path, line, "metadata line " + Q(text) + " is not carried over");
					continue;
				}
				std::string_view key = Trim(text.substr(0, eq));
				std::string_view value = Trim(text.substr(eq + 1));
				std::size_t hash = value.find('#');
				if (hash != std::string_view::npos)
					value = Trim(value.substr(0, hash));
				if (key == "run_in_transaction") {
					if (value == "false") {
						c.nontransactional = true;
						c.nontx_setting = "run_in_transaction = false";
					} else if (value != "true") {
						Error(e.metadata->path, line, "run_in_transaction must be true or false, not " + Q(value));
						bad = true;
					}
				} else
					Note(e.metadata->path, line, "Diesel setting " + Q(key) + " is not carried over");
			}
			if (bad)
				continue;
		}
		Emit(std::move(c));
	}
}

/* ---------------------------------------------------------------------
 * 5e. Sqitch
 * --------------------------------------------------------------------- */

/* One change line of a Sqitch plan. */
struct SqitchChange {
	std::string name;
	std::vector<std::string> requires;  /* as written, conflicts ("!x") included */
	std::string note;
	int line = 0;
	std::size_t tags_before = 0;        /* number of tags above it in the plan */
};

/* True when text is a Sqitch timestamp YYYY-MM-DDTHH:MM:SSZ. */
bool
IsSqitchTimestamp(std::string_view t)
{
	constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
	if (t.size() != kShape.size())
		return false;
	for (std::size_t i = 0; i < t.size(); i++) {
		if (kShape[i] == 'd' ? !IsDigit(t[i]) : t[i] != kShape[i])
			return false;
	}
	return true;
}

/* A Sqitch change or tag name: no blanks and none of the characters the plan syntax uses. */
bool
IsSqitchName(std::string_view name)
{
	if (name.empty())
		return false;
	for (char c : name) {
		if (IsPad(c) || c == ':' || c == '@' || c == '#' || c == '[' || c == ']' || c == '\\' || c == '!' ||
			c == '%')
			return false;
	}
	return true;
}

/*
 * Reads the part of a plan line after the name (and requirements): the
 * timestamp, the planner and <email>, and an optional "# note".  Returns ""
 * when it reads, else what is wrong.
 */
std::string
ReadSqitchStamp(std::string_view rest, std::string *note)
{
	rest = Trim(rest);
	std::size_t end = 0;
	while (end < rest.size() && !IsPad(rest[end]))
		end++;
	if (!IsSqitchTimestamp(rest.substr(0, end)))
		return "expected a time YYYY-MM-DDTHH:MM:SSZ, found " + Q(rest.substr(0, end));
	rest = Trim(rest.substr(end));
	std::size_t lt = rest.find('<');
	if (lt == std::string_view::npos || Trim(rest.substr(0, lt)).empty())
		return "expected the planner's name and <email>";
	std::size_t gt = rest.find('>', lt);
	if (gt == std::string_view::npos)
		return "the planner's email has no closing \">\"";
	rest = Trim(rest.substr(gt + 1));
	if (rest.empty())
		return {};
	if (rest[0] != '#')
		return "unexpected text " + Q(rest) + " after the planner's email";
	*note = std::string(Trim(rest.substr(1)));
	return {};
}

/*
 * Sqitch: the changes of sqitch.plan in plan order, each deploy/<name>.sql
 * with revert/<name>.sql as down body (a BEGIN;/COMMIT; pair around them
 * removed); parent = the previous change, depends_on = the other declared
 * requirements.  Tags, conflicts, requirements on other projects, reworked
 * changes and verify scripts are noted.
 */
void
Importer::ImportSqitch()
{
	constexpr std::string_view kPlan = "sqitch.plan";
	const SourceFile *plan = Find(kPlan);
	if (plan == nullptr) {
		Error(std::string(kPlan), 0, "no sqitch.plan in the folder");
		return;
	}
	if (!Usable(*plan))
		return;

	/* Read the plan. */
	std::string project;
	std::vector<SqitchChange> changes;
	struct Tag {
		std::string name;
		int line = 0;
		std::size_t changes_before = 0;
	};
	std::vector<Tag> tags;
	bool bad = false;
	{
		std::size_t at = 0;
		for (int line = 1; at < plan->text.size(); line++) {
			std::size_t nl = plan->text.find('\n', at);
			std::size_t next = nl == std::string::npos ? plan->text.size() : nl + 1;
			std::string_view text = Trim(std::string_view(plan->text).substr(at, next - at - (nl == std::string::npos ? 0 : 1)));
			at = next;
			if (text.empty() || text[0] == '#')
				continue;
			std::string note;
			if (text[0] == '%') {
				std::size_t eq = text.find('=');
				std::string_view key = Trim(text.substr(1, eq == std::string_view::npos ? std::string_view::npos : eq - 1));
				std::string_view value = eq == std::string_view::npos ? std::string_view() : Trim(text.substr(eq + 1));
				if (key == "project")
					project = std::string(value);
				else if (key == "syntax-version" && !StartsWith(value, "1."))
					Note(plan->path, line, "plan syntax version " + Q(value) + " is not 1.x; read as 1.0.0");
				continue;
			}
			if (text[0] == '@') {
				std::size_t end = 1;
				while (end < text.size() && !IsPad(text[end]))
					end++;
				std::string_view name = text.substr(1, end - 1);
				std::string problem = IsSqitchName(name) ? ReadSqitchStamp(text.substr(end), &note)
														 : "invalid tag name " + Q(name);
				if (!problem.empty()) {
					Error(plan->path, line, "cannot read this plan line: " + problem);
					bad = true;
					continue;
				}
				tags.push_back({std::string(name), line, changes.size()});
				Note(plan->path, line,
					 "tag @" + std::string(name) + " is not carried over (pgmig has no tags; target the revision " +
						 (changes.empty() ? std::string("it follows") : Q(changes.back().name)) + " instead)");
				continue;
			}
			if (text[0] == '-') {
				Error(plan->path, line, "cannot read this plan line: revert operations (\"-name\") are not supported");
				bad = true;
				continue;
			}
			if (text[0] == '+')
				text = Trim(text.substr(1));
			std::size_t end = 0;
			while (end < text.size() && !IsPad(text[end]) && text[end] != '[')
				end++;
			SqitchChange c;
			c.name = std::string(text.substr(0, end));
			c.line = line;
			c.tags_before = tags.size();
			std::string_view rest = Trim(text.substr(end));
			std::string problem;
			if (!IsSqitchName(c.name))
				problem = "invalid change name " + Q(c.name);
			else if (!rest.empty() && rest[0] == '[') {
				std::size_t close = rest.find(']');
				if (close == std::string_view::npos)
					problem = "the requirements have no closing \"]\"";
				else {
					std::string_view list = rest.substr(1, close - 1);
					while (!(list = Trim(list)).empty()) {
						std::size_t stop = 0;
						while (stop < list.size() && !IsPad(list[stop]))
							stop++;
						c.requires.emplace_back(list.substr(0, stop));
						list = list.substr(stop);
					}
					rest = rest.substr(close + 1);
				}
			}
			if (problem.empty())
				problem = ReadSqitchStamp(rest, &c.note);
			if (!problem.empty()) {
				Error(plan->path, line,
					  "cannot read this plan line (expected \"name [requires] YYYY-MM-DDTHH:MM:SSZ planner <email> # "
					  "note\"): " +
						  problem);
				bad = true;
				continue;
			}
			changes.push_back(std::move(c));
		}
	}
	if (bad)
		return;

	/* Reworked changes: later occurrences of a name are left out; the first keeps its old scripts. */
	std::map<std::string, std::size_t> first_of;  /* name -> index of its first occurrence */
	std::map<std::size_t, std::string> old_suffix; /* first occurrence -> "@tag" of its reworked scripts */
	std::vector<bool> reworked(changes.size(), false);
	for (std::size_t k = 0; k < changes.size(); k++) {
		auto [it, inserted] = first_of.emplace(changes[k].name, k);
		if (inserted)
			continue;
		reworked[k] = true;
		const std::size_t original = it->second;
		if (old_suffix.count(original) == 0) {
			/* Sqitch names the old scripts after the first tag following the original. */
			std::size_t t = changes[original].tags_before;
			if (t < tags.size())
				old_suffix[original] = "@" + tags[t].name;
		}
		Note(plan->path, changes[k].line,
			 "reworked change " + Q(changes[k].name) +
				 " is not imported (pgmig revisions cannot be reworked): its new deploy script is left out; write it "
				 "as a new revision");
	}

	/* Ids. */
	std::vector<std::string> ids(changes.size());
	for (std::size_t k = 0; k < changes.size(); k++) {
		if (reworked[k])
			continue;
		const std::string &name = changes[k].name;
		ids[k] = core::CheckRevisionId(name).empty() ? name : IdWithSlug("s", name);
	}

	std::set<std::string> used_scripts;
	std::string previous_id;
	for (std::size_t k = 0; k < changes.size(); k++) {
		if (reworked[k])
			continue;
		const SqitchChange &ch = changes[k];
		Candidate c;
		c.tool_id = ch.name;
		c.id = ids[k];
		c.message = CleanMessage(ch.note);
		c.origin = plan;
		c.origin_line = ch.line;
		c.linear = false;
		if (!previous_id.empty())
			c.parents.push_back(previous_id);
		c.strip = Strip::kWrapper;

		bool ok = true;
		for (const std::string &req : ch.requires) {
			if (StartsWith(req, "!")) {
				Note(plan->path, ch.line, "conflict " + Q(req) + " is not carried over (pgmig has no conflicts)");
				continue;
			}
			std::string_view dep = req;
			std::size_t colon = dep.find(':');
			if (colon != std::string_view::npos) {
				if (dep.substr(0, colon) != project) {
					Note(plan->path, ch.line,
						 "requirement " + Q(req) + " on another project is not carried over");
					continue;
				}
				dep.remove_prefix(colon + 1);
			}
			std::size_t target = changes.size();
			std::size_t atsign = dep.find('@');
			if (atsign == 0) {
				/* "@tag": the change the tag was put on. */
				for (const Tag &t : tags) {
					if (t.name == dep.substr(1) && t.line < ch.line && t.changes_before > 0)
						target = t.changes_before - 1;
				}
				if (target < changes.size() && reworked[target])
					target = first_of[changes[target].name];
			} else {
				auto it = first_of.find(std::string(dep.substr(0, atsign)));
				if (it != first_of.end() && it->second < k)
					target = it->second;
			}
			if (target >= changes.size()) {
				Error(plan->path, ch.line,
					  "change " + Q(ch.name) + " requires " + Q(req) + ", which is not earlier in the plan");
				ok = false;
				continue;
			}
			const std::string &id = ids[target];
			if (id == previous_id ||
				std::find(c.depends_on.begin(), c.depends_on.end(), id) != c.depends_on.end())
				continue;
			c.depends_on.push_back(id);
		}
		if (!ok)
			continue;

		auto script = [&](std::string_view dir) -> const SourceFile * {
			auto suffix = old_suffix.find(k);
			if (suffix != old_suffix.end()) {
				if (const SourceFile *f = Find(std::string(dir) + "/" + ch.name + suffix->second + ".sql")) {
					used_scripts.insert(f->path);
					return f;
				}
			}
			const SourceFile *f = Find(std::string(dir) + "/" + ch.name + ".sql");
			if (f != nullptr)
				used_scripts.insert(f->path);
			return f;
		};
		const SourceFile *deploy = script("deploy");
		const SourceFile *revert = script("revert");
		if (deploy == nullptr) {
			Error(plan->path, ch.line, "no deploy script deploy/" + ch.name + ".sql for change " + Q(ch.name));
			continue;
		}
		if (!Usable(*deploy) || (revert != nullptr && !Usable(*revert)))
			continue;
		c.up = {deploy, 0, deploy->text.size()};
		if (revert != nullptr)
			c.down = BodySource{revert, 0, revert->text.size()};
		previous_id = c.id;
		Emit(std::move(c));
	}

	/* Files the plan does not use. */
	std::size_t verify_count = 0;
	for (const SourceFile &f : files_) {
		if (f.path == kPlan || StartsWith(Basename(f.path), "."))
			continue;
		if (StartsWith(f.path, "verify/"))
			verify_count++;
		else if (f.path == "sqitch.conf")
			Note(f.path, 0, "sqitch.conf is not read: deploy/, revert/ and verify/ are expected beside sqitch.plan");
		else if (used_scripts.count(f.path) == 0) {
			bool script = StartsWith(f.path, "deploy/") || StartsWith(f.path, "revert/");
			Note(f.path, 0, script ? "script of no change in sqitch.plan; ignored" : "not a Sqitch file; ignored");
		}
	}
	if (verify_count > 0)
		Note("verify", 0,
			 std::to_string(verify_count) + " verify script" + (verify_count == 1 ? " is" : "s are") +
				 " not carried over (pgmig has no verify step)");
}

/* ---------------------------------------------------------------------
 * 5f. Alembic offline SQL
 * --------------------------------------------------------------------- */

/* The pgmig id of an Alembic revision: itself when valid, else "a_" before it (or before its slug). */
std::string
AlembicId(const std::string &revision)
{
	if (core::CheckRevisionId(revision).empty())
		return revision;
	std::string prefixed = "a_" + revision;
	if (core::CheckRevisionId(prefixed).empty())
		return prefixed;
	return IdWithSlug("a", revision);
}

/*
 * Alembic: the output of `alembic upgrade --sql`, one file, split at its
 * "-- Running upgrade <from> -> <to>" comments; parents are the <from>
 * revisions (several for a merge); alembic_version statements and
 * BEGIN;/COMMIT; are dropped.  That output holds no downgrade SQL.
 */
void
Importer::ImportAlembic()
{
	const SourceFile *file = nullptr;
	for (const SourceFile &f : files_) {
		if (StartsWith(Basename(f.path), "."))
			continue;
		if (!EndsWith(f.path, ".sql")) {
			Note(f.path, 0, "not a .sql file; ignored");
			continue;
		}
		if (file != nullptr) {
			Error(f.path, 0, "more than one .sql file (also " + file->path +
								 "): import the one output of alembic upgrade --sql");
			return;
		}
		file = &f;
	}
	if (file == nullptr) {
		Error("", 0, "no .sql file to import (expected the output of alembic upgrade --sql)");
		return;
	}
	if (!Usable(*file))
		return;

	/* The "-- Running ..." lines. */
	struct Step {
		int line = 0;
		std::size_t line_begin = 0, body_begin = 0;
		std::vector<std::string> from;
		std::string to;
	};
	std::vector<Step> steps;
	bool bad = false;
	constexpr std::string_view kRunning = "-- Running ";
	const std::string_view text = file->text;
	std::size_t at = 0;
	for (int line = 1; at < text.size(); line++) {
		std::size_t nl = text.find('\n', at);
		std::size_t next = nl == std::string::npos ? text.size() : nl + 1;
		const std::string_view raw = text.substr(at, next - at - (nl == std::string::npos ? 0 : 1));
		const std::string_view l = Trim(raw);
		if (StartsWith(raw, kRunning)) {
			std::string_view what = Trim(raw.substr(kRunning.size()));
			std::size_t arrow = what.find("->");
			if (!StartsWith(what, "upgrade ") || arrow == std::string_view::npos) {
				Error(file->path, line,
					  "only \"-- Running upgrade <from> -> <to>\" steps can be imported (found " + Q(l) +
						  "; import the output of alembic upgrade --sql)");
				bad = true;
			} else {
				Step s;
				s.line = line;
				s.line_begin = at;
				s.body_begin = next;
				std::string_view from = Trim(what.substr(8, arrow - 8));
				s.to = std::string(Trim(what.substr(arrow + 2)));
				while (!from.empty()) {
					std::size_t comma = from.find(',');
					std::string_view one = Trim(from.substr(0, comma));
					if (!one.empty())
						s.from.emplace_back(one);
					from = comma == std::string_view::npos ? std::string_view() : from.substr(comma + 1);
				}
				if (s.to.empty() || s.to.find_first_of(", \t") != std::string::npos) {
					Error(file->path, line, "cannot read the revision after \"->\" in " + Q(l));
					bad = true;
				} else
					steps.push_back(std::move(s));
			}
		}
		at = next;
	}
	if (bad)
		return;
	if (steps.empty()) {
		Error(file->path, 0, "no \"-- Running upgrade\" comment: not the output of alembic upgrade --sql");
		return;
	}

	/* What comes before the first step: alembic's setup, nothing else expected. */
	{
		BodySource pre{file, 0, steps[0].line_begin};
		BuiltBody body = BuildBody(pre, Strip::kAlembic);
		if (!body.statements.empty())
			Note(file->path, file->Line(body.statements[0].begin),
				 "SQL before the first \"-- Running upgrade\" comment belongs to no revision; not imported");
	}
	Note(file->path, 0,
		 "alembic upgrade --sql holds no downgrade SQL: the imported revisions have no down body");

	std::map<std::string, int> seen; /* alembic revision -> line of its step */
	std::map<std::string, std::string> id_of;
	for (std::size_t k = 0; k < steps.size(); k++) {
		const Step &s = steps[k];
		auto [it, inserted] = seen.emplace(s.to, s.line);
		if (!inserted) {
			Error(file->path, s.line,
				  "revision " + Q(s.to) + " is upgraded to twice (also on line " + std::to_string(it->second) + ")");
			continue;
		}
		Candidate c;
		c.tool_id = s.to;
		c.id = AlembicId(s.to);
		c.origin = file;
		c.origin_line = s.line;
		c.linear = false;
		for (const std::string &from : s.from) {
			auto parent = id_of.find(from);
			if (parent == id_of.end())
				Note(file->path, s.line,
					 "down revision " + Q(from) + " of " + Q(s.to) +
						 " is not in this file (the SQL starts after it); it is not a parent");
			else if (std::find(c.parents.begin(), c.parents.end(), parent->second) == c.parents.end())
				c.parents.push_back(parent->second);
		}
		c.up = {file, s.body_begin, k + 1 < steps.size() ? steps[k + 1].line_begin : text.size()};
		c.strip = Strip::kAlembic;
		std::string id = c.id;
		if (Emit(std::move(c)))
			id_of[s.to] = id;
	}
}

/* Runs the format's importer, then the self-check; sorts the notes and errors. */
ImportResult
Importer::Run()
{
	switch (format_) {
	case ImportFormat::kFlyway:
		ImportFlyway();
		break;
	case ImportFormat::kGolangMigrate:
		ImportGolangMigrate();
		break;
	case ImportFormat::kDbmate:
		ImportDbmate();
		break;
	case ImportFormat::kDiesel:
		ImportDiesel();
		break;
	case ImportFormat::kSqitch:
		ImportSqitch();
		break;
	case ImportFormat::kAlembicSql:
		ImportAlembic();
		break;
	}
	Finish();
	/* Like CheckFolder's diagnostics: by file, then line (the order found within a line). */
	auto by_place = [](const ImportNote &a, const ImportNote &b) {
		return a.file != b.file ? a.file < b.file : a.line < b.line;
	};
	std::stable_sort(result_.notes.begin(), result_.notes.end(), by_place);
	std::stable_sort(result_.errors.begin(), result_.errors.end(), by_place);
	return std::move(result_);
}

/* ======================================================================
 * 6. Reading a folder
 * ====================================================================== */

/* Whether ImportDirectory reads the file at `rel` (a path relative to the folder) for the format. */
bool
Wanted(ImportFormat f, const std::string &rel)
{
	const std::size_t depth = static_cast<std::size_t>(std::count(rel.begin(), rel.end(), '/'));
	std::string_view base = Basename(rel);
	switch (f) {
	case ImportFormat::kFlyway:
		return EndsWith(base, ".sql") || EndsWith(base, ".sql.conf");
	case ImportFormat::kGolangMigrate:
	case ImportFormat::kDbmate:
	case ImportFormat::kAlembicSql:
		return depth == 0 && EndsWith(base, ".sql");
	case ImportFormat::kDiesel:
		return depth == 1 && (base == "up.sql" || base == "down.sql" || base == "metadata.toml");
	case ImportFormat::kSqitch:
		return rel == "sqitch.plan" || rel == "sqitch.conf" ||
			((StartsWith(rel, "deploy/") || StartsWith(rel, "revert/") || StartsWith(rel, "verify/")) &&
			 EndsWith(base, ".sql"));
	}
	return false;
}

/* Reads a whole file; false (with the reason) when it cannot. */
bool
ReadWholeFile(const std::filesystem::path &path, std::string *content, std::string *why)
{
	std::ifstream in(path, std::ios::binary);
	if (!in) {
		*why = std::strerror(errno);
		return false;
	}
	std::ostringstream buffer;
	buffer << in.rdbuf();
	if (in.bad()) {
		*why = std::strerror(errno);
		return false;
	}
	*content = buffer.str();
	return true;
}

} // namespace

/* "file:line: message", "file: message" for a whole file, the message alone without a file. */
std::string
ImportNote::Format() const
{
	if (file.empty())
		return message;
	if (line == 0)
		return file + ": " + message;
	return file + ":" + std::to_string(line) + ": " + message;
}

/* The command-line names, exactly. */
std::optional<ImportFormat>
ParseImportFormat(std::string_view name)
{
	static const std::pair<std::string_view, ImportFormat> kNames[] = {
		{"flyway", ImportFormat::kFlyway}, {"golang-migrate", ImportFormat::kGolangMigrate},
		{"dbmate", ImportFormat::kDbmate}, {"diesel", ImportFormat::kDiesel},
		{"sqitch", ImportFormat::kSqitch}, {"alembic-sql", ImportFormat::kAlembicSql},
	};
	for (const auto &[n, f] : kNames) {
		if (n == name)
			return f;
	}
	return std::nullopt;
}

/* The inverse of ParseImportFormat. */
std::string_view
ImportFormatName(ImportFormat f)
{
	switch (f) {
	case ImportFormat::kFlyway:
		return "flyway";
	case ImportFormat::kGolangMigrate:
		return "golang-migrate";
	case ImportFormat::kDbmate:
		return "dbmate";
	case ImportFormat::kDiesel:
		return "diesel";
	case ImportFormat::kSqitch:
		return "sqitch";
	case ImportFormat::kAlembicSql:
		return "alembic-sql";
	}
	return "unknown";
}

/* See importers.hpp. */
ImportResult
ImportFiles(ImportFormat f, const std::vector<std::pair<std::string, std::string>> &files)
{
	return Importer(f, files).Run();
}

/*
 * Walks the folder (recursively, without following symbolic links to
 * folders), reads the files Wanted() picks, and imports them; an Alembic
 * file may be given directly.  Read failures are errors and stop the import.
 */
ImportResult
ImportDirectory(ImportFormat f, const std::string &dir)
{
	namespace fs = std::filesystem;
	ImportResult failed;
	std::vector<std::pair<std::string, std::string>> files;
	std::error_code ec;
	const fs::path root(dir);

	const fs::file_status status = fs::status(root, ec);
	if (status.type() == fs::file_type::not_found) {
		failed.errors.push_back(
			{dir, 0, "cannot read directory: " + std::make_error_code(std::errc::no_such_file_or_directory).message()});
		return failed;
	}
	if (ec) {
		failed.errors.push_back({dir, 0, "cannot read directory: " + ec.message()});
		return failed;
	}
	if (f == ImportFormat::kAlembicSql && fs::is_regular_file(status)) {
		std::string content, why;
		if (!ReadWholeFile(root, &content, &why)) {
			failed.errors.push_back({dir, 0, "cannot read file: " + why});
			return failed;
		}
		files.emplace_back(root.filename().string(), std::move(content));
		return ImportFiles(f, files);
	}
	if (!fs::is_directory(status)) {
		failed.errors.push_back({dir, 0, "not a directory"});
		return failed;
	}
	fs::recursive_directory_iterator it(root, ec), end;
	if (ec) {
		failed.errors.push_back({dir, 0, "cannot read directory: " + ec.message()});
		return failed;
	}
	for (; it != end; it.increment(ec)) {
		if (ec)
			break;
		std::error_code type_ec;
		if (!it->is_regular_file(type_ec))
			continue;
		std::string rel = it->path().lexically_relative(root).generic_string();
		if (!Wanted(f, rel))
			continue;
		std::string content, why;
		if (!ReadWholeFile(it->path(), &content, &why)) {
			failed.errors.push_back({(root / rel).string(), 0, "cannot read file: " + why});
			continue;
		}
		files.emplace_back(std::move(rel), std::move(content));
	}
	if (ec)
		failed.errors.push_back({dir, 0, "cannot read directory: " + ec.message()});
	if (!failed.errors.empty())
		return failed;
	return ImportFiles(f, files);
}

} // namespace pgmig::client
