/*
 * client/core/migfile_write.cpp
 *
 * Writing migration files (migfile.hpp): RenderMigrationFile, the canonical
 * text of a migration (header keys in a fixed order with aligned values, the
 * bodies as they are, docs/format.md), which ParseMigrationFile reads back
 * to the same migration; and MakeRevisionId, the id `pgmig new` gives a new
 * file (UTC time stamp, then a slug of the message).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "migfile.hpp"

#include "migfile_syntax.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace pgmig::client {

/* The header syntax shared by the reader, the writer and the folder checks (migfile_syntax.hpp). */
using migfile_impl::Key;
using migfile_impl::kDirective;
using migfile_impl::kDownMarker;
using migfile_impl::kKeyNames;

namespace {

/* Longest slug MakeRevisionId puts after the time. */
constexpr std::size_t kMaxSlugLength = 48;

} // namespace

/* Canonical text: header keys in a fixed order with aligned values, the bodies as they are. */
std::string
RenderMigrationFile(const MigrationFile &f)
{
	std::string out;
	auto key = [&out](Key k, const std::string &value) {
		std::string name(kKeyNames[static_cast<std::size_t>(k)]);
		out += std::string(kDirective) + name;
		if (!value.empty()) {
			out.append(name.size() < 10 ? 11 - name.size() : 1, ' ');
			out += value;
		}
		out += '\n';
	};
	auto join = [](const std::vector<std::string> &words) {
		std::string s;
		for (const std::string &w : words)
			s += (s.empty() ? "" : " ") + w;
		return s;
	};
	key(Key::kRevision, f.revision);
	if (!f.parents.empty())
		key(Key::kParents, join(f.parents));
	if (!f.depends_on.empty())
		key(Key::kDependsOn, join(f.depends_on));
	if (!f.branch_labels.empty())
		key(Key::kBranch, join(f.branch_labels));
	if (f.message && !f.message->empty())
		key(Key::kMessage, *f.message);
	if (f.nontransactional)
		key(Key::kNontransactional, {});
	out += f.up;
	if (f.down) {
		if (!f.up.empty() && f.up.back() != '\n')
			out += '\n';
		out += '\n';
		out += std::string(kDownMarker) + "\n";
		out += *f.down;
	}
	return out;
}

/* Time stamp plus slug (see migfile.hpp); times outside years 0..9999 are clamped. */
std::string
MakeRevisionId(std::time_t when_utc, std::string_view message)
{
	constexpr std::time_t kLatest = static_cast<std::time_t>(253402300799LL); /* 9999-12-31 23:59:59 */
	constexpr std::time_t kEarliest = static_cast<std::time_t>(-62167219200LL); /* 0000-01-01 00:00:00 */
	std::time_t t = std::min(std::max(when_utc, kEarliest), kLatest);
	std::tm tm{};
	if (gmtime_r(&t, &tm) == nullptr) {
		t = 0;
		gmtime_r(&t, &tm);
	}
	char stamp[32];
	std::snprintf(stamp, sizeof stamp, "%04d%02d%02d_%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				  tm.tm_hour, tm.tm_min, tm.tm_sec);

	std::string slug;
	bool gap = false;
	for (char ch : message) {
		unsigned char c = static_cast<unsigned char>(ch);
		if (c >= 'A' && c <= 'Z')
			c = static_cast<unsigned char>(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (gap && !slug.empty())
				slug.push_back('_');
			slug.push_back(static_cast<char>(c));
			gap = false;
			if (slug.size() >= kMaxSlugLength)
				break;
		} else
			gap = true;
	}
	if (slug.size() > kMaxSlugLength)
		slug.resize(kMaxSlugLength);
	while (!slug.empty() && slug.back() == '_')
		slug.pop_back();
	return slug.empty() ? std::string(stamp) : std::string(stamp) + "_" + slug;
}

} // namespace pgmig::client
