/*
 * test/unit/test_sync.cpp
 *
 * Unit tests of the sync digest (extension/core/sync.cpp), which the client
 * and the server must compute byte for byte alike: the line's fields and
 * separators, the order of the lines (by id, whatever the input order), the
 * digest of nothing, and a value computed outside pgmig:
 *   printf 'a\x1f\x1fx,y\x1fl1,l2\x1fmsg\x1fc1\x1fd1\nb\x1fa\x1f\x1f\x1f\x1e\x1fc2\x1f' | sha256sum
 * The server side is compared with the same SQL expression in sql/cache.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "sha256.hpp"
#include "sync.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace {

using pgmig::core::Sha256Hex;
using pgmig::core::SyncDigest;
using pgmig::core::SyncLine;

TEST(SyncLine, FieldsAndSeparators)
{
	EXPECT_EQ(SyncLine("a", {}, {"x", "y"}, {"l1", "l2"}, std::string("msg"), "c1", std::string("d1")),
	          "a\x1f\x1fx,y\x1fl1,l2\x1fmsg\x1f" "c1\x1f" "d1");
	/* a missing message is \x1e, a missing down checksum empty */
	EXPECT_EQ(SyncLine("b", {"a"}, {}, {}, std::nullopt, "c2", std::nullopt), "b\x1f" "a\x1f\x1f\x1f\x1e\x1f" "c2\x1f");
	/* an empty message differs from a missing one */
	EXPECT_NE(SyncLine("b", {}, {}, {}, std::string(), "c", std::nullopt),
	          SyncLine("b", {}, {}, {}, std::nullopt, "c", std::nullopt));
}

TEST(SyncDigest, SortedByIdAndKnownValue)
{
	std::string a = SyncLine("a", {}, {"x", "y"}, {"l1", "l2"}, std::string("msg"), "c1", std::string("d1"));
	std::string b = SyncLine("b", {"a"}, {}, {}, std::nullopt, "c2", std::nullopt);
	std::string want = "a4a33e36aad9e050ae0dd6fb8d6db3154ce05aec0864d62a96148e85d4e4c9d7";
	EXPECT_EQ(SyncDigest({{"b", b}, {"a", a}}), want);
	EXPECT_EQ(SyncDigest({{"a", a}, {"b", b}}), want);
	EXPECT_EQ(SyncDigest({}), Sha256Hex(""));
	/* any field change changes the digest */
	std::string b2 = SyncLine("b", {"a"}, {}, {}, std::nullopt, "c3", std::nullopt);
	EXPECT_NE(SyncDigest({{"a", a}, {"b", b2}}), want);
}

} // namespace
