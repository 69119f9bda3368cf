/*
 * extension/src/guards.cpp
 *
 * Implementation of the C++/PostgreSQL error wall described in guards.hpp.
 * Everything here either runs inside PG_TRY (through PgCall) or makes only
 * calls that cannot ereport (context switches, pointer assignments).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstring>
#include <new>
#include <string>

#include "guards.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/resowner.h"
}

namespace pgmig {

/* Creates the exception around an already-copied ErrorData. */
PgError::PgError(MemoryContext cxt, ErrorData *edata) : holder_(std::make_shared<Holder>())
{
	holder_->cxt = cxt;
	holder_->edata = edata;
}

/* Deletes the private context unless the error was detached. */
PgError::Holder::~Holder()
{
	if (cxt != nullptr)
		MemoryContextDelete(cxt);
}

/* The PostgreSQL message. */
const char *
PgError::what() const noexcept
{
	return holder_->edata && holder_->edata->message ? holder_->edata->message : "PostgreSQL error";
}

/* Hands the ErrorData over to `parent`; see guards.hpp. */
ErrorData *
PgError::Detach(MemoryContext parent)
{
	MemoryContextSetParent(holder_->cxt, parent);
	holder_->cxt = nullptr;
	return holder_->edata;
}

/* Copies a string into the error's context without risking an ereport. */
static char *
CopyInto(MemoryContext cxt, const char *s)
{
	std::size_t len = std::strlen(s);
	char *copy = static_cast<char *>(MemoryContextAllocExtended(cxt, len + 1, MCXT_ALLOC_NO_OOM));
	if (copy == nullptr)
		throw std::bad_alloc();
	std::memcpy(copy, s, len + 1);
	return copy;
}

/* Replaces the message, keeping SQLSTATE, detail, hint and context. */
void
PgError::SetMessage(const char *message)
{
	holder_->edata->message = CopyInto(holder_->cxt, message);
}

/* Replaces the detail. */
void
PgError::SetDetail(const char *detail)
{
	holder_->edata->detail = CopyInto(holder_->cxt, detail);
}

/* Replaces the hint. */
void
PgError::SetHint(const char *hint)
{
	holder_->edata->hint = CopyInto(holder_->cxt, hint);
}

/* Copies a C++ string into the entry context; NULL for an empty string or
 * when memory is short (the error is still raised, only less complete). */
static char *
EntryCopy(MemoryContext cxt, const std::string &s)
{
	if (s.empty())
		return nullptr;
	char *copy = static_cast<char *>(MemoryContextAllocExtended(cxt, s.size() + 1, MCXT_ALLOC_NO_OOM));
	if (copy != nullptr)
		std::memcpy(copy, s.c_str(), s.size() + 1);
	return copy;
}

/*
 * The catch-all behind CppEntry.  Only plain pointers survive the handlers;
 * the ereport happens after every catch block has been left.
 */
Datum
CppEntryImpl(Datum (*trampoline)(void *), void *arg)
{
	MemoryContext entry_cxt = CurrentMemoryContext;
	ErrorData *pg_error = nullptr;
	int sqlstate = ERRCODE_INTERNAL_ERROR;
	char *message = nullptr;
	char *detail = nullptr;
	char *hint = nullptr;
	char fallback[512] = "";

	try {
		return trampoline(arg);
	} catch (PgError &e) {
		pg_error = e.Detach(entry_cxt);
	} catch (PgmigError &e) {
		sqlstate = e.sqlstate();
		message = EntryCopy(entry_cxt, e.message());
		detail = EntryCopy(entry_cxt, e.detail());
		hint = EntryCopy(entry_cxt, e.hint());
		if (message == nullptr)
			strlcpy(fallback, e.what(), sizeof(fallback));
	} catch (std::bad_alloc &) {
		sqlstate = ERRCODE_OUT_OF_MEMORY;
		strlcpy(fallback, "pgmig: out of memory", sizeof(fallback));
	} catch (std::exception &e) {
		snprintf(fallback, sizeof(fallback), "pgmig: C++ exception: %s", e.what());
	} catch (...) {
		strlcpy(fallback, "pgmig: unknown C++ exception", sizeof(fallback));
	}
	MemoryContextSwitchTo(entry_cxt);
	if (pg_error != nullptr)
		ReThrowError(pg_error);
	ereport(ERROR, (errcode(sqlstate), errmsg_internal("%s", message ? message : fallback),
	                detail ? errdetail_internal("%s", detail) : 0, hint ? errhint("%s", hint) : 0));
	pg_unreachable();
}

