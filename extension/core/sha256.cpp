/*
 * extension/core/sha256.cpp
 *
 * A small, self-contained SHA-256 after FIPS 180-4, section 6.2: the message
 * is processed in 64-byte blocks, each expanded into a 64-word schedule and
 * folded into eight 32-bit working variables; the last block is padded with
 * a 0x80 byte, zeros and the message length in bits as a big-endian 64-bit
 * number (which can spill into one extra block).  Whole blocks are read
 * straight from the input and only the tail is copied, so hashing costs no
 * allocation beyond the 64-character result.  Nothing here throws except
 * std::bad_alloc from that result, so the PGXS build can call it from code
 * that converts exceptions at its boundary.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "sha256.hpp"

#include "sqltext.hpp"

#include <cstdint>
#include <cstring>

namespace pgmig::core {

namespace {

/* The first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
constexpr std::uint32_t kRound[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Rotation right by n bits (0 < n < 32). */
inline std::uint32_t
Rotr(std::uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

/* Folds one 64-byte block into the hash state (FIPS 180-4, 6.2.2). */
void
Compress(std::uint32_t state[8], const unsigned char *block)
{
	std::uint32_t w[64];
	for (int t = 0; t < 16; t++)
		w[t] = (static_cast<std::uint32_t>(block[4 * t]) << 24) | (static_cast<std::uint32_t>(block[4 * t + 1]) << 16) |
			(static_cast<std::uint32_t>(block[4 * t + 2]) << 8) | static_cast<std::uint32_t>(block[4 * t + 3]);
	for (int t = 16; t < 64; t++) {
		std::uint32_t s0 = Rotr(w[t - 15], 7) ^ Rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
		std::uint32_t s1 = Rotr(w[t - 2], 17) ^ Rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
	std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
	for (int t = 0; t < 64; t++) {
		std::uint32_t t1 = h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + kRound[t] + w[t];
		std::uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}

} // namespace

/* Hashes the whole input: full blocks in place, then the padded tail. */
std::string
Sha256Hex(std::string_view data)
{
	std::uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
							  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	const unsigned char *bytes = reinterpret_cast<const unsigned char *>(data.data());
	const std::size_t size = data.size();
	std::size_t done = 0;
	for (; size - done >= 64; done += 64)
		Compress(state, bytes + done);

	/* Tail, 0x80, zeros, and the length in bits (mod 2^64) in the last 8 bytes. */
	unsigned char tail[128] = {};
	const std::size_t rest = size - done;
	if (rest > 0)
		std::memcpy(tail, bytes + done, rest);
	tail[rest] = 0x80;
	const std::size_t tail_size = rest < 56 ? 64 : 128;
	const std::uint64_t bits = static_cast<std::uint64_t>(size) * 8u;
	for (int k = 0; k < 8; k++)
		tail[tail_size - 1 - static_cast<std::size_t>(k)] = static_cast<unsigned char>(bits >> (8 * k));
	Compress(state, tail);
	if (tail_size == 128)
		Compress(state, tail + 64);

	static const char hex[] = "0123456789abcdef";
	std::string out(64, '0');
	for (int i = 0; i < 8; i++) {
		for (int k = 0; k < 8; k++)
			out[static_cast<std::size_t>(8 * i + k)] = hex[(state[i] >> (28 - 4 * k)) & 0xf];
	}
	return out;
}

/* The checksum of a body over its normalised text (see sqltext.hpp). */
std::string
ChecksumBody(std::string_view body)
{
	return Sha256Hex(NormalizeForChecksum(body));
}

} // namespace pgmig::core
