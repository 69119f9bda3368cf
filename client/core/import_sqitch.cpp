/*
 * client/core/import_sqitch.cpp
 *
 * Sqitch: the changes of sqitch.plan in plan order, each deploy/<name>.sql
 * with revert/<name>.sql as its down body (a BEGIN;/COMMIT; wrapper
 * removed); the parent is the previous change and the other declared
 * requirements become depends_on.  Tags, conflicts, requirements on other
 * projects, reworked changes and verify scripts are noted; a plan line that
 * does not read is an error.  The tool's id is the change name.
 * docs/import.md, "Sqitch", has the details.
 *
 * Like every format reader, this is a member of the Importer
 * (import_session.hpp): it finds the tool's migrations among the files,
 * orders them, reports what cannot be carried over with Note and what makes
 * the result wrong with Error, and hands each migration to Emit.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "import_session.hpp"

#include "graph.hpp"
#include "import_text.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace pgmig::client::import_impl {

namespace {

/* One change line of a Sqitch plan. */
struct SqitchChange {
	std::string name;
	std::vector<std::string> requires;  /* as written, conflicts ("!x") included */
	std::string note;
	int line = 0;
	std::size_t tags_before = 0;        /* number of tags above it in the plan */
};

/* True when text is a Sqitch timestamp YYYY-MM-DDTHH:MM:SSZ. */
bool
IsSqitchTimestamp(std::string_view t)
{
	constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
	if (t.size() != kShape.size())
		return false;
	for (std::size_t i = 0; i < t.size(); i++) {
		if (kShape[i] == 'd' ? !IsDigit(t[i]) : t[i] != kShape[i])
			return false;
	}
	return true;
}

/* A Sqitch change or tag name: no blanks and none of the characters the plan syntax uses. */
bool
IsSqitchName(std::string_view name)
{
	if (name.empty())
		return false;
	for (char c : name) {
		if (IsPad(c) || c == ':' || c == '@' || c == '#' || c == '[' || c == ']' || c == '\\' || c == '!' ||
			c == '%')
			return false;
	}
	return true;
}

/*
 * Reads the part of a plan line after the name (and requirements): the
 * timestamp, the planner and <email>, and an optional "# note".  Returns ""
 * when it reads, else what is wrong.
 */
std::string
ReadSqitchStamp(std::string_view rest, std::string *note)
{
	rest = Trim(rest);
	std::size_t end = 0;
	while (end < rest.size() && !IsPad(rest[end]))
		end++;
	if (!IsSqitchTimestamp(rest.substr(0, end)))
		return "expected a time YYYY-MM-DDTHH:MM:SSZ, found " + Q(rest.substr(0, end));
	rest = Trim(rest.substr(end));
	std::size_t lt = rest.find('<');
	if (lt == std::string_view::npos || Trim(rest.substr(0, lt)).empty())
		return "expected the planner's name and <email>";
	std::size_t gt = rest.find('>', lt);
	if (gt == std::string_view::npos)
		return "the planner's email has no closing \">\"";
	rest = Trim(rest.substr(gt + 1));
	if (rest.empty())
		return {};
	if (rest[0] != '#')
		return "unexpected text " + Q(rest) + " after the planner's email";
	*note = std::string(Trim(rest.substr(1)));
	return {};
}

} // namespace

/*
 * Sqitch: the changes of sqitch.plan in plan order, each deploy/<name>.sql
 * with revert/<name>.sql as down body (a BEGIN;/COMMIT; pair around them
 * removed); parent = the previous change, depends_on = the other declared
 * requirements.  Tags, conflicts, requirements on other projects, reworked
 * changes and verify scripts are noted.
 */
