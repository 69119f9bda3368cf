/*
 * extension/core/sync.hpp
 *
 * The sync digest: one SHA-256 over what an upload of a project could
 * change (each revision's id, parents, depends_on, branch labels, message
 * and the checksums of both bodies).  The server keeps it per project in
 * pgmig.project_state, rewritten by every upload that changes something,
 * and returns it from mig_sync(); the client computes it from the folder it
 * just read.  When the two are equal an upload would change nothing, so the
 * client sends nothing.  Both sides build it with the functions below, so
 * the format is written once:
 *
 *   line   = id \x1f parents \x1f depends_on \x1f labels \x1f message \x1f
 *            checksum \x1f down_checksum
 *            (lists joined by ',', a missing message as \x1e, a missing
 *            down checksum as the empty string)
 *   digest = Sha256Hex(lines sorted bytewise by id, joined by \n)
 *
 * Ids, labels and checksums never contain \x1f, \x1e or ','; a message that
 * contains them still gives a distinct line because the number of fields
 * and their order are fixed.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CORE_SYNC_HPP
#define PGMIG_CORE_SYNC_HPP

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgmig::core {

/* Appends one revision's line of the sync digest (see the file header) to
 * out, for a caller that reuses one buffer for many lines. */
void AppendSyncLine(std::string &out, const std::string &id, const std::vector<std::string> &parents,
                    const std::vector<std::string> &depends_on, const std::vector<std::string> &branch_labels,
                    const std::optional<std::string> &message, const std::string &checksum,
                    const std::optional<std::string> &down_checksum);

/* One revision's line of the sync digest (see the file header). */
std::string SyncLine(const std::string &id, const std::vector<std::string> &parents,
                     const std::vector<std::string> &depends_on, const std::vector<std::string> &branch_labels,
                     const std::optional<std::string> &message, const std::string &checksum,
                     const std::optional<std::string> &down_checksum);

/* The digest of (id, line) pairs, in any order; sorts them. */
std::string SyncDigest(std::vector<std::pair<std::string, std::string>> lines);

/* The text SyncDigest hashes: the lines sorted by id, joined by \n (for a
 * caller that hashes it with another SHA-256, the client's OpenSSL); the
 * pairs are views, so that a caller's lines are not copied twice. */
std::string SyncDigestText(std::vector<std::pair<std::string_view, std::string_view>> lines);

} // namespace pgmig::core

#endif /* PGMIG_CORE_SYNC_HPP */
