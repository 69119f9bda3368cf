/*
 * extension/src/lint/naming.hpp
 *
 * How findings name things: identifiers, relations, types and relation
 * kinds, written the way PostgreSQL's own messages write them.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LINT_NAMING_HPP
#define PGMIG_LINT_NAMING_HPP

#include <string>

extern "C" {
#include "postgres.h"

#include "nodes/parsenodes.h"
}

namespace pgmig::lint {

std::string Str(const char *s);
std::string Quoted(const char *s);
std::string Ident(const char *s);
std::string RelationName(Oid relid);
std::string WrittenName(const RangeVar *rv);
std::string TypeDisplay(Oid type);
std::string TypeText(Oid type);
std::string TypmodsText(const TypeName *tn);
std::string TypeNameDisplay(TypeName *tn);
const char *RelKindName(char relkind);

} // namespace pgmig::lint

#endif /* PGMIG_LINT_NAMING_HPP */
