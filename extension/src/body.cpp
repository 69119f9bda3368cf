/*
 * extension/src/body.cpp
 *
 * Parsing and classification of migration bodies with PostgreSQL's raw
 * parser, and their checksum (see body.hpp).
 *
 * Classification only reads parse nodes (no catalog access, no name
 * resolution), so it is the same at upload and at apply and needs no lock.
 * What the parser cannot see (a DO block that commits, a function that runs
 * SET ROLE through set_config) is caught at run time by PostgreSQL itself:
 * invalid transaction termination, or 42501 under the local user-id change
 * in which bodies run.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstring>
#include <string>
#include <vector>

#include "body.hpp"
#include "errcodes.hpp"
#include "guards.hpp"
#include "lint/scan.hpp"
#include "sha256.hpp"
#include "sqltext.hpp"

extern "C" {
#include "commands/tablecmds.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "nodes/parsenodes.h"
#include "storage/lock.h"
#include "nodes/pg_list.h"
#include "parser/parser.h"
}

namespace pgmig {

namespace {

/* What to do with one statement. */
enum class Verdict { kTransactional, kNonTransactional, kForbidden };

struct Classification {
	Verdict verdict = Verdict::kTransactional;
	const char *tag = "";
	const char *why = ""; /* for forbidden statements */
};

/* True when a DefElem list holds an option `name` that is not false. */
bool
HasTrueOption(List *options, const char *name)
{
	ListCell *lc;
	foreach (lc, options) {
		DefElem *opt = (DefElem *) lfirst(lc);
		if (opt == nullptr || !IsA(opt, DefElem) || opt->defname == nullptr || std::strcmp(opt->defname, name) != 0)
			continue;
		if (opt->arg == nullptr)
			return true;
		if (IsA(opt->arg, Boolean))
			return boolVal(opt->arg);
		if (IsA(opt->arg, String)) {
			const char *v = strVal(opt->arg);
			return !(pg_strcasecmp(v, "false") == 0 || pg_strcasecmp(v, "off") == 0 || std::strcmp(v, "0") == 0);
		}
		if (IsA(opt->arg, Integer))
			return intVal(opt->arg) != 0;
		return true;
	}
	return false;
}

