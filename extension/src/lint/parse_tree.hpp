/*
 * extension/src/lint/parse_tree.hpp
 *
 * Reading raw parse trees: the names of a List of String, and what a column
 * definition declares (serial type, constraints, DEFAULT NULL).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LINT_PARSE_TREE_HPP
#define PGMIG_LINT_PARSE_TREE_HPP

#include <string>
#include <vector>

extern "C" {
#include "postgres.h"

#include "nodes/parsenodes.h"
}

namespace pgmig::lint {

std::vector<std::string> Names(List *list);
bool IsSerial(const TypeName *tn);
Constraint *FindConstraint(const ColumnDef *col, ConstrType type);
bool IsNullConstant(const Node *n);

} // namespace pgmig::lint

#endif /* PGMIG_LINT_PARSE_TREE_HPP */
