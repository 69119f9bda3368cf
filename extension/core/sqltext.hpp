/*
 * extension/core/sqltext.hpp
 *
 * Small, server-independent rules about the text of a migration body: where a
 * statement really starts (the parser's statement location includes the blanks
 * and comments after the previous semicolon), which line and column a byte
 * offset falls on, and what a body's checksum is computed over.
 *
 * Checksum rule (stable across pgmig versions; changing it needs a catalog
 * migration of stored checksums): the sha-256 is taken over the body with
 * "\r\n" and lone "\r" turned into "\n", trailing spaces and tabs removed from
 * every line, and trailing newlines removed from the end.  A formatter that
 * only changes line endings or trailing blanks therefore does not change the
 * checksum; any other edit does.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CORE_SQLTEXT_HPP
#define PGMIG_CORE_SQLTEXT_HPP

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pgmig::core {

/*
 * Byte offset of the first character at or after `from` that is neither
 * white space nor inside a SQL comment ("-- ..." to end of line, or a nested
 * C-style block, which may nest).  Returns text.size() when only blanks and comments
 * remain.
 */
std::size_t SkipBlanksAndComments(std::string_view text, std::size_t from);

/* 1-based line and column of a byte offset; the column counts UTF-8
 * characters (continuation bytes are not counted). */
struct LineColumn {
	int line = 1;
	int column = 1;
};
LineColumn LineColumnAt(std::string_view text, std::size_t byte_offset);

/*
 * The same answers as LineColumnAt for many offsets into one text.
 * LineColumnAt scans from the start of the text on every call, so calling it
 * once per statement of a large body is quadratic; a LineIndex is built in
 * one pass, then LineAt costs O(log lines) and At that plus the length of the
 * line up to the offset.  The text must outlive the index.
 */
class LineIndex {
public:
	explicit LineIndex(std::string_view text);
	int LineAt(std::size_t byte_offset) const;
	LineColumn At(std::size_t byte_offset) const;

private:
	std::string_view text_;
	std::vector<std::size_t> line_starts_; /* offset of the first byte of each line */
};

/* Byte offset of the n-th (0-based) UTF-8 character, or text.size(). */
std::size_t ByteOffsetOfCharacter(std::string_view text, std::size_t char_index);

/* The text the checksum is computed over (see file header). */
std::string NormalizeForChecksum(std::string_view body);

/* True when the text holds only blanks and comments. */
bool IsBlank(std::string_view text);

/*
 * Quotes user text for a message: double quotes around it, '"' and '\'
 * escaped, control bytes (and, with escape_non_ascii, every byte >= 0x7f, so
 * the result is ASCII whatever the input) shown as \xNN, text longer than
 * max_length cut short with "...".  A hostile id cannot garble a message.
 */
std::string QuoteForMessage(std::string_view text, std::size_t max_length, bool escape_non_ascii);

} // namespace pgmig::core

#endif /* PGMIG_CORE_SQLTEXT_HPP */