/* Classifies one raw statement (see file header). */
Classification
Classify(Node *stmt)
{
	switch (nodeTag(stmt)) {
	case T_TransactionStmt:
		return {Verdict::kForbidden, "transaction control",
		        "transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, PREPARE TRANSACTION, ...) is not allowed in a "
		        "revision body; pgmig runs every revision in its own (sub)transaction"};
	case T_CopyStmt:
		if (((CopyStmt *) stmt)->filename == nullptr && !((CopyStmt *) stmt)->is_program)
			return {Verdict::kForbidden, "COPY",
			        "COPY ... FROM STDIN / TO STDOUT is not allowed in a revision body: the server has no client to "
			        "read from; load seed data with INSERT ... VALUES"};
		break;
	case T_VariableSetStmt: {
		VariableSetStmt *v = (VariableSetStmt *) stmt;
		if (v->name != nullptr &&
		    (std::strcmp(v->name, "role") == 0 || std::strcmp(v->name, "session_authorization") == 0))
			return {Verdict::kForbidden, "SET ROLE",
			        "SET ROLE and SET SESSION AUTHORIZATION are not allowed in a revision body: bodies run as the role "
			        "that uploaded them"};
		if (v->kind == VAR_SET_MULTI && v->name != nullptr &&
		    (std::strcmp(v->name, "TRANSACTION") == 0 || std::strcmp(v->name, "SESSION CHARACTERISTICS") == 0 ||
		     std::strcmp(v->name, "TRANSACTION SNAPSHOT") == 0))
			return {Verdict::kForbidden, "SET TRANSACTION",
			        "SET TRANSACTION is not allowed in a revision body; pgmig owns the transaction"};
		break;
	}
	case T_AlterSystemStmt:
		return {Verdict::kForbidden, "ALTER SYSTEM", "ALTER SYSTEM changes the whole cluster and is out of scope"};
	case T_CreatedbStmt:
	case T_DropdbStmt:
	case T_AlterDatabaseStmt:
	case T_AlterDatabaseSetStmt:
	case T_AlterDatabaseRefreshCollStmt:
		return {Verdict::kForbidden, "DATABASE",
		        "CREATE, DROP and ALTER DATABASE act on the cluster, not on this database's schema, and are out of "
		        "scope"};
	case T_CreateTableSpaceStmt:
	case T_DropTableSpaceStmt:
	case T_AlterTableSpaceOptionsStmt:
	case T_AlterTableMoveAllStmt:
		return {Verdict::kForbidden, "TABLESPACE", "tablespace administration is out of scope"};
	case T_CreateSubscriptionStmt:
	case T_AlterSubscriptionStmt:
	case T_DropSubscriptionStmt:
		return {Verdict::kForbidden, "SUBSCRIPTION", "subscription administration is out of scope"};
	case T_RenameStmt:
	case T_AlterOwnerStmt: {
		ObjectType type = IsA(stmt, RenameStmt) ? ((RenameStmt *) stmt)->renameType : ((AlterOwnerStmt *) stmt)->objectType;
		if (type == OBJECT_DATABASE)
			return {Verdict::kForbidden, "DATABASE",
			        "renaming a database or changing its owner acts on the cluster and is out of scope"};
		if (type == OBJECT_TABLESPACE)
			return {Verdict::kForbidden, "TABLESPACE", "tablespace administration is out of scope"};
		if (type == OBJECT_SUBSCRIPTION)
			return {Verdict::kForbidden, "SUBSCRIPTION", "subscription administration is out of scope"};
		break;
	}
	case T_DiscardStmt:
		if (((DiscardStmt *) stmt)->target == DISCARD_ALL)
			return {Verdict::kForbidden, "DISCARD ALL", "DISCARD ALL cannot run inside a transaction"};
		return {Verdict::kForbidden, "DISCARD",
		        "DISCARD is not allowed in a revision body: it changes the applier's session, not the schema"};
	/* what would outlive the body in the session (boundary.hpp); the same
	 * statements are refused at run time when a DO block or a function runs
	 * them (PM016) */
	case T_PrepareStmt:
	case T_DeallocateStmt:
		return {Verdict::kForbidden, "PREPARE",
		        "PREPARE and DEALLOCATE are not allowed in a revision body: a prepared statement belongs to the "
		        "session and would outlive the revision"};
	case T_ListenStmt:
	case T_UnlistenStmt:
		return {Verdict::kForbidden, "LISTEN",
		        "LISTEN and UNLISTEN are not allowed in a revision body: listening belongs to the session (NOTIFY is "
		        "allowed)"};
	case T_LoadStmt:
		return {Verdict::kForbidden, "LOAD",
		        "LOAD is not allowed in a revision body: the library would stay loaded in the applier's session; use "
		        "CREATE EXTENSION"};
	case T_DeclareCursorStmt:
		if (((DeclareCursorStmt *) stmt)->options & CURSOR_OPT_HOLD)
			return {Verdict::kForbidden, "DECLARE ... WITH HOLD",
			        "a cursor WITH HOLD is not allowed in a revision body: its query would run at COMMIT, as the "
			        "applier"};
		break;
	case T_ClosePortalStmt:
		if (((ClosePortalStmt *) stmt)->portalname == nullptr)
			return {Verdict::kForbidden, "CLOSE ALL",
			        "CLOSE ALL is not allowed in a revision body: the applier's cursors are not the revision's"};
		break;
	case T_IndexStmt:
		if (((IndexStmt *) stmt)->concurrent)
			return {Verdict::kNonTransactional, "CREATE INDEX CONCURRENTLY", ""};
		break;
	case T_DropStmt:
		if (((DropStmt *) stmt)->concurrent)
			return {Verdict::kNonTransactional, "DROP INDEX CONCURRENTLY", ""};
		break;
	case T_ReindexStmt: {
		ReindexStmt *r = (ReindexStmt *) stmt;
		if (HasTrueOption(r->params, "concurrently"))
			return {Verdict::kNonTransactional, "REINDEX CONCURRENTLY", ""};
		if (r->kind == REINDEX_OBJECT_SCHEMA || r->kind == REINDEX_OBJECT_SYSTEM ||
		    r->kind == REINDEX_OBJECT_DATABASE)
			return {Verdict::kNonTransactional, "REINDEX SCHEMA/SYSTEM/DATABASE", ""};
		break;
	}
	case T_VacuumStmt:
		if (((VacuumStmt *) stmt)->is_vacuumcmd)
			return {Verdict::kNonTransactional, "VACUUM", ""};
		break;
	case T_ClusterStmt:
		if (((ClusterStmt *) stmt)->relation == nullptr)
			return {Verdict::kNonTransactional, "CLUSTER (all tables)", ""};
		break;
	case T_AlterTableStmt: {
		ListCell *lc;
		foreach (lc, ((AlterTableStmt *) stmt)->cmds) {
			AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
			if (cmd->subtype == AT_DetachPartition && cmd->def != nullptr && IsA(cmd->def, PartitionCmd) &&
			    ((PartitionCmd *) cmd->def)->concurrent)
				return {Verdict::kNonTransactional, "DETACH PARTITION CONCURRENTLY", ""};
		}
		break;
	}
	default:
		break;
	}
	return {};
}

