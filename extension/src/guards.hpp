/*
 * extension/src/guards.hpp
 *
 * The wall between C++ and PostgreSQL's longjmp-based error handling.
 *
 *  - PgCall(fn) runs a C-only lambda under PG_TRY; a PostgreSQL error becomes
 *    a PgError exception that owns a copy of the ErrorData in a private memory
 *    context (so it outlives SPI and subtransaction cleanup).
 *  - PgmigError is what pgmig's own C++ code throws for bad input: SQLSTATE,
 *    message, detail, hint.
 *  - CppEntry(fn) is the catch-all at every SQL-callable entry point: it turns
 *    any exception back into ereport(ERROR) after the C++ handler has exited,
 *    never from inside a catch block.
 *  - SubTransaction, GucNestLevel, UserSwitch and ErrorContextScope are RAII
 *    wrappers whose destructors make no call that can ereport, except the
 *    subtransaction rollback, which PostgreSQL escalates on failure anyway.
 *
 * Rule for every file: a PostgreSQL function that can ereport (palloc, SPI,
 * syscache, text_to_cstring, CHECK_FOR_INTERRUPTS, ...) is only called inside
 * PgCall, and no object with a destructor is created inside a PgCall lambda.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_GUARDS_HPP
#define PGMIG_GUARDS_HPP

#include <exception>
#include <memory>
#include <string>
#include <utility>

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/elog.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
}

namespace pgmig {

/*
 * A PostgreSQL error caught by PgCall.  The ErrorData lives in its own memory
 * context, owned through a shared_ptr so that copies of the exception share it.
 */
class PgError : public std::exception {
public:
	PgError(MemoryContext cxt, ErrorData *edata);
	const char *what() const noexcept override;
	ErrorData *data() const { return holder_->edata; }
	int sqlerrcode() const { return holder_->edata->sqlerrcode; }

	/* Re-parents the error's context under `parent` and gives up ownership;
	 * the caller then passes the ErrorData to ReThrowError. */
	ErrorData *Detach(MemoryContext parent);

	/* Replaces the message (copied into the error's own context). */
	void SetMessage(const char *message);
	void SetDetail(const char *detail);
	void SetHint(const char *hint);

private:
	struct Holder {
		MemoryContext cxt = nullptr;
		ErrorData *edata = nullptr;
		~Holder();
	};
	std::shared_ptr<Holder> holder_;
};

/* An error pgmig raises itself. */
class PgmigError : public std::exception {
public:
	PgmigError(int sqlstate, std::string message, std::string detail = {}, std::string hint = {})
		: sqlstate_(sqlstate), message_(std::move(message)), detail_(std::move(detail)), hint_(std::move(hint))
	{
	}
	const char *what() const noexcept override { return message_.c_str(); }
	int sqlstate() const { return sqlstate_; }
	const std::string &message() const { return message_; }
	const std::string &detail() const { return detail_; }
	const std::string &hint() const { return hint_; }

private:
	int sqlstate_;
	std::string message_;
	std::string detail_;
	std::string hint_;
};

/*
 * Runs a C-only lambda under PG_TRY.  A PostgreSQL error is re-thrown as
 * PgError after PG_END_TRY, so no longjmp ever crosses a C++ frame.
 */
template <typename Fn>
void
PgCall(Fn &&fn)
{
	MemoryContext volatile saved_cxt = CurrentMemoryContext;
	bool volatile failed = false;
	ErrorData *volatile edata = nullptr;
	MemoryContext volatile error_cxt = nullptr;

	PG_TRY();
	{
		fn();
	}
	PG_CATCH();
	{
		error_cxt = AllocSetContextCreate(TopMemoryContext, "pgmig error", ALLOCSET_SMALL_SIZES);
		MemoryContextSwitchTo(error_cxt);
		edata = CopyErrorData();
		FlushErrorState();
		MemoryContextSwitchTo(saved_cxt);
		failed = true;
	}
	PG_END_TRY();
	if (failed)
		throw PgError((MemoryContext) error_cxt, (ErrorData *) edata);
}

/*
 * The catch-all for SQL-callable functions: runs fn, and turns PgError back
 * into the original PostgreSQL error, PgmigError into ereport with its
 * SQLSTATE, and anything else into an internal error.
 */
Datum CppEntryImpl(Datum (*trampoline)(void *), void *arg);

template <typename Fn>
Datum
CppEntry(Fn &&fn)
{
	return CppEntryImpl([](void *p) -> Datum { return (*static_cast<Fn *>(p))(); }, static_cast<void *>(&fn));
}

/*
 * An internal subtransaction, in plpgsql's order: begin, work, then release or
 * roll back.  Keeps the caller's memory context and resource owner.
 */
class SubTransaction {
public:
	SubTransaction();
	~SubTransaction();
	void Commit();
	void Rollback();
	SubTransaction(const SubTransaction &) = delete;
	SubTransaction &operator=(const SubTransaction &) = delete;

private:
	MemoryContext cxt_;
	ResourceOwner owner_;
	bool finished_ = false;
};

/*
 * A GUC nest level: settings changed inside it (including by SET in a body)
 * are undone by Close(), as for a function with a SET clause.  On an error
 * path the enclosing (sub)transaction abort pops it, so the destructor does
 * nothing but forget it.
 */
class GucNestLevel {
public:
	GucNestLevel();
	~GucNestLevel() = default;
	void Close();
	/* Close() for destructors: AtEOXact_GUC called directly.  Only for levels
	 * holding settings whose assign hooks cannot fail (search_path). */
	void CloseUnguarded();
	/* Sets a GUC at this level (GUC_ACTION_SAVE), as the current user could. */
	void Set(const char *name, const char *value, bool superuser_context = false);
	GucNestLevel(const GucNestLevel &) = delete;
	GucNestLevel &operator=(const GucNestLevel &) = delete;

private:
	int level_;
	bool closed_ = false;
};

/* Switches the current user id and security context; restores on destruction. */
class UserSwitch {
public:
	UserSwitch(Oid user, int extra_sec_flags);
	~UserSwitch();
	UserSwitch(const UserSwitch &) = delete;
	UserSwitch &operator=(const UserSwitch &) = delete;

private:
	Oid saved_user_;
	int saved_sec_;
};

/* Pushes an error context callback for the scope's lifetime.  The callback
 * must be C-only and must not throw. */
class ErrorContextScope {
public:
	ErrorContextScope(void (*callback)(void *), void *arg);
	~ErrorContextScope();
	ErrorContextScope(const ErrorContextScope &) = delete;
	ErrorContextScope &operator=(const ErrorContextScope &) = delete;

private:
	ErrorContextCallback entry_;
};

/* Emits a NOTICE or WARNING from C++ code (guarded). */
void Notice(int elevel, const std::string &message, const std::string &detail = {});

/* Raises CHECK_FOR_INTERRUPTS inside a guard. */
void CheckForInterrupts();

} // namespace pgmig

#endif /* PGMIG_GUARDS_HPP */