void
Importer::ImportSqitch()
{
	constexpr std::string_view kPlan = "sqitch.plan";
	const SourceFile *plan = Find(kPlan);
	if (plan == nullptr) {
		Error(std::string(kPlan), 0, "no sqitch.plan in the folder");
		return;
	}
	if (!Usable(*plan))
		return;

	/* Read the plan. */
	std::string project;
	std::vector<SqitchChange> changes;
	struct Tag {
		std::string name;
		int line = 0;
		std::size_t changes_before = 0;
	};
	std::vector<Tag> tags;
	bool bad = false;
	{
		std::size_t at = 0;
		for (int line = 1; at < plan->text.size(); line++) {
			std::size_t nl = plan->text.find('\n', at);
			std::size_t next = nl == std::string::npos ? plan->text.size() : nl + 1;
			std::string_view text = Trim(std::string_view(plan->text).substr(at, next - at - (nl == std::string::npos ? 0 : 1)));
			at = next;
			if (text.empty() || text[0] == '#')
				continue;
			std::string note;
			if (text[0] == '%') {
				std::size_t eq = text.find('=');
				std::string_view key = Trim(text.substr(1, eq == std::string_view::npos ? std::string_view::npos : eq - 1));
				std::string_view value = eq == std::string_view::npos ? std::string_view() : Trim(text.substr(eq + 1));
				if (key == "project")
					project = std::string(value);
				else if (key == "syntax-version" && !StartsWith(value, "1."))
					Note(plan->path, line, "plan syntax version " + Q(value) + " is not 1.x; read as 1.0.0");
				continue;
			}
			if (text[0] == '@') {
				std::size_t end = 1;
				while (end < text.size() && !IsPad(text[end]))
					end++;
				std::string_view name = text.substr(1, end - 1);
				std::string problem = IsSqitchName(name) ? ReadSqitchStamp(text.substr(end), &note)
														 : "invalid tag name " + Q(name);
				if (!problem.empty()) {
					Error(plan->path, line, "cannot read this plan line: " + problem);
					bad = true;
					continue;
				}
				tags.push_back({std::string(name), line, changes.size()});
				Note(plan->path, line,
					 "tag @" + std::string(name) + " is not carried over (pgmig has no tags; target the revision " +
						 (changes.empty() ? std::string("it follows") : Q(changes.back().name)) + " instead)");
				continue;
			}
			if (text[0] == '-') {
				Error(plan->path, line, "cannot read this plan line: revert operations (\"-name\") are not supported");
				bad = true;
				continue;
			}
			if (text[0] == '+')
				text = Trim(text.substr(1));
			std::size_t end = 0;
			while (end < text.size() && !IsPad(text[end]) && text[end] != '[')
				end++;
			SqitchChange c;
			c.name = std::string(text.substr(0, end));
			c.line = line;
			c.tags_before = tags.size();
			std::string_view rest = Trim(text.substr(end));
			std::string problem;
			if (!IsSqitchName(c.name))
				problem = "invalid change name " + Q(c.name);
			else if (!rest.empty() && rest[0] == '[') {
				std::size_t close = rest.find(']');
				if (close == std::string_view::npos)
					problem = "the requirements have no closing \"]\"";
				else {
					std::string_view list = rest.substr(1, close - 1);
					while (!(list = Trim(list)).empty()) {
						std::size_t stop = 0;
						while (stop < list.size() && !IsPad(list[stop]))
							stop++;
						c.requires.emplace_back(list.substr(0, stop));
						list = list.substr(stop);
					}
					rest = rest.substr(close + 1);
				}
			}
			if (problem.empty())
				problem = ReadSqitchStamp(rest, &c.note);
			if (!problem.empty()) {
				Error(plan->path, line,
					  "cannot read this plan line (expected \"name [requires] YYYY-MM-DDTHH:MM:SSZ planner <email> # "
					  "note\"): " +
						  problem);
				bad = true;
				continue;
			}
			changes.push_back(std::move(c));
		}
	}
	if (bad)
		return;

	/* Reworked changes: later occurrences of a name are left out; the first keeps its old scripts. */
	std::map<std::string, std::size_t> first_of;  /* name -> index of its first occurrence */
	std::map<std::size_t, std::string> old_suffix; /* first occurrence -> "@tag" of its reworked scripts */
	std::vector<bool> reworked(changes.size(), false);
	for (std::size_t k = 0; k < changes.size(); k++) {
		auto [it, inserted] = first_of.emplace(changes[k].name, k);
		if (inserted)
			continue;
		reworked[k] = true;
		const std::size_t original = it->second;
		if (old_suffix.count(original) == 0) {
			/* Sqitch names the old scripts after the first tag following the original. */
			std::size_t t = changes[original].tags_before;
			if (t < tags.size())
				old_suffix[original] = "@" + tags[t].name;
		}
		Note(plan->path, changes[k].line,
			 "reworked change " + Q(changes[k].name) +
				 " is not imported (pgmig revisions cannot be reworked): its new deploy script is left out; write it "
				 "as a new revision");
	}

	/* Ids. */
	std::vector<std::string> ids(changes.size());
	for (std::size_t k = 0; k < changes.size(); k++) {
		if (reworked[k])
			continue;
		const std::string &name = changes[k].name;
		ids[k] = core::CheckRevisionId(name).empty() ? name : IdWithSlug("s", name);
	}

	std::set<std::string> used_scripts;
	std::string previous_id;
	for (std::size_t k = 0; k < changes.size(); k++) {
		if (reworked[k])
			continue;
		const SqitchChange &ch = changes[k];
		Candidate c;
		c.tool_id = ch.name;
		c.id = ids[k];
		c.message = CleanMessage(ch.note);
		c.origin = plan;
		c.origin_line = ch.line;
		c.linear = false;
		if (!previous_id.empty())
			c.parents.push_back(previous_id);
		c.strip = Strip::kWrapper;

		bool ok = true;
		for (const std::string &req : ch.requires) {
			if (StartsWith(req, "!")) {
				Note(plan->path, ch.line, "conflict " + Q(req) + " is not carried over (pgmig has no conflicts)");
				continue;
			}
			std::string_view dep = req;
			std::size_t colon = dep.find(':');
			if (colon != std::string_view::npos) {
				if (dep.substr(0, colon) != project) {
					Note(plan->path, ch.line,
						 "requirement " + Q(req) + " on another project is not carried over");
					continue;
				}
				dep.remove_prefix(colon + 1);
			}
			std::size_t target = changes.size();
			std::size_t atsign = dep.find('@');
			if (atsign == 0) {
				/* "@tag": the change the tag was put on. */
				for (const Tag &t : tags) {
					if (t.name == dep.substr(1) && t.line < ch.line && t.changes_before > 0)
						target = t.changes_before - 1;
				}
				if (target < changes.size() && reworked[target])
					target = first_of[changes[target].name];
			} else {
				auto it = first_of.find(std::string(dep.substr(0, atsign)));
				if (it != first_of.end() && it->second < k)
					target = it->second;
			}
			if (target >= changes.size()) {
				Error(plan->path, ch.line,
					  "change " + Q(ch.name) + " requires " + Q(req) + ", which is not earlier in the plan");
				ok = false;
				continue;
			}
			const std::string &id = ids[target];
			if (id == previous_id ||
				std::find(c.depends_on.begin(), c.depends_on.end(), id) != c.depends_on.end())
				continue;
			c.depends_on.push_back(id);
		}
		if (!ok)
			continue;

		auto script = [&](std::string_view dir) -> const SourceFile * {
			auto suffix = old_suffix.find(k);
			if (suffix != old_suffix.end()) {
				if (const SourceFile *f = Find(std::string(dir) + "/" + ch.name + suffix->second + ".sql")) {
					used_scripts.insert(f->path);
					return f;
				}
			}
			const SourceFile *f = Find(std::string(dir) + "/" + ch.name + ".sql");
			if (f != nullptr)
				used_scripts.insert(f->path);
			return f;
		};
		const SourceFile *deploy = script("deploy");
		const SourceFile *revert = script("revert");
		if (deploy == nullptr) {
			Error(plan->path, ch.line, "no deploy script deploy/" + ch.name + ".sql for change " + Q(ch.name));
			continue;
		}
		if (!Usable(*deploy) || (revert != nullptr && !Usable(*revert)))
			continue;
		c.up = {deploy, 0, deploy->text.size()};
		if (revert != nullptr)
			c.down = BodySource{revert, 0, revert->text.size()};
		previous_id = c.id;
		Emit(std::move(c));
	}

	/* Files the plan does not use. */
	std::size_t verify_count = 0;
	for (const SourceFile &f : files_) {
		if (f.path == kPlan || StartsWith(Basename(f.path), "."))
			continue;
		if (StartsWith(f.path, "verify/"))
			verify_count++;
		else if (f.path == "sqitch.conf")
			Note(f.path, 0, "sqitch.conf is not read: deploy/, revert/ and verify/ are expected beside sqitch.plan");
		else if (used_scripts.count(f.path) == 0) {
			bool script = StartsWith(f.path, "deploy/") || StartsWith(f.path, "revert/");
			Note(f.path, 0, script ? "script of no change in sqitch.plan; ignored" : "not a Sqitch file; ignored");
		}
	}
	if (verify_count > 0)
		Note("verify", 0,
			 std::to_string(verify_count) + " verify script" + (verify_count == 1 ? " is" : "s are") +
				 " not carried over (pgmig has no verify step)");
}

} // namespace pgmig::client::import_impl
