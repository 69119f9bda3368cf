/*
 * extension/core/sha256.hpp
 *
 * SHA-256 (FIPS 180-4) in plain C++17, and the checksum pgmig keeps for a
 * migration body.  The extension computes a body's checksum with the
 * server's sha256() over the text NormalizeForChecksum (sqltext.hpp) gives;
 * the client computes the same value here, without a server and without a
 * crypto library, to compare the files in a folder with what is applied.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CORE_SHA256_HPP
#define PGMIG_CORE_SHA256_HPP

#include <string>
#include <string_view>

namespace pgmig::core {

/* SHA-256 of the bytes, as 64 lower-case hexadecimal digits. */
std::string Sha256Hex(std::string_view data);

/*
 * The checksum of a migration body: Sha256Hex(NormalizeForChecksum(body)),
 * equal to the checksum the server stores for the same body.
 */
std::string ChecksumBody(std::string_view body);

} // namespace pgmig::core

#endif /* PGMIG_CORE_SHA256_HPP */
