/*
 * client/src/new_files.hpp
 *
 * New migration files: their ids and their writing.  See new_files.cpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_NEW_FILES_HPP
#define PGMIG_CLIENT_NEW_FILES_HPP

#include <string>

namespace pgmig::client {

/* Writes a new migration file; refuses to overwrite. */
void WriteNewFile(const std::string &path, const std::string &text);
/* A new id for a revision of the folder dir, after every time-stamped one. */
std::string NewRevisionId(const std::string &dir, const std::string &message);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_NEW_FILES_HPP */
