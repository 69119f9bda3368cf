/*
 * client/core/schema_file.hpp
 *
 * The schema file (schema.sql beside the migrations folder) and the
 * comparison of two schemas, object by object.
 *
 * Design.  A schema is the rows of the server's mig_schema(): one block of
 * statements per object, keyed by its kind and identity, in an order that
 * loads.  The file is those blocks under a fixed preamble, each headed by a
 * line "-- KIND IDENTITY" after a blank line, so that a reviewer reads one
 * object per block in a diff and psql can load the file.  Reading the file
 * back splits it at those header lines (a known kind is required, so a
 * comment inside a function body is not mistaken for one); a file that
 * does not read back to the same text is reported as edited.
 *
 * A comparison names every object that only one side has, and every
 * object whose statements differ, with a line diff of the two texts (the
 * longest common subsequence of their lines).  Plain C++, for the unit
 * tests.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_SCHEMA_FILE_HPP
#define PGMIG_CLIENT_SCHEMA_FILE_HPP

#include <string>
#include <vector>

namespace pgmig::client {

/* One row of mig_schema(). */
struct SchemaObject {
	std::string kind;
	std::string identity;
	std::string statement;
	/* "KIND IDENTITY", as the file's header line and the messages name it */
	std::string Key() const { return kind + " " + identity; }
};

/* The file's text: the preamble (which names the heads it describes), then the blocks. */
std::string RenderSchemaFile(const std::vector<SchemaObject> &objects, const std::vector<std::string> &heads);

/* The text from the first block on, which RenderSchemaFile makes from the
 * objects alone: what a comparison of files compares. */
std::string SchemaFileBody(const std::string &text);

/* The blocks of a schema file (line endings normalised). */
std::vector<SchemaObject> ParseSchemaFile(const std::string &text);

/* One difference between an expected and an actual schema. */
struct SchemaDifference {
	enum class Change { kMissing, kExtra, kDifferent };
	Change change = Change::kDifferent;
	std::string kind;
	std::string identity;
	/* the statements' line diff: " same", "-expected only", "+actual only" */
	std::vector<std::string> diff;
	std::string Key() const { return kind + " " + identity; }
};

/* Every difference: objects of expected missing from actual (in expected's
 * order), objects of actual that expected lacks, objects in both with other
 * statements. */
std::vector<SchemaDifference> CompareSchemas(const std::vector<SchemaObject> &expected,
                                             const std::vector<SchemaObject> &actual);

/* The line diff of two texts (see SchemaDifference::diff). */
std::vector<std::string> LineDiff(const std::string &a, const std::string &b);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_SCHEMA_FILE_HPP */
