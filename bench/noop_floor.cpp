/*
 * bench/noop_floor.cpp
 *
 * The physical floor of a no-op `pgmig up`: the least any client that
 * verifies every migration file can do before it knows that there is nothing
 * to apply.  It reads every regular file of a folder, hashes each with
 * SHA-256 (OpenSSL), opens one connection and runs one query, then prints
 * what it read.  Nothing else: no parsing, no graph, no output but one line.
 *
 *   noop_floor DIR CONNINFO [THREADS] [QUERY]
 *
 * THREADS (default 2) threads read and hash the files, taking the next file
 * from a shared counter; meanwhile the main thread connects and runs QUERY
 * (default "SELECT 1"), since a client can overlap the two.  At the end the
 * per-file digests are hashed in name order into one folder digest, so that
 * the work cannot be skipped, and the program prints
 *
 *   files N bytes B digest HEX
 *
 * Exit status: 0, or 1 when a file cannot be read or the query fails.
 * scripts/bench/run.py times it next to `pgmig up` and `pgmig status` on the
 * same folder and database (part noop).  Built by CMake with PGMIG_BENCH=ON
 * (target noop_floor; needs libpq and libssl-dev).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <libpq-fe.h>
#include <openssl/evp.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr size_t kDigestLen = 32;

/* One file of the folder: its name, size and digest once read. */
struct Entry {
	std::string name;
	size_t bytes = 0;
	unsigned char digest[kDigestLen] = {};
	bool ok = false;
};

/* The regular files of dir (names only, sorted), or exit 1. */
std::vector<Entry> ListFolder(const std::string &dir)
{
	std::vector<Entry> out;
	DIR *d = opendir(dir.c_str());
	if (d == nullptr) {
		std::perror(dir.c_str());
		std::exit(1);
	}
	while (struct dirent *e = readdir(d)) {
		if (e->d_name[0] == '.')
			continue;
		bool regular = e->d_type == DT_REG;
		if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
			struct stat st;
			regular = stat((dir + "/" + e->d_name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
		}
		if (regular) {
			Entry en;
			en.name = e->d_name;
			out.push_back(std::move(en));
		}
	}
	closedir(d);
	std::sort(out.begin(), out.end(), [](const Entry &a, const Entry &b) { return a.name < b.name; });
	return out;
}

/* Reads dir/e.name whole into buf and hashes it into e.digest. */
void HashFile(const std::string &dir, Entry &e, std::vector<unsigned char> &buf)
{
	std::string path = dir + "/" + e.name;
	int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return;
	}
	size_t want = static_cast<size_t>(st.st_size);
	if (buf.size() < want + 1)
		buf.resize(want + 1);
	size_t got = 0;
	for (;;) {
		ssize_t r = read(fd, buf.data() + got, buf.size() - got);
		if (r < 0) {
			close(fd);
			return;
		}
		if (r == 0)
			break;
		got += static_cast<size_t>(r);
		if (got == buf.size())
			buf.resize(buf.size() * 2);
	}
	close(fd);
	unsigned int len = 0;
	if (EVP_Digest(buf.data(), got, e.digest, &len, EVP_sha256(), nullptr) != 1 || len != kDigestLen)
		return;
	e.bytes = got;
	e.ok = true;
}

/* Connects with conninfo and runs query; an error message, or "" when it worked. */
std::string Query(const char *conninfo, const char *query)
{
	PGconn *conn = PQconnectdb(conninfo);
	std::string err;
	if (PQstatus(conn) != CONNECTION_OK) {
		err = PQerrorMessage(conn);
	} else {
		PGresult *res = PQexec(conn, query);
		ExecStatusType st = PQresultStatus(res);
		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
			err = PQresultErrorMessage(res);
		PQclear(res);
	}
	PQfinish(conn);
	return err;
}

} // namespace

/* Reads, hashes, connects and queries; prints one line (see the header). */
int main(int argc, char **argv)
{
	if (argc < 3 || argc > 5) {
		std::fprintf(stderr, "usage: noop_floor DIR CONNINFO [THREADS] [QUERY]\n");
		return 2;
	}
	std::string dir = argv[1];
	const char *conninfo = argv[2];
	int threads = argc > 3 ? std::atoi(argv[3]) : 2;
	const char *query = argc > 4 ? argv[4] : "SELECT 1";
	if (threads < 1)
		threads = 1;

	std::vector<Entry> files = ListFolder(dir);
	std::atomic<size_t> next{0};
	std::vector<std::thread> pool;
	for (int t = 0; t < threads; t++) {
		pool.emplace_back([&]() {
			std::vector<unsigned char> buf(1 << 16);
			for (size_t i; (i = next.fetch_add(1)) < files.size();)
				HashFile(dir, files[i], buf);
		});
	}
	std::string err = Query(conninfo, query);
	for (std::thread &t : pool)
		t.join();

	if (!err.empty()) {
		std::fprintf(stderr, "noop_floor: %s", err.c_str());
		return 1;
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
	size_t bytes = 0;
	for (const Entry &e : files) {
		if (!e.ok) {
			std::fprintf(stderr, "noop_floor: cannot read %s/%s\n", dir.c_str(), e.name.c_str());
			return 1;
		}
		EVP_DigestUpdate(ctx, e.digest, kDigestLen);
		bytes += e.bytes;
	}
	unsigned char folder[kDigestLen];
	unsigned int len = 0;
	EVP_DigestFinal_ex(ctx, folder, &len);
	EVP_MD_CTX_free(ctx);
	std::printf("files %zu bytes %zu digest ", files.size(), bytes);
	for (unsigned int i = 0; i < len; i++)
		std::printf("%02x", folder[i]);
	std::printf("\n");
	return 0;
}
