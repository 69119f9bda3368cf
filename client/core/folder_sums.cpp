/*
 * client/core/folder_sums.cpp
 *
 * A folder's checksums (see folder_sums.hpp): OpenSSL's SHA-256 over the
 * text core::NormalizeForChecksum gives, and the sync digest's lines and
 * text from core/sync.hpp, so that the format is still written once.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "folder_sums.hpp"

#include <utility>

#include <openssl/sha.h>

#include "parallel.hpp"
#include "sqltext.hpp"
#include "sync.hpp"

namespace pgmig::client {

/* See folder_sums.hpp. */
std::string
Sha256Hex(std::string_view data)
{
	static const char kHex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256(reinterpret_cast<const unsigned char *>(data.data()), data.size(), md);
	std::string out(2 * SHA256_DIGEST_LENGTH, '0');
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = kHex[md[i] >> 4];
		out[2 * i + 1] = kHex[md[i] & 15];
	}
	return out;
}

/* See folder_sums.hpp. */
std::string
ChecksumBody(std::string_view body)
{
	return Sha256Hex(core::NormalizeForChecksum(body));
}

/*
 * Each file's bodies and line on a few threads, then the digest of the
 * lines sorted by id (core::SyncDigestText) on this one.
 */
FolderSums
ChecksumFolder(const Folder &folder)
{
	const std::size_t n = folder.files.size();
	FolderSums sums;
	sums.up.resize(n);
	sums.down.resize(n);
	sums.lines.resize(n);
	ParallelFor(n, [&](std::size_t i) {
		const MigrationFile &f = folder.files[i];
		sums.up[i] = ChecksumBody(f.up);
		if (f.down)
			sums.down[i] = ChecksumBody(*f.down);
		sums.lines[i] = core::SyncLine(f.revision, f.parents, f.depends_on, f.branch_labels, f.message, sums.up[i],
									   sums.down[i]);
	});
	std::vector<std::pair<std::string, std::string>> keyed;
	keyed.reserve(n);
	for (std::size_t i = 0; i < n; i++)
		keyed.emplace_back(folder.files[i].revision, sums.lines[i]);
	sums.digest = Sha256Hex(core::SyncDigestText(std::move(keyed)));
	return sums;
}

} // namespace pgmig::client
