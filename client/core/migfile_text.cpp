/*
 * client/core/migfile_text.cpp
 *
 * The byte-level text rules of migration files (migfile.hpp): what is valid
 * UTF-8 (overlong forms, surrogates and code points beyond U+10FFFF are
 * invalid, as in PostgreSQL), and what counts as padding (space, tab,
 * carriage return).  The reader, the importers and the client use them.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "migfile.hpp"

namespace pgmig::client {

/* See migfile.hpp. */
std::size_t
Utf8SequenceLength(std::string_view text, std::size_t i)
{
	unsigned char c = static_cast<unsigned char>(text[i]);
	if (c < 0x80)
		return 1;
	std::size_t length;
	unsigned char low = 0x80, high = 0xbf; /* range of the second byte */
	if (c >= 0xc2 && c <= 0xdf)
		length = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		length = 3;
		if (c == 0xe0)
			low = 0xa0;
		else if (c == 0xed)
			high = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		length = 4;
		if (c == 0xf0)
			low = 0x90;
		else if (c == 0xf4)
			high = 0x8f;
	} else
		return 0;
	if (text.size() - i < length)
		return 0;
	unsigned char second = static_cast<unsigned char>(text[i + 1]);
	if (second < low || second > high)
		return 0;
	for (std::size_t k = 2; k < length; k++) {
		if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80)
			return 0;
	}
	return length;
}

/* See migfile.hpp. */
std::size_t
FirstInvalidUtf8(std::string_view text)
{
	for (std::size_t i = 0; i < text.size();) {
		if (static_cast<unsigned char>(text[i]) < 0x80) {
			i++; /* ASCII, most of a migration: no call per byte */
			continue;
		}
		std::size_t n = Utf8SequenceLength(text, i);
		if (n == 0)
			return i;
		i += n;
	}
	return std::string_view::npos;
}

/* See migfile.hpp. */
bool
IsPad(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* See migfile.hpp. */
std::string_view
Trim(std::string_view text)
{
	while (!text.empty() && IsPad(text.front()))
		text.remove_prefix(1);
	while (!text.empty() && IsPad(text.back()))
		text.remove_suffix(1);
	return text;
}

} // namespace pgmig::client
