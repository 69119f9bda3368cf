/*
 * client/src/applier.cpp
 *
 * The applier (see applier.hpp): up and down as a loop of one-revision
 * steps,
 *
 *   repeat
 *     BEGIN; SELECT * FROM pgmig.mig_apply(target, project, true, 1);  -- one round trip
 *     COMMIT;
 *   until it returns no row
 *
 * so every revision commits on its own (locks are held for one revision, a
 * failure leaves the last good revision).  The loop reacts to the SQLSTATEs
 * of options.hpp's ReactionFor: PM030 (the next revision is non-transactional)
 * runs the begin / run / finish protocol with the statement executed by the
 * client in autocommit; PM033 (another session is running one) polls, outside
 * any transaction, within --wait; a lock timeout inside a body retries the
 * revision with jittered back-off within --retry-budget; a lost connection is
 * reported truthfully (after a reconnect, pg_xact_status of the transaction
 * whose COMMIT was in flight).  --atomic makes it one call in one transaction.
 *
 * Server side, each step takes the project lock for its transaction (the
 * non-transactional protocol: a lease from mig_begin_nontx to
 * mig_finish_nontx instead); the client takes no lock of its own.  A body's
 * failure is recorded in the server's history (mig_record_failure) once the
 * client gives up on it.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "applier.hpp"

#include <algorithm>

#include "errors.hpp"
#include "options.hpp"
#include "verb_context.hpp"

namespace pgmig::client {

/*
 * The target of the next one-revision step.  A relative target is resolved
 * again by every call, so "+3" is sent once (the server checks it is in
 * range) and followed by "+1" until three revisions are done.
 */
std::string
Applier::StepTarget() const
{
	if (steps_ && !g_.atomic)
		return next_step_ < steps_->size() ? (*steps_)[next_step_] : target_;
	if (!relative_ || count_ == 0 || g_.atomic)
		return target_;
	return down_ ? "-1" : "+1";
}

/* `expected` as an SQL literal: the current step's revision only, or
 * (--atomic, or no steps) every expected revision. */
std::string
Applier::ExpectedSql() const
{
	if (!expected_)
		return "NULL::pg_catalog.jsonb";
	Json j = Json::Object();
	if (steps_ && !g_.atomic && next_step_ < steps_->size()) {
		auto it = expected_->find((*steps_)[next_step_]);
		if (it != expected_->end())
			j.Set(it->first, it->second);
	} else
		for (const auto &[rev, sum] : *expected_)
			j.Set(rev, sum);
	return conn_.QuoteLiteral(j.Dump(-1)) + "::pg_catalog.jsonb";
}

/* See the declaration. */
bool
Applier::AdvanceStep()
{
	next_step_++;
	return next_step_ >= steps_->size();
}

/* Prints one completed revision and adds it to the JSON. */
void
Applier::Report(const std::string &rev, int statements, double secs, bool nontx)
{
	count_++;
	if (out_.text()) {
		std::string id = rev;
		if (DisplayWidth(id) < id_width_)
			id.append(id_width_ - DisplayWidth(id), ' ');
		std::string stmts = Plural(statements, "statement", "statements");
		if (stmts.size() < 13)
			stmts.insert(0, 13 - stmts.size(), ' ');
		std::string line = "  " + Paint(down_ ? "reverted" : "applied ", Style::kGreen, out_.color) + "  " + id +
			"  " + stmts + "  " + FormatSeconds(secs);
		if (nontx)
			line += "  " + Paint("(non-transactional, run by the client)", Style::kYellow, out_.color);
		out_.Line(line);
	}
	Json r = Json::Object();
	r.Set("revision", rev);
	r.Set("statements", statements);
	r.Set("seconds", secs);
	r.Set("transactional", !nontx);
	revisions.Push(std::move(r));
}

/*
 * One transaction: BEGIN, mig_apply/mig_downgrade (one revision, or all with
 * --atomic), COMMIT.  Rows are reported after COMMIT succeeded.  A lost
 * connection is turned into the truth about the transaction.
 */