/* "schema.name" (or "name") of a RangeVar, as written. */
std::string
RangeVarText(const RangeVar *rv)
{
	if (rv == nullptr || rv->relname == nullptr)
		return "?";
	std::string s = rv->schemaname ? std::string(rv->schemaname) + "." : "";
	return s + rv->relname;
}

/* "schema.name" of a qualified-name list (List of String). */
std::string
NameListText(List *names)
{
	std::string s;
	ListCell *lc;
	foreach (lc, names) {
		Node *n = (Node *) lfirst(lc);
		if (n == nullptr || !IsA(n, String))
			continue;
		s += (s.empty() ? "" : ".") + std::string(strVal(n));
	}
	return s.empty() ? "?" : s;
}

/* "<LockMode> on <relation>". */
std::string
LockOn(LOCKMODE mode, const std::string &relation)
{
	return std::string(GetLockmodeName(DEFAULT_LOCKMETHOD, mode)) + " on " + relation;
}

/* The tables a CREATE TABLE references through foreign keys. */
void
ForeignKeyTargets(List *elements, std::vector<std::string> *out)
{
	ListCell *lc;
	foreach (lc, elements) {
		Node *e = (Node *) lfirst(lc);
		List *constraints = NIL;
		if (IsA(e, ColumnDef))
			constraints = ((ColumnDef *) e)->constraints;
		else if (IsA(e, Constraint))
			constraints = list_make1(e);
		ListCell *c;
		foreach (c, constraints) {
			Constraint *con = (Constraint *) lfirst(c);
			if (IsA(con, Constraint) && con->contype == CONSTR_FOREIGN && con->pktable != nullptr)
				out->push_back(RangeVarText(con->pktable));
		}
	}
}

/*
 * The table-level locks a statement takes on existing relations, read from
 * the raw parse tree (no catalog access), for mig_plan.  The common DDL and
 * DML forms are named; anything else says what it is not sure of.  Parse
 * nodes only, except AlterTableGetLockLevel, PostgreSQL's own answer for
 * ALTER TABLE subcommands (called inside PgCall by the caller).
 */
