#!/usr/bin/env python3
"""scripts/bench/run.py: the migration benchmark against plain psql and the peers.

Called by scripts/bench.sh, which starts the throwaway server and exports
PGHOST, PGPORT and PGUSER for it.  Everything runs against that one server;
each timed run gets a database of its own, created just before (not timed)
and checkpointed so that no run pays for the previous one's dirty buffers.

Parts (BENCH_PARTS, default all of them):

  apply   for each N in BENCH_N: the N revisions written by gen.py applied by
          every tool in BENCH_TOOLS, REPEAT times, the tools taking turns
          (round r starts with the r-th tool, so a slow spell of the shared
          machine is spread over all of them).  After every run the database
          is checked: the tables, enum types, indexes and rows gen.py
          predicts, and the tool's own record of N applied revisions; a run
          that fails or leaves anything else is reported as failed, not
          timed.
  noop    on the fully migrated database of each tool (the last apply run):
          the tool's migrate command again (nothing to do) and its status
          command, REPEAT (or NOOP_REPEAT) times each; then, once per tool, the first
          migration's file is edited (a column type changed) and the migrate
          command run again: a tool that verifies checksums refuses; one that
          does not says there is nothing to do.
  heads   a 100,000-revision graph (HEADS_N) uploaded with mig_upload_batch
          and mostly stamped; the time of SELECT pgmig.mig_heads() measured in
          the server (clock_timestamp() around it in a DO block), in a new
          session each time and again in the same session, and `pgmig heads`.
  push    `pgmig push` of PUSH_N (default 10,000) generated files into a
          database with the extension and nothing else.
  onestmt ONESTMT_N (default 1,000) one-statement revisions (gen.py --shape
          one) on fresh databases, like apply: `pgmig up` next to psql with
          BEGIN/COMMIT per revision and "the tracked floor", psql that also
          INSERTs into a version table in each revision's transaction.
  incremental
          the everyday deploy (issue 17): on an applied history of H
          revisions (INCR_H, default "1000 10000"), 1 new revision and 100
          new revisions applied by `pgmig up` (push included) and by psql
          running exactly the new revisions' SQL (BEGIN/COMMIT around each,
          one connection); and `pgmig push` of the folder with one new file
          next to a no-op `pgmig up` of the folder as applied.
  scaling the deploy of 1 new revision, `pgmig up` and psql, on histories of
          each size of SCALING_H (default "0 1000 10000 30000 100000").

The histories of incremental and scaling: one gen.py folder of max(H) + 100
realistic revisions (pgmig files and batch.json only; the first H revisions
are the same whatever the folder's length), and per H a template database
built untimed as fast as pgmig allows: `pgmig push` of the first H files, then
one mig_apply(target) call per HIST_CHUNK (default 10,000) revisions, then a
no-op `pgmig up` (so the client finds the state its own runs leave) and
ANALYZE (what autovacuum would have done on a long-lived database); it is
checked (schema counts and mig_status) before use.  Every timed run gets a
copy of the template (CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY,
then CHECKPOINT, untimed), so every run starts from the same history; the
cases of a round take turns as in apply (round r starts with the r-th case).
The folder a run reads holds hard links to the first H (+ new) files.

In part noop the tools take turns within each round, and when --noop-floor
names bench/noop_floor (built by scripts/bench.sh) it runs in the rotation on
pgmig's folder and database: every file read and hashed with SHA-256 on two
threads, one connection, one query (the physical floor of a no-op `up`).

Each figure is the median of its runs (wall time of the whole command, as a
user waits for it, process start included); ratios are to the median of
`psql -1` for the same N in the same run (for the later parts: to the psql
figure of the same case in the same run).  Results go to --out (JSON),
rewritten after every step, so an interrupted run still has its figures.
"""
import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name, what the report calls it
TOOLS = [
    ("psql1", "psql -1 -f (one transaction)"),
    ("psqltx", "psql -f, BEGIN/COMMIT per revision"),
    ("pgmig", "pgmig up"),
    ("pgmig_atomic", "pgmig up --atomic"),
    ("mig_apply", "SELECT pgmig.mig_apply() (bodies uploaded beforehand)"),
    ("alembic", "alembic upgrade head"),
    ("sqitch", "sqitch deploy"),
    ("dbmate", "dbmate migrate"),
    ("npm", "node-pg-migrate up"),
]
TOOL_NAMES = [t for t, _ in TOOLS]
# Part onestmt's tools: psqltx and pgmig as above, and the tracked floor.
ONESTMT_TOOLS = ["psqltx", "tracked", "pgmig"]
# Labels of the tools and cases of the later parts.
MORE_LABELS = {
    "tracked": "psql -f, BEGIN / body / INSERT INTO schema_version / COMMIT per revision",
    "floor": "noop_floor: read + SHA-256 every file (2 threads), one connection, one query",
    "psql": "psql -f of the new revisions' SQL, BEGIN/COMMIT around each",
    "push": "pgmig push (folder with one new file)",
    "noop": "pgmig up with nothing to do (folder as applied)",
}
# The new revisions on top of a history: INCR_NEW (1 and 100).
INCR_NEW = [1, 100]
# The tools with a history of their own: a no-op migrate and a status verb.
# mig_apply: the server's share of pgmig's no-op (no files read, nothing pushed).
NOOP_TOOLS = ["pgmig", "mig_apply", "alembic", "sqitch", "dbmate", "npm"]


class Failed(Exception):
    """A run that failed or left the wrong database."""