/* Begins an internal subtransaction and returns to the caller's context. */
SubTransaction::SubTransaction() : cxt_(CurrentMemoryContext), owner_(CurrentResourceOwner)
{
	PgCall([] { BeginInternalSubTransaction(NULL); });
	MemoryContextSwitchTo(cxt_);
}

/* Commits the subtransaction into its parent. */
void
SubTransaction::Commit()
{
	PgCall([] { ReleaseCurrentSubTransaction(); });
	MemoryContextSwitchTo(cxt_);
	CurrentResourceOwner = owner_;
	finished_ = true;
}

/* Rolls the subtransaction back (the error state must already be flushed). */
void
SubTransaction::Rollback()
{
	if (finished_)
		return;
	finished_ = true;
	RollbackAndReleaseCurrentSubTransaction();
	MemoryContextSwitchTo(cxt_);
	CurrentResourceOwner = owner_;
}

/* Left by an exception: roll back. */
SubTransaction::~SubTransaction()
{
	Rollback();
}

/* Opens a GUC nest level. */
GucNestLevel::GucNestLevel()
{
	int level = 0;
	PgCall([&] { level = NewGUCNestLevel(); });
	level_ = level;
}

/*
 * Undoes every setting made at this level or deeper, SET as well as SET
 * LOCAL: isCommit = false restores every prior value, whereas a commit-style
 * pop would keep plain SETs (which is what lets a function without a SET
 * clause change the session).
 */
void
GucNestLevel::Close()
{
	if (closed_)
		return;
	int level = level_;
	PgCall([&] { AtEOXact_GUC(false, level); });
	closed_ = true;
}

/* See guards.hpp. */
void
GucNestLevel::CloseUnguarded()
{
	if (closed_)
		return;
	closed_ = true;
	AtEOXact_GUC(false, level_);
}

/* Sets a GUC for this level only. */
void
GucNestLevel::Set(const char *name, const char *value, bool superuser_context)
{
	PgCall([&] {
		(void) set_config_option(name, value, superuser_context ? PGC_SUSET : PGC_USERSET, PGC_S_SESSION,
		                         GUC_ACTION_SAVE, true, 0, false);
	});
}

/* Switches user; SetUserIdAndSecContext only assigns, it cannot fail. */
UserSwitch::UserSwitch(Oid user, int extra_sec_flags)
{
	GetUserIdAndSecContext(&saved_user_, &saved_sec_);
	SetUserIdAndSecContext(user, saved_sec_ | extra_sec_flags);
}

/* Restores the saved user and security context. */
UserSwitch::~UserSwitch()
{
	SetUserIdAndSecContext(saved_user_, saved_sec_);
}

/* Pushes the callback on error_context_stack. */
ErrorContextScope::ErrorContextScope(void (*callback)(void *), void *arg)
{
	entry_.callback = callback;
	entry_.arg = arg;
	entry_.previous = error_context_stack;
	error_context_stack = &entry_;
}

/* Pops it again. */
ErrorContextScope::~ErrorContextScope()
{
	error_context_stack = entry_.previous;
}

/* NOTICE/WARNING from C++. */
void
Notice(int elevel, const std::string &message, const std::string &detail)
{
	const char *m = message.c_str();
	const char *d = detail.empty() ? nullptr : detail.c_str();
	PgCall([&] { ereport(elevel, (errmsg_internal("%s", m), d ? errdetail_internal("%s", d) : 0)); });
}

/* CHECK_FOR_INTERRUPTS under a guard. */
void
CheckForInterrupts()
{
	PgCall([] { CHECK_FOR_INTERRUPTS(); });
}

} // namespace pgmig