void
Applier::TransactionalStep(bool &done)
{
	/* one round trip for BEGIN, the settings and the call, so the values are
	 * literals; COMMIT is sent on its own, so that a connection lost before
	 * it is known not to have committed */
	std::string sql = std::string("SELECT revision, statements, extract(epoch FROM duration)::pg_catalog.float8 AS seconds, "
								  "xid::pg_catalog.text AS xid FROM pgmig.") +
		(down_ ? "mig_downgrade" : "mig_apply") + "(" + conn_.QuoteLiteral(StepTarget()) +
		"::pg_catalog.text, " + conn_.QuoteLiteral(g_.project) + "::pg_catalog.text, true, " + (g_.atomic ? "NULL" : "1") + "::pg_catalog.int4" +
		(!down_ && expected_ ? ", " + ExpectedSql() : std::string()) + ")";
	bool commit_sent = false;
	std::optional<std::string> xid;
	std::vector<std::string> revs;
	try {
		Result r = conn_.BeginWith(sql);
		for (int i = 0; i < r.rows(); i++)
			revs.push_back(r.Text(i, "revision"));
		if (r.rows() > 0)
			xid = r.Get(0, "xid");
		commit_sent = true;
		conn_.Exec("COMMIT");
		for (int i = 0; i < r.rows(); i++)
			Report(r.Text(i, "revision"), static_cast<int>(r.Number(i, "statements")), r.Number(i, "seconds"), false);
		/* with steps, a step that ran nothing (another applier got there
		 * first) is done all the same */
		done = steps_ && !g_.atomic ? AdvanceStep() : r.rows() == 0 || g_.atomic;
	} catch (Error &e) {
		if (!e.connection_lost) {
			RollbackQuietly(conn_);
			throw;
		}
		std::string what = revs.empty() ? "the transaction" : "the transaction of " + Join(revs, ", ");
		if (!commit_sent)
			e.message = "the connection was lost before COMMIT was sent: " + what + " did not commit (" + e.message + ")";
		else if (!xid)
			e.message = "the connection was lost during COMMIT of " + what + "; whether it committed is unknown";
		else {
			std::string status = "unknown (could not reconnect)";
			try {
				conn_.Reconnect();
				Result s = conn_.Exec("SELECT pg_catalog.pg_xact_status($1::pg_catalog.xid8)::pg_catalog.text AS s", {*xid});
				status = s.Get(0, "s").value_or("unknown (too old)");
			} catch (Error &) {
			}
			e.message = "the connection was lost during COMMIT of " + what + "; the server says transaction " + *xid +
				" is " + status;
		}
		e.hint = "run `pgmig status` to see where the database stands";
		throw;
	}
}

/*
 * The session a non-transactional step runs on.  The protocol needs one
 * server session from mig_begin_nontx (whose lease names the backend) through
 * SET ROLE, the statement and RESET ROLE to mig_finish_nontx; behind a pooler
 * in transaction mode each of those may reach another server connection, so
 * the statement would run as the wrong role and SET ROLE would stay on a
 * connection the next client of the pool gets.  The client's own connection
 * is used when it reaches its backend directly; else --direct-dbname, which
 * must; else the step is refused before anything is written.
 */
Connection &
Applier::NontxConnection()
{
	std::optional<int> pooled = conn_.PooledBackend();
	if (!pooled)
		return conn_;
	auto refuse = [](const std::string &what, int announced, int server) {
		Error e("a non-transactional revision is next, and " + what +
				" goes through a connection pooler (PgBouncer or similar): libpq was given backend pid " +
				std::to_string(announced) + " but the statements run in backend " + std::to_string(server) +
				"; the revision needs one server session from mig_begin_nontx to mig_finish_nontx, which transaction "
				"pooling does not keep, so nothing of it was started");
		e.hint = "pass --direct-dbname (or $PGMIG_DIRECT_DBNAME) with a connection string that reaches PostgreSQL "
				 "itself; the transactional revisions keep going through the pooler";
		return e;
	};
	if (!g_.direct_dbname)
		throw refuse("the connection", conn_.announced_pid(), *pooled);
	if (!direct_) {
		ConnectOptions o = conn_.options();
		ConnString direct = NormalizeConnString(*g_.direct_dbname, "--direct-dbname");
		if (!direct.error.empty()) {
			Error e(direct.error, kExitUsage);
			e.hint = direct.hint;
			throw e;
		}
		o.conninfo = direct.conninfo;
		direct_ = std::make_unique<Connection>(std::move(o));
		if (std::optional<int> p = direct_->PooledBackend())
			throw refuse("--direct-dbname also", direct_->announced_pid(), *p);
		out_.Note("non-transactional revisions run over --direct-dbname");
	}
	return *direct_;
}

/*
 * The non-transactional protocol: mig_begin_nontx takes the lease (and commits),
 * the client runs the body as one simple query in autocommit (as run_as),
 * mig_finish_nontx checks and records it; on failure mig_abort_nontx cleans up.
 */
