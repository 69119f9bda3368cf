/*
 * extension/src/lint/parse_tree.cpp
 *
 * Reading raw parse trees (parse_tree.hpp).  Pure functions of the tree:
 * no catalog access, no lock, no allocation outside the caller's memory
 * context.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstring>
#include <string>
#include <vector>

#include "lint/parse_tree.hpp"

extern "C" {
#include "postgres.h"

#include "nodes/pg_list.h"
}

namespace pgmig::lint {

/* The names in a List of String. */
std::vector<std::string>
Names(List *list)
{
	std::vector<std::string> out;
	ListCell *lc;
	foreach (lc, list) {
		Node *n = (Node *) lfirst(lc);
		if (n != nullptr && IsA(n, String))
			out.emplace_back(strVal(n));
	}
	return out;
}

/* True for a serial pseudo-type name (serial, bigserial, serial8, ...). */
bool
IsSerial(const TypeName *tn)
{
	if (tn == nullptr || tn->names == NIL || tn->arrayBounds != NIL)
		return false;
	if (list_length(tn->names) > 2 ||
	    (list_length(tn->names) == 2 && std::strcmp(strVal(linitial(tn->names)), "pg_catalog") != 0))
		return false;
	static const char *const kSerials[] = {"smallserial", "serial2", "serial", "serial4", "bigserial", "serial8"};
	const char *n = strVal(llast(tn->names));
	for (const char *s : kSerials)
		if (std::strcmp(n, s) == 0)
			return true;
	return false;
}

/* The first constraint of a kind in a column definition, or nullptr. */
Constraint *
FindConstraint(const ColumnDef *col, ConstrType type)
{
	ListCell *lc;
	foreach (lc, col->constraints) {
		Constraint *c = (Constraint *) lfirst(lc);
		if (c != nullptr && IsA(c, Constraint) && c->contype == type)
			return c;
	}
	return nullptr;
}

/* True for DEFAULT NULL (which is no default at all). */
bool
IsNullConstant(const Node *n)
{
	return n != nullptr && IsA(n, A_Const) && ((const A_Const *) n)->isnull;
}

} // namespace pgmig::lint