class Bench:
    """The state of one benchmark run: settings, paths and results."""

    def __init__(self, a):
        self.a = a
        self.host = os.environ["PGHOST"]
        self.port = os.environ["PGPORT"]
        self.user = os.environ.get("PGUSER", "postgres")
        self.work = os.path.abspath(a.work)
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.npm_bin = os.path.join(a.npm_dir, "node_modules", ".bin")
        self.results = {"meta": {}, "apply": {}, "noop": {}, "status": {}, "tamper": {}, "baseline": {}, "errors": [],
                        "onestmt": {}, "incremental": {}, "scaling": {}, "history": {}}
        self.templates = {}  # H -> template database of an applied H-revision history
        self.prefixes = {}  # m -> folder of hard links to the first m history files
        self.seq = 0

    # ---- helpers ---------------------------------------------------------

    def save(self):
        """Write the results so far (atomically)."""
        tmp = self.a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.results, f, indent=1, sort_keys=True)
        os.replace(tmp, self.a.out)

    def log(self, msg):
        """A progress line on stderr."""
        print("bench: " + msg, file=sys.stderr, flush=True)

    def psql(self, db, sql, at=True):
        """Run sql in db with psql; its output (unaligned, tuples only) or Failed."""
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql]
        if at:
            cmd[1:1] = ["-A", "-t"]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise Failed("psql -d %s -c %r: exit %d: %s" % (db, sql[:200], p.returncode, p.stderr.strip()[-2000:]))
        return p.stdout.strip()

    def fresh_db(self, db):
        """Drop and create db, then CHECKPOINT (none of it timed)."""
        self.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
        self.psql("postgres", "CREATE DATABASE %s" % db)
        self.psql("postgres", "CHECKPOINT")

    def drop_db(self, db):
        """Drop db if it exists."""
        self.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)

    def timed(self, name, argv, cwd=None, env=None, ok_codes=(0,)):
        """Run argv, output to a log file; (seconds, exit code, log path).
        Raises Failed when the exit code is not in ok_codes."""
        self.seq += 1
        logpath = os.path.join(self.logs, "%04d-%s.log" % (self.seq, name))
        e = dict(os.environ)
        if env:
            e.update(env)
        with open(logpath, "w") as out:
            out.write("$ %s\n" % " ".join(argv))
            out.flush()
            t0 = time.perf_counter()
            p = subprocess.run(argv, cwd=cwd, env=e, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            t = time.perf_counter() - t0
        if p.returncode not in ok_codes:
            with open(logpath, errors="replace") as f:
                tail = f.read()[-1500:]
            raise Failed("%s exited %d (log %s):\n%s" % (" ".join(argv[:6]), p.returncode, logpath, tail))
        return t, p.returncode, logpath

    # ---- the tools -------------------------------------------------------

    def urls(self, db):
        """The connection settings each peer wants for db."""
        return {
            "dbmate": "postgres://%s@:%s/%s?socket=%s&sslmode=disable" % (self.user, self.port, db, self.host),
            "npm": "postgres://%s@/%s?host=%s&port=%s" % (self.user, db, self.host, self.port),
            "alembic": "postgresql+psycopg2://%s@/%s?host=%s&port=%s" % (self.user, db, self.host, self.port),
            "sqitch": "db:pg:%s" % db,
        }

    def sqitch_env(self):
        """Sqitch's user settings, kept out of the caller's home directory."""
        return {
            "SQITCH_FULLNAME": "Bench",
            "SQITCH_EMAIL": "bench@example.invalid",
            "SQITCH_USER_CONFIG": os.path.join(self.work, "sqitch-user.conf"),
            "SQITCH_SYSTEM_CONFIG": os.path.join(self.work, "sqitch-system.conf"),
        }

    def prepare(self, tool, db, g):
        """Untimed setup of a fresh db for tool (g: the generated folder)."""
        if tool in ("pgmig", "pgmig_atomic", "mig_apply"):
            self.psql(db, "CREATE EXTENSION pgmig")
        if tool == "mig_apply":
            self.psql(
                db,
                "SET client_min_messages = warning; SELECT count(*) FROM pgmig.mig_upload_batch(pg_read_file(%s)::jsonb)"
                % lit(os.path.join(g, "batch.json")),
            )
            self.psql("postgres", "CHECKPOINT")

    def command(self, tool, verb, db, g):
        """(argv, cwd, env) of tool's verb: apply, noop or status."""
        u = self.urls(db)
        pgmig = self.a.pgmig
        if tool == "psql1" and verb == "apply":
            return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-1", "-f", os.path.join(g, "plain.sql")], None, None
        if tool == "psqltx" and verb == "apply":
            return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", os.path.join(g, "pertx.sql")], None, None
        if tool == "floor":
            conninfo = "host=%s port=%s user=%s dbname=%s" % (self.host, self.port, self.user, db)
            return [self.a.noop_floor, os.path.join(g, "pgmig"), conninfo, "2"], None, None
        if tool == "tracked" and verb == "apply":
            return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", os.path.join(g, "tracked.sql")], None, None
        if tool == "pgmig_atomic" and verb == "apply":
            return [pgmig, "-q", "-d", db, "--dir", os.path.join(g, "pgmig"), "up", "--atomic"], None, None
        if tool == "mig_apply" and verb == "status":
            return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", "SELECT * FROM pgmig.mig_status()"], None, None
        if tool == "mig_apply":
            return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", "SET client_min_messages = warning",
                    "-c", "SELECT count(*) FROM pgmig.mig_apply()"], None, None
        if tool == "pgmig":
            if verb == "status":
                return [pgmig, "-d", db, "status"], None, None
            return [pgmig, "-q", "-d", db, "--dir", os.path.join(g, "pgmig"), "up"], None, None
        if tool == "alembic":
            argv = ["alembic", "current"] if verb == "status" else ["alembic", "upgrade", "head"]
            return argv, os.path.join(g, "alembic"), {"BENCH_ALEMBIC_URL": u["alembic"]}
        if tool == "sqitch":
            argv = ["sqitch", "status" if verb == "status" else "deploy", u["sqitch"]]
            return argv, os.path.join(g, "sqitch"), self.sqitch_env()
        if tool == "dbmate":
            argv = [os.path.join(self.npm_bin, "dbmate"), "--url", u["dbmate"], "--migrations-dir", os.path.join(g, "dbmate"),
                    "--no-dump-schema", "status" if verb == "status" else "migrate"]
            return argv, None, None
        if tool == "npm":
            # node-pg-migrate has no status verb: `up --dry-run` lists what is pending.
            argv = [os.path.join(self.npm_bin, "node-pg-migrate"), "up", "-m", os.path.join(g, "npm")]
            if verb == "status":
                argv.append("--dry-run")
            return argv, g, {"DATABASE_URL": u["npm"]}
        raise ValueError((tool, verb))

    def check(self, tool, db, expect):
        """Raise Failed unless db holds exactly what the N revisions make."""
        got = self.psql(
            db,
            r"""SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname ~ '^t[0-9]+$')
                || ' ' || (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                        WHERE n.nspname = 'public' AND t.typtype = 'e')
                || ' ' || (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'public' AND c.relkind = 'i' AND c.relname ~ '^t[0-9]+_')
                || ' ' || (SELECT coalesce(sum((xpath('/row/c/text()',
                                query_to_xml('SELECT count(*) AS c FROM public.' || quote_ident(c.relname), false, true, '')))[1]::text::bigint), 0)
                        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname ~ '^t[0-9]+$')""",
        )
        want = "%d %d %d %d" % (expect["tables"], expect["enums"], expect["indexes"], expect["rows"])
        if got != want:
            raise Failed("%s: database %s holds tables/enums/indexes/rows %s, expected %s" % (tool, db, got, want))
        n = expect["n"]
        if tool in ("pgmig", "pgmig_atomic", "mig_apply"):
            rec = self.psql(db, "SELECT applied || ' ' || pending FROM pgmig.mig_status()")
            want_rec = "%d 0" % n
        elif tool == "tracked":
            rec, want_rec = self.psql(db, "SELECT count(*) FROM schema_version"), str(n)
        elif tool == "alembic":
            rec, want_rec = self.psql(db, "SELECT string_agg(version_num, ' ') FROM alembic_version"), expect["last"]["pgmig"]
        elif tool == "sqitch":
            rec, want_rec = self.psql(db, "SELECT count(*) FROM sqitch.changes WHERE project = 'bench'"), str(n)
        elif tool == "dbmate":
            rec = self.psql(db, "SELECT count(*) || ' ' || max(version) FROM schema_migrations")
            want_rec = "%d %s" % (n, expect["last"]["dbmate"])
        elif tool == "npm":
            rec = self.psql(db, "SELECT count(*) || ' ' || max(name) FROM pgmigrations")
            want_rec = "%d %s" % (n, expect["last"]["npm"])
        else:
            return
        if rec != want_rec:
            raise Failed("%s: its record in %s says %r, expected %r" % (tool, db, rec, want_rec))

    # ---- parts -----------------------------------------------------------

    def generate(self, n, shape="realistic"):
        """The folder of gen.py's output for n revisions of shape (made once per run)."""
        g = os.path.join(self.work, ("gen%d" if shape == "realistic" else "gen-" + shape + "%d") % n)
        if not os.path.exists(os.path.join(g, "expect.json")):
            self.log("generating %d revisions%s" % (n, "" if shape == "realistic" else " (shape %s)" % shape))
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(n), g, "--shape", shape], check=True)
        with open(os.path.join(g, "expect.json")) as f:
            return g, json.load(f)

    def record(self, part, key, tool, times, error=None, extra=None):
        """Store the runs of one figure and their median."""
        d = self.results[part].setdefault(str(key), {})
        r = {"runs": times, "median": statistics.median(times) if times else None, "error": error}
        if extra:
            r.update(extra)
        d[tool] = r
        self.save()

    def part_apply(self, n, tools, shape="realistic", part="apply"):
        """Every tool applies the n revisions (of gen.py's shape) REPEAT times,
        on fresh databases; the figures go to results[part]."""
        g, expect = self.generate(n, shape)
        repeat = self.a.repeat_for(n)
        times = {t: [] for t in tools}
        errors = {}
        for r in range(repeat):
            order = tools[r % len(tools):] + tools[: r % len(tools)]
            for tool in order:
                if tool in errors:
                    continue
                db = "b_" + tool
                try:
                    self.fresh_db(db)
                    self.prepare(tool, db, g)
                    argv, cwd, env = self.command(tool, "apply", db, g)
                    t, _, _ = self.timed("%s-%d-%s" % (part, n, tool), argv, cwd, env)
                    self.check(tool, db, expect)
                    times[tool].append(t)
                    self.log("%s N=%d run %d/%d %-13s %8.3f s" % (part, n, r + 1, repeat, tool, t))
                except Failed as e:
                    errors[tool] = str(e)
                    self.results["errors"].append("%s N=%d %s: %s" % (part, n, tool, e))
                    self.log("%s N=%d %s FAILED: %s" % (part, n, tool, e))
                self.record(part, n, tool, times[tool], errors.get(tool), {"repeat": repeat})
        return errors

    def part_noop(self, n, tools, failed):
        """No-op migrate and status on each tool's migrated database, the tools
        (and the no-op floor, on pgmig's folder and database) taking turns in
        each round; then the edited-file check."""
        g, expect = self.generate(n)
        repeat = int(os.environ.get("NOOP_REPEAT", self.a.repeat_for(n)))
        ready = []
        for tool in [t for t in NOOP_TOOLS if t in tools]:
            if tool in failed:
                continue
            try:
                self.check(tool, "b_" + tool, expect)
                ready.append(tool)
            except Failed as e:
                self.log("no-op %s: its database is not migrated (%s); skipped" % (tool, e))
        # (tool, verb, part): what a round runs
        runs = [(t, v, p) for t in ready for v, p in (("noop", "noop"), ("status", "status"))]
        if "pgmig" in ready and self.a.noop_floor:
            runs.append(("floor", "noop", "noop"))
        times = {(t, v): [] for t, v, _ in runs}
        errors = {}
        for r in range(repeat):
            order = runs[r % len(runs):] + runs[: r % len(runs)] if runs else []
            for tool, verb, _ in order:
                if (tool, verb) in errors:
                    continue
                try:
                    argv, cwd, env = self.command(tool, verb, "b_" + ("pgmig" if tool == "floor" else tool), g)
                    t, _, _ = self.timed("%s-%d-%s" % (verb, n, tool), argv, cwd, env)
                    times[(tool, verb)].append(t)
                except Failed as e:
                    errors[(tool, verb)] = str(e)
                    self.results["errors"].append("%s N=%d %s: %s" % (verb, n, tool, e))
                    self.log("N=%d %s %s FAILED: %s" % (n, verb, tool, e))
        for tool, verb, part in runs:
            err = errors.get((tool, verb))
            if not err and tool != "floor":
                try:
                    self.check(tool, "b_" + tool, expect)
                except Failed as e:
                    err = str(e)
                    self.results["errors"].append("%s N=%d %s: %s" % (verb, n, tool, e))
            if not err:
                self.log("N=%d %-6s %-7s median %8.1f ms" % (n, verb, tool, statistics.median(times[(tool, verb)]) * 1000))
            argv = self.command(tool, verb, "DB", "DIR")[0]
            shown = shlex.join([os.path.basename(argv[0])] + argv[1:]).replace(self.host, "$PGHOST").replace(self.port, "$PGPORT")
            self.record(part, n, tool, times[(tool, verb)], err, {"repeat": repeat, "command": shown})
        for tool in ready:
            if tool != "mig_apply" and tool not in self.results["tamper"]:
                self.tamper(tool, "b_" + tool, g, n)

    def tamper(self, tool, db, g, n):
        """Edit the first (applied) migration of tool's folder and run its migrate command."""
        sub = {"pgmig": "pgmig", "alembic": "alembic", "sqitch": "sqitch", "dbmate": "dbmate", "npm": "npm"}[tool]
        t = os.path.join(self.work, "tamper-%d" % n)
        os.makedirs(t, exist_ok=True)
        dst = os.path.join(t, sub)
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(os.path.join(g, sub), dst, symlinks=True)
        first = {
            "pgmig": lambda: os.path.join(dst, sorted(os.listdir(dst))[0]),
            "alembic": lambda: os.path.join(dst, "versions", sorted(x for x in os.listdir(os.path.join(dst, "versions")) if x.endswith(".py"))[0]),
            "sqitch": lambda: os.path.join(dst, "deploy", sorted(os.listdir(os.path.join(dst, "deploy")))[0]),
            "dbmate": lambda: os.path.join(dst, sorted(os.listdir(dst))[0]),
            "npm": lambda: os.path.join(dst, sorted(os.listdir(dst))[0]),
        }[tool]()
        with open(first) as f:
            text = f.read()
        if "name text NOT NULL" not in text:
            raise Failed("tamper: %s has no 'name text NOT NULL' to edit" % first)
        with open(first, "w") as f:
            f.write(text.replace("name text NOT NULL", "name varchar(200) NOT NULL", 1))
        argv, cwd, env = self.command(tool, "noop", db, t)
        try:
            _, rc, logpath = self.timed("tamper-%s" % tool, argv, cwd, env, ok_codes=range(0, 256))
            with open(logpath, errors="replace") as f:
                out = f.read()
            self.results["tamper"][tool] = {
                "n": n,
                "exit": rc,
                "detected": rc != 0,
                "file": os.path.relpath(first, t),
                "output": out[-600:].replace(t + "/", ""),
            }
            self.log("edited applied file, %s: exit %d (%s)" % (tool, rc, "refused" if rc else "not noticed"))
        except Failed as e:
            self.results["errors"].append("tamper %s: %s" % (tool, e))
        self.save()

    def part_baseline(self):
        """`psql -c 'SELECT 1'`: what starting a client and connecting costs."""
        times = []
        for _ in range(max(5, self.a.repeat)):
            t, _, _ = self.timed("baseline", ["psql", "-X", "-q", "-d", "postgres", "-c", "SELECT 1"])
            times.append(t)
        self.results["baseline"]["psql_select1"] = {"runs": times, "median": statistics.median(times)}
        self.save()

    def part_heads(self):
        """mig_heads() on a HEADS_N-revision graph, timed inside the server."""
        n = self.a.heads_n
        db = "b_heads"
        self.fresh_db(db)
        self.psql(db, "CREATE EXTENSION pgmig")
        # The graph: a main line; every 400th revision starts a side branch of
        # 25 revisions (labelled b1, b2, ...) that a merge joins back to the
        # main line, except the branches started in the last 900 revisions,
        # which stay open: 3 heads.  The first 90% are stamped as applied.
        chunks, cur = [], []
        main_prev = None
        i = 0
        branch_no = 0
        open_branches = []
        stamp_at = None
        while i < n:
            i += 1
            rid = "h%06d" % i
            parents = [main_prev] if main_prev else []
            item = {"revision": rid, "parents": parents, "up": "SELECT %d" % i}
            cur.append(item)
            main_prev = rid
            if stamp_at is None and i >= n * 9 // 10:
                stamp_at = rid
            if i % 400 == 0 and i + 26 <= n:
                branch_no += 1
                bprev = rid
                for k in range(25):
                    i += 1
                    bid = "h%06d" % i
                    it = {"revision": bid, "parents": [bprev], "up": "SELECT %d" % i}
                    if k == 0:
                        it["branch_labels"] = ["b%d" % branch_no]
                    cur.append(it)
                    bprev = bid
                open_branches.append(bprev)
                if n - i > 900:  # merge it back, except near the end
                    i += 1
                    mid = "h%06d" % i
                    cur.append({"revision": mid, "parents": [main_prev, open_branches.pop()], "up": "SELECT %d" % i})
                    main_prev = mid
            if len(cur) >= 10000:
                chunks.append(cur)
                cur = []
        if cur:
            chunks.append(cur)
        expect_heads = 1 + len(open_branches)
        t_up = 0.0
        for k, c in enumerate(chunks):
            path = os.path.join(self.work, "heads-%d.json" % k)
            with open(path, "w") as f:
                json.dump(c, f)
            os.chmod(path, 0o644)
            t0 = time.perf_counter()
            self.psql(db, "SET client_min_messages = warning; SELECT count(*) FROM pgmig.mig_upload_batch(pg_read_file(%s)::jsonb)" % lit(path))
            t_up += time.perf_counter() - t0
        self.psql(db, "SET client_min_messages = warning; SELECT count(*) FROM pgmig.mig_stamp(%s)" % lit(stamp_at))
        total = int(self.psql(db, "SELECT count(*) FROM pgmig.mig_revisions()"))
        applied = int(self.psql(db, "SELECT count(*) FROM pgmig.mig_revisions() WHERE applied"))
        do = (
            "DO $$DECLARE t0 timestamptz; t1 timestamptz; k int; "
            "BEGIN t0 := clock_timestamp(); SELECT count(*) INTO k FROM pgmig.mig_heads(); t1 := clock_timestamp(); "
            "RAISE NOTICE 'heads_ms=% count=%', extract(epoch FROM t1 - t0) * 1000, k; END$$;"
        )
        cold, warm, client, pgmig_heads = [], [], [], []
        reps = max(5, self.a.repeat)
        for _ in range(reps):
            # new session: first call, then a second one in the same session
            p = subprocess.run(["psql", "-X", "-q", "-d", db, "-c", do, "-c", do], capture_output=True, text=True)
            found = re.findall(r"heads_ms=([0-9.]+) count=([0-9]+)", p.stderr)
            if p.returncode != 0 or len(found) != 2:
                raise Failed("heads: psql exit %d: %s" % (p.returncode, p.stderr[-500:]))
            for ms, k in found:
                if int(k) != expect_heads:
                    raise Failed("heads: mig_heads() returned %s rows, expected %d" % (k, expect_heads))
            cold.append(float(found[0][0]))
            warm.append(float(found[1][0]))
            t, _, _ = self.timed("heads-psql", ["psql", "-X", "-q", "-d", db, "-c", "SELECT * FROM pgmig.mig_heads()"])
            client.append(t)
            t, _, _ = self.timed("heads-pgmig", [self.a.pgmig, "-d", db, "heads"])
            pgmig_heads.append(t)
        self.results["heads"] = {
            "revisions": total,
            "applied": applied,
            "heads": expect_heads,
            "upload_s": t_up,
            "server_ms_new_session": {"runs": cold, "median": statistics.median(cold)},
            "server_ms_same_session": {"runs": warm, "median": statistics.median(warm)},
            "psql_wall_s": {"runs": client, "median": statistics.median(client)},
            "pgmig_heads_wall_s": {"runs": pgmig_heads, "median": statistics.median(pgmig_heads)},
        }
        self.log("heads on %d revisions (%d heads): %.1f ms in the server (new session), %.1f ms (same session)"
                 % (total, expect_heads, statistics.median(cold), statistics.median(warm)))
        self.save()
        self.drop_db(db)

    def part_push(self):
        """`pgmig push` of PUSH_N files into a database with nothing uploaded."""
        n = self.a.push_n
        g, expect = self.generate(n)
        times, again = [], []
        db = "b_push"
        for _ in range(self.a.repeat_for(n)):
            self.fresh_db(db)
            self.psql(db, "CREATE EXTENSION pgmig")
            self.psql("postgres", "CHECKPOINT")
            t, _, _ = self.timed("push-%d" % n, [self.a.pgmig, "-q", "-d", db, "--dir", os.path.join(g, "pgmig"), "push"])
            got = int(self.psql(db, "SELECT count(*) FROM pgmig.mig_revisions()"))
            if got != n:
                raise Failed("push: %d revisions stored, expected %d" % (got, n))
            times.append(t)
            t, _, _ = self.timed("push-again-%d" % n, [self.a.pgmig, "-q", "-d", db, "--dir", os.path.join(g, "pgmig"), "push"])
            again.append(t)
        self.results["push"] = {
            "n": n,
            "bytes": sum(os.path.getsize(os.path.join(g, "pgmig", x)) for x in os.listdir(os.path.join(g, "pgmig"))),
            "first": {"runs": times, "median": statistics.median(times)},
            "again": {"runs": again, "median": statistics.median(again)},
        }
        self.log("push of %d files: %.3f s (again, all unchanged: %.3f s)" % (n, statistics.median(times), statistics.median(again)))
        self.save()
        self.drop_db(db)

    # ---- histories (parts incremental and scaling) -----------------------

    def history_sizes(self):
        """Every history size the selected parts need."""
        hs = set()
        if "incremental" in self.a.parts_list:
            hs |= set(self.a.incr_h)
        if "scaling" in self.a.parts_list:
            hs |= set(self.a.scaling_h)
        return sorted(hs)

    def history(self):
        """(folder, expect) of gen.py's max(H) + 100 revisions, with the counts
        after H, H + 1 and H + 100 revisions for every H (made once per run)."""
        hs = self.history_sizes()
        top = max(hs) + max(INCR_NEW)
        g = os.path.join(self.work, "hist%d" % top)
        if not os.path.exists(os.path.join(g, "expect.json")):
            at = sorted(set(h + k for h in hs for k in [0] + INCR_NEW))
            self.log("generating a history of %d revisions" % top)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(top), g, "--formats", "pgmig,batch",
                            "--expect-at", ",".join(str(x) for x in at)], check=True)
            self.results["history"]["generate_s"] = time.perf_counter() - t0
        with open(os.path.join(g, "expect.json")) as f:
            expect = json.load(f)
        if not hasattr(self, "hist_files"):
            self.hist_files = sorted(os.listdir(os.path.join(g, "pgmig")))
            with open(os.path.join(g, "batch.json")) as f:
                self.hist_batch = json.load(f)
        return g, expect

    def expect_at(self, expect, m):
        """What check() expects after the first m revisions of the history."""
        e = dict(expect["at"][str(m)])
        e["n"] = m
        return e

    def prefix(self, m):
        """A folder holding (hard links to) the first m files of the history."""
        if m in self.prefixes:
            return self.prefixes[m]
        g, _ = self.history()
        d = os.path.join(self.work, "hist-first-%d" % m)
        os.makedirs(d, exist_ok=True)
        for name in self.hist_files[:m]:
            src, dst = os.path.join(g, "pgmig", name), os.path.join(d, name)
            try:
                os.link(src, dst)
            except OSError:
                shutil.copyfile(src, dst)
        self.prefixes[m] = d
        return d

    def new_sql(self, h, k):
        """A file with the SQL of revisions h + 1 .. h + k, BEGIN/COMMIT around each."""
        path = os.path.join(self.work, "new-%d-%d.sql" % (h, k))
        if not os.path.exists(path):
            with open(path, "w") as f:
                for rev in self.hist_batch[h : h + k]:
                    f.write("BEGIN;\n" + rev["up"] + "\nCOMMIT;\n")
        return path

    def template(self, h):
        """The template database of an applied h-revision history (built once;
        see the header), or Failed."""
        if h in self.templates:
            return self.templates[h]
        g, expect = self.history()
        db = "tpl_h%d" % h
        self.log("building a history of %d revisions (template %s)" % (h, db))
        info = {}
        t_all = time.perf_counter()
        self.fresh_db(db)
        self.psql(db, "CREATE EXTENSION pgmig")
        folder = self.prefix(h)
        if h > 0:
            t, _, _ = self.timed("history-%d-push" % h, [self.a.pgmig, "-q", "-d", db, "--dir", folder, "push"])
            info["push_s"] = t
            t0 = time.perf_counter()
            ends = list(range(self.a.hist_chunk, h, self.a.hist_chunk)) + [h]
            for end in ends:
                rid = self.hist_batch[end - 1]["revision"]
                self.psql(db, "SET client_min_messages = warning; SELECT count(*) FROM pgmig.mig_apply(%s)" % lit(rid))
            info["apply_s"] = time.perf_counter() - t0
            info["apply_calls"] = len(ends)
            # A no-op run of the client: the state its own runs leave.
            self.timed("history-%d-noop" % h, [self.a.pgmig, "-q", "-d", db, "--dir", folder, "up"])
        t0 = time.perf_counter()
        self.psql(db, "ANALYZE")
        info["analyze_s"] = time.perf_counter() - t0
        # (with nothing applied there is no record to check, only the schema)
        self.check("pgmig" if h > 0 else "psql", db, self.expect_at(expect, h))
        self.psql("postgres", "CHECKPOINT")
        info["size_mb"] = int(self.psql("postgres", "SELECT pg_database_size(%s) / 1000000" % lit(db)))
        info["total_s"] = time.perf_counter() - t_all
        self.results["history"][str(h)] = info
        self.save()
        self.log("history of %d revisions built in %.1f s (%s MB)" % (h, info["total_s"], info["size_mb"]))
        self.templates[h] = db
        return db

    def copy_of(self, h, db):
        """db as a fresh copy of the h-revision history, checkpointed (untimed)."""
        tpl = self.template(h)
        self.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % db)
        t0 = time.perf_counter()
        self.psql("postgres", "CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY" % (db, tpl))
        self.psql("postgres", "CHECKPOINT")
        self.results["history"].setdefault("copy_s", {}).setdefault(str(h), []).append(time.perf_counter() - t0)

    def deploy_case(self, h, case, tool, db):
        """One timed run of case (new1, new100 or push1) by tool on a copy of
        the h-revision history in db, checked afterwards; its seconds or Failed."""
        _, expect = self.history()
        k = int(case[3:]) if case.startswith("new") else 1
        self.copy_of(h, db)
        if tool == "psql":
            argv = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", self.new_sql(h, k)]
        elif tool == "pgmig":
            argv = [self.a.pgmig, "-q", "-d", db, "--dir", self.prefix(h + k), "up"]
        elif tool == "push":
            argv = [self.a.pgmig, "-q", "-d", db, "--dir", self.prefix(h + 1), "push"]
        elif tool == "noop":
            argv = [self.a.pgmig, "-q", "-d", db, "--dir", self.prefix(h), "up"]
        else:
            raise ValueError(tool)
        t, _, _ = self.timed("h%d-%s-%s" % (h, case, tool), argv)
        if tool in ("psql", "pgmig"):
            self.check(tool, db, self.expect_at(expect, h + k))
        else:
            got = self.psql(db, "SELECT (SELECT count(*) FROM pgmig.mig_revisions()) || ' ' || applied FROM pgmig.mig_status()")
            want = "%d %d" % (h + 1 if tool == "push" else h, h)
            if got != want:
                raise Failed("%s on a %d-revision history: revisions stored and applied %r, expected %r" % (tool, h, got, want))
        return t

    def part_history_cases(self, part, h, cases):
        """REPEAT rounds of cases [(case, tool)] on copies of the h-revision
        history, taking turns; the figures go to results[part][h][case][tool]."""
        repeat = self.a.repeat_for(h)
        times = {c: [] for c in cases}
        errors = {}
        try:
            self.template(h)
        except Failed as e:
            self.results["errors"].append("%s H=%d: building the history: %s" % (part, h, e))
            self.log("%s H=%d: building the history FAILED: %s" % (part, h, e))
            return
        for r in range(repeat):
            order = cases[r % len(cases):] + cases[: r % len(cases)]
            for c in order:
                if c in errors:
                    continue
                try:
                    t = self.deploy_case(h, c[0], c[1], "b_hist")
                    times[c].append(t)
                    self.log("%s H=%d run %d/%d %-6s %-5s %8.3f s" % (part, h, r + 1, repeat, c[0], c[1], t))
                except Failed as e:
                    errors[c] = str(e)
                    self.results["errors"].append("%s H=%d %s %s: %s" % (part, h, c[0], c[1], e))
                    self.log("%s H=%d %s %s FAILED: %s" % (part, h, c[0], c[1], e))
        for c in cases:
            d = self.results[part].setdefault(str(h), {}).setdefault(c[0], {})
            d[c[1]] = {"runs": times[c], "median": statistics.median(times[c]) if times[c] else None,
                       "error": errors.get(c), "repeat": repeat}
        self.save()
        self.drop_db("b_hist")

    def part_incremental(self):
        """1 and 100 new revisions, and push of one new file, on each INCR_H history."""
        cases = [("new1", "pgmig"), ("new1", "psql"), ("new100", "pgmig"), ("new100", "psql"), ("push1", "push"), ("push1", "noop")]
        for h in self.a.incr_h:
            self.part_history_cases("incremental", h, cases)
            self.release(h, "incremental")

    def part_scaling(self):
        """1 new revision, pgmig and psql, on each SCALING_H history."""
        for h in self.a.scaling_h:
            self.part_history_cases("scaling", h, [("new1", "pgmig"), ("new1", "psql")])
            self.release(h, "scaling")

    def release(self, h, part):
        """Drop the template of h once no later part needs it."""
        later = "scaling" in self.a.parts_list and part == "incremental" and h in self.a.scaling_h
        if h in self.templates and not later:
            self.drop_db(self.templates.pop(h))

    def versions(self):
        """The version of every tool, as it reports it."""

        def first_line(argv, cwd=None):
            try:
                p = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=60)
                return (p.stdout or p.stderr).strip().splitlines()[0]
            except Exception as e:  # a missing tool is reported, not fatal
                return "unavailable (%s)" % e

        def dirty():
            """Whether tracked files differ from HEAD.  (first_line is no test:
            git's empty answer for a clean tree made it return its
            "unavailable (...)" text, which read as uncommitted changes.)"""
            try:
                p = subprocess.run(["git", "-C", os.path.join(HERE, "..", ".."), "status", "--porcelain",
                                    "--untracked-files=no"], capture_output=True, text=True, timeout=60)
                return p.returncode != 0 or p.stdout.strip() != ""
            except Exception:
                return True

        def npm_version(pkg):
            try:
                with open(os.path.join(self.a.npm_dir, "node_modules", pkg, "package.json")) as f:
                    return json.load(f)["version"]
            except OSError:
                return "unavailable"

        return {
            "postgresql": self.psql("postgres", "SHOW server_version"),
            "psql": first_line(["psql", "--version"]),
            "pgmig": first_line(["git", "-C", os.path.join(HERE, "..", ".."), "log", "-1", "--format=%h %cd", "--date=short"])
            + (" (with uncommitted changes)" if dirty() else ""),
            "pgmig_extension": self.psql("postgres", "SELECT default_version FROM pg_available_extensions WHERE name = 'pgmig'"),
            "alembic": first_line(["alembic", "--version"]),
            "sqlalchemy": first_line(["/usr/bin/python3", "-c", "import sqlalchemy, psycopg2; print('SQLAlchemy', sqlalchemy.__version__, '/ psycopg2', psycopg2.__version__.split()[0])"]),
            "sqitch": first_line(["sqitch", "--version"]),
            "dbd_pg": first_line(["perl", "-MDBD::Pg", "-e", "print qq{DBD::Pg $DBD::Pg::VERSION\n}"]),
            "dbmate": first_line([os.path.join(self.npm_bin, "dbmate"), "--version"]),
            "node_pg_migrate": npm_version("node-pg-migrate"),
            "node_pg": npm_version("pg"),
            "node": first_line(["node", "--version"]),
            "python": first_line(["/usr/bin/python3", "--version"]),
            "gnuplot": first_line(["gnuplot", "--version"]),
        }

    def machine(self):
        """CPU, cores, memory, kernel and load."""
        cpu = "unknown"
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        cpu = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        mem = ""
        try:
            with open("/proc/meminfo") as f:
                mem = "%.0f GiB" % (int(f.readline().split()[1]) / 1024 / 1024)
        except OSError:
            pass
        return {
            "cpu": cpu,
            "cores": os.cpu_count(),
            "memory": mem,
            "kernel": platform.release(),
            "os": first_os(),
            "load_at_start": os.getloadavg()[0],
        }


