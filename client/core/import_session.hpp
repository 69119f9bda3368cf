/*
 * client/core/import_session.hpp
 *
 * The interface every format reader shares: the Importer, the state of one
 * import (import_session.cpp), and the Candidate a reader hands to it.
 *
 * A format reader is a member function Importer::Import<Tool>, in a file of
 * its own (import_flyway.cpp, import_golang_migrate.cpp, import_dbmate.cpp,
 * import_diesel.cpp, import_sqitch.cpp, import_alembic.cpp,
 * import_plain_sql.cpp).  It sees the
 * source files (files_, sorted by path; Find for one path), checks each file
 * it uses with Usable, reports with Note (not carried over) and Error (the
 * result would be wrong), and hands each migration, in apply order, to Emit,
 * which makes the MigrationFile.  Run dispatches on the format and then runs
 * the self-check.  Adding a tool means one new reader file, one member
 * declaration here, one case in Run, and the names in importers.cpp.
 * Internal to the importers: the public interface is importers.hpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_IMPORT_SESSION_HPP
#define PGMIG_CLIENT_IMPORT_SESSION_HPP

#include "import_body.hpp"
#include "importers.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace pgmig::client::import_impl {

/* One migration found by a format, before its bodies are built. */
struct Candidate {
	std::string tool_id;   /* the tool's identifier (id_map key) */
	std::string id;        /* the pgmig revision id (checked by Emit) */
	std::string message;   /* empty: none */
	const SourceFile *origin = nullptr; /* the file errors about the migration name */
	int origin_line = 0;
	BodySource up;
	std::optional<BodySource> down;
	bool nontransactional = false;     /* the tool said so */
	std::string nontx_setting;         /* how the tool said so, for a note ("transaction:false") */
	bool linear = true;                /* parent = the previous migration */
	std::vector<std::string> parents;  /* when !linear */
	std::vector<std::string> depends_on;
	Strip strip = Strip::kNone;
	bool note_wrapper = false;         /* note a stripped BEGIN;/COMMIT; pair */
};

/* The state of one import. */
class Importer {
public:
	Importer(ImportFormat format, const std::vector<std::pair<std::string, std::string>> &files);

	/* Runs the format's reader, then the self-check; the result, with notes and errors sorted. */
	ImportResult Run();

private:
	/* What a reader calls: record a note or an error, find a file, check its encoding, emit a migration. */
	void Note(const std::string &file, int line, std::string message);
	void Error(const std::string &file, int line, std::string message);
	const SourceFile *Find(std::string_view path) const;
	bool Usable(const SourceFile &f);
	bool Emit(Candidate c);
	/* The checks of one built body (for Emit) and the self-check (for Run). */
	void CheckBody(const Candidate &c, const BuiltBody &body, bool up);
	void Finish();

	/* The format readers, one per file import_<tool>.cpp. */
	void ImportFlyway();
	void ImportGolangMigrate();
	void ImportDbmate();
	void ImportDiesel();
	void ImportSqitch();
	void ImportAlembic();
	void ImportPlainSql();

	ImportFormat format_;
	std::string tool_;                  /* the format's name, for notes */
	std::vector<SourceFile> files_;     /* sorted by path; never resized after construction */
	std::unordered_map<std::string, std::string> origin_of_id_; /* id -> "file" that made it */
	ImportResult result_;
};

} // namespace pgmig::client::import_impl

#endif /* PGMIG_CLIENT_IMPORT_SESSION_HPP */
