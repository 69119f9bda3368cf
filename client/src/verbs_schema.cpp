/*
 * client/src/verbs_schema.cpp
 *
 * The schema file: `pgmig schema` writes it (or, with --check, compares it),
 * and verify compares it through SchemaFileFindings (issue 18).
 *
 * Design.  The file describes what the migrations build, not what a
 * development database happens to hold: both verbs build the folder's head
 * in a shadow database (shadow.hpp) and render its mig_schema() rows.  The
 * file is therefore the same on every machine with the same server major
 * version, whatever was done by hand to the developer's database, and a
 * pull request that changes a migration without the file fails verify
 * with the diff.  A file of the same name that pgmig did not write (dbmate
 * keeps a db/schema.sql too) is never overwritten, and verify leaves it
 * alone with a note.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "errors.hpp"
#include "migfile.hpp"
#include "options.hpp"
#include "output.hpp"
#include "shadow.hpp"
#include "verb_context.hpp"
#include "verbs.hpp"

namespace pgmig::client {

namespace {

/* The file's text, or nullopt when there is none. */
std::optional<std::string>
ReadText(const std::string &path)
{
	std::error_code ec;
	if (!std::filesystem::exists(path, ec))
		return std::nullopt;
	std::string text, why;
	if (!ReadWholeFile(path, text, why))
		throw Error("could not read " + path + ": " + why);
	return text;
}

/* Writes the file through a temporary one renamed over it. */
void
WriteText(const std::string &path, const std::string &text)
{
	std::string tmp = path + ".tmp";
	{
		std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
		o << text;
		if (!o.flush())
			throw Error("could not write " + tmp);
	}
	std::error_code ec;
	std::filesystem::rename(tmp, path, ec);
	if (ec)
		throw Error("could not write " + path + ": " + ec.message());
}

/* The folder's schema, built in the shadow, and its file text. */
struct Built {
	std::vector<std::string> heads;
	std::vector<SchemaObject> objects;
	std::string text;
};

/* What the folder's heads build (all of them, as `up heads` would: a folder
 * whose branches are not merged yet has one schema too). */
Built
BuildHead(const Globals &g, Out &out, const Folder &folder)
{
	Built b;
	b.heads = folder.Heads();
	/* one `up heads` rather than one `up` per head: the folder is read and pushed once */
	std::vector<std::string> targets = b.heads.empty()      ? std::vector<std::string>{"base"}
									   : b.heads.size() == 1 ? b.heads
															 : std::vector<std::string>{"heads"};
	b.objects = BuildInShadow(g, out, targets);
	b.text = RenderSchemaFile(b.objects, b.heads);
	return b;
}

} // namespace

/* See verbs.hpp. */
int
VerbSchema(const Globals &g, Out &out, bool check)
{
	std::string path = SchemaFilePath(g);
	std::optional<std::string> existing = ReadText(path);
	if (existing && !IsPgmigSchemaFile(*existing) && !check) {
		Error e(path + " exists and was not written by pgmig; nothing was written");
		e.hint = "move it away, or write pgmig's schema file elsewhere with --schema-file";
		throw e;
	}
	Folder folder = ReadFolderOrThrow(g);
	Built b = BuildHead(g, out, folder);
	out.doc.Set("path", path);
	out.doc.Set("heads", Json::Strings(b.heads));
	out.doc.Set("objects", static_cast<std::int64_t>(b.objects.size()));
	bool same = existing && SchemaFileBody(*existing) == SchemaFileBody(b.text);
	if (check) {
		std::vector<SchemaDifference> d =
			existing ? CompareSchemas(ParseSchemaFile(*existing), b.objects) : std::vector<SchemaDifference>{};
		out.doc.Set("ok", same);
		out.doc.Set("differences", DifferencesJson(d));
		if (same) {
			out.Line("schema: " + path + " is what the migrations build (" +
					 Plural(static_cast<std::int64_t>(b.objects.size()), "object", "objects") + ")");
			return kExitOk;
		}
		if (!existing)
			out.Line("schema: " + path + " does not exist (write it with `pgmig schema`)");
		else {
			for (const std::string &l : DescribeDifferences(d, true, "only in " + path + ":", "only in the build:"))
				out.Line(l);
			out.Line("schema: " + path + " is not what the migrations build" +
					 (d.empty() ? std::string(" (its text was edited)") : "") + "; run `pgmig schema` to rewrite it");
		}
		return kExitCheckFailed;
	}
	if (same) {
		out.Line("schema: " + path + " is up to date (" +
				 Plural(static_cast<std::int64_t>(b.objects.size()), "object", "objects") + ")");
		out.doc.Set("written", false);
		return kExitOk;
	}
	WriteText(path, b.text);
	out.Line("schema: wrote " + path + " (" + Plural(static_cast<std::int64_t>(b.objects.size()), "object", "objects") +
			 (b.heads.empty() ? std::string(", no revision") : ", at " + Join(b.heads, ", ")) + ")");
	out.doc.Set("written", true);
	return kExitOk;
}

/* See verbs.hpp. */
std::vector<SchemaFileFinding>
SchemaFileFindings(const Globals &g, Out &out, const Folder &folder, bool *checked)
{
	*checked = false;
	std::vector<SchemaFileFinding> findings;
	std::string path = SchemaFilePath(g);
	std::optional<std::string> existing = ReadText(path);
	if (!existing)
		return findings;
	if (!IsPgmigSchemaFile(*existing)) {
		out.Note("note: " + path + " was not written by pgmig; verify does not compare it");
		return findings;
	}
	Built b;
	*checked = true;
	try {
		b = BuildHead(g, out, folder);
	} catch (Error &e) {
		/* a migration that fails is a finding; a shadow that cannot be had
		 * (no CREATEDB, no right to install pgmig) is an error, not a
		 * verdict on the migrations */
		if (e.file.empty() && e.revision.empty())
			throw;
		std::string where = e.file.empty() ? e.revision : e.file + (e.line > 0 ? ":" + std::to_string(e.line) : "");
		findings.push_back({path, "the migrations do not build: " + where + ": " + e.message, {}});
		return findings;
	}
	if (SchemaFileBody(*existing) == SchemaFileBody(b.text))
		return findings;
	std::vector<SchemaDifference> d = CompareSchemas(ParseSchemaFile(*existing), b.objects);
	if (d.empty())
		findings.push_back({path, "is not as `pgmig schema` writes it (edited by hand?); run `pgmig schema`", {}});
	for (const SchemaDifference &x : d) {
		std::string what = x.change == SchemaDifference::Change::kMissing ? "the migrations no longer build "
						   : x.change == SchemaDifference::Change::kExtra ? "the migrations build, the file lacks, "
																		  : "the migrations build a different ";
		findings.push_back({path, what + x.Key() + " (run `pgmig schema` after changing a migration)", x.diff});
	}
	return findings;
}

} // namespace pgmig::client
