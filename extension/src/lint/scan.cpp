/*
 * extension/src/lint/scan.cpp
 *
 * Token scanning and suppression directives.
 *
 * Design:
 *  - The body's tokens come from the core scanner (the one raw_parser
 *    uses): the gaps between tokens hold the comments, where suppression
 *    directives live, and the string constants are what L011 looks for.
 *    So the same text inside a string constant is never a directive.
 *  - A directive is a "--" comment starting "pgmig-lint: ignore" or
 *    "pgmig-lint: ignore-file", followed by rule ids or names (registry.hpp)
 *    and then a free-text reason; "/" "*" comments are skipped.
 *  - No catalog access, no lock; ScanTokensC allocates in the caller's
 *    memory context and is called inside PgCall.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "lint/registry.hpp"
#include "lint/scan.hpp"

extern "C" {
#include "postgres.h"

#include "common/keywords.h"
#include "parser/scanner.h"
#include "parser/gram.h"
}

namespace pgmig::lint {

/* Splits text into tokens with the core scanner (raw_parser's); the
 * scanner leaves a NUL after the current token in its buffer, which gives
 * the token's end (as pg_stat_statements relies on). */
ScannedToken *
ScanTokensC(const char *text, int *count)
{
	core_yy_extra_type extra;
	core_yyscan_t scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
	extra.escape_string_warning = false;
	int cap = 256;
	int n = 0;
	ScannedToken *toks = (ScannedToken *) palloc(sizeof(ScannedToken) * cap);
	for (;;) {
		core_YYSTYPE yylval;
		YYLTYPE yylloc;
		int tok = core_yylex(&yylval, &yylloc, scanner);
		if (tok == 0)
			break;
		if (n == cap) {
			cap *= 2;
			toks = (ScannedToken *) repalloc(toks, sizeof(ScannedToken) * cap);
		}
		toks[n].start = yylloc;
		toks[n].end = yylloc + (int) strlen(extra.scanbuf + yylloc);
		toks[n].sconst = tok == SCONST ? pstrdup(yylval.str) : NULL;
		n++;
	}
	scanner_finish(scanner);
	*count = n;
	return toks;
}

/* ------------------------------------------------------------------------
 * Suppression comments
 * ------------------------------------------------------------------------ */

/* Parses a line comment's text (after "--"); true when it is a directive. */
bool
ParseDirective(const std::string &text, Directive *d)
{
	static const char kPrefix[] = "pgmig-lint:";
	std::size_t p = text.find_first_not_of(" \t");
	if (p == std::string::npos || text.compare(p, sizeof(kPrefix) - 1, kPrefix) != 0)
		return false;
	p += sizeof(kPrefix) - 1;
	std::vector<std::string> words;
	std::string word;
	for (std::size_t i = p; i <= text.size(); i++) {
		char c = i < text.size() ? text[i] : ' ';
		if (c == ' ' || c == '\t' || c == ',' || c == '\r') {
			if (!word.empty())
				words.push_back(word);
			word.clear();
		} else
			word += c;
	}
	if (words.empty() || (words[0] != "ignore" && words[0] != "ignore-file"))
		return false;
	d->whole_file = words[0] == "ignore-file";
	for (std::size_t i = 1; i < words.size(); i++) {
		int r = RuleByWord(words[i]);
		if (r < 0)
			break; /* the free-text reason starts here */
		d->rules.push_back(r);
	}
	return true;
}

/* Finds the directives in a stretch of the body that holds only blanks and
 * comments (a gap between two tokens). */
void
DirectivesInGap(const std::string &body, std::size_t from, std::size_t to, std::vector<Directive> *out)
{
	std::size_t i = from;
	while (i + 1 < to) {
		if (body[i] == '/' && body[i + 1] == '*') {
			int depth = 1;
			i += 2;
			while (i + 1 < to && depth > 0) {
				if (body[i] == '/' && body[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (body[i] == '*' && body[i + 1] == '/') {
					depth--;
					i += 2;
				} else
					i++;
			}
		} else if (body[i] == '-' && body[i + 1] == '-') {
			std::size_t eol = body.find('\n', i);
			if (eol == std::string::npos || eol > to)
				eol = to;
			Directive d;
			d.offset = i;
			if (ParseDirective(body.substr(i + 2, eol - i - 2), &d))
				out->push_back(d);
			i = eol;
		} else
			i++;
	}
}

} // namespace pgmig::lint
