/*
 * client/core/import_text.cpp
 *
 * The text helpers every importer uses (import_text.hpp): quoting user text
 * for a note, prefix and digit tests, version numbers compared as numbers of
 * any length, and the ids and messages made from a tool's file names.
 *
 * Ids are made the way `pgmig new` makes them (MakeRevisionId in
 * migfile_write.cpp): the tool's version first, then a slug of ASCII letters
 * (lower-cased) and digits, every other run of bytes one "_", at most 48
 * characters; docs/import.md ("What every import does") states the rule.
 * Messages are made header-safe: control bytes become spaces and invalid
 * UTF-8 becomes "?".
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "import_text.hpp"

#include "migfile.hpp"
#include "sqltext.hpp"

#include <algorithm>

namespace pgmig::client::import_impl {

namespace {

/* Longest piece of user text quoted in a note or error. */
constexpr std::size_t kMaxQuoted = 80;

/* Longest slug put into an id (as MakeRevisionId does). */
constexpr std::size_t kMaxSlug = 48;

} // namespace

/*
 * See import_text.hpp.  The slug MakeRevisionId puts after the time: ASCII
 * letters (lower-cased) and digits kept, every other run of bytes one "_",
 * trimmed, at most 48 characters.
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

} // namespace pgmig::client::import_impl
