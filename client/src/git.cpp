/*
 * client/src/git.cpp
 *
 * The client's git queries (see git.hpp): which revisions of the folder
 * changed since a ref, for `pgmig test --since REF`.
 *
 * Design.  git runs as a command through the shell (popen) inside the
 * folder, every word quoted for sh; its output is read to the end, and a
 * failing git is an Error naming the command and its exit status.  A file
 * counts as changed when git diff against the ref lists it (committed or
 * not) or it is new and not ignored; files are matched to revisions by name.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "git.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "errors.hpp"

namespace pgmig::client {

/* Runs a command and returns its standard output; throws when it fails. */
static std::string
CommandOutput(const std::string &cmd)
{
	std::FILE *p = popen(cmd.c_str(), "r");
	if (p == nullptr)
		throw Error("could not run: " + cmd);
	std::string text;
	char buf[4096];
	std::size_t n;
	while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
		text.append(buf, n);
	int rc = pclose(p);
	if (rc != 0)
		throw Error("`" + cmd + "` failed (exit " + std::to_string(WEXITSTATUS(rc)) + ")");
	return text;
}

/* Quotes a word for sh. */
static std::string
ShellQuote(const std::string &s)
{
	std::string q = "'";
	for (char c : s)
		q += c == '\'' ? std::string("'\\''") : std::string(1, c);
	return q + "'";
}

/* The revisions of the folder whose files changed since a git ref (committed or not, new included). */
std::vector<std::string>
ChangedRevisions(const Folder &folder, const std::string &dir, const std::string &ref)
{
	std::string q = ShellQuote(dir);
	std::string names = CommandOutput("cd " + q + " && git diff --name-only --relative " + ShellQuote(ref) +
									  " -- . && git ls-files --others --exclude-standard .");
	std::set<std::string> changed;
	std::size_t i = 0;
	while (i < names.size()) {
		std::size_t j = names.find('\n', i);
		if (j == std::string::npos)
			j = names.size();
		if (j > i)
			changed.insert(std::filesystem::path(names.substr(i, j - i)).filename().string());
		i = j + 1;
	}
	std::vector<std::string> out;
	for (const MigrationFile &f : folder.files)
		if (changed.count(std::filesystem::path(f.path).filename().string()) > 0)
			out.push_back(f.revision);
	return out;
}

} // namespace pgmig::client