void
Applier::NontxStep()
{
	Connection &conn = NontxConnection();
	/* The statement runs outside any transaction, so the settings (lock_timeout
	 * = --wait, pgmig's GUCs) are pinned to the session until the step ends. */
	struct Unpin {
		Connection &conn;
		~Unpin() { conn.UnpinSessionSettings(); }
	} unpin{conn};
	conn.PinSessionSettings();
	Result b = !down_ && expected_
		? conn.Exec("SELECT revision, body, run_as::pg_catalog.text AS run_as, checksum "
					"FROM pgmig.mig_begin_nontx($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text, " + ExpectedSql() + ")",
					{StepTarget(), g_.project, std::string("up")})
		: conn.Exec("SELECT revision, body, run_as::pg_catalog.text AS run_as, checksum "
					"FROM pgmig.mig_begin_nontx($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text)",
					{StepTarget(), g_.project, std::string(down_ ? "down" : "up")});
	if (b.rows() == 0)
		return; /* another applier ran what was pending while we waited; the next step finds out */
	std::string rev = b.Text(0, "revision");
	std::string body = b.Text(0, "body");
	std::string run_as = b.Text(0, "run_as");
	out_.Note("running " + rev + " (non-transactional, run by the client)");
	Result u = conn.Exec("SELECT current_user::pg_catalog.text AS u");
	bool switch_role = !run_as.empty() && run_as != u.Text(0, "u");
	auto abort = [&](const Error &e) {
		try {
			Result a = conn.ExecTx("SELECT action FROM pgmig.mig_abort_nontx($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text, $4::pg_catalog.text)",
								  {rev, e.sqlstate, e.message, g_.project});
			for (int i = 0; i < a.rows(); i++)
				out_.Note(rev + ": " + a.Text(i, "action"));
		} catch (Error &abort_error) {
			out_.Note("warning: mig_abort_nontx failed: " + abort_error.message);
		}
	};
	try {
		if (switch_role)
			conn.ExecSimple("SET ROLE " + conn.QuoteIdent(run_as));
		conn.ExecSimple(body);
		if (switch_role)
			conn.ExecSimple("RESET ROLE");
	} catch (Error &e) {
		if (e.connection_lost) {
			e.message = "the connection was lost while running the non-transactional revision " + rev + ": " + e.message;
			e.hint = "the next pgmig run recovers its lease and cleans up (see `pgmig status`)";
			throw;
		}
		if (switch_role)
			conn.TryExec("RESET ROLE");
		abort(e);
		e.message = NontxBodyMessage(rev, down_, body, e.position, e.message);
		throw;
	}
	try {
		Result f = conn.ExecTx("SELECT revision, statements, extract(epoch FROM duration)::pg_catalog.float8 AS seconds "
								"FROM pgmig.mig_finish_nontx($1::pg_catalog.text, $2::pg_catalog.text)",
							  {rev, g_.project});
		for (int i = 0; i < f.rows(); i++)
			Report(f.Text(i, "revision"), static_cast<int>(f.Number(i, "statements")), f.Number(i, "seconds"), true);
	} catch (Error &e) {
		if (e.sqlstate == "PM037")
			abort(e);
		throw;
	}
	/* the step's revision may be a descendant of the one just run; the
	 * next transactional step of the same target finds out */
}

/* PM033: note who holds the lease, sleep by the poll schedule within --wait. */
void
Applier::HandleLeaseWait(Error &e)
{
	if (g_.nowait)
		throw e;
	if (!poll_) {
		poll_.emplace(200, 5000, g_.wait_ms);
		poll_start_ = Clock::now();
	}
	std::optional<std::int64_t> sleep = poll_->Next(MsSince(poll_start_));
	if (!sleep) {
		e.message = "gave up waiting after " + FormatSeconds(g_.wait_ms / 1000.0) + " (--wait): " + e.message;
		throw e;
	}
	std::string who = e.message;
	try {
		Result l = conn_.Exec("SELECT revision, backend_pid FROM pgmig.mig_lease($1::pg_catalog.text)", {g_.project});
		if (l.rows() > 0)
			who = l.Text(0, "revision") + " (pid " + l.Text(0, "backend_pid") + ")";
	} catch (Error &) {
		RollbackQuietly(conn_);
	}
	if (who != last_waiting_for_)
		out_.Note("waiting for " + who + ", a non-transactional revision another session is running");
	last_waiting_for_ = who;
	SleepMs(*sleep);
}