std::string
LockOf(Node *stmt)
{
	switch (nodeTag(stmt)) {
	case T_AlterTableStmt: {
		AlterTableStmt *a = (AlterTableStmt *) stmt;
		LOCKMODE mode = AlterTableGetLockLevel(a->cmds);
		return LockOn(mode, RangeVarText(a->relation));
	}
	case T_IndexStmt: {
		IndexStmt *i = (IndexStmt *) stmt;
		return LockOn(i->concurrent ? ShareUpdateExclusiveLock : ShareLock, RangeVarText(i->relation));
	}
	case T_CreateStmt: {
		std::vector<std::string> refs;
		ForeignKeyTargets(((CreateStmt *) stmt)->tableElts, &refs);
		std::string s = "new table " + RangeVarText(((CreateStmt *) stmt)->relation);
		for (const auto &r : refs)
			s += "; " + LockOn(ShareRowExclusiveLock, r);
		return s;
	}
	case T_DropStmt: {
		DropStmt *d = (DropStmt *) stmt;
		std::string objs;
		if (d->removeType == OBJECT_TABLE || d->removeType == OBJECT_INDEX || d->removeType == OBJECT_VIEW ||
		    d->removeType == OBJECT_MATVIEW || d->removeType == OBJECT_SEQUENCE ||
		    d->removeType == OBJECT_FOREIGN_TABLE) {
			ListCell *lc;
			foreach (lc, d->objects)
				objs += (objs.empty() ? "" : ", ") + NameListText((List *) lfirst(lc));
			return LockOn(d->concurrent ? ShareUpdateExclusiveLock : AccessExclusiveLock, objs);
		}
		return "none on tables";
	}
	case T_TruncateStmt: {
		std::string objs;
		ListCell *lc;
		foreach (lc, ((TruncateStmt *) stmt)->relations)
			objs += (objs.empty() ? "" : ", ") + RangeVarText((RangeVar *) lfirst(lc));
		return LockOn(AccessExclusiveLock, objs);
	}
	case T_InsertStmt:
		return LockOn(RowExclusiveLock, RangeVarText(((InsertStmt *) stmt)->relation));
	case T_UpdateStmt:
		return LockOn(RowExclusiveLock, RangeVarText(((UpdateStmt *) stmt)->relation));
	case T_DeleteStmt:
		return LockOn(RowExclusiveLock, RangeVarText(((DeleteStmt *) stmt)->relation));
	case T_SelectStmt:
		return "AccessShareLock on the tables it reads";
	case T_RenameStmt: {
		RenameStmt *r = (RenameStmt *) stmt;
		if (r->relation != nullptr)
			return LockOn(AccessExclusiveLock, RangeVarText(r->relation));
		return "none on tables";
	}
	case T_VacuumStmt: {
		VacuumStmt *v = (VacuumStmt *) stmt;
		return LockOn(v->is_vacuumcmd && HasTrueOption(v->options, "full") ? AccessExclusiveLock
		                                                                    : ShareUpdateExclusiveLock,
		              v->rels == NIL ? std::string("every table") : std::string("the named tables"));
	}
	case T_ReindexStmt: {
		ReindexStmt *r = (ReindexStmt *) stmt;
		std::string what = r->relation ? RangeVarText(r->relation) : std::string(r->name ? r->name : "?");
		if (HasTrueOption(r->params, "concurrently"))
			return LockOn(ShareUpdateExclusiveLock, what);
		return LockOn(r->kind == REINDEX_OBJECT_INDEX ? AccessExclusiveLock : ShareLock, what);
	}
	case T_CreateTrigStmt:
		return LockOn(ShareRowExclusiveLock, RangeVarText(((CreateTrigStmt *) stmt)->relation));
	case T_RefreshMatViewStmt: {
		RefreshMatViewStmt *r = (RefreshMatViewStmt *) stmt;
		return LockOn(r->concurrent ? ExclusiveLock : AccessExclusiveLock, RangeVarText(r->relation));
	}
	case T_ClusterStmt: {
		ClusterStmt *c = (ClusterStmt *) stmt;
		return LockOn(AccessExclusiveLock, c->relation ? RangeVarText(c->relation) : std::string("every clustered table"));
	}
	case T_LockStmt: {
		LockStmt *l = (LockStmt *) stmt;
		std::string objs;
		ListCell *lc;
		foreach (lc, l->relations)
			objs += (objs.empty() ? "" : ", ") + RangeVarText((RangeVar *) lfirst(lc));
		return LockOn(l->mode, objs);
	}
	case T_DoStmt:
		return "unknown (DO block)";
	case T_ViewStmt:
	case T_CreateSeqStmt:
	case T_CreateEnumStmt:
	case T_AlterEnumStmt:
	case T_CreateFunctionStmt:
	case T_CompositeTypeStmt:
	case T_CreateDomainStmt:
	case T_CreateSchemaStmt:
	case T_CommentStmt:
	case T_GrantStmt:
	case T_CreateExtensionStmt:
	case T_DefineStmt:
	case T_CreateTableAsStmt:
		return "none on existing tables";
	default:
		return "not determined";
	}
}

