/*
 * test/unit/test_sha256.cpp
 *
 * Unit tests of the SHA-256 in extension/core/sha256.cpp: the FIPS 180-4 /
 * NIST example vectors, and inputs whose lengths straddle the padding
 * boundaries (55 bytes is the longest tail padded within one block, 56 the
 * shortest that needs a second; 63, 64, 65, 119 and 120 bytes around the
 * first and second block edges), with expected values computed by
 * `head -c N /dev/zero | tr '\0' a | sha256sum`.  ChecksumBody is checked
 * against `printf '<normalised body>' | sha256sum`, which is what the server
 * computes (sha256 of the NormalizeForChecksum text).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "sha256.hpp"
#include "sqltext.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace pgmig::core;

namespace {

/* NIST vector: the empty message. */
TEST(Sha256, Empty)
{
	EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* NIST vector: "abc" (one block). */
TEST(Sha256, Abc)
{
	EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* NIST vector: the 448-bit message (padding spills into a second block). */
TEST(Sha256, TwoBlockMessage)
{
	EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
			  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* NIST vector: the 896-bit message. */
TEST(Sha256, LongerMessage)
{
	EXPECT_EQ(Sha256Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrs"
						"tnopqrstu"),
			  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* NIST vector: one million 'a'. */
TEST(Sha256, MillionA)
{
	EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
			  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the padding boundaries, against sha256sum. */
TEST(Sha256, PaddingBoundaries)
{
	struct Case {
		std::size_t length;
		const char *hex;
	};
	const Case cases[] = {
		{55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
		{56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
		{63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
		{64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
		{65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
		{119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
		{120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
	};
	for (const Case &c : cases)
		EXPECT_EQ(Sha256Hex(std::string(c.length, 'a')), c.hex) << c.length << " bytes";
}

/* Bytes of every value, including NUL and high bytes, hash like any other. */
TEST(Sha256, BinaryInput)
{
	std::string zeros(3, '\0');
	/* printf '\0\0\0' | sha256sum */
	EXPECT_EQ(Sha256Hex(zeros), "709e80c88487a2411e1ee4dfb9f22a861492d20c4765150c0c794abd70f8147c");
	EXPECT_EQ(Sha256Hex("\xff"), "a8100ae6aa1940d0b663bb31cd466142ebbdbd5187131b92d93818987832eb89");
}

/* ChecksumBody hashes the normalised text, as the server does. */
TEST(Sha256, ChecksumBodyMatchesServerRule)
{
	/* printf 'CREATE TABLE t (id int);\nSELECT 1;' | sha256sum */
	const char *first = "c21330bb3245f4e70cff8336099dd37bc59e4b0b9aa6b8b58ea6d6d16df7aba5";
	EXPECT_EQ(ChecksumBody("CREATE TABLE t (id int);\nSELECT 1;"), first);
	EXPECT_EQ(ChecksumBody("CREATE TABLE t (id int);  \r\nSELECT 1;\r\n\r\n"), first);
	EXPECT_EQ(ChecksumBody("CREATE TABLE t (id int);\t\nSELECT 1;\n\n\n"), first);

	/* printf 'CREATE TABLE t (id int);\n\nSELECT 1;\n-- done' | sha256sum */
	const char *second = "499db92f80c2499e9582d4f3b4d03d2a4a7b8ae3e1a944c409693d951dfb0fa0";
	EXPECT_EQ(ChecksumBody("CREATE TABLE t (id int);\t\r\n   \rSELECT 1;\n-- done \n\n"), second);
	EXPECT_EQ(ChecksumBody("CREATE TABLE t (id int);\n\nSELECT 1;\n-- done"), second);

	/* Any other edit changes it. */
	EXPECT_NE(ChecksumBody("CREATE TABLE t (id  int);\nSELECT 1;"), first);
	EXPECT_EQ(ChecksumBody("x"), Sha256Hex(NormalizeForChecksum("x")));
}

} // namespace
