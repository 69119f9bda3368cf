/*
 * test/unit/test_folder_sums.cpp
 *
 * Unit tests of the client's checksums (client/core/folder_sums.cpp): its
 * OpenSSL SHA-256 and body checksum give the values of extension/core's
 * (which the server computes) on known vectors and on random bodies, and
 * ChecksumFolder gives the lines and digest core::SyncLine and
 * core::SyncDigest give, also for a folder large enough to be hashed on
 * several threads; FolderSummer, which hashes each file while ReadFolder
 * reads it, gives exactly ChecksumFolder's sums, and none for a folder in
 * which a file has a problem.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "folder_sums.hpp"
#include "sha256.hpp"
#include "sync.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using pgmig::client::ChecksumFolder;
using pgmig::client::Folder;
using pgmig::client::FolderSums;
using pgmig::client::MigrationFile;

TEST(FolderSums, Sha256KnownValues)
{
	EXPECT_EQ(pgmig::client::Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	EXPECT_EQ(pgmig::client::Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(FolderSums, SameAsCoreOnRandomBodies)
{
	std::mt19937 rng(17);
	const std::string alphabet = "ab ;\t\r\n-é";
	for (int k = 0; k < 300; k++) {
		std::string body;
		std::size_t len = rng() % 300;
		for (std::size_t i = 0; i < len; i++)
			body += alphabet[rng() % alphabet.size()];
		EXPECT_EQ(pgmig::client::Sha256Hex(body), pgmig::core::Sha256Hex(body));
		EXPECT_EQ(pgmig::client::ChecksumBody(body), pgmig::core::ChecksumBody(body));
	}
}

TEST(FolderSums, FolderLinesAndDigest)
{
	for (std::size_t n : {std::size_t(0), std::size_t(3), std::size_t(2000)}) {
		Folder folder;
		std::vector<std::pair<std::string, std::string>> want;
		for (std::size_t i = 0; i < n; i++) {
			MigrationFile f;
			/* file order is not id order: the digest sorts by id */
			f.revision = "r" + std::to_string((i * 7919) % (n + 1));
			if (i > 0)
				f.parents = {folder.files[i - 1].revision};
			f.up = "CREATE TABLE t" + std::to_string(i) + " (id int);  \r\n";
			if (i % 2 == 0)
				f.down = "DROP TABLE t" + std::to_string(i) + ";";
			if (i % 3 == 0)
				f.message = "message " + std::to_string(i);
			std::optional<std::string> down =
				f.down ? std::optional<std::string>(pgmig::core::ChecksumBody(*f.down)) : std::nullopt;
			want.emplace_back(f.revision, pgmig::core::SyncLine(f.revision, f.parents, f.depends_on, f.branch_labels,
																f.message, pgmig::core::ChecksumBody(f.up), down));
			folder.files.push_back(std::move(f));
		}
		FolderSums sums = ChecksumFolder(folder);
		ASSERT_EQ(sums.up.size(), n);
		for (std::size_t i = 0; i < n; i++) {
			EXPECT_EQ(pgmig::client::SyncLineOf(folder, sums, i), want[i].second);
			EXPECT_EQ(sums.up[i], pgmig::core::ChecksumBody(folder.files[i].up));
			EXPECT_EQ(sums.down[i].has_value(), folder.files[i].down.has_value());
		}
		EXPECT_EQ(sums.digest, pgmig::core::SyncDigest(want));
	}
}

/* FolderSummer during ReadFolder: the sums ChecksumFolder makes of the folder read. */
TEST(FolderSums, SummedWhileRead)
{
	namespace fs = std::filesystem;
	fs::path dir = fs::temp_directory_path() /
	               ("pgmig_test_folder_sums_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
	fs::remove_all(dir);
	fs::create_directories(dir);
	const std::size_t n = 1500; /* enough for several threads */
	for (std::size_t i = 0; i < n; i++) {
		char name[32];
		std::snprintf(name, sizeof name, "%05zu.sql", i);
		std::ofstream out(dir / name, std::ios::binary);
		out << "-- pgmig:revision r" << i << "\n";
		if (i > 0)
			out << "-- pgmig:parents r" << i - 1 << "\n";
		if (i % 3 == 0)
			out << "-- pgmig:message m" << i << "\n";
		out << "CREATE TABLE t" << i << " (id int);  \r\n\n";
		if (i % 2 == 0)
			out << "-- pgmig:down\nDROP TABLE t" << i << ";\n";
	}
	pgmig::client::FolderSummer summer;
	Folder folder = pgmig::client::ReadFolder(dir.string(), &summer);
	ASSERT_TRUE(folder.ok());
	ASSERT_EQ(folder.files.size(), n);
	std::optional<FolderSums> got = summer.Finish(folder);
	ASSERT_TRUE(got.has_value());
	FolderSums want = ChecksumFolder(folder);
	EXPECT_EQ(got->up, want.up);
	EXPECT_EQ(got->down, want.down);
	EXPECT_EQ(got->digest, want.digest);

	/* a file with a problem: no sums (the caller reports the folder) */
	{
		std::ofstream out(dir / "00007.sql", std::ios::binary | std::ios::trunc);
		out << "-- pgmig:revision r7\n-- pgmig:parents r6\n-- pgmig:bogus x\nSELECT 1;\n";
	}
	pgmig::client::FolderSummer bad;
	Folder broken = pgmig::client::ReadFolder(dir.string(), &bad);
	EXPECT_FALSE(broken.ok());
	EXPECT_FALSE(bad.Finish(broken).has_value());
	fs::remove_all(dir);
}

} // namespace