/* What a non-transactional statement acts on (see NontxObject). */
NontxObject
NontxObjectOf(Node *stmt)
{
	NontxObject o;
	switch (nodeTag(stmt)) {
	case T_IndexStmt: {
		IndexStmt *i = (IndexStmt *) stmt;
		o.kind = NontxObject::Kind::kCreateIndex;
		o.schema = i->relation && i->relation->schemaname ? i->relation->schemaname : "";
		o.relation = i->relation && i->relation->relname ? i->relation->relname : "";
		o.index = i->idxname ? i->idxname : "";
		o.if_not_exists = i->if_not_exists;
		break;
	}
	case T_DropStmt: {
		DropStmt *d = (DropStmt *) stmt;
		if (d->removeType != OBJECT_INDEX || list_length(d->objects) != 1)
			break;
		List *names = (List *) linitial(d->objects);
		o.kind = NontxObject::Kind::kDropIndex;
		o.relation = strVal(llast(names));
		if (list_length(names) >= 2)
			o.schema = strVal(list_nth(names, list_length(names) - 2));
		o.if_not_exists = d->missing_ok;
		break;
	}
	case T_ReindexStmt: {
		ReindexStmt *r = (ReindexStmt *) stmt;
		if (r->relation == nullptr || (r->kind != REINDEX_OBJECT_INDEX && r->kind != REINDEX_OBJECT_TABLE))
			break;
		o.kind = NontxObject::Kind::kReindex;
		o.schema = r->relation->schemaname ? r->relation->schemaname : "";
		o.relation = r->relation->relname ? r->relation->relname : "";
		o.reindex_table = r->kind == REINDEX_OBJECT_TABLE;
		break;
	}
	default:
		break;
	}
	return o;
}

/* "revision "x"" or "revision "x" (down body)". */
std::string
Where(const std::string &revision, const char *which)
{
	std::string w = "revision \"" + revision + "\"";
	if (std::strcmp(which, "up") != 0)
		w += std::string(" (") + which + " body)";
	return w;
}

/* The source line holding a byte offset, for error details. */
std::string
SourceLine(const std::string &body, std::size_t offset)
{
	std::size_t start = 0;
	if (offset > 0) {
		std::size_t nl = body.rfind('\n', offset - 1);
		start = nl == std::string::npos ? 0 : nl + 1;
	}
	std::size_t end = body.find('\n', offset);
	std::string line = body.substr(start, end == std::string::npos ? std::string::npos : end - start);
	if (line.size() > 200)
		line = line.substr(0, 200) + "...";
	return line;
}

/*
 * Moves a syntax error's position from the outer query to the body, before
 * any outer callback (SPI's, when pgmig is called from plpgsql) claims it for
 * its own query.  C-only, cannot throw.
 */
extern "C" void
ParseErrorCallback(void *arg)
{
	int pos = geterrposition();
	if (pos > 0) {
		errposition(0);
		internalerrposition(pos);
		internalerrquery(static_cast<const char *>(arg));
	}
}

} // namespace

