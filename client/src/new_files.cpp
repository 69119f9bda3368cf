/*
 * client/src/new_files.cpp
 *
 * New migration files (see new_files.hpp).
 *
 * Design.  new and merge name a revision by its creation time and message
 * (MakeRevisionId, client/core/migfile), moved forward past the newest
 * time-stamped id in the folder, so that creation order is id order.  new,
 * merge and import write files that must not exist yet (fopen's "x", an
 * exclusive create): no file is ever overwritten.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "new_files.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "errors.hpp"
#include "migfile.hpp"

namespace pgmig::client {

/* Writes a new migration file; refuses to overwrite. */
void
WriteNewFile(const std::string &path, const std::string &text)
{
	std::FILE *fp = std::fopen(path.c_str(), "wx");
	if (fp == nullptr)
		throw Error("could not create " + path + ": " + std::strerror(errno));
	bool ok = std::fwrite(text.data(), 1, text.size(), fp) == text.size();
	ok = (std::fclose(fp) == 0) && ok;
	if (!ok)
		throw Error("could not write " + path + ": " + std::strerror(errno));
}

namespace {

/* True when an id starts with the "YYYYMMDD_HHMMSS" of MakeRevisionId. */
bool
HasTimePrefix(const std::string &id)
{
	if (id.size() < 15 || id[8] != '_')
		return false;
	for (std::size_t i = 0; i < 15; i++)
		if (i != 8 && !std::isdigit(static_cast<unsigned char>(id[i])))
			return false;
	return true;
}

} // namespace

/*
 * A new id that sorts after every time-stamped id already in the folder, so
 * that creation order is id order even for two revisions made within one
 * second (or after a clock step back): the time is moved forward a second at
 * a time until its prefix is past the newest one.
 */
std::string
NewRevisionId(const std::string &dir, const std::string &message)
{
	std::string newest;
	std::error_code ec;
	if (std::filesystem::is_directory(dir, ec))
		for (const auto &f : ReadFolder(dir).files)
			if (HasTimePrefix(f.revision) && f.revision.compare(0, 15, newest, 0, 15) > 0)
				newest = f.revision.substr(0, 15);
	std::time_t t = std::time(nullptr);
	std::string id = MakeRevisionId(t, message);
	while (!newest.empty() && id.compare(0, 15, newest) <= 0)
		id = MakeRevisionId(++t, message);
	return id;
}

} // namespace pgmig::client
