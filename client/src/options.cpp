/*
 * client/src/options.cpp
 *
 * Durations, waiting schedules, version comparison, relative targets and
 * SQLSTATE reactions declared in options.hpp.  Pure functions of their
 * arguments.  (Connection strings: connstring.cpp.)
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "options.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace pgmig::client {

/*
 * Number, optional fraction, then a unit.  The number is read by hand (no
 * locale, no exponent, no sign) so that "1e3s" or "-1s" are refused.
 */
std::optional<std::int64_t>
ParseDuration(std::string_view text)
{
	std::size_t i = 0;
	double value = 0;
	bool digits = false;
	while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
		value = value * 10 + (text[i] - '0');
		digits = true;
		i++;
	}
	if (i < text.size() && text[i] == '.') {
		i++;
		double scale = 0.1;
		while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
			value += (text[i] - '0') * scale;
			scale /= 10;
			digits = true;
			i++;
		}
	}
	if (!digits || value > 1e12)
		return std::nullopt;
	std::string_view unit = text.substr(i);
	double factor;
	if (unit == "ms")
		factor = 1;
	else if (unit == "s" || unit == "sec")
		factor = 1000;
	else if (unit == "min")
		factor = 60 * 1000;
	else if (unit == "h")
		factor = 3600 * 1000;
	else if (unit.empty() && value == 0)
		factor = 0;
	else
		return std::nullopt;
	return static_cast<std::int64_t>(std::llround(value * factor));
}

/* Stores the parameters; see the class comment. */
RetrySchedule::RetrySchedule(std::int64_t base_ms, std::int64_t cap_ms, std::int64_t budget_ms,
							 std::function<double()> random)
	: base_ms_(base_ms), cap_ms_(cap_ms), budget_ms_(budget_ms), random_(std::move(random))
{
}

/* Full jitter: uniform in [0, min(cap, base * 2^attempt)). */
std::optional<std::int64_t>
RetrySchedule::Next(std::int64_t elapsed_ms)
{
	std::int64_t ceiling = base_ms_;
	for (int i = 0; i < attempts_ && ceiling < cap_ms_; i++)
		ceiling *= 2;
	ceiling = std::min(ceiling, cap_ms_);
	double r = std::clamp(random_(), 0.0, 1.0);
	std::int64_t sleep = static_cast<std::int64_t>(r * static_cast<double>(ceiling));
	if (elapsed_ms + sleep > budget_ms_)
		return std::nullopt;
	attempts_++;
	return sleep;
}

/* Stores the parameters; see the class comment. */
PollSchedule::PollSchedule(std::int64_t start_ms, std::int64_t cap_ms, std::int64_t limit_ms)
	: next_ms_(start_ms), cap_ms_(cap_ms), limit_ms_(limit_ms)
{
}

/* Doubling up to the cap; the last sleep ends at the limit. */
std::optional<std::int64_t>
PollSchedule::Next(std::int64_t elapsed_ms)
{
	if (elapsed_ms >= limit_ms_)
		return std::nullopt;
	std::int64_t sleep = std::min(next_ms_, limit_ms_ - elapsed_ms);
	next_ms_ = std::min(next_ms_ * 2, cap_ms_);
	return sleep;
}

/* Splits at dots; numeric parts compare as numbers. */
int
CompareVersions(std::string_view a, std::string_view b)
{
	while (!a.empty() || !b.empty()) {
		std::size_t da = std::min(a.find('.'), a.size());
		std::size_t db = std::min(b.find('.'), b.size());
		std::string_view pa = a.substr(0, da), pb = b.substr(0, db);
		bool numeric = !pa.empty() && !pb.empty() &&
			pa.find_first_not_of("0123456789") == std::string_view::npos &&
			pb.find_first_not_of("0123456789") == std::string_view::npos;
		if (numeric) {
			while (pa.size() > 1 && pa[0] == '0')
				pa.remove_prefix(1);
			while (pb.size() > 1 && pb[0] == '0')
				pb.remove_prefix(1);
			if (pa.size() != pb.size())
				return pa.size() < pb.size() ? -1 : 1;
		}
		if (pa.empty() && !numeric)
			pa = "0";
		if (pb.empty() && !numeric)
			pb = "0";
		int c = pa.compare(pb);
		if (c != 0)
			return c < 0 ? -1 : 1;
		a.remove_prefix(std::min(da + 1, a.size()));
		b.remove_prefix(std::min(db + 1, b.size()));
	}
	return 0;
}

/* See options.hpp. */
std::optional<int>
RelativeOffset(std::string_view target)
{
	if (target.size() < 2 || (target[0] != '+' && target[0] != '-') ||
		target.find_first_not_of("0123456789", 1) != std::string_view::npos || target.size() > 10)
		return std::nullopt;
	int n = 0;
	for (char c : target.substr(1))
		n = n * 10 + (c - '0');
	return target[0] == '-' ? -n : n;
}

/* See options.hpp. */
std::optional<BranchForm>
ParseBranchForm(std::string_view target)
{
	std::size_t at = target.rfind('@');
	if (at == std::string_view::npos || at == 0)
		return std::nullopt;
	std::string_view suffix = target.substr(at + 1);
	BranchForm b;
	b.name = std::string(target.substr(0, at));
	if (suffix == "base")
		return b;
	std::optional<int> n = RelativeOffset(suffix);
	if (!n)
		return std::nullopt;
	b.offset = *n;
	return b;
}

/* See options.hpp. */
std::optional<int>
RelativeCount(std::string_view target)
{
	std::optional<int> n = RelativeOffset(target);
	if (!n)
		return std::nullopt;
	return *n < 0 ? -*n : *n;
}

/* See options.hpp. */
Reaction
ReactionFor(std::string_view sqlstate, std::string_view message)
{
	if (sqlstate == "PM030")
		return Reaction::kRunNontx;
	if (sqlstate == "PM033")
		return Reaction::kWaitForLease;
	if ((sqlstate == "55P03" || sqlstate == "40P01") && message.substr(0, 10) == "revision \"")
		return Reaction::kRetryWithBackoff;
	if (sqlstate.substr(0, 2) == "08" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03")
		return Reaction::kConnectionLost;
	return Reaction::kFail;
}

/* See options.hpp. */
int
ExitCodeFor(std::string_view sqlstate)
{
	(void) sqlstate;
	return kExitError;
}

} // namespace pgmig::client
