/*
 * client/core/import_text.hpp
 *
 * Text helpers shared by the importers (import_*.cpp): quoting user text for
 * a note or error, prefix, suffix and digit tests, digit strings compared as
 * numbers, and the ids and messages made from a tool's names (the id rule
 * is that of `pgmig new`; docs/import.md, "What every import does").
 * Internal to the importers: the public interface is importers.hpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_IMPORT_TEXT_HPP
#define PGMIG_CLIENT_IMPORT_TEXT_HPP

#include <string>
#include <string_view>

namespace pgmig::client::import_impl {

/* Quotes user text for a message (escaped, ASCII, cut when long). */
std::string Q(std::string_view text);

/* True when `text` starts with `prefix`. */
bool StartsWith(std::string_view text, std::string_view prefix);

/* True when `text` ends with `suffix`. */
bool EndsWith(std::string_view text, std::string_view suffix);

/* ASCII digit test that never sees a negative char. */
bool IsDigit(char c);

/* True for a non-empty run of ASCII digits. */
bool AllDigits(std::string_view text);

/* The last component of a "/"-separated path. */
std::string_view Basename(std::string_view path);

/* A digit string without its leading zeros ("0" stays "0"). */
std::string_view StripZeros(std::string_view digits);

/* Compares two digit strings as (arbitrarily large) numbers: -1, 0 or 1. */
int CompareNumbers(std::string_view a, std::string_view b);

/* The slug MakeRevisionId makes of text: lower-case ASCII letters and digits, "_" between runs, at most 48. */
std::string Slug(std::string_view text);

/* `prefix` + "_" + the slug of `name` (as MakeRevisionId makes it), or just `prefix` when the slug is empty. */
std::string IdWithSlug(std::string_view prefix, std::string_view name);

/* A header-safe message from a tool's text: control bytes as spaces, invalid UTF-8 as "?", trimmed. */
std::string CleanMessage(std::string_view text);

/* A description from a file or folder name: "_" read as a space. */
std::string MessageFromName(std::string_view name);

} // namespace pgmig::client::import_impl

#endif /* PGMIG_CLIENT_IMPORT_TEXT_HPP */
