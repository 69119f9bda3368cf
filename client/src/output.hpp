/*
 * client/src/output.hpp
 *
 * Everything the pgmig client prints, minus the printing: a small JSON value
 * with a writer, aligned text tables, optional ANSI colour, human durations
 * and PostgreSQL array literals.  (Errors are in errors.hpp.)
 *
 * Design.  Verbs build values (a Json document, a Table, lines) and hand them
 * to main's printer; nothing here writes to a stream or looks at a terminal,
 * so the unit tests compare strings.  JSON output is deterministic: object
 * keys keep their insertion order, numbers are printed the same way on every
 * platform, and strings are escaped so that any byte sequence (file names are
 * not always UTF-8) gives valid JSON: invalid UTF-8 becomes U+FFFD.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_OUTPUT_HPP
#define PGMIG_CLIENT_OUTPUT_HPP

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgmig::client {

/*
 * A JSON value: null, boolean, integer, floating point, string, array or
 * object (keys in insertion order; Set replaces an existing key).
 */
class Json {
public:
	enum class Kind { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

	Json() = default;
	Json(std::nullptr_t) {}
	Json(bool b) : kind_(Kind::kBool), bool_(b) {}
	Json(int i) : kind_(Kind::kInt), int_(i) {}
	Json(std::int64_t i) : kind_(Kind::kInt), int_(i) {}
	Json(std::size_t i) : kind_(Kind::kInt), int_(static_cast<std::int64_t>(i)) {}
	Json(double d) : kind_(Kind::kDouble), double_(d) {}
	Json(const char *s) : kind_(Kind::kString), string_(s) {}
	Json(std::string s) : kind_(Kind::kString), string_(std::move(s)) {}
	Json(std::string_view s) : kind_(Kind::kString), string_(s) {}

	static Json Array() { Json j; j.kind_ = Kind::kArray; return j; }
	static Json Object() { Json j; j.kind_ = Kind::kObject; return j; }
	/* An array of strings. */
	static Json Strings(const std::vector<std::string> &items);
	/* A string, or null when absent. */
	static Json OptString(const std::optional<std::string> &s);

	Kind kind() const { return kind_; }
	/* Appends to an array (a null value becomes an array first). */
	Json &Push(Json value);
	/* Sets a key of an object (a null value becomes an object first). */
	Json &Set(std::string_view key, Json value);
	/* The value of a key, or nullptr. */
	const Json *Get(std::string_view key) const;
	std::size_t size() const;

	/* Compact text when indent < 0, else pretty with that many spaces. */
	std::string Dump(int indent = 2) const;

private:
	void DumpTo(std::string &out, int indent, int depth) const;

	Kind kind_ = Kind::kNull;
	bool bool_ = false;
	std::int64_t int_ = 0;
	double double_ = 0;
	std::string string_;
	std::vector<Json> items_;
	std::vector<std::pair<std::string, Json>> members_;
};

/* A JSON string literal, quotes included (see file header for the rules). */
std::string JsonQuote(std::string_view text);

/* ANSI styles used by the client; Paint returns text unchanged when !enabled. */
enum class Style { kBold, kDim, kGreen, kYellow, kRed, kCyan };
std::string Paint(std::string_view text, Style style, bool enabled);

/* Display width of UTF-8 text: code points, ANSI escape sequences excluded. */
std::size_t DisplayWidth(std::string_view text);

/*
 * An aligned text table: a header row and data rows, columns separated by
 * two spaces, each as wide as its widest cell; right-aligned columns for
 * numbers; no trailing blanks.  Newlines and tabs inside cells are shown as
 * spaces so that one row stays one line.  The header is bold when colour is on.
 */
class Table {
public:
	explicit Table(std::vector<std::string> headers);
	/* Right-aligns column i. */
	Table &AlignRight(std::size_t column);
	/* Adds a row; missing cells are empty, extra cells are dropped. */
	void AddRow(std::vector<std::string> cells);
	std::size_t rows() const { return rows_.size(); }
	/*
	 * The table, one line per row, each ending in '\n' and starting with
	 * indent; without rows only the header (or nothing when !header).
	 */
	std::string Render(bool color, bool header = true, std::string_view indent = "") const;

private:
	std::vector<std::string> headers_;
	std::vector<bool> right_;
	std::vector<std::vector<std::string>> rows_;
};

/*
 * A duration in seconds for people: "0 ms", "12 ms", "1.23 s", "59.9 s",
 * "2 min 05 s", "1 h 02 min".
 */
std::string FormatSeconds(double seconds);

/* "1 revision" / "3 revisions". */
std::string Plural(std::int64_t n, std::string_view singular, std::string_view plural);

/* A text[] literal for a parameter: {"a","b\"c"}; every element quoted. */
std::string PgArrayLiteral(const std::vector<std::string> &items);

/*
 * Parses PostgreSQL's text output of a one-dimensional text[] ("{a,b}",
 * "{\"a b\",NULL}"); NULL elements become empty strings.  Bad input gives
 * what could be read.
 */
std::vector<std::string> ParsePgArray(std::string_view text);

/* Items joined with a separator. */
std::string Join(const std::vector<std::string> &items, std::string_view sep);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_OUTPUT_HPP */