/* See body.hpp. */
ParsedBody
ParseBody(const std::string &revision, const char *which, const std::string &body, bool allow_empty)
{
	List *parsed = NIL;
	const char *src = body.c_str();

	try {
		ErrorContextScope scope(ParseErrorCallback, const_cast<char *>(src));
		PgCall([&] { parsed = raw_parser(src, RAW_PARSE_DEFAULT); });
	} catch (PgError &e) {
		ErrorData *ed = e.data();
		int pos = ed->internalpos > 0 ? ed->internalpos : ed->cursorpos;
		if (pos <= 0)
			throw;
		std::size_t offset = core::ByteOffsetOfCharacter(body, (std::size_t) pos - 1);
		core::LineColumn lc = core::LineColumnAt(body, offset);
		std::string where = Where(revision, which) + ", line " + std::to_string(lc.line) + ", column " +
		                    std::to_string(lc.column);
		std::string detail = "line " + std::to_string(lc.line) + ": " + SourceLine(body, offset);
		if (offset < body.size() && body[offset] == '\\') {
			std::size_t end = offset + 1;
			while (end < body.size() && body[end] != ' ' && body[end] != '\n' && body[end] != '\t')
				end++;
			throw PgmigError(PGMIG_ERRCODE_META_COMMAND,
			                 where + ": psql meta-command \"" + body.substr(offset, end - offset) + "\" is not allowed",
			                 detail,
			                 "A body is plain SQL executed by the server; psql commands such as \\i, \\set or "
			                 "\\gexec cannot run there.");
		}
		throw PgmigError(ed->sqlerrcode, where + ": " + (ed->message ? ed->message : "syntax error"), detail,
		                 ed->hint ? ed->hint : "");
	}

	ParsedBody result;
	core::LineIndex lines(body); /* one scan of the body, not one per statement */
	ListCell *cell;
	foreach (cell, parsed) {
		RawStmt *raw = (RawStmt *) lfirst(cell);
		std::size_t loc = raw->stmt_location < 0 ? 0 : (std::size_t) raw->stmt_location;
		std::size_t end = raw->stmt_len == 0 ? body.size() : loc + (std::size_t) raw->stmt_len;
		std::size_t start = core::SkipBlanksAndComments(body, loc);
		if (start > end)
			start = end;
		BodyStatement st;
		st.offset = start;
		st.length = end - start;
		st.line = lines.LineAt(start);
		Classification c = Classify(raw->stmt);
		st.tag = c.tag;
		try {
			PgCall([&] { st.lock = LockOf(raw->stmt); });
		} catch (PgError &) {
			st.lock = "not determined";
		}
		if (c.verdict == Verdict::kForbidden)
			throw PgmigError(PGMIG_ERRCODE_FORBIDDEN_STATEMENT,
			                 Where(revision, which) + ", line " + std::to_string(st.line) + ": " + c.why,
			                 "line " + std::to_string(st.line) + ": " + SourceLine(body, start));
		st.transactional = c.verdict == Verdict::kTransactional;
		if (!st.transactional) {
			st.object = NontxObjectOf(raw->stmt);
			if (st.object.kind == NontxObject::Kind::kCreateIndex && st.object.index.empty())
				throw PgmigError(PGMIG_ERRCODE_UNNAMED_INDEX,
				                 Where(revision, which) + ", line " + std::to_string(st.line) +
				                     ": CREATE INDEX CONCURRENTLY must name its index",
				                 "line " + std::to_string(st.line) + ": " + SourceLine(body, start),
				                 "pgmig checks after the client ran it that the named index exists and is valid, and "
				                 "drops the INVALID index an interrupted run leaves behind; give the index a name: "
				                 "CREATE INDEX CONCURRENTLY name ON table (...).");
		}
		result.statements.push_back(st);
	}

	if (result.statements.empty() && !allow_empty)
		throw PgmigError(PGMIG_ERRCODE_EMPTY_BODY, Where(revision, which) + " has an empty body",
		                 "The body holds no SQL statement (only blanks or comments).",
		                 "Every revision must do something; put the SQL of the migration in its body.");

	std::size_t nontx_count = 0;
	for (const auto &s : result.statements)
		nontx_count += s.transactional ? 0 : 1;
	if (nontx_count > 0 && result.statements.size() > 1) {
		const BodyStatement *first = nullptr;
		for (const auto &s : result.statements)
			if (!s.transactional) {
				first = &s;
				break;
			}
		/* A down body cannot be split into revisions: it undoes its own. */
		std::string tag = first->tag;
		std::string hint;
		if (strcmp(which, "down") != 0)
			hint = "Move the " + tag + " statement into a revision of its own.";
		else if (tag.find("CONCURRENTLY") != std::string::npos)
			hint = "A down body with other statements runs in one transaction: write the statement without "
			       "CONCURRENTLY (it then takes its lock for the short time the down body runs), or make it the "
			       "whole down body.";
		else
			hint = "A down body with other statements runs in one transaction: leave the " + tag +
			       " statement out of it, or make it the whole down body.";
		throw PgmigError(PGMIG_ERRCODE_MIXED_NONTX,
		                 Where(revision, which) + ", line " + std::to_string(first->line) + ": " + first->tag +
		                     " cannot be mixed with other statements in one revision",
		                 "The body has " + std::to_string(result.statements.size()) + " statements, " +
		                     std::to_string(nontx_count) +
		                     " of which cannot run inside a transaction block. Such a statement is run by the pgmig "
		                     "client on its own, outside any transaction.",
		                 hint);
	}
	result.transactional = nontx_count == 0;
	return result;
}

