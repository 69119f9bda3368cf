/*
 * client/core/migfile_syntax.hpp
 *
 * The syntax of a migration file's header, shared by the reader
 * (migfile_parse.cpp), the writer (migfile_write.cpp) and the folder checks
 * (migfile_folder.cpp): the "-- pgmig:" prefix, the down-body marker, the
 * header keys in their canonical order, and how user text is quoted in a
 * diagnostic.  docs/format.md describes the format.  Internal to
 * client/core: the public interface is migfile.hpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_MIGFILE_SYNTAX_HPP
#define PGMIG_CLIENT_MIGFILE_SYNTAX_HPP

#include <string>
#include <string_view>

namespace pgmig::client::migfile_impl {

/* The prefix of every header line, and the down-body marker. */
constexpr std::string_view kDirective = "-- pgmig:";
constexpr std::string_view kDownMarker = "-- pgmig:down";

/* Header keys, in canonical order. */
enum class Key { kRevision, kParents, kDependsOn, kBranch, kMessage, kNontransactional, kCount };
constexpr std::string_view kKeyNames[] = {"revision", "parents", "depends_on", "branch", "message",
										  "nontransactional"};

/*
 * Quotes user text for a diagnostic: double quotes around it, '"' and '\'
 * escaped, control and non-ASCII bytes as \xNN, long text cut short.
 */
std::string Quote(std::string_view text);

} // namespace pgmig::client::migfile_impl

#endif /* PGMIG_CLIENT_MIGFILE_SYNTAX_HPP */
