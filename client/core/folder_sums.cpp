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

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <utility>

#include <openssl/evp.h>

#include "parallel.hpp"
#include "sha256.hpp"
#include "sqltext.hpp"
#include "sync.hpp"

namespace pgmig::client {

namespace {

/*
 * SHA-256 fed in pieces.  OpenSSL 3's one-shot SHA256() looks the
 * algorithm up in its provider on every call (a tenth of the hashing of
 * 10,000 small bodies), so the algorithm is fetched once and each thread
 * keeps one context.  Should OpenSSL have no SHA-256 (no provider offers
 * it), the pieces are kept and the project's own SHA-256 gives the same
 * value; a context that fails once it started cannot happen for SHA-256
 * and is an exception.
 */
class Sha256Stream {
public:
	Sha256Stream()
	{
		static EVP_MD *const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
		thread_local std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX *)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
		if (sha256 != nullptr && ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), sha256, nullptr) == 1)
			ctx_ = ctx.get();
	}

	/* Hashes the next piece. */
	void Update(std::string_view piece)
	{
		if (ctx_ == nullptr)
			kept_.append(piece);
		else if (EVP_DigestUpdate(ctx_, piece.data(), piece.size()) != 1)
			throw std::runtime_error("OpenSSL's SHA-256 failed");
	}

	/* The digest of the pieces, as 64 lower-case hex digits. */
	std::string Hex()
	{
		if (ctx_ == nullptr)
			return core::Sha256Hex(kept_);
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int length = 0;
		if (EVP_DigestFinal_ex(ctx_, md, &length) != 1 || length != 32)
			throw std::runtime_error("OpenSSL's SHA-256 failed");
		static const char kHex[] = "0123456789abcdef";
		std::string out(64, '0');
		for (unsigned int i = 0; i < 32; i++) {
			out[2 * i] = kHex[md[i] >> 4];
			out[2 * i + 1] = kHex[md[i] & 15];
		}
		return out;
	}

private:
	EVP_MD_CTX *ctx_ = nullptr;
	std::string kept_;
};

} // namespace

/* See folder_sums.hpp. */
std::string
Sha256Hex(std::string_view data)
{
	Sha256Stream sha;
	sha.Update(data);
	return sha.Hex();
}

/* See folder_sums.hpp. */
std::string
ChecksumBody(std::string_view body)
{
	return Sha256Hex(core::NormalizeForChecksum(body));
}

/* See folder_sums.hpp. */
std::string
SyncLineOf(const Folder &folder, const FolderSums &sums, std::size_t i)
{
	const MigrationFile &f = folder.files[i];
	return core::SyncLine(f.revision, f.parents, f.depends_on, f.branch_labels, f.message, sums.up[i], sums.down[i]);
}

/*
 * Each file's bodies on a few threads, then the digest on this one: the
 * text core::SyncDigestText makes (the lines sorted by id, joined by \n),
 * fed to SHA-256 a line at a time instead of being built whole.
 */
FolderSums
ChecksumFolder(const Folder &folder)
{
	FolderSummer summer;
	summer.Start(folder.files.size());
	ParallelFor(folder.files.size(), [&](std::size_t i) { summer.File(i, folder.files[i]); });
	return *summer.Finish(folder);
}

/* See folder_sums.hpp. */
void
FolderSummer::Start(std::size_t n)
{
	sums_.up.assign(n, std::string());
	sums_.down.assign(n, std::nullopt);
	seen_.assign(n, 0);
}

/* See folder_sums.hpp: file i's bodies. */
void
FolderSummer::File(std::size_t i, const MigrationFile &f)
{
	sums_.up[i] = ChecksumBody(f.up);
	if (f.down)
		sums_.down[i] = ChecksumBody(*f.down);
	seen_[i] = 1;
}

/*
 * See folder_sums.hpp: the digest, over the lines sorted by id, once every
 * file was seen.
 */
std::optional<FolderSums>
FolderSummer::Finish(const Folder &folder)
{
	const std::size_t n = folder.files.size();
	if (seen_.size() != n || std::count(seen_.begin(), seen_.end(), 0) != 0)
		return std::nullopt;
	FolderSums sums = std::move(sums_);
	std::vector<std::size_t> order(n);
	for (std::size_t i = 0; i < n; i++)
		order[i] = i;
	std::sort(order.begin(), order.end(),
			  [&](std::size_t a, std::size_t b) { return folder.files[a].revision < folder.files[b].revision; });
	Sha256Stream digest;
	for (std::size_t k = 0; k < n; k++) {
		if (k > 0)
			digest.Update("\n");
		digest.Update(SyncLineOf(folder, sums, order[k]));
	}
	sums.digest = digest.Hex();
	return sums;
}

} // namespace pgmig::client