/* See body.hpp. */
std::string
ToUtf8(const std::string &text)
{
	int encoding = PG_UTF8;
	PgCall([&] { encoding = GetDatabaseEncoding(); });
	if (encoding == PG_UTF8 || encoding == PG_SQL_ASCII)
		return text;
	const char *in = text.c_str();
	int len = (int) text.size();
	char *out = nullptr;
	PgCall([&] { out = pg_server_to_any(in, len, PG_UTF8); });
	std::string result = out == in ? text : std::string(out);
	return result;
}

/* A SHA-256 digest as 64 lower-case hex digits. */
static std::string
DigestHex(const uint8 (&digest)[PG_SHA256_DIGEST_LENGTH])
{
	static const char kHex[] = "0123456789abcdef";
	std::string out(2 * PG_SHA256_DIGEST_LENGTH, '0');
	for (int i = 0; i < PG_SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = kHex[digest[i] >> 4];
		out[2 * i + 1] = kHex[digest[i] & 15];
	}
	return out;
}

/*
 * See body.hpp.  The server's SHA-256 (pg_cryptohash: OpenSSL's in a server
 * built with it, which Debian's is, else PostgreSQL's own) hashes several
 * times faster than the core's, which the loaded project's sync lines and
 * digest (2.5 MB at 10,000 revisions) made visible; both give the same
 * value (test_sha256.cpp checks the core against known vectors, sql/cache
 * the digest against SQL's sha256()).  Should the server's fail, the core's
 * answers.
 */
std::string
ServerSha256Hex(std::string_view data)
{
	uint8 digest[PG_SHA256_DIGEST_LENGTH];
	bool ok = false;
	PgCall([&] {
		pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);
		ok = ctx != nullptr && pg_cryptohash_init(ctx) == 0 &&
		     pg_cryptohash_update(ctx, (const uint8 *) data.data(), data.size()) == 0 &&
		     pg_cryptohash_final(ctx, digest, sizeof digest) == 0;
		pg_cryptohash_free(ctx);
	});
	if (!ok)
		return core::Sha256Hex(data);
	return DigestHex(digest);
}

/* Raises the cryptohash context's error. */
[[noreturn]] static void
ThrowHashError(pg_cryptohash_ctx *ctx)
{
	const char *why = "unknown error";
	PgCall([&] { why = pg_cryptohash_error(ctx); });
	throw PgmigError(ERRCODE_INTERNAL_ERROR, std::string("could not compute a SHA-256 digest: ") + why);
}

