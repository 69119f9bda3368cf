/*
 * client/src/output.cpp
 *
 * JSON, tables, colour, durations, error rendering and array literals, as
 * declared in output.hpp.  No I/O.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "output.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace pgmig::client {

namespace {

/*
 * Length of the valid UTF-8 sequence starting at text[i], or 0 when the bytes
 * there are not one (overlong forms, surrogates and values past U+10FFFF are
 * invalid, as in PostgreSQL).
 */
std::size_t
Utf8SequenceLength(std::string_view text, std::size_t i)
{
	unsigned char c = static_cast<unsigned char>(text[i]);
	std::size_t n;
	unsigned int cp;
	if (c < 0x80)
		return 1;
	else if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (i + n > text.size())
		return 0;
	for (std::size_t k = 1; k < n; k++) {
		unsigned char cc = static_cast<unsigned char>(text[i + k]);
		if ((cc & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (cc & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Newline and indentation for pretty printing. */
void
NewLine(std::string &out, int indent, int depth)
{
	if (indent < 0)
		return;
	out.push_back('\n');
	out.append(static_cast<std::size_t>(indent * depth), ' ');
}

/* A cell as one line: newlines, carriage returns and tabs become spaces. */
std::string
OneLine(std::string_view cell)
{
	std::string out(cell);
	for (char &c : out)
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
	return out;
}

} // namespace

/* An array of strings. */
Json
Json::Strings(const std::vector<std::string> &items)
{
	Json a = Array();
	for (const std::string &s : items)
		a.Push(Json(s));
	return a;
}

/* A string, or null. */
Json
Json::OptString(const std::optional<std::string> &s)
{
	return s ? Json(*s) : Json();
}

/* Appends to an array. */
Json &
Json::Push(Json value)
{
	if (kind_ == Kind::kNull)
		kind_ = Kind::kArray;
	items_.push_back(std::move(value));
	return items_.back();
}

/* Sets (or replaces) a key of an object. */
Json &
Json::Set(std::string_view key, Json value)
{
	if (kind_ == Kind::kNull)
		kind_ = Kind::kObject;
	for (auto &m : members_)
		if (m.first == key) {
			m.second = std::move(value);
			return m.second;
		}
	members_.emplace_back(std::string(key), std::move(value));
	return members_.back().second;
}

/* The value of a key, or nullptr. */
const Json *
Json::Get(std::string_view key) const
{
	for (const auto &m : members_)
		if (m.first == key)
			return &m.second;
	return nullptr;
}

/* Elements of an array or members of an object. */
std::size_t
Json::size() const
{
	return kind_ == Kind::kArray ? items_.size() : members_.size();
}

/* Serialises the value. */
std::string
Json::Dump(int indent) const
{
	std::string out;
	DumpTo(out, indent, 0);
	return out;
}

/* Recursive worker of Dump. */
void
Json::DumpTo(std::string &out, int indent, int depth) const
{
	switch (kind_) {
	case Kind::kNull:
		out += "null";
		break;
	case Kind::kBool:
		out += bool_ ? "true" : "false";
		break;
	case Kind::kInt:
		out += std::to_string(int_);
		break;
	case Kind::kDouble: {
		if (!std::isfinite(double_)) {
			out += "null";
			break;
		}
		char buf[32];
		std::snprintf(buf, sizeof buf, "%.6g", double_);
		out += buf;
		break;
	}
	case Kind::kString:
		out += JsonQuote(string_);
		break;
	case Kind::kArray:
		if (items_.empty()) {
			out += "[]";
			break;
		}
		out.push_back('[');
		for (std::size_t i = 0; i < items_.size(); i++) {
			if (i > 0)
				out.push_back(',');
			NewLine(out, indent, depth + 1);
			items_[i].DumpTo(out, indent, depth + 1);
		}
		NewLine(out, indent, depth);
		out.push_back(']');
		break;
	case Kind::kObject:
		if (members_.empty()) {
			out += "{}";
			break;
		}
		out.push_back('{');
		for (std::size_t i = 0; i < members_.size(); i++) {
			if (i > 0)
				out.push_back(',');
			NewLine(out, indent, depth + 1);
			out += JsonQuote(members_[i].first);
			out += indent < 0 ? ":" : ": ";
			members_[i].second.DumpTo(out, indent, depth + 1);
		}
		NewLine(out, indent, depth);
		out.push_back('}');
		break;
	}
}

/* JSON string literal; invalid UTF-8 bytes become U+FFFD. */
std::string
JsonQuote(std::string_view text)
{
	static const char hex[] = "0123456789abcdef";
	std::string out;
	out.reserve(text.size() + 2);
	out.push_back('"');
	for (std::size_t i = 0; i < text.size();) {
		unsigned char c = static_cast<unsigned char>(text[i]);
		if (c >= 0x80) {
			std::size_t n = Utf8SequenceLength(text, i);
			if (n == 0) {
				out += "\xef\xbf\xbd";
				i++;
			} else {
				out.append(text.substr(i, n));
				i += n;
			}
			continue;
		}
		switch (c) {
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		case '\b': out += "\\b"; break;
		case '\f': out += "\\f"; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				out += "\\u00";
				out.push_back(hex[c >> 4]);
				out.push_back(hex[c & 0xf]);
			} else
				out.push_back(static_cast<char>(c));
		}
		i++;
	}
	out.push_back('"');
	return out;
}

/* Wraps text in an ANSI SGR sequence. */
std::string
Paint(std::string_view text, Style style, bool enabled)
{
	if (!enabled)
		return std::string(text);
	const char *code = "";
	switch (style) {
	case Style::kBold: code = "1"; break;
	case Style::kDim: code = "2"; break;
	case Style::kGreen: code = "32"; break;
	case Style::kYellow: code = "33"; break;
	case Style::kRed: code = "1;31"; break;
	case Style::kCyan: code = "36"; break;
	}
	return std::string("\x1b[") + code + "m" + std::string(text) + "\x1b[0m";
}

/* Code points, skipping "ESC [ ... letter" sequences. */
std::size_t
DisplayWidth(std::string_view text)
{
	std::size_t width = 0;
	for (std::size_t i = 0; i < text.size(); i++) {
		unsigned char c = static_cast<unsigned char>(text[i]);
		if (c == 0x1b && i + 1 < text.size() && text[i + 1] == '[') {
			i += 2;
			while (i < text.size() && !((text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z')))
				i++;
			continue;
		}
		if ((c & 0xc0) != 0x80)
			width++;
	}
	return width;
}

/* Stores the headers; every column left-aligned. */
Table::Table(std::vector<std::string> headers)
	: headers_(std::move(headers)), right_(headers_.size(), false)
{
}

/* Right-aligns a column. */
Table &
Table::AlignRight(std::size_t column)
{
	if (column < right_.size())
		right_[column] = true;
	return *this;
}

/* Adds a row, fitted to the number of columns. */
void
Table::AddRow(std::vector<std::string> cells)
{
	cells.resize(headers_.size());
	for (std::string &c : cells)
		c = OneLine(c);
	rows_.push_back(std::move(cells));
}

/* Column widths from all cells, then one padded line per row. */
std::string
Table::Render(bool color, bool header, std::string_view indent) const
{
	std::size_t ncols = headers_.size();
	std::vector<std::size_t> width(ncols, 0);
	if (header)
		for (std::size_t c = 0; c < ncols; c++)
			width[c] = DisplayWidth(headers_[c]);
	for (const auto &row : rows_)
		for (std::size_t c = 0; c < ncols; c++)
			width[c] = std::max(width[c], DisplayWidth(row[c]));

	std::string out;
	auto line = [&](const std::vector<std::string> &cells, bool is_header) {
		std::string l(indent);
		for (std::size_t c = 0; c < ncols; c++) {
			std::size_t pad = width[c] - DisplayWidth(cells[c]);
			std::string cell = is_header ? Paint(cells[c], Style::kBold, color) : cells[c];
			if (c > 0)
				l += "  ";
			if (right_[c])
				l.append(pad, ' ') += cell;
			else {
				l += cell;
				l.append(pad, ' ');
			}
		}
		while (l.size() > indent.size() && l.back() == ' ')
			l.pop_back();
		out += l;
		out.push_back('\n');
	};
	if (header)
		line(headers_, true);
	for (const auto &row : rows_)
		line(row, false);
	return out;
}

/* See output.hpp for the forms. */
std::string
FormatSeconds(double seconds)
{
	char buf[64];
	if (!(seconds >= 0))
		seconds = 0;
	if (seconds < 0.9995)
		std::snprintf(buf, sizeof buf, "%ld ms", std::lround(seconds * 1000));
	else if (seconds < 10)
		std::snprintf(buf, sizeof buf, "%.2f s", std::floor(seconds * 100) / 100);
	else if (seconds < 60)
		std::snprintf(buf, sizeof buf, "%.1f s", std::floor(seconds * 10) / 10);
	else if (seconds < 3600) {
		long s = static_cast<long>(seconds);
		std::snprintf(buf, sizeof buf, "%ld min %02ld s", s / 60, s % 60);
	} else {
		long s = static_cast<long>(seconds);
		std::snprintf(buf, sizeof buf, "%ld h %02ld min", s / 3600, (s % 3600) / 60);
	}
	return buf;
}

/* Count and noun. */
std::string
Plural(std::int64_t n, std::string_view singular, std::string_view plural)
{
	return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

/* Every element double-quoted, '"' and '\' escaped. */
std::string
PgArrayLiteral(const std::vector<std::string> &items)
{
	std::string out = "{";
	for (std::size_t i = 0; i < items.size(); i++) {
		if (i > 0)
			out.push_back(',');
		out.push_back('"');
		for (char c : items[i]) {
			if (c == '"' || c == '\\')
				out.push_back('\\');
			out.push_back(c);
		}
		out.push_back('"');
	}
	out.push_back('}');
	return out;
}

/* array_out's format, one dimension. */
std::vector<std::string>
ParsePgArray(std::string_view text)
{
	std::vector<std::string> out;
	if (text.size() < 2 || text.front() != '{' || text.back() != '}')
		return out;
	text = text.substr(1, text.size() - 2);
	std::size_t i = 0;
	while (i < text.size()) {
		std::string item;
		if (text[i] == '"') {
			i++;
			while (i < text.size() && text[i] != '"') {
				if (text[i] == '\\' && i + 1 < text.size())
					i++;
				item.push_back(text[i++]);
			}
			i++; /* closing quote */
		} else {
			while (i < text.size() && text[i] != ',')
				item.push_back(text[i++]);
			if (item == "NULL")
				item.clear();
		}
		out.push_back(std::move(item));
		if (i < text.size() && text[i] == ',')
			i++;
	}
	return out;
}

/* Joins with a separator. */
std::string
Join(const std::vector<std::string> &items, std::string_view sep)
{
	std::string out;
	for (std::size_t i = 0; i < items.size(); i++) {
		if (i > 0)
			out += sep;
		out += items[i];
	}
	return out;
}

} // namespace pgmig::client
