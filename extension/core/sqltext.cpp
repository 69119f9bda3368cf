/*
 * extension/core/sqltext.cpp
 *
 * The text rules declared in sqltext.hpp, each a single forward pass over the
 * bytes with no allocation beyond the result.
 *
 * Blanks and comments follow PostgreSQL's scanner (scan.l): white space is any
 * of space, tab, newline, carriage return, form feed and vertical tab; a line
 * comment runs from "--" to the next newline or carriage return; a block
 * comment opens with "slash star", closes with "star slash" and nests, and the
 * opening pair is consumed before looking for the closing one (so the slash
 * in "slash star slash" does not close it).  An unterminated block comment
 * runs to the end of the text; the server reports that error itself, here we
 * only need never to read past the end.
 *
 * Characters are counted in UTF-8: a byte starts a character unless it is a
 * continuation byte (10xxxxxx), and offset 0 always starts one, so malformed
 * input still gives consistent, in-range answers from LineColumnAt and
 * ByteOffsetOfCharacter.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "sqltext.hpp"

#include <algorithm>
#include <climits>

namespace pgmig::core {

namespace {

/* White space as PostgreSQL's scanner defines it (all ASCII white space). */
bool
IsSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* True when byte `i` of `text` starts a UTF-8 character (see file header). */
bool
StartsCharacter(std::string_view text, std::size_t i)
{
	return i == 0 || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
}

/* Clamps a count to the int range of LineColumn. */
int
ToInt(std::size_t n)
{
	return n > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(n);
}

/*
 * Column of offset `end` on the line starting at `line_start`: one plus the
 * characters that start before it, and, for an offset inside a multi-byte
 * character, the column of that character.
 */
int
ColumnBetween(std::string_view text, std::size_t line_start, std::size_t end)
{
	std::size_t column = 1;
	for (std::size_t i = line_start; i < end; i++) {
		if (StartsCharacter(text, i))
			column++;
	}
	if (end < text.size() && column > 1 && !StartsCharacter(text, end))
		column--;
	return ToInt(column);
}

} // namespace

/*
 * Skips white space, line comments and (nested) block comments from `from`
 * and returns the offset of the first byte of real text, or text.size().
 */
std::size_t
SkipBlanksAndComments(std::string_view text, std::size_t from)
{
	const std::size_t n = text.size();
	std::size_t i = from;
	while (i < n) {
		if (IsSpace(text[i])) {
			i++;
		} else if (text[i] == '-' && i + 1 < n && text[i + 1] == '-') {
			i += 2;
			while (i < n && text[i] != '\n' && text[i] != '\r')
				i++;
		} else if (text[i] == '/' && i + 1 < n && text[i + 1] == '*') {
			std::size_t depth = 1;
			i += 2;
			while (i < n && depth > 0) {
				if (text[i] == '/' && i + 1 < n && text[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (text[i] == '*' && i + 1 < n && text[i + 1] == '/') {
					depth--;
					i += 2;
				} else
					i++;
			}
		} else
			return i;
	}
	return n;
}

/*
 * Line (by '\n') and column (in characters) of a byte offset; offsets past the
 * end count as the end, and an offset inside a multi-byte character gives
 * that character's column.
 */
LineColumn
LineColumnAt(std::string_view text, std::size_t byte_offset)
{
	const std::size_t end = byte_offset < text.size() ? byte_offset : text.size();
	std::size_t line = 1;
	std::size_t line_start = 0;
	for (std::size_t i = 0; i < end; i++) {
		if (text[i] == '\n') {
			line++;
			line_start = i + 1;
		}
	}
	LineColumn lc;
	lc.line = ToInt(line);
	lc.column = ColumnBetween(text, line_start, end);
	return lc;
}

/* Records where every line starts, in one pass. */
LineIndex::LineIndex(std::string_view text) : text_(text)
{
	line_starts_.push_back(0);
	for (std::size_t i = 0; i < text.size(); i++) {
		if (text[i] == '\n')
			line_starts_.push_back(i + 1);
	}
}

/* Line of an offset: the number of line starts at or before it (binary search). */
int
LineIndex::LineAt(std::size_t byte_offset) const
{
	const std::size_t end = byte_offset < text_.size() ? byte_offset : text_.size();
	auto after = std::upper_bound(line_starts_.begin(), line_starts_.end(), end);
	return ToInt(static_cast<std::size_t>(after - line_starts_.begin()));
}

/* Line and column as LineColumnAt gives them, counting columns from the line start only. */
LineColumn
LineIndex::At(std::size_t byte_offset) const
{
	const std::size_t end = byte_offset < text_.size() ? byte_offset : text_.size();
	LineColumn lc;
	lc.line = LineAt(end);
	const std::size_t line_start = line_starts_[static_cast<std::size_t>(lc.line) - 1];
	lc.column = ColumnBetween(text_, line_start, end);
	return lc;
}

/* Offset of the first byte of character number `char_index` (0-based). */
std::size_t
ByteOffsetOfCharacter(std::string_view text, std::size_t char_index)
{
	std::size_t seen = 0;
	for (std::size_t i = 0; i < text.size(); i++) {
		if (StartsCharacter(text, i)) {
			if (seen == char_index)
				return i;
			seen++;
		}
	}
	return text.size();
}

/*
 * The checksum text: line endings unified to "\n", trailing spaces and tabs
 * dropped from each line, trailing newlines dropped from the end.  Blanks are
 * held back until something other than a line end follows them.
 */
std::string
NormalizeForChecksum(std::string_view body)
{
	std::string out;
	out.reserve(body.size());
	std::size_t held_from = 0; /* start in `body` of the blanks held back */
	std::size_t held = 0;      /* how many */
	for (std::size_t i = 0; i < body.size(); i++) {
		char c = body[i];
		if (c == ' ' || c == '\t') {
			if (held == 0)
				held_from = i;
			held++;
		} else if (c == '\n' || c == '\r') {
			held = 0;
			out.push_back('\n');
			if (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n')
				i++;
		} else {
			if (held > 0) {
				out.append(body.data() + held_from, held);
				held = 0;
			}
			out.push_back(c);
		}
	}
	while (!out.empty() && out.back() == '\n')
		out.pop_back();
	return out;
}

/* True when nothing but blanks and comments is left in the text. */
bool
IsBlank(std::string_view text)
{
	return SkipBlanksAndComments(text, 0) == text.size();
}

/* See sqltext.hpp. */
std::string
QuoteForMessage(std::string_view text, std::size_t max_length, bool escape_non_ascii)
{
	static const char hex[] = "0123456789abcdef";
	std::size_t shown = std::min(text.size(), max_length);
	std::string out;
	out.reserve(shown + 8);
	out.push_back('"');
	for (std::size_t i = 0; i < shown; i++) {
		unsigned char c = static_cast<unsigned char>(text[i]);
		if (c == '"' || c == '\\') {
			out.push_back('\\');
			out.push_back(static_cast<char>(c));
		} else if (c < 0x20 || c == 0x7f || (escape_non_ascii && c >= 0x80)) {
			out += "\\x";
			out.push_back(hex[c >> 4]);
			out.push_back(hex[c & 0xf]);
		} else
			out.push_back(static_cast<char>(c));
	}
	if (shown < text.size())
		out += "...";
	out.push_back('"');
	return out;
}

} // namespace pgmig::core
