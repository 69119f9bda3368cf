/*
 * client/core/import_body.hpp
 *
 * The importers' source files and the bodies cut out of them
 * (import_body.cpp): a SourceFile (path, text, line index, encoding state),
 * a BodySource (a region of one), what a format strips, and BuildBody.
 * Internal to the importers.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_IMPORT_BODY_HPP
#define PGMIG_CLIENT_IMPORT_BODY_HPP

#include "import_sql.hpp"
#include "sqltext.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace pgmig::client::import_impl {

/* One input file. */
struct SourceFile {
	std::string path;
	std::string text;  /* content without a leading UTF-8 byte order mark */
	mutable int checked = 0;  /* 0: encoding not checked yet, 1: valid, -1: invalid (reported) */
	mutable std::unique_ptr<core::LineIndex> lines;

	/* 1-based line of a byte offset. */
	int Line(std::size_t offset) const
	{
		if (!lines)
			lines = std::make_unique<core::LineIndex>(text);
		return lines->LineAt(offset);
	}
};

/* A body to cut out of a source file: the region [begin, end) of its text. */
struct BodySource {
	const SourceFile *file = nullptr;
	std::size_t begin = 0;
	std::size_t end = 0;
};

/* What a format strips from its bodies. */
enum class Strip {
	kNone,
	kWrapper,        /* a leading BEGIN; with a trailing COMMIT; (Sqitch, golang-migrate) */
	kAlembic,        /* every BEGIN;, COMMIT; and alembic_version statement */
};

/* A piece of a built body: `length` bytes at `out` in the body came from `src` in the file. */
struct Segment {
	std::size_t out = 0;
	std::size_t src = 0;
	std::size_t length = 0;
};

/* A body built from a BodySource. */
struct BuiltBody {
	std::string text;
	std::vector<Segment> map;          /* body offset -> file offset */
	std::vector<Statement> statements; /* the statements kept, with file offsets */
	bool stripped_wrapper = false;     /* Strip::kWrapper removed a BEGIN;/COMMIT; pair */
	std::size_t wrapper_at = 0;        /* file offset of that BEGIN */

	/* The file offset of a body offset (the start of the body for offsets in added text). */
	std::size_t SourceOffset(std::size_t at) const
	{
		for (const Segment &seg : map) {
			if (at >= seg.out && at < seg.out + seg.length)
				return seg.src + (at - seg.out);
		}
		return map.empty() ? 0 : map.back().src + map.back().length;
	}
};

/*
 * Cuts a body out of its region: removes what `strip` asks for, then blank
 * lines at both ends, and ends the text with a newline; the kept statements
 * are returned for the caller's checks.
 */
BuiltBody BuildBody(const BodySource &src, Strip strip);

} // namespace pgmig::client::import_impl

#endif /* PGMIG_CLIENT_IMPORT_BODY_HPP */
