/*
 * client/src/applier.hpp
 *
 * The applier: the step loop of up and down, on the client's side.  One
 * revision per transaction (or one call with --atomic), the
 * non-transactional protocol run by the client, waits for another session's
 * lease and retries of a lock timeout.  The loop and its reactions are
 * described at the top of applier.cpp; verbs_deploy.cpp decides the target,
 * the steps and the expected bodies, and runs it.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_APPLIER_HPP
#define PGMIG_CLIENT_APPLIER_HPP

#include <algorithm>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "conn.hpp"
#include "migfile.hpp"
#include "options.hpp"
#include "output.hpp"
#include "verbs.hpp"
#include "waits.hpp"

namespace pgmig::client {

/* Applies or downgrades, one revision per transaction or --atomic; see applier.cpp. */
class Applier {
public:
	Applier(Connection &conn, const Folder &folder, const Globals &g, Out &out, std::string target, bool down)
		: conn_(conn), folder_(folder), g_(g), out_(out), target_(std::move(target)), down_(down),
		  rng_(std::random_device{}())
	{
		for (const MigrationFile &f : folder_.files)
			id_width_ = std::max(id_width_, std::min<std::size_t>(f.revision.size(), 48));
		relative_ = RelativeCount(target_);
	}

	/*
	 * What the steps tell the server they expect to run (mig_apply's and
	 * mig_begin_nontx's `expected`, 0.5): the checksums of the pushed up
	 * bodies of the revisions to apply.  Not called: the server is older
	 * and checks nothing.
	 */
	void ExpectBodies(std::map<std::string, std::string> expected) { expected_ = std::move(expected); }
	/* Runs exactly these revisions, one step each, in this order: each step
	 * targets the revision itself and expects only it, so a step costs the
	 * same whatever the number of revisions (--atomic: one call expecting
	 * them all). */
	void RunOnly(std::vector<std::string> steps) { steps_ = std::move(steps); }

	/* Runs to the target; returns the number of revisions done. */
	int Run();
	/* Revisions done so far (also after Run threw). */
	int count() const { return count_; }

	Json revisions = Json::Array();
	double seconds = 0;

private:
	void TransactionalStep(bool &done);
	void NontxStep();
	Connection &NontxConnection();
	void Report(const std::string &rev, int statements, double secs, bool nontx);
	void HandleLeaseWait(Error &e);
	void HandleRetry(Error &e);
	void CheckAtomicPlan();
	std::string StepTarget() const;
	void RecordFailure(const Error &e, const std::string &original_message);

	Connection &conn_;
	const Folder &folder_;
	const Globals &g_;
	Out &out_;
	std::string target_;
	bool down_;
	std::size_t id_width_ = 8;
	int count_ = 0;
	std::mt19937_64 rng_;
	std::optional<RetrySchedule> retry_;
	Clock::time_point retry_start_;
	std::optional<PollSchedule> poll_;
	Clock::time_point poll_start_;
	std::string last_waiting_for_;
	bool nontx_next_ = false;
	std::unique_ptr<Connection> direct_; /* --direct-dbname, opened for the first nontx step */
	std::optional<int> relative_; /* N of a "+N" / "-N" target */
	std::optional<std::map<std::string, std::string>> expected_;
	std::optional<std::vector<std::string>> steps_;
	std::size_t next_step_ = 0; /* index into steps_ */
	std::string ExpectedSql() const;
	/* After a step of steps_: the next one; true when there is none. */
	bool AdvanceStep();
};

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_APPLIER_HPP */
