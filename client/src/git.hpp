/*
 * client/src/git.hpp
 *
 * The client's git queries.  See git.cpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_GIT_HPP
#define PGMIG_CLIENT_GIT_HPP

#include <string>
#include <vector>

#include "migfile.hpp"

namespace pgmig::client {

/* The revisions of the folder whose files changed since a git ref. */
std::vector<std::string> ChangedRevisions(const Folder &folder, const std::string &dir, const std::string &ref);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_GIT_HPP */