def first_os():
    """PRETTY_NAME from /etc/os-release."""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def lit(s):
    """s as an SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--pgmig", required=True)
    ap.add_argument("--npm-dir", required=True)
    ap.add_argument("--n", default=os.environ.get("BENCH_N", "100 1000 10000"))
    ap.add_argument("--repeat", type=int, default=int(os.environ.get("REPEAT", "3")))
    ap.add_argument("--tools", default=os.environ.get("BENCH_TOOLS", "all"))
    ap.add_argument("--parts", default=os.environ.get("BENCH_PARTS", "all"))
    ap.add_argument("--heads-n", type=int, default=int(os.environ.get("HEADS_N", "100000")))
    ap.add_argument("--push-n", type=int, default=int(os.environ.get("PUSH_N", "10000")))
    ap.add_argument("--onestmt-n", type=int, default=int(os.environ.get("ONESTMT_N", "1000")))
    ap.add_argument("--incr-h", default=os.environ.get("INCR_H", "1000 10000"))
    ap.add_argument("--scaling-h", default=os.environ.get("SCALING_H", "0 1000 10000 30000 100000"))
    ap.add_argument("--hist-chunk", type=int, default=int(os.environ.get("HIST_CHUNK", "10000")))
    ap.add_argument("--noop-floor", default=os.environ.get("NOOP_FLOOR", ""))
    ap.add_argument("--command", default="make bench")
    a = ap.parse_args()
    ns = [int(x) for x in a.n.replace(",", " ").split()]
    tools = TOOL_NAMES if a.tools == "all" else a.tools.replace(",", " ").split()
    bad = [t for t in tools if t not in TOOL_NAMES]
    if bad:
        sys.exit("bench: unknown tool(s) %s; known: %s" % (" ".join(bad), " ".join(TOOL_NAMES)))
    all_parts = ["apply", "noop", "heads", "push", "onestmt", "incremental", "scaling"]
    parts = all_parts if a.parts == "all" else a.parts.replace(",", " ").split()
    bad = [p for p in parts if p not in all_parts]
    if bad:
        sys.exit("bench: unknown part(s) %s; known: %s" % (" ".join(bad), " ".join(all_parts)))
    a.parts_list = parts
    a.incr_h = [int(x) for x in a.incr_h.replace(",", " ").split()]
    a.scaling_h = [int(x) for x in a.scaling_h.replace(",", " ").split()]

    def repeat_for(n):
        """REPEAT, or BENCH_REPEAT_<n> for that N."""
        return int(os.environ.get("BENCH_REPEAT_%d" % n, a.repeat))

    a.repeat_for = repeat_for
    b = Bench(a)
    b.results["meta"].update(
        {
            "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "n": ns,
            "repeat": a.repeat,
            "repeat_per_n": {str(n): repeat_for(n) for n in ns},
            "tools": tools,
            "parts": parts,
            "command": a.command,
            "machine": b.machine(),
            "versions": b.versions(),
            "labels": dict(TOOLS, **MORE_LABELS),
            "onestmt_n": a.onestmt_n,
            "incr_h": a.incr_h,
            "scaling_h": a.scaling_h,
            "hist_chunk": a.hist_chunk,
        }
    )
    t_start = time.perf_counter()
    b.part_baseline()
    for n in ns:
        failed = {}
        if "apply" in parts:
            failed = b.part_apply(n, tools)
        if "noop" in parts:
            b.part_noop(n, tools, failed)
        for tool in tools:
            b.drop_db("b_" + tool)
    if "heads" in parts:
        try:
            b.part_heads()
        except Failed as e:
            b.results["errors"].append("heads: %s" % e)
            b.log("heads FAILED: %s" % e)
    if "push" in parts:
        try:
            b.part_push()
        except Failed as e:
            b.results["errors"].append("push: %s" % e)
            b.log("push FAILED: %s" % e)
    if "onestmt" in parts:
        b.part_apply(a.onestmt_n, ONESTMT_TOOLS, shape="one", part="onestmt")
        for tool in ONESTMT_TOOLS:
            b.drop_db("b_" + tool)
    for p, run in (("incremental", b.part_incremental), ("scaling", b.part_scaling)):
        if p in parts:
            try:
                run()
            except Failed as e:
                b.results["errors"].append("%s: %s" % (p, e))
                b.log("%s FAILED: %s" % (p, e))
    for h in list(b.templates):
        b.drop_db(b.templates.pop(h))
    b.results["meta"]["elapsed_s"] = time.perf_counter() - t_start
    b.results["meta"]["load_at_end"] = os.getloadavg()[0]
    b.save()
    if b.results["errors"]:
        b.log("%d failure(s):" % len(b.results["errors"]))
        for e in b.results["errors"]:
            b.log("  " + e.splitlines()[0])
        sys.exit(1)


if __name__ == "__main__":
    main()
