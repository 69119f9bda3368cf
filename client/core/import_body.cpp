/*
 * client/core/import_body.cpp
 *
 * Cutting a migration body out of a source file (import_body.hpp).  A
 * BodySource is a region of a source file (a whole Flyway file, a dbmate
 * section, one step of Alembic's output, ...).  BuildBody splits it into
 * statements (import_sql.hpp) and removes the ones its format strips:
 * always whole statements, with their line when they stand alone on it and
 * one blank line after, else with the padding around them.  It then drops
 * blank lines at both ends (a pgmig file cannot keep them, docs/format.md)
 * and ends the text with a newline.  Nothing else of the tool's bytes
 * changes (docs/import.md, "What every import does").
 *
 * The built body keeps a map from its offsets back to the file's, so that a
 * note about a body line points at the tool's file and line.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "import_body.hpp"

#include "migfile.hpp"

#include <algorithm>

namespace pgmig::client::import_impl {

namespace {

/* A byte range [begin, end). */
struct Span {
	std::size_t begin = 0;
	std::size_t end = 0;
};

/*
 * The span to remove for a statement: the statement itself; when it stands
 * alone on its line(s), the whole line(s) and one blank line after; else
 * the padding after it (and, at the end of its line, the padding before it).
 */
Span
RemovalSpan(std::string_view text, const BodySource &src, const Statement &s)
{
	std::size_t start = s.begin, stop = s.end;
	std::size_t before = start;
	while (before > src.begin && IsPad(text[before - 1]))
		before--;
	const bool at_line_start = before == src.begin || text[before - 1] == '\n';
	std::size_t after = stop;
	while (after < src.end && IsPad(text[after]))
		after++;
	const bool at_line_end = after == src.end || text[after] == '\n';
	if (at_line_start && at_line_end) {
		start = before;
		stop = after < src.end ? after + 1 : after;
		std::size_t blank = stop;
		while (blank < src.end && IsPad(text[blank]))
			blank++;
		if (blank < src.end && text[blank] == '\n')
			stop = blank + 1;
	} else if (at_line_end) {
		start = before;
		stop = after;
	} else
		stop = after;
	return {start, stop};
}

} // namespace

/*
 * Cuts a body out of its region: removes what `strip` asks for, then blank
 * lines at both ends (a pgmig file cannot keep them), and ends the text with
 * a newline.  The kept statements are returned for the caller's checks.
 */
BuiltBody
BuildBody(const BodySource &src, Strip strip)
{
	const std::string_view text = src.file->text;
	BuiltBody body;
	std::vector<Statement> all = SplitStatements(text, src.begin, src.end);
	std::vector<bool> removed(all.size(), false);
	if (strip == Strip::kWrapper && all.size() >= 2 && IsPlainBegin(all.front()) && IsPlainCommit(all.back())) {
		removed.front() = removed.back() = true;
		body.stripped_wrapper = true;
		body.wrapper_at = all.front().begin;
	} else if (strip == Strip::kAlembic) {
		for (std::size_t k = 0; k < all.size(); k++)
			removed[k] = IsPlainBegin(all[k]) || IsPlainCommit(all[k]) || IsAlembicBookkeeping(all[k]);
	}
	std::vector<Span> spans;
	for (std::size_t k = 0; k < all.size(); k++) {
		if (removed[k])
			spans.push_back(RemovalSpan(text, src, all[k]));
		else
			body.statements.push_back(std::move(all[k]));
	}
	/* The kept ranges: the region minus the (sorted, possibly touching) removed spans. */
	std::string out;
	std::vector<Segment> map;
	std::size_t at = src.begin;
	auto keep = [&](std::size_t from, std::size_t to) {
		if (to > from) {
			map.push_back({out.size(), from, to - from});
			out.append(text.substr(from, to - from));
		}
	};
	for (const Span &span : spans) {
		if (span.begin > at)
			keep(at, span.begin);
		at = std::max(at, span.end);
	}
	keep(at, src.end);

	/* Drop blank lines (nothing but spaces, tabs, carriage returns) at the start and at the end. */
	std::size_t first = out.size(), last = 0;
	for (std::size_t line_start = 0; line_start < out.size();) {
		std::size_t nl = out.find('\n', line_start);
		std::size_t next = nl == std::string::npos ? out.size() : nl + 1;
		std::string_view line(out.data() + line_start, (nl == std::string::npos ? out.size() : nl) - line_start);
		if (!Trim(line).empty()) {
			first = std::min(first, line_start);
			last = next;
		}
		line_start = next;
	}
	if (first >= last)
		first = last = 0;
	body.text = out.substr(first, last - first);
	for (const Segment &seg : map) {
		std::size_t b = std::max(seg.out, first), e = std::min(seg.out + seg.length, last);
		if (e > b)
			body.map.push_back({b - first, seg.src + (b - seg.out), e - b});
	}
	if (!body.text.empty() && body.text.back() != '\n')
		body.text.push_back('\n');
	return body;
}

} // namespace pgmig::client::import_impl
