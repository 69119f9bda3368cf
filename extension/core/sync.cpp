/*
 * extension/core/sync.cpp
 *
 * The sync digest's lines and digest (see sync.hpp).  Plain C++17: the
 * client and the extension link the same code.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "sync.hpp"

#include <algorithm>
#include <utility>

#include "sha256.hpp"

namespace pgmig::core {

namespace {

/* The list joined by ','. */
void
AppendJoined(std::string &out, const std::vector<std::string> &list)
{
	for (std::size_t i = 0; i < list.size(); i++) {
		if (i > 0)
			out += ',';
		out += list[i];
	}
}

} // namespace

/* See sync.hpp. */
void
AppendSyncLine(std::string &line, const std::string &id, const std::vector<std::string> &parents,
               const std::vector<std::string> &depends_on, const std::vector<std::string> &branch_labels,
               const std::optional<std::string> &message, const std::string &checksum,
               const std::optional<std::string> &down_checksum)
{
	line += id;
	line += '\x1f';
	AppendJoined(line, parents);
	line += '\x1f';
	AppendJoined(line, depends_on);
	line += '\x1f';
	AppendJoined(line, branch_labels);
	line += '\x1f';
	if (message)
		line += *message;
	else
		line += '\x1e';
	line += '\x1f';
	line += checksum;
	line += '\x1f';
	if (down_checksum)
		line += *down_checksum;
}

/* See sync.hpp. */
std::string
SyncLine(const std::string &id, const std::vector<std::string> &parents, const std::vector<std::string> &depends_on,
         const std::vector<std::string> &branch_labels, const std::optional<std::string> &message,
         const std::string &checksum, const std::optional<std::string> &down_checksum)
{
	std::string line;
	AppendSyncLine(line, id, parents, depends_on, branch_labels, message, checksum, down_checksum);
	return line;
}

/* See sync.hpp. */
std::string
SyncDigest(std::vector<std::pair<std::string, std::string>> lines)
{
	std::vector<std::pair<std::string_view, std::string_view>> views(lines.begin(), lines.end());
	return Sha256Hex(SyncDigestText(std::move(views)));
}

/* See sync.hpp. */
std::string
SyncDigestText(std::vector<std::pair<std::string_view, std::string_view>> lines)
{
	std::sort(lines.begin(), lines.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
	std::size_t total = 0;
	for (const auto &l : lines)
		total += l.second.size() + 1;
	std::string all;
	all.reserve(total);
	for (std::size_t i = 0; i < lines.size(); i++) {
		if (i > 0)
			all += '\n';
		all += lines[i].second;
	}
	return all;
}

} // namespace pgmig::core