/* 55P03/40P01 in a body: jittered back-off within --retry-budget. */
void
Applier::HandleRetry(Error &e)
{
	if (!retry_) {
		std::uniform_real_distribution<double> dist(0.0, 1.0);
		retry_.emplace(500, 30000, g_.retry_budget_ms, [this, dist]() mutable { return dist(rng_); });
		retry_start_ = Clock::now();
	}
	std::optional<std::int64_t> sleep = retry_->Next(MsSince(retry_start_));
	std::string where = e.file.empty() ? "" : e.file + ":" + std::to_string(e.line) + ": ";
	if (!sleep) {
		e.message += " (gave up after " + Plural(retry_->attempts() + 1, "attempt", "attempts") +
			" within the retry budget)";
		throw e;
	}
	out_.Note(where + e.message + "; attempt " + std::to_string(retry_->attempts() + 1) + " starts in " +
			  FormatSeconds(*sleep / 1000.0));
	SleepMs(*sleep);
}

/*
 * Records a body's failure in the server's history (mig_record_failure,
 * 0.5): only for errors raised by a body (the message names the revision;
 * pgmig's own refusals such as PM023 are not about the body), never for a
 * lost connection, and silently not on an older server.
 */
void
Applier::RecordFailure(const Error &e, const std::string &original_message)
{
	const std::string prefix = "revision \"";
	if (e.connection_lost || e.revision.empty() || original_message.compare(0, prefix.size(), prefix) != 0 ||
		(e.sqlstate.compare(0, 2, "PM") == 0 && e.sqlstate != "PM015" && e.sqlstate != "PM016"))
		return;
	try {
		conn_.ExecTx("SELECT pgmig.mig_record_failure($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text, "
					 "$4::pg_catalog.text, $5::pg_catalog.text)",
					 {e.revision, std::string(down_ ? "down" : "up"), e.sqlstate, original_message, g_.project});
	} catch (Error &) {
		RollbackQuietly(conn_);
	}
}

/* --atomic cannot include a revision the client must run outside a transaction. */
void
Applier::CheckAtomicPlan()
{
	Result p = conn_.Exec("SELECT DISTINCT revision FROM pgmig.mig_plan($1::pg_catalog.text, $2::pg_catalog.text, $3::pg_catalog.text) "
						  "WHERE NOT transactional ORDER BY 1",
						  {target_, g_.project, std::string(down_ ? "down" : "up")});
	if (p.rows() == 0)
		return;
	std::vector<std::string> revs;
	for (int i = 0; i < p.rows(); i++)
		revs.push_back(p.Text(i, "revision"));
	Error e("--atomic cannot include the non-transactional " +
			std::string(revs.size() == 1 ? "revision " : "revisions ") + Join(revs, ", "));
	e.hint = "run without --atomic (one transaction per revision), or stop at a target before it";
	throw e;
}

/* The loop of the file header. */
int
Applier::Run()
{
	Clock::time_point start = Clock::now();
	if (g_.atomic)
		CheckAtomicPlan();
	bool done = false;
	while (!done) {
		/* the first call always goes out: the server checks N ("+0" is PM008) */
		if (relative_ && !g_.atomic && count_ > 0 && count_ >= *relative_)
			break;
		if (steps_ && !g_.atomic && next_step_ >= steps_->size())
			break;
		bool tx_step = !nontx_next_;
		try {
			if (nontx_next_) {
				NontxStep();
				nontx_next_ = false;
			} else
				TransactionalStep(done);
			retry_.reset();
			poll_.reset();
			last_waiting_for_.clear();
		} catch (Error &e) {
			if (e.sqlstate == "PM036" && nontx_next_) {
				/* another applier ran the non-transactional revision meanwhile:
				 * the next one is transactional again */
				nontx_next_ = false;
				continue;
			}
			Reaction reaction = ReactionFor(e.sqlstate, e.message);
			std::string original = e.message;
			LocateInFolder(e, folder_);
			/* a body that failed in its transaction left nothing in the
			 * history: record it once the client gives up on it */
			if (tx_step && reaction == Reaction::kFail)
				RecordFailure(e, original);
			if (tx_step && reaction == Reaction::kRetryWithBackoff) {
				try {
					HandleRetry(e);
				} catch (Error &) {
					RecordFailure(e, original);
					throw;
				}
				continue;
			}
			switch (reaction) {
			case Reaction::kRunNontx:
				if (g_.atomic || nontx_next_) {
					if (g_.atomic)
						e.hint = "run without --atomic: the client runs non-transactional revisions itself";
					throw;
				}
				nontx_next_ = true;
				break;
			case Reaction::kWaitForLease:
				HandleLeaseWait(e);
				break;
			case Reaction::kRetryWithBackoff:
				HandleRetry(e);
				break;
			default:
				throw;
			}
		}
	}
	seconds = SecondsSince(start);
	return count_;
}

} // namespace pgmig::client
