/*
 * client/core/folder_sums.hpp
 *
 * The checksums of a folder: each body's checksum and each revision's line
 * of the sync digest (extension/core/sync.hpp), and the folder's digest,
 * computed once per run for everything that needs them (push's comparison
 * with the server, up's `expected`, verify, lint and test).
 *
 * Design.  Every file is checksummed on every run: that is the guarantee
 * that an edited file is noticed.  So the cost is kept to what hashing the
 * bytes costs: SHA-256 is OpenSSL's (libcrypto; the hand-written one in
 * extension/core, which the extension links, hashes about six times slower),
 * and all of a folder's bodies are hashed in one pass on a few threads
 * (parallel.hpp), or by the threads that read the files, right after each
 * was parsed (FolderSummer, a ReadFolder visitor).  The digest is hashed line by line as the lines are made,
 * in id order, so that neither the lines nor the text they make are kept
 * (on 10,000 files, 5 MB less to fault in).  The values are those of
 * core::ChecksumBody and core::SyncDigest byte for byte
 * (test_folder_sums.cpp compares them).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_FOLDER_SUMS_HPP
#define PGMIG_CLIENT_FOLDER_SUMS_HPP

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migfile.hpp"

namespace pgmig::client {

/* SHA-256 of the bytes as 64 lower-case hex digits (OpenSSL); equal to core::Sha256Hex. */
std::string Sha256Hex(std::string_view data);

/* The checksum of a migration body; equal to core::ChecksumBody. */
std::string ChecksumBody(std::string_view body);

/* The checksums of a folder's files, by index in folder.files. */
struct FolderSums {
	std::vector<std::string> up;                  /* checksum of files[i].up */
	std::vector<std::optional<std::string>> down; /* checksum of files[i].down, when it has one */
	std::string digest;                           /* the folder's sync digest */
};

/* Checksums every file of the folder (see the file header). */
FolderSums ChecksumFolder(const Folder &folder);

/*
 * The same sums made while the folder is read (ReadFolder's visitor): each
 * file's bodies are hashed by the thread that just parsed them, and Finish
 * adds the digest.  Finish returns nullopt unless every file of the folder
 * was seen (a folder with a problem); the caller then uses ChecksumFolder.
 */
class FolderSummer : public FileVisitor {
public:
	void Start(std::size_t n) override;
	void File(std::size_t i, const MigrationFile &f) override;
	std::optional<FolderSums> Finish(const Folder &folder);

private:
	FolderSums sums_;
	std::vector<char> seen_; /* not vector<bool>: threads write their own elements */
};

/* folder.files[i]'s line of the sync digest (core::SyncLine). */
std::string SyncLineOf(const Folder &folder, const FolderSums &sums, std::size_t i);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_FOLDER_SUMS_HPP */