/* See body.hpp. */
ServerSha256::ServerSha256()
{
	bool ok = false;
	PgCall([&] {
		ctx_ = pg_cryptohash_create(PG_SHA256);
		ok = ctx_ != nullptr && pg_cryptohash_init(ctx_) == 0;
	});
	if (ctx_ == nullptr)
		throw PgmigError(ERRCODE_OUT_OF_MEMORY, "could not create a SHA-256 context: out of memory");
	if (!ok)
		ThrowHashError(ctx_);
	buffer_.reserve(70 * 1024);
}

/* Frees the context (an error's abort would free it with its resource owner). */
ServerSha256::~ServerSha256()
{
	pg_cryptohash_ctx *ctx = ctx_;
	try {
		PgCall([&] { pg_cryptohash_free(ctx); });
	} catch (...) {
		/* freeing raises nothing; the resource owner frees it otherwise */
	}
}

/* See body.hpp. */
void
ServerSha256::Flush(bool force)
{
	if (buffer_.empty() || (!force && buffer_.size() < 64 * 1024))
		return;
	bool ok = false;
	PgCall([&] { ok = pg_cryptohash_update(ctx_, (const uint8 *) buffer_.data(), buffer_.size()) == 0; });
	if (!ok)
		ThrowHashError(ctx_);
	buffer_.clear();
}

/* See body.hpp. */
std::string
ServerSha256::FinalHex()
{
	Flush(true);
	uint8 digest[PG_SHA256_DIGEST_LENGTH];
	bool ok = false;
	PgCall([&] { ok = pg_cryptohash_final(ctx_, digest, sizeof digest) == 0; });
	if (!ok)
		ThrowHashError(ctx_);
	return DigestHex(digest);
}

/* See body.hpp. */
bool
DatabaseTextIsUtf8()
{
	int encoding = PG_UTF8;
	PgCall([&] { encoding = GetDatabaseEncoding(); });
	return encoding == PG_UTF8 || encoding == PG_SQL_ASCII;
}

/* See body.hpp: core::ChecksumBody's value (the one the client's verify
 * computes), over the body in UTF-8. */
std::string
BodyChecksum(const std::string &body)
{
	return ServerSha256Hex(core::NormalizeForChecksum(ToUtf8(body)));
}

/* See body.hpp. */
std::string
LegacyBodyChecksum(const std::string &body)
{
	return ServerSha256Hex(core::NormalizeForChecksum(body));
}

/*
 * See body.hpp.  The keyword is removed where the scanner finds it (a quoted
 * identifier spelled "concurrently" is a different token), and the result
 * is parsed again: it must be one transactional statement.
 */
std::optional<std::string>
TransactionalForm(const std::string &revision, const char *which, const std::string &body, const ParsedBody &parsed,
                  std::string *note)
{
	const BodyStatement *nontx = nullptr;
	for (const auto &st : parsed.statements)
		if (!st.transactional)
			nontx = &st;
	if (nontx == nullptr)
		return body;
	const std::string &tag = nontx->tag;
	if (tag != "CREATE INDEX CONCURRENTLY" && tag != "DROP INDEX CONCURRENTLY" &&
	    tag != "DETACH PARTITION CONCURRENTLY") {
		*note = tag + " does not change the schema and cannot run in a transaction: not run here";
		return std::nullopt;
	}
	int ntokens = 0;
	lint::ScannedToken *tokens = nullptr;
	const char *text = body.c_str();
	PgCall([&] { tokens = lint::ScanTokensC(text, &ntokens); });
	for (int i = 0; i < ntokens; i++) {
		std::size_t start = (std::size_t) tokens[i].start, end = (std::size_t) tokens[i].end;
		if (end - start != 12 || pg_strncasecmp(body.c_str() + start, "concurrently", 12) != 0)
			continue;
		std::string form = body.substr(0, start) + body.substr(end);
		if (!ParseBody(revision, which, form, false).transactional)
			break;
		std::string plain = tag.substr(0, tag.size() - std::string(" CONCURRENTLY").size());
		*note = "ran as " + plain + " without CONCURRENTLY, its transactional form";
		return form;
	}
	*note = tag + ": no transactional form found; not run here";
	return std::nullopt;
}

} // namespace pgmig
